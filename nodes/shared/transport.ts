import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	IHttpRequestMethods,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	IN8nHttpFullResponse,
	IPollFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
	JsonObject,
} from 'n8n-workflow';
import { createHash } from 'crypto';

import { NodeApiError, NodeOperationError, sleep } from 'n8n-workflow';

/**
 * The Mando transport: base URL, Bearer auth (through the `mandoApi` credential), retries with
 * back-off, list-shape parsing and error mapping, for every request either node makes.
 *
 * Contract: `shared/mando-api.md` (paths `/secure/{resource}` under the base URL; error bodies
 * `{ code, message }`; 429 and transient 5xx are retried honouring `Retry-After`).
 */

/** The n8n contexts that may call the Mando API. */
export type MandoContext =
	| IExecuteFunctions
	| IHookFunctions
	| ILoadOptionsFunctions
	| IPollFunctions
	| ITriggerFunctions
	| IWebhookFunctions;

/** The default API base URL (Mando developer docs). */
export const MANDO_DEFAULT_BASE_URL = 'https://www.mando.fi/api';

/** Retry and time bounds; see {@link mandoApiRequest}. */
export interface MandoRetryOptions {
	/** Most attempts in all, the first included. Default 4. */
	maxAttempts: number;
	/** Most total waiting between attempts, in milliseconds. Default 30 000. */
	maxTotalWaitMs: number;
	/** First back-off, in milliseconds, doubled on every retry (with jitter). Default 500. */
	baseDelayMs: number;
	/** Most time one attempt may take, answer included, in milliseconds. Default 30 000. */
	requestTimeoutMs: number;
	/** Most time one request may take in all, attempts and waits included, in milliseconds. Default 120 000. */
	totalBudgetMs: number;
}

/**
 * Default bounds: 4 attempts, 30 s total wait, back-off from 0.5 s, 30 s per attempt, 120 s in
 * all (n8n's own HTTP timeout is 300 s a request, which with retries could hold an execution or
 * a publish for about 20 minutes).
 */
export const DEFAULT_RETRY: MandoRetryOptions = {
	maxAttempts: 4,
	maxTotalWaitMs: 30_000,
	baseDelayMs: 500,
	requestTimeoutMs: 30_000,
	totalBudgetMs: 120_000,
};

/** Status codes retried: rate limiting and transient gateway errors (contract: "Rate limits"). */
export const RETRIED_STATUS = new Set([429, 502, 503, 504]);

/** Network error codes retried (a dropped or refused connection). */
const RETRIED_NETWORK_CODES = new Set([
	'ECONNRESET',
	'ECONNREFUSED',
	'EPIPE',
	'ETIMEDOUT',
	'ECONNABORTED',
	'EAI_AGAIN',
	'UND_ERR_SOCKET',
]);

/** Options of one request. */
export interface MandoRequest {
	method: IHttpRequestMethods;
	/** Path under the base URL, starting with `/`, e.g. `/secure/webhook`. */
	path: string;
	qs?: IDataObject;
	body?: IDataObject;
	retry?: Partial<MandoRetryOptions>;
}

/** A full answer of the Mando API. */
export interface MandoResponse<T = unknown> {
	statusCode: number;
	headers: Record<string, string | string[] | undefined>;
	body: T;
}

/** Mando's error body (contract: "Status codes"). */
interface MandoErrorBody {
	code?: string;
	message?: string;
}

/**
 * Milliseconds to wait before retry number `attempt` (1-based): the `Retry-After` header when
 * present (seconds or an HTTP date), otherwise `baseDelayMs * 2^(attempt-1)` with ±20 % jitter.
 */
function retryDelayMs(
	attempt: number,
	retryAfter: string | undefined,
	baseDelayMs: number,
	now = Date.now(),
): number {
	if (retryAfter !== undefined && retryAfter !== '') {
		const seconds = Number(retryAfter);
		if (Number.isFinite(seconds) && seconds >= 0) return Math.round(seconds * 1000);
		const date = Date.parse(retryAfter);
		if (!Number.isNaN(date)) return Math.max(0, date - now);
	}
	const exp = baseDelayMs * 2 ** (attempt - 1);
	return Math.round(exp * (0.8 + Math.random() * 0.4));
}

function headerValue(headers: MandoResponse['headers'], name: string): string | undefined {
	const v = headers[name] ?? headers[name.toLowerCase()];
	return Array.isArray(v) ? v[0] : v;
}

/** Host names that may be reached over plain `http://` (the emulator and local test servers). */
function isLoopback(hostname: string): boolean {
	return hostname === 'localhost' || hostname === '[::1]' || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** `text` as a URL, or undefined when it is not one. */
function parsedUrl(text: string): URL | undefined {
	try {
		return new URL(text);
	} catch {
		return undefined;
	}
}

/**
 * The API base URL of the credential's Base URL field: spaces around it and trailing slashes
 * dropped, empty meaning {@link MANDO_DEFAULT_BASE_URL}. The one place the base URL is read: the
 * credential test and both nodes call it.
 *
 * @throws Error saying what to fix: no `https://` (or `http://`) scheme, `http://` to a host that is
 *   not loopback (the company-wide API key would travel in clear text; contract: HTTPS only),
 *   spaces inside, or not a URL at all
 */
export function mandoBaseUrl(baseUrl: unknown): string {
	const text = typeof baseUrl === 'string' ? baseUrl.trim() : '';
	if (text === '') return MANDO_DEFAULT_BASE_URL;
	const example = `e.g. ${MANDO_DEFAULT_BASE_URL}`;
	if (/\s/.test(text))
		throw new Error(
			`The Base URL in the Mando API credential contains spaces ("${text}"); ${example}`,
		);
	if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(text))
		throw new Error(
			`The Base URL in the Mando API credential must start with https:// ("${text}"); ${example}`,
		);
	const url = parsedUrl(text);
	if (!url)
		throw new Error(
			`The Base URL in the Mando API credential is not a URL ("${text}"); ${example}`,
		);
	if (url.protocol === 'http:' && !isLoopback(url.hostname)) {
		throw new Error(
			`The Base URL in the Mando API credential must use https:// ("${text}"): over http:// the API key would travel unencrypted. Only local test servers (localhost, 127.0.0.1) may use http://.`,
		);
	}
	if (url.protocol !== 'https:' && url.protocol !== 'http:')
		throw new Error(
			`The Base URL in the Mando API credential must start with https:// ("${text}"); ${example}`,
		);
	if (url.search || url.hash || url.username || url.password)
		throw new Error(
			`The Base URL in the Mando API credential must be a plain address without query, fragment or user ("${text}"); ${example}`,
		);
	return text.replace(/\/+$/, '');
}

/** A JSON Web Token (three base64url parts, the first a JSON header `{"…`), as in Mando's API keys. */
const JWT = /eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;

/**
 * `text` with every secret taken out: the given `secrets` (the credential's API key and webhook
 * secret, wherever Mando echoes them), any JWT-shaped string and any `Bearer <token>`.
 */
export function redact(text: string, secrets: unknown[] = []): string {
	let out = text;
	for (const secret of secrets) {
		if (typeof secret === 'string' && secret.length >= 4)
			out = out.split(secret).join('[redacted]');
	}
	return out
		.replace(JWT, '[redacted JWT]')
		.replace(/Bearer\s+(?!\[redacted)[^\s"',}]+/gi, 'Bearer [redacted]');
}

/**
 * The Base URL as an account's identity, never throwing: {@link mandoBaseUrl}'s answer, or the
 * text trimmed without trailing slashes when it is not a valid base URL (a request with it then
 * fails in {@link mandoApiRequest} with mandoBaseUrl's message).
 */
export function normaliseBaseUrl(baseUrl: unknown): string {
	try {
		return mandoBaseUrl(baseUrl);
	} catch {
		return typeof baseUrl === 'string' && baseUrl.trim() !== ''
			? baseUrl.trim().replace(/\/+$/, '')
			: MANDO_DEFAULT_BASE_URL;
	}
}

/** A short, user-facing hint for a Mando error status. */
function hintForStatus(status: number): string {
	switch (status) {
		case 400:
			return 'Mando rejected the parameters; check the fields sent.';
		case 401:
			return 'Check the API key in the Mando API credential: it is missing, mistyped or expired (keys are made under Hallinta → Yritys → Muokkaa → API).';
		case 403:
			return 'The API key lacks permission for this resource; ask a company admin to grant it in the Mando admin panel.';
		case 404:
			return 'Mando has no such resource or record; check the ID and the base URL in the credential.';
		case 409:
			return 'Mando refused the change because it conflicts with a stored record; see the message for which field.';
		case 422:
			return "Mando's validation failed; see the message for the field at fault.";
		case 429:
			return 'Mando is rate limiting this API key; the node retried and gave up. Try again later or raise the retry limits.';
		default:
			return status >= 500
				? 'Mando had a server error; the node retried and gave up. Try again later.'
				: 'See the message from Mando.';
	}
}

/**
 * Sends one request to the Mando API through the `mandoApi` credential and returns the full
 * answer for a 2xx status.
 *
 * Retries 429, 502, 503, 504 and dropped connections with exponential back-off honouring
 * `Retry-After`, at most `maxAttempts` attempts and `maxTotalWaitMs` of waiting in all (waits with
 * n8n-workflow's `sleep`).
 *
 * @throws NodeApiError for any other non-2xx status, or when retries run out; it carries Mando's
 *   `code` and `message`, the HTTP status and a hint. It never carries the API key or headers.
 */
export async function mandoApiRequest<T = unknown>(
	this: MandoContext,
	request: MandoRequest,
): Promise<MandoResponse<T>> {
	const credentials = await this.getCredentials('mandoApi');
	const secrets = [credentials.apiKey, credentials.webhookSecret];
	const retry = { ...DEFAULT_RETRY, ...request.retry };
	let baseUrl: string;
	try {
		baseUrl = mandoBaseUrl(credentials.baseUrl);
	} catch (error) {
		throw new NodeOperationError(this.getNode(), (error as Error).message, {
			description: 'Open the Mando API credential and correct its Base URL.',
		});
	}
	const started = Date.now();
	const options: IHttpRequestOptions = {
		method: request.method,
		url: baseUrl + request.path,
		qs: request.qs,
		body: request.body,
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
		headers: { Accept: 'application/json' },
	};
	let waited = 0;
	for (let attempt = 1; ; attempt++) {
		let response: IN8nHttpFullResponse | undefined;
		let networkCode: string | undefined;
		const remaining = retry.totalBudgetMs - (Date.now() - started);
		options.timeout = Math.max(1, Math.min(retry.requestTimeoutMs, remaining));
		try {
			response = (await this.helpers.httpRequestWithAuthentication.call(
				this,
				'mandoApi',
				options,
			)) as IN8nHttpFullResponse;
		} catch (error) {
			const code = networkErrorCode(error);
			if (code && RETRIED_NETWORK_CODES.has(code)) networkCode = code;
			else
				throw toNodeApiError(
					this,
					0,
					{ code: code ?? 'REQUEST_FAILED', message: safeMessage(error) },
					request,
					attempt,
					secrets,
				);
		}
		const status = response?.statusCode ?? 0;
		if (response && status >= 200 && status < 300) {
			return {
				statusCode: status,
				headers: response.headers as MandoResponse['headers'],
				body: response.body as T,
			};
		}
		const retriable = networkCode !== undefined || RETRIED_STATUS.has(status);
		const delay = retriable
			? retryDelayMs(
					attempt,
					response
						? headerValue(response.headers as MandoResponse['headers'], 'retry-after')
						: undefined,
					retry.baseDelayMs,
				)
			: 0;
		const overBudget = Date.now() - started + delay >= retry.totalBudgetMs;
		if (
			!retriable ||
			attempt >= retry.maxAttempts ||
			waited + delay > retry.maxTotalWaitMs ||
			overBudget
		) {
			if (!response) {
				const timedOut = networkCode === 'ECONNABORTED' || networkCode === 'ETIMEDOUT';
				const why = timedOut
					? `no answer within ${options.timeout >= 1000 ? `${Math.round(options.timeout / 1000)} s` : `${options.timeout} ms`}`
					: networkCode;
				const budget = overBudget
					? `; the request's time budget of ${Math.round(retry.totalBudgetMs / 1000)} s is spent`
					: '';
				throw toNodeApiError(
					this,
					0,
					{
						code: networkCode,
						message: `Could not reach Mando (${why}) after ${attempt} attempt(s)${budget}`,
					},
					request,
					attempt,
					secrets,
				);
			}
			const body = (
				typeof response.body === 'object' && response.body !== null ? response.body : {}
			) as MandoErrorBody;
			const message =
				typeof body.message === 'string'
					? body.message
					: typeof response.body === 'string'
						? response.body.slice(0, 300)
						: undefined;
			throw toNodeApiError(
				this,
				status,
				{ code: typeof body.code === 'string' ? body.code : undefined, message },
				request,
				attempt,
				secrets,
			);
		}
		waited += delay;
		this.logger.debug(
			`Mando API ${request.method} ${request.path}: ${networkCode ?? status}, retrying in ${delay} ms (attempt ${attempt + 1}/${retry.maxAttempts})`,
		);
		await sleep(delay);
	}
}

/** Calls {@link mandoApiRequest} and returns only the body. */
export async function mandoApiRequestBody<T = unknown>(
	this: MandoContext,
	request: MandoRequest,
): Promise<T> {
	return (await mandoApiRequest.call(this, request)).body as T;
}

/**
 * The network error code (e.g. `ECONNRESET`) of a failed request: on the error itself, on its
 * `cause` (n8n's HTTP helper wraps the socket error in a `NodeApiError`), or in its `httpCode`.
 */
function networkErrorCode(error: unknown): string | undefined {
	const e = error as {
		code?: unknown;
		httpCode?: unknown;
		cause?: { code?: unknown; cause?: { code?: unknown } };
	};
	for (const candidate of [e.code, e.cause?.code, e.cause?.cause?.code, e.httpCode]) {
		if (typeof candidate === 'string' && RETRIED_NETWORK_CODES.has(candidate)) return candidate;
	}
	const first = [e.code, e.cause?.code].find((c) => typeof c === 'string');
	return first as string | undefined;
}

function safeMessage(error: unknown): string {
	const message = error instanceof Error ? error.message : String(error);
	// Never let a header dump (and so the Bearer key) through.
	return redact(message).slice(0, 300);
}

/**
 * A `NodeApiError` for a failed Mando request: message `Mando API error <status> <code>: <message>`,
 * description with the method, path and a hint. Holds no credentials.
 */
function toNodeApiError(
	ctx: MandoContext,
	status: number,
	mando: { code?: string; message?: string },
	request: Pick<MandoRequest, 'method' | 'path'>,
	attempts = 1,
	secrets: unknown[] = [],
): NodeApiError {
	const code = redact(mando.code ?? (status ? `HTTP_${status}` : 'NETWORK_ERROR'), secrets);
	const text = redact(mando.message ?? 'no message', secrets);
	const errorBody: JsonObject = { code, message: text, httpCode: status ? String(status) : '' };
	const retried = attempts > 1 ? ` after ${attempts} attempts` : '';
	const message = `Mando API error${status ? ' ' + status : ''} ${code}: ${text}`;
	const error = new NodeApiError(ctx.getNode(), errorBody, {
		message,
		description: `${request.method} ${redact(request.path, secrets)}${retried}. ${status ? hintForStatus(status) : 'Check the base URL in the Mando API credential and that Mando is reachable.'}`,
		httpCode: status ? String(status) : undefined,
	});
	// NodeApiError swaps a message naming a network code (ECONNABORTED, …) for a generic one;
	// ours says what happened (timeout, attempts, budget).
	error.message = message;
	return error;
}

/**
 * The records of a list answer, which Mando documents both as a bare array and as
 * `{ "data": [...] }` (contract: "Lists and pagination").
 *
 * @throws Error when the body is neither shape
 */
function listItems<T = IDataObject>(body: unknown): T[] {
	if (Array.isArray(body)) return body as T[];
	if (
		typeof body === 'object' &&
		body !== null &&
		Array.isArray((body as { data?: unknown }).data)
	) {
		return (body as { data: T[] }).data;
	}
	throw new Error('Mando answered a list request with neither an array nor { data: [...] }');
}

/** Largest page size Mando accepts (contract: `pageSize` max 1000). */
export const MANDO_MAX_PAGE_SIZE = 1000;

/** Bounds of one list read; see {@link mandoGetAll} and {@link mandoGetAllCursor}. */
export interface MandoPagingOptions {
	/** Most pages read before giving up with an error. Default {@link MANDO_MAX_PAGES}. */
	maxPages?: number;
	/** Cursor lists: most empty pages in a row with `has_more: true`. Default 10. */
	maxEmptyPages?: number;
}

/** Most pages one list read fetches (1,000,000 records at 1000 a page). */
export const MANDO_MAX_PAGES = 1000;

const DEFAULT_MAX_EMPTY_PAGES = 10;

/** The page size asked for: `limit` as an integer in 1–{@link MANDO_MAX_PAGE_SIZE}, or the maximum. */
function pageSizeFor(limit: number | undefined): number {
	return limit === undefined
		? MANDO_MAX_PAGE_SIZE
		: Math.max(1, Math.min(MANDO_MAX_PAGE_SIZE, limit));
}

/** `limit` as a whole number of records, at least 1; undefined (all) when not a finite number. */
function wholeLimit(limit: number | undefined): number | undefined {
	return typeof limit === 'number' && Number.isFinite(limit)
		? Math.max(1, Math.floor(limit))
		: undefined;
}

/** A non-negative integer header value, or undefined when absent or not one. */
function intHeader(headers: MandoResponse['headers'], name: string): number | undefined {
	const text = headerValue(headers, name);
	if (text === undefined || !/^\s*\d+\s*$/.test(text)) return undefined;
	return Number(text);
}

/** A short digest of a page's records, to notice a server answering the same page again. */
function pageDigest(items: unknown[]): string {
	return createHash('sha256').update(JSON.stringify(items)).digest('hex');
}

/** The error of a list that cannot be read whole: what Mando did, and that nothing partial is returned. */
function pagingError(ctx: MandoContext, path: string, what: string): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`Mando's list ${path} could not be read whole: ${what}`,
		{
			description:
				'The node returns no partial list. Use a Limit or filters to read less, or report the server behaviour to Mando; the base URL in the credential may also point at a server that is not the Mando API.',
		},
	);
}

/**
 * Every record of an offset-paged list (`page`, `pageSize`; contract: "Lists and pagination"),
 * asking for pages of {@link MANDO_MAX_PAGE_SIZE} (or `limit` when smaller).
 *
 * When to stop: `X-Total-Pages` when Mando sends it, else `X-Total-Count`, else (only then) the
 * first short or empty page. A server that caps its pages below the size asked for is read to
 * the end its totals give.
 *
 * @param limit stop after this many records (undefined: all); rounded down, at least 1
 * @param retry retry bounds for each page request (default {@link DEFAULT_RETRY})
 * @param paging page cap (default {@link MANDO_MAX_PAGES})
 * @throws NodeOperationError when a page repeats the one before (a server ignoring `page`, or
 *   repeating its last page), when the list ends before its totals, or at the page cap;
 *   NodeApiError as {@link mandoApiRequest}
 */
export async function mandoGetAll<T = IDataObject>(
	this: MandoContext,
	path: string,
	qs: IDataObject = {},
	limit?: number,
	retry?: Partial<MandoRetryOptions>,
	paging: MandoPagingOptions = {},
): Promise<T[]> {
	const wanted = wholeLimit(limit);
	const pageSize = pageSizeFor(wanted);
	const maxPages = paging.maxPages ?? MANDO_MAX_PAGES;
	const out: T[] = [];
	let previous: string | undefined;
	for (let page = 1; ; page++) {
		if (page > maxPages)
			throw pagingError(
				this,
				path,
				`still not at the end after ${maxPages} pages (${out.length} records)`,
			);
		const response = await mandoApiRequest.call(this, {
			method: 'GET',
			path,
			qs: { ...qs, page, pageSize },
			retry,
		});
		const items = listItems<T>(response.body);
		const totalPages = intHeader(response.headers, 'x-total-pages');
		const totalCount = intHeader(response.headers, 'x-total-count');
		const digest = items.length ? pageDigest(items) : undefined;
		if (digest !== undefined && digest === previous) {
			throw pagingError(
				this,
				path,
				`page ${page} repeats page ${page - 1}; the server ignores the page parameter or repeats its last page`,
			);
		}
		previous = digest;
		out.push(...items);
		if (wanted !== undefined && out.length >= wanted) return out.slice(0, wanted);
		const short =
			totalPages !== undefined
				? page < totalPages
				: totalCount !== undefined
					? out.length < totalCount
					: false;
		if (items.length === 0) {
			if (short)
				throw pagingError(
					this,
					path,
					`page ${page} is empty after ${out.length} of ${totalCount ?? `${totalPages} pages of`} records`,
				);
			return out;
		}
		if (totalPages !== undefined || totalCount !== undefined) {
			if (!short) return out;
		} else if (items.length < pageSize) return out;
	}
}

/** One page of a cursor-paged list (contract: sales, `{ data, next_cursor, has_more }`). */
export interface MandoCursorPage<T> {
	data: T[];
	next_cursor?: string | null;
	has_more?: boolean;
}

/** The body as a cursor page. @throws NodeOperationError naming what is wrong with its shape */
function cursorPage<T>(ctx: MandoContext, path: string, body: unknown): MandoCursorPage<T> {
	const shape = '{ "data": [...], "next_cursor": "…", "has_more": true|false }';
	if (typeof body !== 'object' || body === null || Array.isArray(body)) {
		throw pagingError(
			ctx,
			path,
			`a page is ${body === null ? 'null' : Array.isArray(body) ? 'an array' : typeof body} instead of ${shape}`,
		);
	}
	const page = body as Record<string, unknown>;
	if (!Array.isArray(page.data))
		throw pagingError(ctx, path, `a page has no "data" list (expected ${shape})`);
	if (page.has_more !== undefined && page.has_more !== null && typeof page.has_more !== 'boolean')
		throw pagingError(ctx, path, '"has_more" is not true or false');
	if (
		page.next_cursor !== undefined &&
		page.next_cursor !== null &&
		typeof page.next_cursor !== 'string'
	)
		throw pagingError(ctx, path, '"next_cursor" is not a text');
	return page as unknown as MandoCursorPage<T>;
}

/**
 * Every record of a cursor-paged list (`cursor`, `limit`; contract: "Cursor style, used by
 * sales"), asking for {@link MANDO_MAX_PAGE_SIZE} per page (ASSUMED: the same maximum as offset
 * lists). Follows `next_cursor` while `has_more` is true (or, without `has_more`, while a cursor
 * comes), across empty pages up to `maxEmptyPages` in a row.
 *
 * @param limit stop after this many records (undefined: all); rounded down, at least 1
 * @throws NodeOperationError when a page is not `{ data: [...] }`, `has_more` comes without a
 *   cursor, a cursor repeats, or a cap is reached; NodeApiError as {@link mandoApiRequest}
 */
export async function mandoGetAllCursor<T = IDataObject>(
	this: MandoContext,
	path: string,
	qs: IDataObject = {},
	limit?: number,
	retry?: Partial<MandoRetryOptions>,
	paging: MandoPagingOptions = {},
): Promise<T[]> {
	const wanted = wholeLimit(limit);
	const pageSize = pageSizeFor(wanted);
	const maxPages = paging.maxPages ?? MANDO_MAX_PAGES;
	const maxEmpty = paging.maxEmptyPages ?? DEFAULT_MAX_EMPTY_PAGES;
	const seen = new Set<string>();
	const out: T[] = [];
	let cursor: string | undefined;
	let emptyInARow = 0;
	for (let page = 1; ; page++) {
		if (page > maxPages)
			throw pagingError(
				this,
				path,
				`still not at the end after ${maxPages} pages (${out.length} records)`,
			);
		const query: IDataObject =
			cursor === undefined ? { ...qs, limit: pageSize } : { ...qs, limit: pageSize, cursor };
		const body = cursorPage<T>(
			this,
			path,
			(await mandoApiRequest.call(this, { method: 'GET', path, qs: query, retry })).body,
		);
		out.push(...body.data);
		if (wanted !== undefined && out.length >= wanted) return out.slice(0, wanted);
		const next =
			typeof body.next_cursor === 'string' && body.next_cursor !== ''
				? body.next_cursor
				: undefined;
		const more =
			body.has_more === true ||
			((body.has_more === undefined || body.has_more === null) && next !== undefined);
		if (!more) return out;
		if (next === undefined)
			throw pagingError(this, path, `page ${page} says has_more but gives no next_cursor`);
		if (seen.has(next))
			throw pagingError(this, path, `page ${page} gives a next_cursor already followed`);
		emptyInARow = body.data.length === 0 ? emptyInARow + 1 : 0;
		if (emptyInARow >= maxEmpty)
			throw pagingError(this, path, `${maxEmpty} empty pages in a row, each saying has_more`);
		seen.add(next);
		cursor = next;
	}
}

/** The first page of a list and what is known of the rest; see {@link mandoFirstPage}. */
export interface MandoFirstPage<T> {
	items: T[];
	/** All records of the list, from `X-Total-Count`; undefined when Mando does not say. */
	total?: number;
	/** Whether more records follow the page. */
	more: boolean;
}

/**
 * Only the first page of a list, of at most `size` records (1–{@link MANDO_MAX_PAGE_SIZE}), with
 * the list's total when Mando sends `X-Total-Count`: what an AI agent gets for a list, whatever
 * its size.
 *
 * @param paging `offset` (`page`, `pageSize`) or `cursor` (`limit`; sales)
 * @throws NodeOperationError when a cursor page is not `{ data: [...] }`; NodeApiError as {@link mandoApiRequest}
 */
export async function mandoFirstPage<T = IDataObject>(
	this: MandoContext,
	path: string,
	qs: IDataObject,
	size: number,
	paging: 'offset' | 'cursor',
	retry?: Partial<MandoRetryOptions>,
): Promise<MandoFirstPage<T>> {
	const pageSize = pageSizeFor(wholeLimit(size));
	const query: IDataObject =
		paging === 'offset' ? { ...qs, page: 1, pageSize } : { ...qs, limit: pageSize };
	const response = await mandoApiRequest.call(this, { method: 'GET', path, qs: query, retry });
	const total = intHeader(response.headers, 'x-total-count');
	if (paging === 'cursor') {
		const page = cursorPage<T>(this, path, response.body);
		const items = page.data.slice(0, pageSize);
		return {
			items,
			total,
			more:
				total !== undefined
					? total > items.length
					: page.has_more === true || page.data.length > pageSize,
		};
	}
	const items = listItems<T>(response.body).slice(0, pageSize);
	return {
		items,
		total,
		more: total !== undefined ? total > items.length : items.length >= pageSize,
	};
}

/**
 * One page of an offset-paged list (`page` 1-based, `pageSize` 1–{@link MANDO_MAX_PAGE_SIZE}):
 * what a list search in the editor reads per scroll. `more` comes from `X-Total-Pages` or
 * `X-Total-Count` when Mando sends them, else from a full page.
 *
 * @throws Error when the body is not a list; NodeApiError as {@link mandoApiRequest}
 */
export async function mandoOffsetPage<T = IDataObject>(
	this: MandoContext,
	path: string,
	qs: IDataObject,
	page: number,
	size: number,
	retry?: Partial<MandoRetryOptions>,
): Promise<MandoFirstPage<T>> {
	const pageSize = pageSizeFor(wholeLimit(size));
	const response = await mandoApiRequest.call(this, {
		method: 'GET',
		path,
		qs: { ...qs, page, pageSize },
		retry,
	});
	const items = listItems<T>(response.body).slice(0, pageSize);
	const total = intHeader(response.headers, 'x-total-count');
	const totalPages = intHeader(response.headers, 'x-total-pages');
	const more =
		items.length === 0
			? false
			: totalPages !== undefined
				? page < totalPages
				: total !== undefined
					? (page - 1) * pageSize + items.length < total
					: items.length >= pageSize;
	return { items, total, more };
}

/** True when `error` is Mando's 404 answer (a `NodeApiError`, or any error with `httpCode` 404). */
export function isNotFound(error: unknown): boolean {
	const e = error as { httpCode?: string | number | null } | null | undefined;
	return String(e?.httpCode) === '404';
}

/**
 * True when `error` is Mando's "already exists" answer for the id sent: code `ALREADY_EXISTS`, or
 * a bare 409 without a code of its own. Another 409 (e.g. `CONFLICT`: "productid 1001 is already
 * used") is a different refusal and is false here.
 */
export function isAlreadyExists(error: unknown): boolean {
	if (!(error instanceof NodeApiError)) return false;
	const code = (error.errorResponse as { code?: unknown } | undefined)?.code;
	if (code === 'ALREADY_EXISTS') return true;
	return error.httpCode === '409' && (code === undefined || code === 'HTTP_409');
}

/**
 * `error` as an n8n node error: a `NodeApiError` or `NodeOperationError` is returned as it is,
 * anything else is wrapped in a `NodeOperationError` (message kept, secrets redacted).
 */
export function asNodeError(ctx: MandoContext, error: unknown): NodeApiError | NodeOperationError {
	if (error instanceof NodeApiError || error instanceof NodeOperationError) return error;
	return new NodeOperationError(ctx.getNode(), safeMessage(error));
}
