import { createHash } from 'crypto';
import type { MandoCursorPage } from '../shared/transport';
import { MANDO_MAX_PAGE_SIZE } from '../shared/transport';
import type { MandoEvent, MandoEventType, MandoSale } from '../shared/events';

/**
 * What the Mando Polling Trigger does with the cursor-paged sales list (`GET /secure/sales`,
 * `{ data, next_cursor, has_more }`; contract "Lists and pagination"), decided without n8n:
 * the stored position, one poll's requests with their bound, the items and their ids.
 *
 * Position: the `next_cursor` of the last page read while more pages wait, and always the
 * watermark — the newest `created_at` read plus the ids read at exactly that time. A poll goes on
 * from the cursor; with no cursor (the list said `has_more: false`) or a cursor Mando no longer
 * accepts, it asks for the sales from the watermark on (`created_from`, ASSUMED: an inclusive
 * lower bound on `created_at`, ISO 8601; Mando documents no sales filter) and skips what it read.
 */

/** Query parameter of the sales list that starts it at a time (ASSUMED, see the module doc). */
export const SALES_CREATED_FROM_PARAM = 'created_from';

/** Default most sales one poll emits; the rest waits for the next poll. */
export const DEFAULT_MAX_SALES_PER_POLL = 5000;

/** The poller's position in the sales list, kept in the node's static data. */
export interface SalesPollState {
	/** `next_cursor` of the last page read while `has_more` was true; absent at the end of the list. */
	cursor?: string;
	/** ISO 8601: the newest `created_at` read (or the start time before any sale was read). */
	watermark: string;
	/** Ids of the sales read whose `created_at` equals the watermark (to the millisecond). */
	boundaryIds: string[];
}

/** One page request: the cursor, or the watermark filter when there is no cursor. */
export type SalesPageQuery =
	{ limit: number; cursor: string } | { limit: number; [SALES_CREATED_FROM_PARAM]: string };

/** Reads one page; throws as the transport does (a `NodeApiError` for a non-2xx answer). */
export type FetchSalesPage = (query: SalesPageQuery) => Promise<MandoCursorPage<MandoSale>>;

/** Result of {@link pollSales}. */
export interface SalesPollResult {
	events: Array<MandoEvent<'sale.created'>>;
	state: SalesPollState;
	/** Requests made, expired-cursor retries included. */
	requests: number;
	/** True when the bound stopped the poll with more sales waiting. */
	bounded: boolean;
	/** True when Mando refused the stored cursor and the poll restarted from the watermark. */
	cursorExpired: boolean;
}

/**
 * The state of a first activation: from `startFrom` (an ISO 8601 date or time, the "Start From"
 * option) when given, else from `now`, so no history floods the workflow.
 *
 * @throws Error when `startFrom` is not a date
 */
export function initialSalesState(now: number, startFrom?: string): SalesPollState {
	if (startFrom !== undefined && startFrom !== '') {
		const at = Date.parse(startFrom);
		if (Number.isNaN(at)) throw new Error(`Start From "${startFrom}" is not a date`);
		return { watermark: new Date(at).toISOString(), boundaryIds: [] };
	}
	return { watermark: new Date(now).toISOString(), boundaryIds: [] };
}

/** True when `value` is a usable stored state (static data may hold anything after an edit). */
export function isSalesPollState(value: unknown): value is SalesPollState {
	const s = value as SalesPollState | undefined;
	return (
		typeof s === 'object' &&
		s !== null &&
		typeof s.watermark === 'string' &&
		!Number.isNaN(Date.parse(s.watermark)) &&
		Array.isArray(s.boundaryIds) &&
		(s.cursor === undefined || typeof s.cursor === 'string')
	);
}

/**
 * The deterministic event id of a polled event: `evt_` + 24 hex digits of
 * SHA-256(`<type>:<record id>` [+ `:<modification time>` for updates]). The same record and
 * change always give the same id, so a re-poll never changes it and downstream idempotency keys
 * stay stable. (Webhook deliveries carry Mando's own `evt_` ids; the two never meet in one node.)
 */
export function polledEventId(type: MandoEventType, recordId: string, modifiedAt?: string): string {
	const key =
		modifiedAt === undefined ? `${type}:${recordId}` : `${type}:${recordId}:${modifiedAt}`;
	return 'evt_' + createHash('sha256').update(key).digest('hex').slice(0, 24);
}

/**
 * The `sale.created` item for a sale read from the list: the webhook trigger's envelope
 * `{ id, type, created, data }` with the sale as `data`, untouched; `created` is the sale's
 * `created_at` (else `fallbackCreated`).
 */
export function saleCreatedEvent(
	sale: MandoSale,
	fallbackCreated: string,
): MandoEvent<'sale.created'> {
	return {
		id: polledEventId('sale.created', sale.id),
		type: 'sale.created',
		created:
			typeof sale.created_at === 'string' && sale.created_at !== ''
				? sale.created_at
				: fallbackCreated,
		data: sale,
	};
}

function createdMs(sale: MandoSale): number | undefined {
	const at = typeof sale.created_at === 'string' ? Date.parse(sale.created_at) : NaN;
	return Number.isNaN(at) ? undefined : at;
}

/** True when a sale read through the watermark filter was read before (older, or at the boundary). */
function seenBefore(sale: MandoSale, watermarkMs: number, boundary: ReadonlySet<string>): boolean {
	const at = createdMs(sale);
	if (at === undefined) return boundary.has(sale.id);
	return at < watermarkMs || (at === watermarkMs && boundary.has(sale.id));
}

/** True when `error` is Mando refusing a cursor: HTTP 400 or 410, or a code naming the cursor. */
export function isRefusedCursor(error: unknown): boolean {
	const e = error as { httpCode?: unknown; errorResponse?: { code?: unknown } } | undefined;
	const code = typeof e?.errorResponse?.code === 'string' ? e.errorResponse.code : '';
	return e?.httpCode === '400' || e?.httpCode === '410' || /CURSOR/i.test(code);
}

/** `undefined` for a refused cursor (see {@link isRefusedCursor}); any other error is rejected again. */
async function refusedCursorAsUndefined(error: unknown): Promise<undefined> {
	if (isRefusedCursor(error)) return undefined;
	return await Promise.reject(error);
}

/**
 * One poll of the sales list. Reads pages of min(1000, `maxSales`) from the stored cursor, or from
 * the watermark when there is none, until the list has no more or `maxSales` sales are in (the
 * rest waits: the cursor after the last page read is kept). A cursor Mando refuses (see
 * {@link isRefusedCursor}) is dropped once and the poll restarts from the watermark, so nothing is
 * lost or repeated. Never mutates `state`.
 *
 * Requests per poll: 1 when nothing is new, else ceil(new sales / 1000) up to
 * ceil(`maxSales` / 1000) (+1 after a refused cursor).
 *
 * @param now ms since epoch; `created` of a sale without `created_at`
 * @throws what `fetchPage` throws, except one refused cursor
 */
export async function pollSales(
	fetchPage: FetchSalesPage,
	state: SalesPollState,
	maxSales = DEFAULT_MAX_SALES_PER_POLL,
	now = Date.now(),
): Promise<SalesPollResult> {
	const limit = Math.max(1, Math.min(MANDO_MAX_PAGE_SIZE, maxSales));
	let cursor = state.cursor;
	let watermark = state.watermark;
	let watermarkMs = Date.parse(watermark);
	let boundary = new Set(state.boundaryIds);
	const startMs = watermarkMs;
	const startBoundary = new Set(state.boundaryIds);
	const emitted = new Set<string>();
	const events: Array<MandoEvent<'sale.created'>> = [];
	let requests = 0;
	let cursorExpired = false;
	let more = true;
	const fallbackCreated = new Date(now).toISOString();

	while (more && events.length < maxSales) {
		const fromCursor = cursor !== undefined;
		// From the watermark the page starts with the boundary sales read before: ask for that many
		// more, so that a bounded poll ends at a page's end and keeps its cursor.
		const query: SalesPageQuery = fromCursor
			? { limit, cursor: cursor as string }
			: {
					limit: Math.min(MANDO_MAX_PAGE_SIZE, limit + startBoundary.size),
					[SALES_CREATED_FROM_PARAM]: state.watermark,
				};
		requests++;
		// Only one refused cursor per poll is absorbed; any other failure propagates.
		const page =
			fromCursor && !cursorExpired
				? await fetchPage(query).catch(refusedCursorAsUndefined)
				: await fetchPage(query);
		if (page === undefined) {
			cursorExpired = true;
			cursor = undefined;
			continue;
		}
		const sales = Array.isArray(page.data) ? page.data : [];
		for (const sale of sales) {
			if (typeof sale?.id !== 'string' || emitted.has(sale.id)) continue;
			// Through the watermark filter every sale at or before the stored position was read
			// before; through a cursor only the boundary itself can repeat (a restarted window).
			if (
				fromCursor
					? createdMs(sale) === startMs && startBoundary.has(sale.id)
					: seenBefore(sale, startMs, startBoundary)
			)
				continue;
			if (events.length >= maxSales) break;
			emitted.add(sale.id);
			events.push(saleCreatedEvent(sale, fallbackCreated));
			const at = createdMs(sale);
			if (at !== undefined && at > watermarkMs) {
				watermarkMs = at;
				watermark = new Date(at).toISOString();
				boundary = new Set([sale.id]);
			} else if (at !== undefined && at === watermarkMs) {
				boundary.add(sale.id);
			}
		}
		const next =
			typeof page.next_cursor === 'string' && page.next_cursor !== ''
				? page.next_cursor
				: undefined;
		more = page.has_more === true && next !== undefined && sales.length > 0;
		cursor = more ? next : undefined;
		// Stopped inside a page by the bound: the page's cursor would skip its unread rest.
		if (
			events.length >= maxSales &&
			sales.some(
				(s) =>
					typeof s?.id === 'string' && !emitted.has(s.id) && !seenBefore(s, watermarkMs, boundary),
			)
		) {
			cursor = undefined;
			more = true;
		}
	}
	return {
		events,
		state: { ...(cursor !== undefined ? { cursor } : {}), watermark, boundaryIds: [...boundary] },
		requests,
		bounded: more && events.length >= maxSales,
		cursorExpired,
	};
}
