import http from 'http';
import type { AddressInfo } from 'net';

import { api } from './api';
import { ApiError } from './common';
import type { Answer } from './common';
import { takeFault } from './state';
import type { EmulatorState } from './state';
import { EMULATOR_HOST } from './types';
import type { EmulatorRequest } from './types';

/**
 * The emulator's HTTP server: reads each request, records API requests, applies injected faults,
 * and routes to the API (`/api/…`) or the control endpoints (`/_emulator/…`).
 */

/** Largest request body read, in bytes; a larger one gets 413. */
const MAX_BODY_BYTES = 1024 * 1024;

/** Answers `METHOD /_emulator/<name>` with the request body `raw`. */
export type ControlRoute = (method: string, name: string, raw: Buffer) => Promise<Answer>;

function readBody(req: http.IncomingMessage): Promise<Buffer> {
	return new Promise((resolve, reject) => {
		const chunks: Buffer[] = [];
		let size = 0;
		req.on('data', (chunk: Buffer) => {
			size += chunk.length;
			if (size <= MAX_BODY_BYTES) chunks.push(chunk);
		});
		req.on('end', () =>
			size > MAX_BODY_BYTES
				? reject(new ApiError(413, 'PAYLOAD_TOO_LARGE', `Body over ${MAX_BODY_BYTES} bytes`))
				: resolve(Buffer.concat(chunks)),
		);
		req.on('error', reject);
	});
}

async function handle(
	state: EmulatorState,
	control: ControlRoute,
	req: http.IncomingMessage,
	res: http.ServerResponse,
): Promise<void> {
	const url = new URL(req.url ?? '/', `http://${EMULATOR_HOST}`);
	const method = (req.method ?? 'GET').toUpperCase();
	const isControl = url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/');
	const entry: EmulatorRequest = {
		method,
		path: url.pathname,
		query: Object.fromEntries(url.searchParams),
		status: 0,
		at: new Date().toISOString(),
	};
	let answer: Answer;
	try {
		const raw = await readBody(req);
		let segments: string[];
		try {
			segments = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
		} catch {
			throw new ApiError(400, 'BAD_REQUEST', 'Malformed path');
		}
		if (!isControl && raw.length) {
			try {
				entry.body = JSON.parse(raw.toString('utf8'));
			} catch {
				// recorded without a body; the router answers 400 where a body matters
			}
		}
		let fault = isControl ? undefined : takeFault(state, method, url.pathname);
		if (fault?.kind === 'slow') {
			await new Promise((resolve) => setTimeout(resolve, fault?.delayMs ?? 1000));
			fault = undefined;
		}
		if (fault?.kind === 'drop' || fault?.kind === 'dropAfter') {
			if (fault.kind === 'dropAfter' && segments[0] === 'api') {
				try {
					await api(
						state,
						method,
						segments.slice(1),
						url.searchParams,
						raw,
						req.headers.authorization,
					);
				} catch {
					// the answer is never sent anyway
				}
			}
			state.requests.push(entry); // status 0: no answer
			req.socket.destroy();
			return;
		}
		if (fault) {
			const status = fault.status ?? 503;
			const retryAfter: Record<string, string> =
				fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
			if (fault.code !== undefined || fault.message !== undefined) {
				const body: Record<string, string> = {
					message: fault.message ?? `Injected fault (${status})`,
				};
				if (fault.code) body.code = fault.code;
				answer = { status, body, headers: retryAfter };
			} else {
				throw status === 429
					? new ApiError(429, 'RATE_LIMITED', 'Too many requests; slow down', retryAfter)
					: new ApiError(
							status,
							status >= 500 ? 'SERVICE_UNAVAILABLE' : 'INJECTED_FAULT',
							`Injected fault (${status})`,
							retryAfter,
						);
			}
		} else if (isControl) answer = await control(method, segments.slice(1).join('/'), raw);
		else if (segments[0] === 'api')
			answer = await api(
				state,
				method,
				segments.slice(1),
				url.searchParams,
				raw,
				req.headers.authorization,
			);
		else
			throw new ApiError(
				404,
				'NOT_FOUND',
				`Nothing at ${url.pathname}; the API is under /api/secure/`,
			);
	} catch (error) {
		answer =
			error instanceof ApiError
				? {
						status: error.status,
						body: { code: error.code, message: error.message },
						headers: error.headers,
					}
				: { status: 500, body: { code: 'INTERNAL_ERROR', message: (error as Error).message } };
	}
	if (!isControl) {
		entry.status = answer.status;
		state.requests.push(entry);
	}
	const text = JSON.stringify(answer.body);
	res.writeHead(answer.status, {
		'Content-Type': 'application/json; charset=utf-8',
		'Content-Length': String(Buffer.byteLength(text)),
		...(answer.headers ?? {}),
	});
	res.end(text);
}

/**
 * Starts the HTTP server on {@link EMULATOR_HOST}.
 *
 * @param port 0 for a random free port
 * @returns the server and the port it listens on
 * @throws (rejects) when the port cannot be bound
 */
export async function listen(
	state: EmulatorState,
	control: ControlRoute,
	port: number,
): Promise<{ server: http.Server; port: number }> {
	const server = http.createServer((req, res) => void handle(state, control, req, res));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(port, EMULATOR_HOST, () => {
			server.off('error', reject);
			resolve();
		});
	});
	return { server, port: (server.address() as AddressInfo).port };
}

/** Closes the server and every open connection. */
export function closeServer(server: http.Server): Promise<void> {
	return new Promise<void>((resolve) => {
		server.close(() => resolve());
		server.closeAllConnections();
	});
}
