import { NodeApiError, type INode } from 'n8n-workflow';
import type { MandoSale } from '../../../../nodes/shared/events';
import type { MandoCursorPage } from '../../../../nodes/shared/transport';
import {
	initialSalesState,
	isSalesPollState,
	pollSales,
	polledEventId,
	saleCreatedEvent,
	type SalesPageQuery,
	type SalesPollState,
} from '../../../../nodes/MandoPollingTrigger/salesPoll';

/**
 * The polling trigger's position logic against an in-memory sales list that pages like Mando's
 * (`{ data, next_cursor, has_more }`, cursor null at the end, `created_from` filter) and whose
 * cursors can be made to expire.
 */

const NODE: INode = {
	id: 'n',
	name: 'Mando Polling Trigger',
	type: 'x',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};
const T0 = Date.parse('2026-11-29T10:00:00.000Z');

function sale(n: number, atMs: number): MandoSale {
	return {
		id: `sale-${n}`,
		total: n,
		items: [],
		receipt_number: String(n),
		created_at: new Date(atMs).toISOString(),
	};
}

class FakeSalesList {
	sales: MandoSale[] = [];
	requests: SalesPageQuery[] = [];
	/** Cursors issued before this count are refused (400 CURSOR_EXPIRED). */
	expireBefore = 0;
	issued = 0;

	add(count: number, atMs: (i: number) => number): void {
		const start = this.sales.length;
		for (let i = 0; i < count; i++) this.sales.push(sale(start + i + 1, atMs(i)));
	}

	fetch = async (query: SalesPageQuery): Promise<MandoCursorPage<MandoSale>> => {
		this.requests.push(query);
		let offset = 0;
		if ('cursor' in query) {
			const [serial, at] = query.cursor.split(':').map(Number);
			if (serial < this.expireBefore) {
				throw new NodeApiError(
					NODE,
					{ code: 'CURSOR_EXPIRED', message: 'cursor expired' },
					{ httpCode: '400' },
				);
			}
			offset = at;
		} else {
			const from = Date.parse(query.created_from);
			offset = this.sales.findIndex((s) => Date.parse(s.created_at as string) >= from);
			if (offset < 0) offset = this.sales.length;
		}
		const data = this.sales.slice(offset, offset + query.limit);
		const more = offset + query.limit < this.sales.length;
		return {
			data,
			next_cursor: more ? `${this.issued++}:${offset + query.limit}` : null,
			has_more: more,
		};
	};
}

/** Polls until nothing is left, returning every emitted sale id in order. */
async function drain(list: FakeSalesList, state: SalesPollState, max?: number) {
	const ids: string[] = [];
	for (let i = 0; i < 100; i++) {
		const result = await pollSales(list.fetch, state, max);
		ids.push(...result.events.map((e) => e.data.id));
		state = result.state;
		if (!result.bounded && result.events.length === 0) break;
	}
	return { ids, state };
}

describe('pollSales', () => {
	test('first activation with 10,000 old sales emits nothing, in one request, until a new sale', async () => {
		const list = new FakeSalesList();
		list.add(10_000, (i) => T0 - 86_400_000 + i * 1000);
		let state = initialSalesState(T0);
		const first = await pollSales(list.fetch, state);
		expect(first.events).toEqual([]);
		expect(first.requests).toBe(1);
		state = first.state;
		list.add(1, () => T0 + 5000);
		const second = await pollSales(list.fetch, state);
		expect(second.events.map((e) => e.data.id)).toEqual(['sale-10001']);
	});

	test('2,500 new sales arrive once each, in order, in pages of 1000 (3 requests)', async () => {
		const list = new FakeSalesList();
		const state = initialSalesState(T0);
		list.add(2500, (i) => T0 + 1 + i);
		const result = await pollSales(list.fetch, state);
		expect(result.events.map((e) => e.data.id)).toEqual(list.sales.map((s) => s.id));
		expect(result.requests).toBe(3);
		expect(result.state.cursor).toBeUndefined();
		expect(result.state.watermark).toBe(list.sales[2499].created_at);
		const again = await pollSales(list.fetch, result.state);
		expect(again.events).toEqual([]);
	});

	test('Max Events per Poll bounds each poll; the rest follows on the next polls through the cursor, none twice', async () => {
		const list = new FakeSalesList();
		list.add(2500, (i) => T0 + 1 + i);
		const first = await pollSales(list.fetch, initialSalesState(T0), 1000);
		expect(first.events).toHaveLength(1000);
		expect(first.bounded).toBe(true);
		expect(first.state.cursor).toBeDefined();
		const { ids } = await drain(list, first.state, 1000);
		expect([...first.events.map((e) => e.data.id), ...ids]).toEqual(list.sales.map((s) => s.id));
	});

	test('a bound smaller than a page stops inside the page and resumes from the watermark', async () => {
		const list = new FakeSalesList();
		list.add(25, (i) => T0 + 1 + Math.floor(i / 4)); // four sales per millisecond
		const { ids } = await drain(list, initialSalesState(T0), 7);
		expect(ids).toEqual(list.sales.map((s) => s.id));
	});

	test('an expired cursor restarts from the last seen created time: no sale lost or repeated', async () => {
		const list = new FakeSalesList();
		list.add(3000, (i) => T0 + 1 + Math.floor(i / 3)); // three sales share each millisecond
		const first = await pollSales(list.fetch, initialSalesState(T0), 500);
		expect(first.state.cursor).toBeDefined();
		list.expireBefore = list.issued; // every cursor issued so far expires
		const second = await pollSales(list.fetch, first.state, 500);
		expect(second.cursorExpired).toBe(true);
		expect(list.requests.filter((q) => 'created_from' in q)).toHaveLength(2); // the first poll and the restart
		expect(second.events).toHaveLength(500);
		// The restarted page also holds the sales read at the watermark; it ends at the bound, so
		// the poll keeps a cursor for the next one: 2 requests (the refused cursor and the restart).
		expect(second.requests).toBe(2);
		expect(second.state.cursor).toBeDefined();
		const { ids } = await drain(list, second.state, 500);
		const all = [...first.events, ...second.events].map((e) => e.data.id).concat(ids);
		expect(all).toEqual(list.sales.map((s) => s.id));
	});

	test('a refused request without a cursor, or a second refusal, is not swallowed', async () => {
		const failing = async () => {
			throw new NodeApiError(NODE, { code: 'BAD_REQUEST', message: 'no' }, { httpCode: '400' });
		};
		await expect(pollSales(failing, initialSalesState(T0))).rejects.toThrow(NodeApiError);
		await expect(pollSales(failing, { ...initialSalesState(T0), cursor: 'c' })).rejects.toThrow(
			NodeApiError,
		);
		const unavailable = async () => {
			throw new NodeApiError(
				NODE,
				{ code: 'SERVICE_UNAVAILABLE', message: 'down' },
				{ httpCode: '503' },
			);
		};
		await expect(
			pollSales(unavailable, { ...initialSalesState(T0), cursor: 'c' }),
		).rejects.toMatchObject({ httpCode: '503' });
	});

	test('Start From backfills the sales made since that time', async () => {
		const list = new FakeSalesList();
		list.add(10, (i) => T0 - 10_000 + i * 1000);
		const result = await pollSales(
			list.fetch,
			initialSalesState(T0, new Date(T0 - 5000).toISOString()),
		);
		expect(result.events.map((e) => e.data.id)).toEqual([
			'sale-6',
			'sale-7',
			'sale-8',
			'sale-9',
			'sale-10',
		]);
		expect(() => initialSalesState(T0, 'yesterday-ish')).toThrow('is not a date');
	});

	test('never mutates the state it is given', async () => {
		const list = new FakeSalesList();
		list.add(5, (i) => T0 + 1 + i);
		const state = initialSalesState(T0);
		const copy = JSON.parse(JSON.stringify(state));
		await pollSales(list.fetch, state);
		expect(state).toEqual(copy);
	});
});

describe('polled event items', () => {
	test('ids are deterministic, differ by type and modification time, and look like Mando event ids', () => {
		expect(polledEventId('sale.created', 'a')).toBe(polledEventId('sale.created', 'a'));
		expect(polledEventId('sale.created', 'a')).not.toBe(polledEventId('sale.voided', 'a'));
		expect(polledEventId('product.updated', 'a', '1')).not.toBe(
			polledEventId('product.updated', 'a', '2'),
		);
		expect(polledEventId('sale.created', 'a')).toMatch(/^evt_[0-9a-f]{24}$/);
	});

	test('a sale becomes the webhook envelope with the sale untouched as data', () => {
		const s = sale(1, T0);
		const event = saleCreatedEvent(s, 'fallback');
		expect(event).toEqual({
			id: polledEventId('sale.created', 'sale-1'),
			type: 'sale.created',
			created: s.created_at,
			data: s,
		});
		expect(saleCreatedEvent({ id: 'x', total: 1, items: [] }, 'fallback').created).toBe('fallback');
	});

	test('stored state is checked before use', () => {
		expect(isSalesPollState(initialSalesState(T0))).toBe(true);
		expect(isSalesPollState({ watermark: 'nope', boundaryIds: [] })).toBe(false);
		expect(isSalesPollState(undefined)).toBe(false);
		expect(
			isSalesPollState({ watermark: new Date(T0).toISOString(), boundaryIds: [], cursor: 5 }),
		).toBe(false);
	});
});
