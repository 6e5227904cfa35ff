import { MANDO_EVENTS } from '../../../../nodes/shared/events';
import { parseMandoDelivery } from '../../../../nodes/MandoTrigger/envelope';

const envelope = (id: string, type = 'sale.created') => ({
	id,
	type,
	created: '2026-11-28T10:00:00Z',
	data: { id: 's' },
});

describe('parseMandoDelivery', () => {
	it('reads one envelope, keeping unknown fields and unknown types', () => {
		const e = { ...envelope('evt_1', 'sale.refunded'), extra: { a: 1 } };
		expect(parseMandoDelivery(JSON.stringify(e))).toEqual({
			received: 1,
			events: [e],
			malformed: [],
		});
	});

	it('reads an array and an { events: [...] } batch in order', () => {
		const list = [envelope('evt_1'), envelope('evt_2', 'stock.low')];
		expect(parseMandoDelivery(Buffer.from(JSON.stringify(list)))).toEqual({
			received: 2,
			events: list,
			malformed: [],
		});
		expect(parseMandoDelivery(JSON.stringify({ events: list }))).toEqual({
			received: 2,
			events: list,
			malformed: [],
		});
	});

	it('accepts every catalogue sample as a valid envelope', () => {
		for (const def of MANDO_EVENTS) {
			const parsed = parseMandoDelivery(
				JSON.stringify({ id: 'evt_x', type: def.type, created: 'now', data: def.sample }),
			);
			expect(parsed.malformed).toEqual([]);
		}
	});

	it.each([
		['a UTF-8 byte order mark', '\uFEFF' + JSON.stringify(envelope('evt_1')), envelope('evt_1')],
		[
			'a numeric id (as its string)',
			JSON.stringify({ ...envelope('x'), id: 12345 }),
			envelope('12345'),
		],
		[
			'data null (a delete)',
			JSON.stringify({ ...envelope('evt_1'), data: null }),
			{ ...envelope('evt_1'), data: {} },
		],
		[
			'data absent',
			JSON.stringify({ id: 'evt_1', type: 'product.deleted' }),
			{ id: 'evt_1', type: 'product.deleted', data: {} },
		],
		[
			'created as epoch seconds (kept as sent)',
			JSON.stringify({ ...envelope('evt_1'), created: 1764324000 }),
			{ ...envelope('evt_1'), created: 1764324000 },
		],
		[
			'the id "__proto__"',
			'{"id":"__proto__","type":"sale.created","data":{}}',
			{ id: '__proto__', type: 'sale.created', data: {} },
		],
	])('uses a member with %s', (_name, body, event) => {
		const parsed = parseMandoDelivery(Buffer.from(body, 'utf8'));
		expect(parsed).toEqual({ received: 1, events: [event], malformed: [] });
		expect(Object.getPrototypeOf(parsed.events[0])).toBe(Object.prototype);
	});

	it.each([
		['not JSON', '{"id":', { index: 0, problem: 'is not JSON' }],
		['empty', '', { index: 0, problem: 'is not JSON' }],
		['a string', '"hello"', { index: 0, problem: 'is not a JSON object' }],
		['null', 'null', { index: 0, problem: 'is not a JSON object' }],
		[
			'no id',
			JSON.stringify({ type: 'sale.created', data: {} }),
			{ index: 0, problem: 'has no "id"' },
		],
		[
			'a whitespace-only id',
			JSON.stringify({ id: '  ', type: 'sale.created', data: {} }),
			{ index: 0, id: '  ', problem: 'has a blank "id"' },
		],
		[
			'an object id',
			JSON.stringify({ id: { a: 1 }, type: 't', data: {} }),
			{ index: 0, problem: 'has an "id" that is not a string or number' },
		],
		[
			'no type',
			JSON.stringify({ id: 'e', data: {} }),
			{ index: 0, id: 'e', problem: 'has no "type"' },
		],
		[
			'data as an array',
			JSON.stringify({ id: 'e', type: 't', data: [1] }),
			{ index: 0, id: 'e', problem: 'has a "data" that is an array' },
		],
		[
			'data as a string',
			JSON.stringify({ id: 'e', type: 't', data: 'x' }),
			{ index: 0, id: 'e', problem: 'has a "data" that is not an object' },
		],
	])('reports %s as one malformed member', (_name, body, malformed) => {
		expect(parseMandoDelivery(body)).toEqual({ received: 1, events: [], malformed: [malformed] });
	});

	it('keeps the good members of a batch with bad ones, reporting each bad one by index and id', () => {
		const body = JSON.stringify([envelope('a'), { id: 'b' }, 7, { ...envelope('c'), data: null }]);
		expect(parseMandoDelivery(body)).toEqual({
			received: 4,
			events: [envelope('a'), { ...envelope('c'), data: {} }],
			malformed: [
				{ index: 1, id: 'b', problem: 'has no "type"' },
				{ index: 2, problem: 'is not a JSON object' },
			],
		});
		expect(parseMandoDelivery('[]')).toEqual({ received: 0, events: [], malformed: [] });
	});

	it('reads a batch of more than 1000 events whole', () => {
		const list = Array.from({ length: 2500 }, (_, i) => envelope(`evt_${i}`));
		const parsed = parseMandoDelivery(JSON.stringify(list));
		expect(parsed.events).toHaveLength(2500);
		expect(parsed.malformed).toEqual([]);
	});
});
