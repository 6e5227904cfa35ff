import { randomUUID } from 'crypto';

import { getMandoEventDefinition } from '../../nodes/shared/events';
import { ApiError, clone, intParam } from './common';
import type { Answer } from './common';
import { emit } from './deliveries';
import type { EmulatorState } from './state';
import type { CreateSalesOptions } from './types';

/**
 * The sales list (`GET /api/secure/sales`, contract "Cursor style, used by sales") and a source of
 * new sales for polling tests.
 *
 * Paging: `limit` (default 100, at most 1000) and `cursor`; the answer is
 * `{ data, next_cursor, has_more }`, `next_cursor` null on the last page. Emulator assumptions
 * (Mando documents none of them): `created_from` (ISO 8601) keeps the sales whose `created_at` is at or
 * after it, `created_to` those before it, `location_id` and `businessday_id` those of that location
 * or business day (every page of a listing is asked with the same filters); a cursor lives `cursorTtlMs` (config; 0 = for ever) and is then refused with
 * 400 `CURSOR_EXPIRED`. `salesPaging` (config) switches in server behaviours that differ from the
 * contract: a `null` body, empty pages with `has_more: true`, or such empty pages for ever.
 */

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

interface SalesCursor {
	/** Position in the filtered list. */
	offset: number;
	/** ms since epoch the cursor was issued. */
	issued: number;
	/** The `created_from` the list was filtered with ('' for none). */
	from: string;
	/** Issued by an empty page of `salesPaging: 'emptyPages'`: the real page at `offset` comes next. */
	afterEmpty?: boolean;
}

function encodeCursor(cursor: SalesCursor): string {
	return Buffer.from(
		`${cursor.afterEmpty ? 'e' : 'o'}:${cursor.offset}:${cursor.issued}:${cursor.from}`,
		'utf8',
	).toString('base64url');
}

function decodeCursor(text: string): SalesCursor {
	const match = /^([oe]):(\d+):(\d+):(.*)$/.exec(Buffer.from(text, 'base64url').toString('utf8'));
	if (!match) throw new ApiError(400, 'BAD_REQUEST', 'cursor is not valid');
	return {
		offset: Number(match[2]),
		issued: Number(match[3]),
		from: match[4],
		afterEmpty: match[1] === 'e',
	};
}

function fromFilter(value: string | null): number | undefined {
	if (value === null || value === '') return undefined;
	const at = Date.parse(value);
	if (Number.isNaN(at))
		throw new ApiError(400, 'BAD_REQUEST', 'created_from must be an ISO 8601 date or time');
	return at;
}

/** Answers `GET /api/secure/sales`; see the module doc. */
export function listSales(state: EmulatorState, query: URLSearchParams): Answer {
	const mode = state.config.salesPaging;
	if (mode === 'nullBody') return { status: 200, body: null };
	const limit = intParam(query, 'limit', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE);
	const text = query.get('cursor');
	const cursor: SalesCursor = text
		? decodeCursor(text)
		: { offset: 0, issued: 0, from: query.get('created_from') ?? '' };
	const ttl = state.config.cursorTtlMs;
	if (text && ttl > 0 && Date.now() - cursor.issued > ttl) {
		throw new ApiError(
			400,
			'CURSOR_EXPIRED',
			'cursor has expired; list again from a time with created_from',
		);
	}
	if (mode === 'endlessEmpty') {
		return {
			status: 200,
			body: {
				data: [],
				next_cursor: encodeCursor({ ...cursor, offset: cursor.offset + 1, issued: Date.now() }),
				has_more: true,
			},
		};
	}
	if (mode === 'emptyPages' && !cursor.afterEmpty) {
		return {
			status: 200,
			body: {
				data: [],
				next_cursor: encodeCursor({ ...cursor, issued: Date.now(), afterEmpty: true }),
				has_more: true,
			},
		};
	}
	const from = fromFilter(cursor.from);
	const before = fromFilter(query.get('created_to'));
	const location = query.get('location_id');
	const businessDay = query.get('businessday_id');
	const sales = state.sales.filter((s) => {
		const at = typeof s.created_at === 'string' ? Date.parse(s.created_at) : NaN;
		if (from !== undefined && !(at >= from)) return false;
		if (before !== undefined && !(at < before)) return false;
		if (location && s.location_id !== location) return false;
		if (businessDay && s.businessday_id !== businessDay) return false;
		return true;
	});
	const data = sales.slice(cursor.offset, cursor.offset + limit).map(clone);
	const hasMore = cursor.offset + limit < sales.length;
	const next = hasMore
		? encodeCursor({ offset: cursor.offset + limit, issued: Date.now(), from: cursor.from })
		: null;
	return { status: 200, body: { data, next_cursor: next, has_more: hasMore } };
}

/** A new sale: the `sale.created` sample with a fresh id, the next receipt number and `created_at` now. */
export function newSale(state: EmulatorState): Record<string, unknown> {
	const sample = getMandoEventDefinition('sale.created')?.sample as Record<string, unknown>;
	return {
		...clone(sample),
		id: randomUUID(),
		receipt_number: String(state.sales.length + 1).padStart(6, '0'),
		created_at: new Date().toISOString(),
	};
}

/**
 * Makes `count` sales one after another at `perSecond` (default: as fast as deliveries allow),
 * each emitted as `sale.created` (stored in the sales list and delivered to subscribed webhooks).
 *
 * @returns the sales' ids, in order
 * @throws Error for a count or rate that is not a positive number, or when the emulator closes
 */
export async function createSales(
	state: EmulatorState,
	count: number,
	options: CreateSalesOptions = {},
): Promise<string[]> {
	if (!Number.isInteger(count) || count < 1 || count > 1_000_000)
		throw new Error('count must be an integer from 1 to 1,000,000');
	const { perSecond } = options;
	if (perSecond !== undefined && !(typeof perSecond === 'number' && perSecond > 0))
		throw new Error('perSecond must be a positive number');
	const ids: string[] = [];
	const start = Date.now();
	for (let i = 0; i < count; i++) {
		if (perSecond !== undefined) {
			const wait = start + (i * 1000) / perSecond - Date.now();
			if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		}
		const sale = newSale(state);
		await emit(state, 'sale.created', { data: sale });
		ids.push(sale.id as string);
	}
	return ids;
}

/**
 * Makes sales continuously at `perMinute` until the returned function is called or the emulator
 * closes, or `reset()` is called (for the standalone emulator and demos of the polling trigger).
 */
export function startSales(state: EmulatorState, perMinute: number): () => void {
	if (!(typeof perMinute === 'number' && perMinute > 0))
		throw new Error('perMinute must be a positive number');
	const timer = setInterval(() => {
		if (!state.closed)
			void emit(state, 'sale.created', { data: newSale(state) }).catch(() => undefined);
	}, 60_000 / perMinute);
	// Among the pending timers, so that reset() and close() stop it.
	state.timers.add(timer);
	return () => {
		clearInterval(timer);
		state.timers.delete(timer);
	};
}
