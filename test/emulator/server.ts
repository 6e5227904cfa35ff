import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'crypto';
import http from 'http';
import https from 'https';
import type { AddressInfo } from 'net';

import { getMandoEventDefinition, isMandoEventType, MANDO_EVENTS } from '../../nodes/shared/events';
import type { MandoEvent } from '../../nodes/shared/events';
import { signMandoPayload } from '../../nodes/shared/signature';

/**
 * The Mando emulator: a local HTTP server that behaves like the Mando API
 * (`/api/secure/{resource}`, contract in `shared/mando-api.md`) and like Mando's webhook sender
 * (signed deliveries, the documented retry schedule, disabling after 5 failures).
 *
 * It is a test double, not a copy of Mando: the parts the contract marks ASSUMED (the webhook
 * resource, event data shapes) follow the contract, and everything lives in memory.
 * Control endpoints for tests and demos live under `/_emulator/` (no auth).
 */

/**
 * Delay before each delivery attempt, in milliseconds, counted from the end of the previous
 * failed attempt: attempt 1 immediately, 2 after 1 minute, 3 after 5 minutes, 4 after 30 minutes,
 * 5 after 2 hours (Mando webhook docs, "Retry policy"; about 2 h 36 min from first to last).
 * The emulator multiplies these by `timeScale`.
 */
export const MANDO_RETRY_DELAYS_MS: readonly number[] = [0, 60_000, 300_000, 1_800_000, 7_200_000];

/** Attempts per delivery before Mando gives up and disables the webhook (Mando webhook docs). */
export const MANDO_MAX_DELIVERY_ATTEMPTS = MANDO_RETRY_DELAYS_MS.length;

/** `data.disabled_reason` of a webhook disabled by failed deliveries (wording is the emulator's). */
export const MANDO_DISABLED_REASON = 'Disabled after 5 failed delivery attempts';

/** The `User-Agent` of every delivery the emulator makes. */
export const EMULATOR_USER_AGENT = 'Mando-Webhooks/1.0 (emulator)';

/** The only interface the emulator listens on. */
export const EMULATOR_HOST = '127.0.0.1';

/** The CLI's default port (`startEmulator` defaults to 0, a random free port). */
export const EMULATOR_DEFAULT_PORT = 8787;

/** The entity resources served generically under `/api/secure/{resource}` (contract: "Entities"). */
export const EMULATOR_RESOURCES = [
	'plu',
	'customer',
	'businessday',
	'dpt',
	'grp',
	'location',
	'discount',
	'campaign',
	'attachment',
	'webhook',
	'tax',
] as const;

/** One of {@link EMULATOR_RESOURCES}. */
export type EmulatorResource = (typeof EMULATOR_RESOURCES)[number];

/** Shape of list bodies: a bare JSON array, or `{ data: [...] }` (the docs show both). */
export type EmulatorListShape = 'array' | 'wrapped';

/** The runtime settings of an emulator; every field can be changed with `setConfig`. */
export interface EmulatorConfig {
	/** The one API key accepted as `Authorization: Bearer <apiKey>`. Default `emulator-api-key`. */
	apiKey: string;
	/** The account's webhook signing secret. Default `emulator-webhook-secret`. */
	webhookSecret: string;
	/**
	 * When true, `POST /secure/webhook` answers a fresh random `secret` (64 hex digits) and that
	 * webhook's deliveries are signed with it instead of `webhookSecret`. Default false.
	 */
	perWebhookSecrets: boolean;
	/** When true, `http://` webhook URLs are accepted too (Mando: HTTPS only). Default false. */
	allowHttp: boolean;
	/** Factor applied to {@link MANDO_RETRY_DELAYS_MS}; 0.001 turns 1 min into 60 ms. Default 1. */
	timeScale: number;
	/** A delivery fails unless a 2xx status arrives within this many ms (Mando: 5 s; not scaled). */
	deliveryTimeoutMs: number;
	/** When false, every `/secure/webhook` path answers 404 `NOT_FOUND`. Default true. */
	webhookResource: boolean;
	/** Body shape of list answers. Default `'array'`. */
	listShape: EmulatorListShape;
	/**
	 * When true, webhook URLs are stored normalised as Mando may store them: host lower-cased,
	 * default port dropped, a trailing slash added to the path. Default false.
	 */
	normaliseWebhookUrls: boolean;
}

/** Options of {@link startEmulator}: the config plus the port (0 or absent: a random free port). */
export interface EmulatorOptions extends Partial<EmulatorConfig> {
	port?: number;
}

/**
 * A stored entity (contract: "Entities (generic pattern)"): `id` (GUID), `active` (false is the
 * soft delete), usually `name`, `data` (entity-specific settings), and any other fields sent.
 */
export interface EmulatorEntity {
	id: string;
	active: boolean;
	name?: string;
	data: Record<string, unknown>;
	[key: string]: unknown;
}

/**
 * A webhook (contract, ASSUMED: `{ id, url, events[], active, description, secret?, data? }`).
 * `secret` is present only with per-webhook secrets; the API shows it in the create answer only.
 */
export interface EmulatorWebhook extends EmulatorEntity {
	url: string;
	events: string[];
	description: string;
	secret?: string;
	data: {
		/** Why the emulator disabled it, e.g. {@link MANDO_DISABLED_REASON}. */
		disabled_reason?: string;
		/** ISO 8601 time it was disabled. */
		disabled_at?: string;
		[key: string]: unknown;
	};
}

/** One delivery attempt (or a skipped one), as recorded by the emulator. */
export interface EmulatorDelivery {
	/** Same for every attempt of one delivery, e.g. `dlv_3f…`. */
	deliveryId: string;
	webhookId: string;
	/** The URL posted to (the webhook's URL at attempt time). */
	url: string;
	/** `id` of every envelope in the body (one, or several for a batch); empty for an unparsable `send`. */
	eventIds: string[];
	/** The event type; for `send`, the body's `type` if it has one, else `''`. */
	eventType: string;
	/** 1 to {@link MANDO_MAX_DELIVERY_ATTEMPTS}. */
	attempt: number;
	/** ISO 8601 time the attempt started. */
	at: string;
	/** HTTP status answered, or null (no answer: connection error, timeout, skipped). */
	status: number | null;
	/** Why it failed (connection error, timeout) or was skipped. */
	error?: string;
	/** Time to the answer's status line, in ms (0 when skipped). */
	durationMs: number;
	/** `ok`: 2xx in time; `failed`: anything else; `skipped`: the webhook was inactive when due. */
	outcome: 'ok' | 'failed' | 'skipped';
}

/** One request to the API (not the control endpoints); the `Authorization` header is never kept. */
export interface EmulatorRequest {
	method: string;
	/** URL path without the query, e.g. `/api/secure/plu`. */
	path: string;
	/** Query parameters (the last value of a repeated one). */
	query: Record<string, string>;
	/** The JSON body, when one was sent and parsed. */
	body?: unknown;
	/** Status answered. */
	status: number;
	/** ISO 8601 time it arrived. */
	at: string;
}

/**
 * A fault to inject (emulator extension, for retry tests): the next `count` API requests that match
 * `method` and `path` fail instead of being answered normally.
 */
export interface EmulatorFault {
	/** HTTP method to match (any case); default any. */
	method?: string;
	/**
	 * Path to match: exact (`/api/secure/plu/abc`) or a prefix ending in `*` (`/api/secure/plu*`
	 * matches the list and every record). Default any API path.
	 */
	path?: string;
	/** How many matching requests fail; default 1. */
	count?: number;
	/**
	 * `status` (default): answer `status` with Mando's error body (and `Retry-After` when given);
	 * `drop`: close the connection without an answer, before doing anything;
	 * `dropAfter`: do the request (e.g. create the entity), then close without an answer.
	 */
	kind?: 'status' | 'drop' | 'dropAfter';
	/** Status for `kind: 'status'`; default 503. 429 answers code `RATE_LIMITED`, 5xx `SERVICE_UNAVAILABLE`. */
	status?: number;
	/** `Retry-After` header value in seconds (or an HTTP date), for `kind: 'status'`. */
	retryAfter?: number | string;
}

/** Filter of {@link Emulator.countRequests}; every given field must match. */
export interface EmulatorRequestFilter {
	method?: string;
	/** Exact path, or a prefix ending in `*` (as in {@link EmulatorFault.path}). */
	path?: string;
	/** Status answered (0 for a dropped connection). */
	status?: number;
}

/** Options of {@link Emulator.emit}. */
export interface EmitOptions {
	/** Envelope id (of the first envelope of a batch); default `evt_` + 24 random hex digits. */
	id?: string;
	/** The event's `data`; default the catalogue sample for the type (`nodes/shared/events.ts`). */
	data?: unknown;
	/**
	 * Emulator extension (not documented by Mando): deliver this many envelopes of the type in one
	 * body, as a JSON array (1 to 1000; default 1, a single envelope object).
	 */
	batch?: number;
}

/** What {@link Emulator.emit} did. */
export interface EmitResult {
	/** The (first) envelope sent. */
	event: MandoEvent;
	/** Every envelope sent (one unless `batch` > 1). */
	events: MandoEvent[];
	/** The active webhooks subscribed to the type; each got attempt 1 before this resolved. */
	webhookIds: string[];
}

/** A webhook added behind the API's back, as a user would in the admin panel (Settings → Webhooks). */
export interface ManualWebhookInput {
	url: string;
	events: string[];
	active?: boolean;
	description?: string;
	/** Signs this webhook's deliveries; default: the account's `webhookSecret`. */
	secret?: string;
}

/** A running emulator; see {@link startEmulator}. */
export interface Emulator {
	/** API base URL, e.g. `http://127.0.0.1:PORT/api` (the credential's base URL). */
	readonly url: string;
	/** The port listened on (127.0.0.1 only). */
	readonly port: number;
	/** Stops the server, cancels every retry timer and in-flight delivery, rejects pending waits. */
	close(): Promise<void>;
	/** Copies of the stored webhooks, secrets included. */
	webhooks(): EmulatorWebhook[];
	/** Copies of every delivery attempt so far, oldest first. */
	deliveries(): EmulatorDelivery[];
	/** Copies of every API request so far, oldest first (dropped ones with status 0). */
	requests(): EmulatorRequest[];
	/** How many API requests so far match `filter` (all when empty). */
	countRequests(filter?: EmulatorRequestFilter): number;
	/**
	 * Makes the next `fault.count` API requests matching it fail (see {@link EmulatorFault}).
	 * Faults are checked in the order injected; `reset()` clears them.
	 *
	 * @throws TypeError on an invalid fault
	 */
	injectFault(fault: EmulatorFault): void;
	/** The faults not used up yet (copies, with their remaining `count`). */
	faults(): EmulatorFault[];
	/** Removes every pending fault. */
	clearFaults(): void;
	/**
	 * Stores entities directly (no HTTP, no request records), e.g. thousands of products for paging
	 * tests. A number makes that many `plu`-like records `{ id, active: true, name: 'Product <n>',
	 * productid: '<n>', base_price: '<n>.00', data: {} }` (n from 1), merged with `template`.
	 *
	 * @returns the stored entities' ids, in order
	 * @throws Error for an unknown resource or an entity without a string `id`
	 */
	seed(resource: EmulatorResource, entities: number | Array<Partial<EmulatorEntity>>, template?: Partial<EmulatorEntity>): string[];
	/**
	 * Appends sales to `/secure/sales` directly (no webhook deliveries). A number makes that many
	 * copies of the `sale.created` sample, each with a fresh `id` and `receipt_number` `<n>`.
	 *
	 * @returns the sales' ids, in order
	 */
	seedSales(sales: number | Array<Record<string, unknown>>): string[];
	/** Copies of the stored sales, oldest first. */
	sales(): Array<Record<string, unknown>>;
	/** A copy of one stored entity, or undefined. */
	entity(resource: EmulatorResource, id: string): EmulatorEntity | undefined;
	/** Copies of every stored entity of a resource, in insertion order. */
	entities(resource: EmulatorResource): EmulatorEntity[];
	/** The current settings. */
	config(): EmulatorConfig;
	/**
	 * Emits an event to every active webhook subscribed to `type` and resolves once attempt 1 of
	 * each delivery has finished (failures are retried later on the schedule).
	 * A `sale.created` event's data is also stored in `/secure/sales` (upserted by `data.id`).
	 *
	 * @throws Error for an undocumented type or invalid options
	 */
	emit(type: string, options?: EmitOptions): Promise<EmitResult>;
	/**
	 * Posts `rawBody` exactly as given to the webhook's URL: one attempt, no retries, no disabling;
	 * works on inactive webhooks too. Default headers: `Content-Type`, `User-Agent` and a correct
	 * `X-Mando-Signature`; `headers` overrides them by name (any case), `null` removes one.
	 *
	 * @throws Error when no webhook has that id
	 */
	send(webhookId: string, rawBody: string | Buffer, headers?: Record<string, string | null>): Promise<EmulatorDelivery>;
	/**
	 * Changes settings at runtime (the port cannot change). Takes effect for later requests and
	 * attempts; retry timers already set keep their delay.
	 *
	 * @throws TypeError on an unknown key or a value of the wrong type
	 */
	setConfig(partial: Partial<EmulatorConfig>): EmulatorConfig;
	/** Clears every entity, webhook, sale, delivery and request (settings are kept), cancels retries. */
	reset(): void;
	/** Adds a webhook as the admin panel would (same URL and event rules as the API). */
	addWebhook(input: ManualWebhookInput): EmulatorWebhook;
	/**
	 * Deactivates a webhook as an admin would in the panel (`active: false`, no `disabled_reason`).
	 *
	 * @throws Error when no webhook has that id
	 */
	deactivateWebhook(id: string): void;
	/** Removes a webhook for good, as `DELETE /secure/webhook/{id}` does; false when there was none. */
	deleteWebhook(id: string): boolean;
	/** Calls `listener` with each delivery record as it is made; returns an unsubscribe function. */
	onDelivery(listener: (delivery: EmulatorDelivery) => void): () => void;
	/**
	 * Resolves with all delivery records once `predicate(records)` is true (checked now and after
	 * every new record).
	 *
	 * @param timeoutMs default 5000
	 * @throws Error after `timeoutMs`, or when the emulator closes first
	 */
	waitForDeliveries(predicate: (deliveries: EmulatorDelivery[]) => boolean, timeoutMs?: number): Promise<EmulatorDelivery[]>;
}

/** Default settings; see {@link EmulatorConfig}. */
export const EMULATOR_DEFAULT_CONFIG: Readonly<EmulatorConfig> = Object.freeze({
	apiKey: 'emulator-api-key',
	webhookSecret: 'emulator-webhook-secret',
	perWebhookSecrets: false,
	allowHttp: false,
	timeScale: 1,
	deliveryTimeoutMs: 5000,
	webhookResource: true,
	listShape: 'array',
	normaliseWebhookUrls: false,
});

const MAX_BODY_BYTES = 1024 * 1024;
const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;
const MAX_BATCH = 1000;
const RESOURCE_SET = new Set<string>(EMULATOR_RESOURCES);

/** The two locations every fresh emulator holds; the first is the one the event samples use. */
function sampleLocations(): EmulatorEntity[] {
	const saleSample = getMandoEventDefinition('sale.created')?.sample as { location_id?: string } | undefined;
	return [
		{
			id: saleSample?.location_id ?? '7c9e6679-7425-40de-944b-e07fc1f90ae7',
			active: true,
			name: 'Kahvila Helsinki',
			data: { address: 'Mannerheimintie 1, 00100 Helsinki', ext_id: [] },
		},
		{
			id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
			active: true,
			name: 'Kahvila Tampere',
			data: { address: 'Hämeenkatu 10, 33100 Tampere', ext_id: [] },
		},
	];
}

/**
 * The tax rates every fresh emulator holds (ASSUMED `tax` resource: `plu.tax_id` refers to it, no
 * page documents it). Rates are Finland's VAT percentages since 1 Sept 2024 (vero.fi).
 */
function sampleTaxes(): EmulatorEntity[] {
	return [
		{ id: 'c0a80121-7ac0-4e1c-9a3b-000000002550', active: true, name: 'ALV 25,5 %', rate: 25.5, data: {} },
		{ id: 'c0a80121-7ac0-4e1c-9a3b-000000001400', active: true, name: 'ALV 14 %', rate: 14, data: {} },
		{ id: 'c0a80121-7ac0-4e1c-9a3b-000000001000', active: true, name: 'ALV 10 %', rate: 10, data: {} },
		{ id: 'c0a80121-7ac0-4e1c-9a3b-000000000000', active: true, name: 'ALV 0 %', rate: 0, data: {} },
	];
}

/** True when `path` matches a fault or filter path (exact, or a prefix ending in `*`). */
function pathMatches(pattern: string | undefined, path: string): boolean {
	if (pattern === undefined) return true;
	return pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern;
}

/** Checks a fault; throws TypeError naming the bad field. */
function checkFault(input: unknown): Required<Pick<EmulatorFault, 'count' | 'kind'>> & EmulatorFault {
	if (!isObject(input)) throw new TypeError('A fault must be a JSON object');
	const fault = input as EmulatorFault;
	const count = fault.count ?? 1;
	const kind = fault.kind ?? 'status';
	if (!Number.isInteger(count) || count < 1) throw new TypeError('count must be a positive integer');
	if (!['status', 'drop', 'dropAfter'].includes(kind)) throw new TypeError('kind must be status, drop or dropAfter');
	if (fault.status !== undefined && (!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)) {
		throw new TypeError('status must be an integer from 400 to 599');
	}
	if (fault.method !== undefined && typeof fault.method !== 'string') throw new TypeError('method must be a string');
	if (fault.path !== undefined && typeof fault.path !== 'string') throw new TypeError('path must be a string');
	if (fault.retryAfter !== undefined && !['string', 'number'].includes(typeof fault.retryAfter)) throw new TypeError('retryAfter must be a number or string');
	return { ...fault, count, kind, method: fault.method?.toUpperCase() };
}

/** An API error answer (`{ code, message }`). */
class ApiError extends Error {
	constructor(
		readonly status: number,
		readonly code: string,
		message: string,
		readonly headers: Record<string, string> = {},
	) {
		super(message);
	}
}

interface Answer {
	status: number;
	body: unknown;
	headers?: Record<string, string>;
}

interface DeliveryJob {
	deliveryId: string;
	webhookId: string;
	body: Buffer;
	eventIds: string[];
	eventType: string;
}

interface PostResult {
	status: number | null;
	error?: string;
	durationMs: number;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const clone = <T>(v: T): T => structuredClone(v);
const hex = (bytes: number): string => randomBytes(bytes).toString('hex');

/** Checks a partial config; throws TypeError naming the first bad key. */
function checkConfig(partial: unknown): Partial<EmulatorConfig> {
	if (!isObject(partial)) throw new TypeError('Config must be a JSON object');
	const kinds: Record<keyof EmulatorConfig, (v: unknown) => boolean> = {
		apiKey: (v) => typeof v === 'string' && v.length > 0,
		webhookSecret: (v) => typeof v === 'string' && v.length > 0,
		perWebhookSecrets: (v) => typeof v === 'boolean',
		allowHttp: (v) => typeof v === 'boolean',
		timeScale: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
		deliveryTimeoutMs: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
		webhookResource: (v) => typeof v === 'boolean',
		listShape: (v) => v === 'array' || v === 'wrapped',
		normaliseWebhookUrls: (v) => typeof v === 'boolean',
	};
	for (const [key, value] of Object.entries(partial)) {
		if (value === undefined) continue;
		const ok = kinds[key as keyof EmulatorConfig];
		if (!ok) throw new TypeError(`Unknown config key "${key}"`);
		if (!ok(value)) throw new TypeError(`Invalid value for config key "${key}"`);
	}
	return Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<EmulatorConfig>;
}

/** Reads a positive integer query parameter; 400 when malformed or above `max`. */
function intParam(query: URLSearchParams, name: string, fallback: number, max: number): number {
	const raw = query.get(name);
	if (raw === null || raw === '') return fallback;
	if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new ApiError(400, 'BAD_REQUEST', `${name} must be a positive integer`);
	const value = Number(raw);
	if (value > max) throw new ApiError(400, 'BAD_REQUEST', `${name} must be at most ${max}`);
	return value;
}

/** Posts one delivery; never rejects. Tracks the request in `inFlight` so `close()` can abort it. */
function postDelivery(
	target: string,
	body: Buffer,
	headers: Record<string, string>,
	timeoutMs: number,
	inFlight: Set<http.ClientRequest>,
): Promise<PostResult> {
	const started = Date.now();
	return new Promise<PostResult>((resolve) => {
		let settled = false;
		let timer: NodeJS.Timeout | undefined;
		const finish = (status: number | null, error?: string): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve({ status, error, durationMs: Date.now() - started });
		};
		let url: URL;
		try {
			url = new URL(target);
		} catch {
			finish(null, 'Invalid webhook URL');
			return;
		}
		const transport = url.protocol === 'https:' ? https : http;
		const req = transport.request(url, {
			method: 'POST',
			agent: false,
			headers: { ...headers, 'content-length': String(body.length), connection: 'close' },
		});
		inFlight.add(req);
		timer = setTimeout(() => {
			finish(null, `No answer within ${timeoutMs} ms`);
			req.destroy();
		}, timeoutMs);
		req.on('response', (res) => {
			finish(res.statusCode ?? null);
			res.on('error', () => undefined);
			res.on('close', () => inFlight.delete(req));
			res.resume();
		});
		req.on('error', (error: NodeJS.ErrnoException) => finish(null, error.code ? `${error.code}: ${error.message}` : error.message));
		req.on('close', () => {
			inFlight.delete(req);
			finish(null, 'Connection closed without an answer');
		});
		req.end(body);
	});
}

/**
 * Starts an emulator on 127.0.0.1.
 *
 * API (contract `shared/mando-api.md`): `GET|POST /api/secure/{resource}`,
 * `GET|PUT /api/secure/{resource}/{id}` for {@link EMULATOR_RESOURCES}; `GET /api/secure/sales`
 * (cursor paging), `GET /api/secure/sales/{id}`; `POST /api/secure/businessday_rename/{id}/{date}`.
 * Lists filter on any query parameter equal (as text) to a top-level field, e.g. `?dpt_id=…&active=true`.
 * PUT merges top-level fields (a `data` sent replaces the stored `data`); `id` cannot change.
 * Errors are JSON `{ code, message }`: 400 `BAD_REQUEST`, 401 `UNAUTHORIZED`, 404 `NOT_FOUND`,
 * 405 `METHOD_NOT_ALLOWED`, 409 `ALREADY_EXISTS`, 413 `PAYLOAD_TOO_LARGE`, 422 `VALIDATION_FAILED`.
 *
 * Control (no auth): `GET /_emulator/state`, `GET|POST /_emulator/events`, `POST /_emulator/reset`,
 * `GET|POST /_emulator/config`, `POST /_emulator/webhooks` (a manual, admin-panel webhook),
 * `GET|POST|DELETE /_emulator/faults` (see {@link EmulatorFault}), `POST /_emulator/seed`
 * (`{ resource, count | entities, template? }`), `GET /_emulator/counts` (API requests per
 * `METHOD path`).
 * `GET /api/secure/tax` lists the (ASSUMED) tax rates, seeded with Finland's VAT rates.
 *
 * @param options see {@link EmulatorOptions}; `port` 0 (default) picks a free port
 * @throws TypeError on invalid options; rejects when the port cannot be bound
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const { port: requestedPort = 0, ...rest } = options;
	let config: EmulatorConfig = { ...EMULATOR_DEFAULT_CONFIG, ...checkConfig(rest) };

	let stores = new Map<string, Map<string, EmulatorEntity>>();
	let sales: Record<string, unknown>[] = [];
	let deliveries: EmulatorDelivery[] = [];
	let requests: EmulatorRequest[] = [];
	let pendingFaults: Array<ReturnType<typeof checkFault>> = [];
	let generation = 0;
	let closed = false;
	const timers = new Set<NodeJS.Timeout>();
	const inFlight = new Set<http.ClientRequest>();
	const listeners = new Set<(d: EmulatorDelivery) => void>();
	const waiters = new Set<(error: Error) => void>();

	function seed(): void {
		stores = new Map(EMULATOR_RESOURCES.map((r) => [r, new Map<string, EmulatorEntity>()]));
		for (const location of sampleLocations()) stores.get('location')!.set(location.id, location);
		for (const tax of sampleTaxes()) stores.get('tax')!.set(tax.id, tax);
		sales = [];
	}
	seed();

	const store = (resource: string): Map<string, EmulatorEntity> => stores.get(resource)!;
	const webhookById = (id: string): EmulatorWebhook | undefined => store('webhook').get(id) as EmulatorWebhook | undefined;

	function record(delivery: EmulatorDelivery): EmulatorDelivery {
		deliveries.push(delivery);
		for (const listener of [...listeners]) listener(clone(delivery));
		return clone(delivery);
	}

	/** Same entity as stored, minus the webhook secret (shown only in the create answer). */
	function present(resource: string, entity: EmulatorEntity): EmulatorEntity {
		const out = clone(entity);
		if (resource === 'webhook') delete out.secret;
		return out;
	}

	// ----- webhooks -------------------------------------------------------------------------------

	/** Checks the webhook-specific fields present in `body`; the message of a 422, or undefined. */
	function webhookProblem(body: Record<string, unknown>, creating: boolean): string | undefined {
		if (creating || body.url !== undefined) {
			if (typeof body.url !== 'string') return 'url is required and must be a string';
			let url: URL;
			try {
				url = new URL(body.url);
			} catch {
				return 'url must be an absolute URL';
			}
			const allowed = config.allowHttp ? ['https:', 'http:'] : ['https:'];
			if (!allowed.includes(url.protocol)) {
				return config.allowHttp ? 'url must use https:// or http://' : 'url must use https:// (Mando only delivers to HTTPS)';
			}
		}
		if (creating || body.events !== undefined) {
			if (!Array.isArray(body.events) || body.events.length === 0) return 'events must be a non-empty array of event types';
			const unknown = body.events.filter((e) => typeof e !== 'string' || !isMandoEventType(e));
			if (unknown.length) return `Unknown event type(s): ${unknown.map((e) => JSON.stringify(e)).join(', ')}`;
		}
		if (body.description !== undefined && typeof body.description !== 'string') return 'description must be a string';
		if (body.secret !== undefined) return 'secret cannot be set through the API';
		return undefined;
	}

	/** The URL as stored: as given, or normalised when `normaliseWebhookUrls` is on. */
	function storedUrl(url: string): string {
		if (!config.normaliseWebhookUrls) return url;
		const u = new URL(url);
		if (!u.pathname.endsWith('/')) u.pathname += '/';
		return u.toString();
	}

	function disable(hook: EmulatorWebhook, reason: string): void {
		hook.active = false;
		hook.data = { ...hook.data, disabled_reason: reason, disabled_at: new Date().toISOString() };
	}

	// ----- delivery ---------------------------------------------------------------------------------

	function schedule(fn: () => void, delayMs: number): void {
		const timer = setTimeout(() => {
			timers.delete(timer);
			fn();
		}, delayMs);
		timers.add(timer);
	}

	function deliveryHeaders(body: Buffer, hook: EmulatorWebhook): Record<string, string> {
		return {
			'content-type': 'application/json',
			'user-agent': EMULATOR_USER_AGENT,
			'x-mando-signature': signMandoPayload(body, hook.secret ?? config.webhookSecret),
		};
	}

	/** Makes attempt `n` of `job`, then schedules the next one or disables the webhook. */
	async function attempt(job: DeliveryJob, n: number): Promise<void> {
		const gen = generation;
		const hook = webhookById(job.webhookId);
		const base = { deliveryId: job.deliveryId, webhookId: job.webhookId, eventIds: [...job.eventIds], eventType: job.eventType, attempt: n };
		if (!hook || !hook.active) {
			record({ ...base, url: hook?.url ?? '', at: new Date().toISOString(), status: null, error: 'Webhook is inactive', durationMs: 0, outcome: 'skipped' });
			return;
		}
		const at = new Date().toISOString();
		const url = hook.url;
		const result = await postDelivery(url, job.body, deliveryHeaders(job.body, hook), config.deliveryTimeoutMs, inFlight);
		if (closed || gen !== generation) return; // reset or closed meanwhile: forget it
		const ok = result.status !== null && result.status >= 200 && result.status < 300;
		const delivery: EmulatorDelivery = { ...base, url, at, status: result.status, durationMs: result.durationMs, outcome: ok ? 'ok' : 'failed' };
		if (!ok) delivery.error = result.error ?? `HTTP ${result.status}`;
		if (!ok && n >= MANDO_MAX_DELIVERY_ATTEMPTS) disable(hook, MANDO_DISABLED_REASON); // before recording, so waiters see it
		record(delivery);
		if (!ok && n < MANDO_MAX_DELIVERY_ATTEMPTS) {
			schedule(() => void attempt(job, n + 1), MANDO_RETRY_DELAYS_MS[n] * config.timeScale);
		}
	}

	async function emit(type: string, emitOptions: EmitOptions = {}): Promise<EmitResult> {
		if (closed) throw new Error('Emulator is closed');
		const definition = getMandoEventDefinition(type);
		if (!definition) throw new Error(`Unknown event type "${type}"; documented: ${MANDO_EVENTS.map((e) => e.type).join(', ')}`);
		const { id, data, batch = 1 } = emitOptions;
		if (id !== undefined && (typeof id !== 'string' || id.length === 0)) throw new Error('id must be a non-empty string');
		if (data !== undefined && !isObject(data)) throw new Error('data must be a JSON object');
		if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH) throw new Error(`batch must be an integer from 1 to ${MAX_BATCH}`);

		const events: MandoEvent[] = [];
		for (let i = 0; i < batch; i++) {
			events.push({
				id: i === 0 && id !== undefined ? id : 'evt_' + hex(12),
				type: definition.type,
				created: new Date().toISOString(),
				data: clone((data ?? definition.sample) as MandoEvent['data']),
			});
		}
		if (type === 'sale.created') {
			for (const event of events) {
				const sale = clone(event.data) as Record<string, unknown>;
				const at = typeof sale.id === 'string' ? sales.findIndex((s) => s.id === sale.id) : -1;
				if (at >= 0) sales[at] = sale;
				else sales.push(sale);
			}
		}
		const body = Buffer.from(JSON.stringify(batch === 1 ? events[0] : events), 'utf8');
		const targets = [...store('webhook').values()].filter((h) => h.active && (h as EmulatorWebhook).events.includes(type));
		await Promise.all(
			targets.map((hook) =>
				attempt({ deliveryId: 'dlv_' + hex(12), webhookId: hook.id, body, eventIds: events.map((e) => e.id), eventType: type }, 1),
			),
		);
		return { event: clone(events[0]), events: clone(events), webhookIds: targets.map((h) => h.id) };
	}

	async function send(webhookId: string, rawBody: string | Buffer, headers: Record<string, string | null> = {}): Promise<EmulatorDelivery> {
		if (closed) throw new Error('Emulator is closed');
		const hook = webhookById(webhookId);
		if (!hook) throw new Error(`No webhook with id "${webhookId}"`);
		const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
		const merged: Record<string, string> = deliveryHeaders(body, hook);
		for (const [name, value] of Object.entries(headers)) {
			if (value === null) delete merged[name.toLowerCase()];
			else merged[name.toLowerCase()] = value;
		}
		let eventIds: string[] = [];
		let eventType = '';
		try {
			const parsed: unknown = JSON.parse(body.toString('utf8'));
			const list = Array.isArray(parsed) ? parsed : [parsed];
			eventIds = list.filter(isObject).map((e) => e.id).filter((v): v is string => typeof v === 'string');
			const first = list.find(isObject);
			if (first && typeof first.type === 'string') eventType = first.type;
		} catch {
			// not JSON: recorded without ids
		}
		const at = new Date().toISOString();
		const gen = generation;
		const result = await postDelivery(hook.url, body, merged, config.deliveryTimeoutMs, inFlight);
		const ok = result.status !== null && result.status >= 200 && result.status < 300;
		const delivery: EmulatorDelivery = {
			deliveryId: 'dlv_' + hex(12),
			webhookId,
			url: hook.url,
			eventIds,
			eventType,
			attempt: 1,
			at,
			status: result.status,
			durationMs: result.durationMs,
			outcome: ok ? 'ok' : 'failed',
		};
		if (!ok) delivery.error = result.error ?? `HTTP ${result.status}`;
		return closed || gen !== generation ? delivery : record(delivery);
	}

	function addWebhook(input: ManualWebhookInput): EmulatorWebhook {
		const { secret, ...fields } = (isObject(input) ? input : {}) as ManualWebhookInput;
		const problem = webhookProblem(fields as unknown as Record<string, unknown>, true);
		if (problem) throw new Error(problem);
		if (secret !== undefined && (typeof secret !== 'string' || !secret)) throw new Error('secret must be a non-empty string');
		const hook: EmulatorWebhook = {
			id: randomUUID(),
			url: fields.url,
			events: [...fields.events],
			active: fields.active ?? true,
			description: fields.description ?? '',
			data: {},
		};
		if (secret) hook.secret = secret;
		store('webhook').set(hook.id, hook);
		return clone(hook);
	}

	// ----- API -------------------------------------------------------------------------------------

	function authorised(header: string | undefined): boolean {
		const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
		if (!match) return false;
		const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
		return timingSafeEqual(digest(match[1]), digest(config.apiKey));
	}

	function parseJson(raw: Buffer): unknown {
		if (raw.length === 0) return undefined;
		try {
			return JSON.parse(raw.toString('utf8'));
		} catch {
			throw new ApiError(400, 'BAD_REQUEST', 'Request body is not valid JSON');
		}
	}

	function objectBody(raw: Buffer): Record<string, unknown> {
		const body = parseJson(raw) ?? {};
		if (!isObject(body)) throw new ApiError(400, 'BAD_REQUEST', 'Request body must be a JSON object');
		return body;
	}

	function notAllowed(allow: string): never {
		throw new ApiError(405, 'METHOD_NOT_ALLOWED', `Method not allowed here; allowed: ${allow}`, { Allow: allow });
	}

	/** Checks the generic entity fields present in `body`; the message of a 422, or undefined. */
	function entityProblem(body: Record<string, unknown>): string | undefined {
		if (body.id !== undefined && (typeof body.id !== 'string' || body.id.length === 0 || body.id.length > 128)) {
			return 'id must be a non-empty string';
		}
		if (body.active !== undefined && typeof body.active !== 'boolean') return 'active must be a boolean';
		if (body.data !== undefined && !isObject(body.data)) return 'data must be an object';
		if (body.name !== undefined && typeof body.name !== 'string') return 'name must be a string';
		return undefined;
	}

	function validate(resource: string, body: Record<string, unknown>, creating: boolean): void {
		const problem = entityProblem(body) ?? (resource === 'webhook' ? webhookProblem(body, creating) : undefined);
		if (problem) throw new ApiError(422, 'VALIDATION_FAILED', problem);
	}

	function list(resource: string, query: URLSearchParams): Answer {
		const page = intParam(query, 'page', 1, Number.MAX_SAFE_INTEGER);
		const pageSize = intParam(query, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
		let items = [...store(resource).values()];
		for (const [key, value] of query) {
			if (key === 'page' || key === 'pageSize') continue;
			items = items.filter((item) => {
				const field = item[key];
				return (field === null || ['string', 'number', 'boolean'].includes(typeof field)) && String(field) === value;
			});
		}
		const total = items.length;
		const slice = items.slice((page - 1) * pageSize, page * pageSize).map((e) => present(resource, e));
		return {
			status: 200,
			body: config.listShape === 'wrapped' ? { data: slice } : slice,
			headers: {
				'X-Total-Count': String(total),
				'X-Page': String(page),
				'X-Page-Size': String(pageSize),
				'X-Total-Pages': String(Math.ceil(total / pageSize)),
			},
		};
	}

	function create(resource: string, body: Record<string, unknown>): Answer {
		validate(resource, body, true);
		const id = (body.id as string | undefined) ?? randomUUID();
		if (store(resource).has(id)) throw new ApiError(409, 'ALREADY_EXISTS', `A ${resource} with id "${id}" already exists`);
		const entity: EmulatorEntity = { ...body, id, active: (body.active as boolean | undefined) ?? true, data: (body.data as Record<string, unknown>) ?? {} };
		if (resource === 'webhook') {
			entity.description = body.description ?? '';
			entity.url = storedUrl(entity.url as string);
			if (config.perWebhookSecrets) entity.secret = hex(32);
		}
		store(resource).set(id, entity);
		return { status: 201, body: clone(entity) };
	}

	function update(resource: string, id: string, body: Record<string, unknown>): Answer {
		const existing = store(resource).get(id);
		if (!existing) throw new ApiError(404, 'NOT_FOUND', `No ${resource} with id "${id}"`);
		validate(resource, body, false);
		if (body.id !== undefined && body.id !== id) throw new ApiError(422, 'VALIDATION_FAILED', 'id in the body differs from the id in the path');
		const reactivated = resource === 'webhook' && body.active === true && !existing.active;
		const updated: EmulatorEntity = { ...existing, ...body, id };
		if (resource === 'webhook' && typeof body.url === 'string') updated.url = storedUrl(body.url);
		if (reactivated) {
			const data = { ...updated.data };
			delete data.disabled_reason;
			delete data.disabled_at;
			updated.data = data;
		}
		store(resource).set(id, updated);
		return { status: 200, body: present(resource, updated) };
	}

	function listSales(query: URLSearchParams): Answer {
		const limit = intParam(query, 'limit', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
		let offset = 0;
		const cursor = query.get('cursor');
		if (cursor) {
			const match = /^o:(\d+)$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
			if (!match) throw new ApiError(400, 'BAD_REQUEST', 'cursor is not valid');
			offset = Number(match[1]);
		}
		const data = sales.slice(offset, offset + limit).map(clone);
		const hasMore = offset + limit < sales.length;
		const nextCursor = hasMore ? Buffer.from(`o:${offset + limit}`, 'utf8').toString('base64url') : null;
		return { status: 200, body: { data, next_cursor: nextCursor, has_more: hasMore } };
	}

	async function api(method: string, segments: string[], query: URLSearchParams, raw: Buffer, authHeader: string | undefined): Promise<Answer> {
		if (segments[0] !== 'secure' || segments.length < 2) throw new ApiError(404, 'NOT_FOUND', 'Not found');
		if (!authorised(authHeader)) throw new ApiError(401, 'UNAUTHORIZED', 'Missing or invalid API key');
		const [, resource, ...rest] = segments;

		if (resource === 'sales') {
			if (method !== 'GET') notAllowed('GET');
			if (rest.length === 0) return listSales(query);
			const sale = rest.length === 1 ? sales.find((s) => s.id === rest[0]) : undefined;
			if (!sale) throw new ApiError(404, 'NOT_FOUND', `No sale with id "${rest.join('/')}"`);
			return { status: 200, body: clone(sale) };
		}
		if (resource === 'businessday_rename' && rest.length === 2) {
			if (method !== 'POST') notAllowed('POST');
			const [id, date] = rest;
			const day = store('businessday').get(id);
			if (!day) throw new ApiError(404, 'NOT_FOUND', `No businessday with id "${id}"`);
			if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date + 'T00:00:00Z'))) {
				throw new ApiError(400, 'BAD_REQUEST', 'date must be YYYY-MM-DD');
			}
			day.date = date;
			return { status: 200, body: clone(day) };
		}
		if (!RESOURCE_SET.has(resource) || rest.length > 1) throw new ApiError(404, 'NOT_FOUND', `Unknown resource "${segments.slice(1).join('/')}"`);
		if (resource === 'webhook' && !config.webhookResource) throw new ApiError(404, 'NOT_FOUND', 'Resource "webhook" is not available for this account');

		if (rest.length === 0) {
			if (method === 'GET') return list(resource, query);
			if (method === 'POST') return create(resource, objectBody(raw));
			notAllowed('GET, POST');
		}
		const id = rest[0];
		if (method === 'GET') {
			const entity = store(resource).get(id);
			if (!entity) throw new ApiError(404, 'NOT_FOUND', `No ${resource} with id "${id}"`);
			return { status: 200, body: present(resource, entity) };
		}
		if (method === 'PUT') return update(resource, id, objectBody(raw));
		if (method === 'DELETE' && resource === 'webhook') {
			if (!emulator.deleteWebhook(id)) throw new ApiError(404, 'NOT_FOUND', `No webhook with id "${id}"`);
			return { status: 200, body: { id, deleted: true } };
		}
		notAllowed(resource === 'webhook' ? 'GET, PUT, DELETE' : 'GET, PUT');
	}

	// ----- control ---------------------------------------------------------------------------------

	function state(): { webhooks: EmulatorWebhook[]; deliveries: EmulatorDelivery[]; requests: EmulatorRequest[]; config: EmulatorConfig } {
		return { webhooks: emulator.webhooks(), deliveries: emulator.deliveries(), requests: emulator.requests(), config: emulator.config() };
	}

	async function control(method: string, name: string, raw: Buffer): Promise<Answer> {
		const route = `${method} ${name}`;
		const orFail = <T>(status: number, code: string, fn: () => T): T => {
			try {
				return fn();
			} catch (error) {
				if (error instanceof ApiError) throw error;
				throw new ApiError(status, code, (error as Error).message);
			}
		};
		switch (route) {
			case 'GET state':
				return { status: 200, body: state() };
			case 'GET events':
				return { status: 200, body: MANDO_EVENTS.map(({ type, name: title, description }) => ({ type, name: title, description })) };
			case 'POST events': {
				const body = objectBody(raw);
				if (typeof body.type !== 'string' || !isMandoEventType(body.type)) {
					throw new ApiError(422, 'VALIDATION_FAILED', `type must be one of: ${MANDO_EVENTS.map((e) => e.type).join(', ')}`);
				}
				const options = { id: body.id, data: body.data, batch: body.batch } as EmitOptions;
				let result: EmitResult;
				try {
					result = await emit(body.type, options);
				} catch (error) {
					throw new ApiError(422, 'VALIDATION_FAILED', (error as Error).message);
				}
				return { status: 200, body: result };
			}
			case 'POST reset':
				emulator.reset();
				return { status: 200, body: { ok: true } };
			case 'GET config':
				return { status: 200, body: emulator.config() };
			case 'POST config':
				return { status: 200, body: orFail(400, 'BAD_REQUEST', () => emulator.setConfig(objectBody(raw) as Partial<EmulatorConfig>)) };
			case 'POST faults':
				orFail(400, 'BAD_REQUEST', () => emulator.injectFault(objectBody(raw) as EmulatorFault));
				return { status: 201, body: emulator.faults() };
			case 'GET faults':
				return { status: 200, body: emulator.faults() };
			case 'DELETE faults':
				emulator.clearFaults();
				return { status: 200, body: [] };
			case 'POST seed': {
				const body = objectBody(raw);
				const entities = (body.entities ?? body.count) as number | Array<Partial<EmulatorEntity>>;
				const ids = orFail(422, 'VALIDATION_FAILED', () => {
					if (typeof entities !== 'number' && !Array.isArray(entities)) throw new Error('give count (a number) or entities (an array)');
					return emulator.seed(body.resource as EmulatorResource, entities, (body.template as Partial<EmulatorEntity>) ?? {});
				});
				return { status: 201, body: { count: ids.length } };
			}
			case 'GET counts': {
				const counts: Record<string, number> = {};
				for (const r of requests) counts[`${r.method} ${r.path}`] = (counts[`${r.method} ${r.path}`] ?? 0) + 1;
				return { status: 200, body: counts };
			}
			case 'POST webhooks':
				return { status: 201, body: orFail(422, 'VALIDATION_FAILED', () => addWebhook(objectBody(raw) as unknown as ManualWebhookInput)) };
			default:
				throw new ApiError(404, 'NOT_FOUND', `Unknown control endpoint ${method} /_emulator/${name}`);
		}
	}

	// ----- faults and seeding ------------------------------------------------------------------------

	/** Uses up one count of the first pending fault matching the request, if any. */
	function takeFault(method: string, path: string): EmulatorFault | undefined {
		const fault = pendingFaults.find((f) => (f.method === undefined || f.method === method) && pathMatches(f.path, path));
		if (!fault) return undefined;
		fault.count--;
		if (fault.count <= 0) pendingFaults = pendingFaults.filter((f) => f !== fault);
		return { ...fault };
	}

	function seedEntities(resource: EmulatorResource, entities: number | Array<Partial<EmulatorEntity>>, template: Partial<EmulatorEntity> = {}): string[] {
		if (!RESOURCE_SET.has(resource)) throw new Error(`Unknown resource "${String(resource)}"`);
		const list: Array<Partial<EmulatorEntity>> =
			typeof entities === 'number'
				? Array.from({ length: entities }, (_, i) => ({
						id: randomUUID(),
						active: true,
						name: `Product ${i + 1}`,
						productid: String(i + 1),
						base_price: `${i + 1}.00`,
						data: {},
					}))
				: entities;
		const ids: string[] = [];
		for (const input of list) {
			const merged = { ...clone(template), ...clone(input) } as Partial<EmulatorEntity>;
			if (typeof merged.id !== 'string' || !merged.id) throw new Error('Every seeded entity needs a string id');
			const entity: EmulatorEntity = { ...merged, id: merged.id, active: merged.active ?? true, data: merged.data ?? {} };
			store(resource).set(entity.id, entity);
			ids.push(entity.id);
		}
		return ids;
	}

	// ----- HTTP ------------------------------------------------------------------------------------

	function readBody(req: http.IncomingMessage): Promise<Buffer> {
		return new Promise((resolve, reject) => {
			const chunks: Buffer[] = [];
			let size = 0;
			req.on('data', (chunk: Buffer) => {
				size += chunk.length;
				if (size <= MAX_BODY_BYTES) chunks.push(chunk);
			});
			req.on('end', () => (size > MAX_BODY_BYTES ? reject(new ApiError(413, 'PAYLOAD_TOO_LARGE', `Body over ${MAX_BODY_BYTES} bytes`)) : resolve(Buffer.concat(chunks))));
			req.on('error', reject);
		});
	}

	async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
		const url = new URL(req.url ?? '/', `http://${EMULATOR_HOST}`);
		const method = (req.method ?? 'GET').toUpperCase();
		const isControl = url.pathname === '/_emulator' || url.pathname.startsWith('/_emulator/');
		const entry: EmulatorRequest = { method, path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0, at: new Date().toISOString() };
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
			const fault = isControl ? undefined : takeFault(method, url.pathname);
			if (fault?.kind === 'drop' || fault?.kind === 'dropAfter') {
				if (fault.kind === 'dropAfter' && segments[0] === 'api') {
					try {
						await api(method, segments.slice(1), url.searchParams, raw, req.headers.authorization);
					} catch {
						// the answer is never sent anyway
					}
				}
				requests.push(entry); // status 0: no answer
				req.socket.destroy();
				return;
			}
			if (fault) {
				const status = fault.status ?? 503;
				const retryAfter: Record<string, string> = fault.retryAfter === undefined ? {} : { 'Retry-After': String(fault.retryAfter) };
				throw status === 429
					? new ApiError(429, 'RATE_LIMITED', 'Too many requests; slow down', retryAfter)
					: new ApiError(status, status >= 500 ? 'SERVICE_UNAVAILABLE' : 'INJECTED_FAULT', `Injected fault (${status})`, retryAfter);
			}
			if (isControl) answer = await control(method, segments.slice(1).join('/'), raw);
			else if (segments[0] === 'api') answer = await api(method, segments.slice(1), url.searchParams, raw, req.headers.authorization);
			else throw new ApiError(404, 'NOT_FOUND', `Nothing at ${url.pathname}; the API is under /api/secure/`);
		} catch (error) {
			answer =
				error instanceof ApiError
					? { status: error.status, body: { code: error.code, message: error.message }, headers: error.headers }
					: { status: 500, body: { code: 'INTERNAL_ERROR', message: (error as Error).message } };
		}
		if (!isControl) {
			entry.status = answer.status;
			requests.push(entry);
		}
		const text = JSON.stringify(answer.body);
		res.writeHead(answer.status, {
			'Content-Type': 'application/json; charset=utf-8',
			'Content-Length': String(Buffer.byteLength(text)),
			...(answer.headers ?? {}),
		});
		res.end(text);
	}

	const server = http.createServer((req, res) => void handle(req, res));
	await new Promise<void>((resolve, reject) => {
		server.once('error', reject);
		server.listen(requestedPort, EMULATOR_HOST, () => {
			server.off('error', reject);
			resolve();
		});
	});
	const port = (server.address() as AddressInfo).port;

	function cancelPending(): void {
		generation++;
		for (const timer of timers) clearTimeout(timer);
		timers.clear();
		for (const req of inFlight) req.destroy();
		inFlight.clear();
	}

	const emulator: Emulator = {
		url: `http://${EMULATOR_HOST}:${port}/api`,
		port,
		async close() {
			if (closed) return;
			closed = true;
			cancelPending();
			for (const fail of [...waiters]) fail(new Error('Emulator closed before the condition was met'));
			listeners.clear();
			await new Promise<void>((resolve) => {
				server.close(() => resolve());
				server.closeAllConnections();
			});
		},
		webhooks: () => [...store('webhook').values()].map((h) => clone(h as EmulatorWebhook)),
		deliveries: () => clone(deliveries),
		requests: () => clone(requests),
		countRequests: (filter = {}) =>
			requests.filter(
				(r) =>
					(filter.method === undefined || r.method === filter.method.toUpperCase()) &&
					pathMatches(filter.path, r.path) &&
					(filter.status === undefined || r.status === filter.status),
			).length,
		injectFault(fault) {
			pendingFaults.push(checkFault(fault));
		},
		faults: () => pendingFaults.map((f) => ({ ...f })),
		clearFaults() {
			pendingFaults = [];
		},
		seed: seedEntities,
		seedSales(input) {
			const sample = getMandoEventDefinition('sale.created')?.sample as Record<string, unknown>;
			const list =
				typeof input === 'number'
					? Array.from({ length: input }, (_, i) => ({ ...clone(sample), id: randomUUID(), receipt_number: String(sales.length + i + 1) }))
					: input.map((sale) => ({ ...clone(sale), id: typeof sale.id === 'string' ? sale.id : randomUUID() }));
			sales.push(...list);
			return list.map((sale) => sale.id as string);
		},
		sales: () => clone(sales),
		entity: (resource, id) => {
			const found = stores.get(resource)?.get(id);
			return found ? clone(found) : undefined;
		},
		entities: (resource) => [...(stores.get(resource)?.values() ?? [])].map(clone),
		config: () => ({ ...config }),
		emit,
		send,
		setConfig(partial) {
			const { port: _ignored, ...rest } = (isObject(partial) ? partial : {}) as EmulatorOptions;
			config = { ...config, ...checkConfig(rest) };
			return { ...config };
		},
		reset() {
			cancelPending();
			seed();
			deliveries = [];
			requests = [];
			pendingFaults = [];
		},
		addWebhook,
		deactivateWebhook(id) {
			const hook = webhookById(id);
			if (!hook) throw new Error(`No webhook with id "${id}"`);
			hook.active = false;
		},
		deleteWebhook(id) {
			return store('webhook').delete(id);
		},
		onDelivery(listener) {
			listeners.add(listener);
			return () => void listeners.delete(listener);
		},
		waitForDeliveries(predicate, timeoutMs = 5000) {
			return new Promise<EmulatorDelivery[]>((resolve, reject) => {
				if (closed) return reject(new Error('Emulator is closed'));
				const now = clone(deliveries);
				if (predicate(now)) return resolve(now);
				const done = (): void => {
					clearTimeout(timer);
					off();
					waiters.delete(fail);
				};
				const fail = (error: Error): void => {
					done();
					reject(error);
				};
				const off = emulator.onDelivery(() => {
					const snapshot = clone(deliveries);
					if (!predicate(snapshot)) return;
					done();
					resolve(snapshot);
				});
				const timer = setTimeout(
					() => fail(new Error(`waitForDeliveries: condition not met within ${timeoutMs} ms (${deliveries.length} deliveries recorded)`)),
					timeoutMs,
				);
				waiters.add(fail);
			});
		},
	};
	return emulator;
}
