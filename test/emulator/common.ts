import { randomBytes } from 'crypto';

/** Small helpers every emulator module shares: the error answer, JSON bodies, query parameters. */

/** An API error answer: HTTP `status` with the JSON body `{ code, message }` and extra `headers`. */
export class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

/** What a route answers: status, a JSON-serialisable body, extra headers. */
export interface Answer {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

/** True for a plain JSON object (not null, not an array). */
export const isObject = (v: unknown): v is Record<string, unknown> =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/** A deep copy, so callers never hold the emulator's own records. */
export const clone = <T>(v: T): T => structuredClone(v);

/** `bytes` random bytes as lowercase hex (2 digits per byte). */
export const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** True when `path` matches a fault or filter path (exact, or a prefix ending in `*`). */
export function pathMatches(pattern: string | undefined, path: string): boolean {
	if (pattern === undefined) return true;
	return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/**
 * Reads a positive integer query parameter.
 *
 * @throws ApiError 400 when malformed or above `max`
 */
export function intParam(
	query: URLSearchParams,
	name: string,
	fallback: number,
	max: number,
): number {
	const raw = query.get(name);
	if (raw === null || raw === '') return fallback;
	if (!/^\d+$/.test(raw) || Number(raw) < 1)
		throw new ApiError(400, 'BAD_REQUEST', `${name} must be a positive integer`);
	const value = Number(raw);
	if (value > max) throw new ApiError(400, 'BAD_REQUEST', `${name} must be at most ${max}`);
	return value;
}

/**
 * Parses a request body as JSON; undefined when empty.
 *
 * @throws ApiError 400 when it is not JSON
 */
function parseJson(raw: Buffer): unknown {
	if (raw.length === 0) return undefined;
	try {
		return JSON.parse(raw.toString('utf8'));
	} catch {
		throw new ApiError(400, 'BAD_REQUEST', 'Request body is not valid JSON');
	}
}

/**
 * Parses a request body that must be a JSON object (empty: `{}`).
 *
 * @throws ApiError 400 when it is not JSON or not an object
 */
export function objectBody(raw: Buffer): Record<string, unknown> {
	const body = parseJson(raw) ?? {};
	if (!isObject(body)) throw new ApiError(400, 'BAD_REQUEST', 'Request body must be a JSON object');
	return body;
}

/** Throws the 405 answer listing the `allow`ed methods (also as the `Allow` header). */
export function notAllowed(allow: string): never {
	throw new ApiError(405, 'METHOD_NOT_ALLOWED', `Method not allowed here; allowed: ${allow}`, {
		Allow: allow,
	});
}
