/**
 * The emulator's public data shapes: its settings, stored entities and webhooks, delivery and
 * request records, faults, and the {@link Emulator} handle that `startEmulator` returns.
 */
import type { MandoEvent } from '../../nodes/shared/events';

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
	/** When false, offset lists send no `X-Total-*`/`X-Page*` headers; `countOnly`: only `X-Total-Count`. Default true. */
	listTotals: boolean | 'countOnly';
	/**
	 * How offset lists page: `normal`; `repeatLastPage` (a page past the end answers the last
	 * page again); `ignorePage` (every request answers page 1). Default `normal`.
	 */
	listPaging: 'normal' | 'repeatLastPage' | 'ignorePage';
	/** Largest page an offset list answers, whatever `pageSize` asks (Mando: 1000). Default 1000. */
	maxPageSize: number;
	/**
	 * How `/secure/sales` pages: `normal`; `nullBody` (every list answer is JSON `null`);
	 * `emptyPages` (an empty page with `has_more: true` before every real page);
	 * `endlessEmpty` (empty pages with `has_more: true` and a new cursor, forever). Default `normal`.
	 */
	salesPaging: 'normal' | 'nullBody' | 'emptyPages' | 'endlessEmpty';
	/**
	 * When true, webhook URLs are stored normalised as Mando may store them: host lower-cased,
	 * default port dropped, a trailing slash added to the path. Default false.
	 */
	normaliseWebhookUrls: boolean;
	/**
	 * How long a sales-list cursor is accepted, in ms (not scaled); an older one answers 400
	 * `CURSOR_EXPIRED`. 0 (default): cursors never expire. (Mando documents no cursor lifetime.)
	 */
	cursorTtlMs: number;
	/**
	 * What a fresh (or reset) emulator holds besides its two locations and four tax rates: `cafe`
	 * (default), a small café whose ids match the event samples (products, departments, groups, a
	 * customer, an open business day; see `cafeRecords` in `state.ts`); `empty`, nothing more.
	 * Applies at start and on `reset`.
	 */
	seed: 'cafe' | 'empty';
}

/** Options of {@link Emulator.createSales}. */
export interface CreateSalesOptions {
	/** Sales a second (default: one after another as fast as their deliveries allow). */
	perSecond?: number;
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
	 * `dropAfter`: do the request (e.g. create the entity), then close without an answer;
	 * `slow`: wait `delayMs`, then answer as usual (a server slower than the client's timeout).
	 */
	kind?: 'status' | 'drop' | 'dropAfter' | 'slow';
	/** Milliseconds `kind: 'slow'` waits before answering; default 1000. */
	delayMs?: number;
	/** Status for `kind: 'status'`; default 503. 429 answers code `RATE_LIMITED`, 5xx `SERVICE_UNAVAILABLE`. */
	status?: number;
	/** `Retry-After` header value in seconds (or an HTTP date), for `kind: 'status'`. */
	retryAfter?: number | string;
	/** Mando's error `code` for `kind: 'status'` (e.g. `CONFLICT`); `''` sends a body without a code. */
	code?: string;
	/** Mando's error `message` for `kind: 'status'`. */
	message?: string;
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

/** One change of a webhook's active state or URL, as the emulator's webhook history records it. */
export interface EmulatorWebhookChange {
	/** ms since epoch. */
	at: number;
	webhookId: string;
	/** The state after the change (`false` after a delete). */
	active: boolean;
	url: string;
	/** What made the change: the API (`create`, `update`, `delete`), the admin panel, or Mando's retry policy. */
	by:
		| 'api-create'
		| 'api-update'
		| 'api-delete'
		| 'admin-add'
		| 'admin-deactivate'
		| 'admin-delete'
		| 'retry-policy';
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
	/** Every change of a webhook's active state or URL since start or reset, oldest first. */
	webhookHistory(): EmulatorWebhookChange[];
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
	seed(
		resource: EmulatorResource,
		entities: number | Array<Partial<EmulatorEntity>>,
		template?: Partial<EmulatorEntity>,
	): string[];
	/**
	 * Appends sales to `/secure/sales` directly (no webhook deliveries). A number makes that many
	 * copies of the `sale.created` sample, each with a fresh `id` and `receipt_number` `<n>`.
	 *
	 * @returns the sales' ids, in order
	 */
	seedSales(sales: number | Array<Record<string, unknown>>): string[];
	/** Copies of the stored sales, oldest first. */
	sales(): Array<Record<string, unknown>>;
	/**
	 * Makes `count` new sales, one after another at `perSecond`: each is the `sale.created` sample
	 * with a fresh `id`, the next `receipt_number` and `created_at` now, stored in `/secure/sales`
	 * and emitted as `sale.created` to the subscribed webhooks (resolves after each one's attempt 1).
	 *
	 * @returns the sales' ids, in order
	 * @throws Error for a bad count or rate, or when the emulator closes
	 */
	createSales(count: number, options?: CreateSalesOptions): Promise<string[]>;
	/**
	 * Makes new sales (as {@link createSales}) continuously, `perMinute` of them a minute, until the
	 * returned function is called, `reset()` or `close()`.
	 *
	 * @throws Error when `perMinute` is not a positive number
	 */
	startSales(perMinute: number): () => void;
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
	send(
		webhookId: string,
		rawBody: string | Buffer,
		headers?: Record<string, string | null>,
	): Promise<EmulatorDelivery>;
	/**
	 * Delivers `rawBody` exactly as given to an active webhook as Mando delivers an event: signed
	 * with the webhook's secret, retried on Mando's schedule after a non-2xx answer, and the webhook
	 * disabled after the last failed attempt. Resolves once attempt 1 has finished.
	 *
	 * @returns the delivery id (the records' `deliveryId`)
	 * @throws Error when no active webhook has that id
	 */
	deliver(webhookId: string, rawBody: string | Buffer): Promise<string>;
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
	waitForDeliveries(
		predicate: (deliveries: EmulatorDelivery[]) => boolean,
		timeoutMs?: number,
	): Promise<EmulatorDelivery[]>;
}
