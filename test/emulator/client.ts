import http from 'http';
import https from 'https';

/**
 * A minimal HTTP client for the emulator's CLI and tests, on Node's `http`/`https` only.
 *
 * Every request uses a fresh connection (`agent: false`, `Connection: close`), so nothing stays
 * open after the answer and jest can exit.
 */

/** Options of {@link httpRequest}. */
export interface HttpRequestOptions {
	/** HTTP method; default `GET`. */
	method?: string;
	/** Request headers; `Content-Type: application/json` is added when `json` is given. */
	headers?: Record<string, string>;
	/** A value sent as JSON (`JSON.stringify`); ignored when `body` is given. */
	json?: unknown;
	/** Raw body bytes, sent as they are. */
	body?: string | Buffer;
	/** Give up after this many milliseconds (rejects); default 10 000. */
	timeoutMs?: number;
}

/** An answer of {@link httpRequest}. */
export interface HttpResponse {
	status: number;
	/** Response headers, names in lower case (as Node gives them). */
	headers: http.IncomingHttpHeaders;
	/** The raw body as UTF-8 text. */
	text: string;
	/** The body parsed as JSON, or `undefined` when empty or not JSON. */
	body: unknown;
}

/**
 * Sends one HTTP request and reads the whole answer.
 *
 * @param url absolute `http://` or `https://` URL
 * @throws Error on a connection error or when no complete answer arrives within `timeoutMs`
 */
export function httpRequest(url: string, options: HttpRequestOptions = {}): Promise<HttpResponse> {
	const target = new URL(url);
	const headers: Record<string, string | number> = {
		connection: 'close',
		...(options.headers ?? {}),
	};
	let payload: Buffer | undefined;
	if (options.body !== undefined)
		payload = Buffer.isBuffer(options.body) ? options.body : Buffer.from(options.body, 'utf8');
	else if (options.json !== undefined) {
		payload = Buffer.from(JSON.stringify(options.json), 'utf8');
		if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type'))
			headers['content-type'] = 'application/json';
	}
	if (payload) headers['content-length'] = payload.length;
	const timeoutMs = options.timeoutMs ?? 10_000;
	const transport = target.protocol === 'https:' ? https : http;

	return new Promise<HttpResponse>((resolve, reject) => {
		const req = transport.request(
			target,
			{ method: options.method ?? 'GET', headers, agent: false },
			(res) => {
				const chunks: Buffer[] = [];
				res.on('data', (chunk: Buffer) => chunks.push(chunk));
				res.on('error', fail);
				res.on('end', () => {
					clearTimeout(timer);
					const text = Buffer.concat(chunks).toString('utf8');
					let body: unknown;
					try {
						body = text ? JSON.parse(text) : undefined;
					} catch {
						body = undefined;
					}
					resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
				});
			},
		);
		const timer = setTimeout(
			() => req.destroy(new Error(`No answer from ${target.origin} within ${timeoutMs} ms`)),
			timeoutMs,
		);
		function fail(error: Error): void {
			clearTimeout(timer);
			reject(error);
		}
		req.on('error', fail);
		req.end(payload);
	});
}
