import { MANDO_EVENTS } from '../../../../nodes/shared/events';
import { MAX_EVENTS_PER_DELIVERY, parseMandoDelivery } from '../../../../nodes/shared/envelope';

const envelope = (id: string, type = 'sale.created') => ({ id, type, created: '2026-11-28T10:00:00Z', data: { id: 's' } });

describe('parseMandoDelivery', () => {
	it('reads one envelope, keeping unknown fields and unknown types', () => {
		const e = { ...envelope('evt_1', 'sale.refunded'), extra: { a: 1 } };
		expect(parseMandoDelivery(JSON.stringify(e))).toEqual({ ok: true, events: [e] });
	});

	it('reads an array and an { events: [...] } batch in order', () => {
		const list = [envelope('evt_1'), envelope('evt_2', 'stock.low')];
		expect(parseMandoDelivery(Buffer.from(JSON.stringify(list)))).toEqual({ ok: true, events: list });
		expect(parseMandoDelivery(JSON.stringify({ events: list }))).toEqual({ ok: true, events: list });
	});

	it('accepts every catalogue sample as a valid envelope', () => {
		for (const def of MANDO_EVENTS) {
			const parsed = parseMandoDelivery(JSON.stringify({ id: 'evt_x', type: def.type, created: 'now', data: def.sample }));
			expect(parsed.ok).toBe(true);
		}
	});

	it.each([
		['not JSON', '{"id":', 'Body is not JSON'],
		['empty', '', 'Body is not JSON'],
		['a string', '"hello"', 'Body is not a JSON object: not a Mando event envelope'],
		['null', 'null', 'Body is not a JSON object: not a Mando event envelope'],
		['no id', JSON.stringify({ type: 'sale.created', data: {} }), 'Body has no string "id": not a Mando event envelope'],
		['numeric id', JSON.stringify({ id: 5, type: 'sale.created', data: {} }), 'Body has no string "id": not a Mando event envelope'],
		['no type', JSON.stringify({ id: 'e', data: {} }), 'Body has no string "type": not a Mando event envelope'],
		['no data', JSON.stringify({ id: 'e', type: 't' }), 'Body has no "data" object: not a Mando event envelope'],
		['numeric created', JSON.stringify({ id: 'e', type: 't', created: 1, data: {} }), 'Body has a "created" that is not a string: not a Mando event envelope'],
		['empty array', '[]', 'Body holds no events'],
		['bad second event', JSON.stringify([envelope('a'), { id: 'b' }]), 'Event 2 has no string "type": not a Mando event envelope'],
	])('rejects %s', (_name, body, error) => {
		expect(parseMandoDelivery(body)).toEqual({ ok: false, error });
	});

	it('rejects batches over the limit', () => {
		const list = Array.from({ length: MAX_EVENTS_PER_DELIVERY + 1 }, (_, i) => envelope(`evt_${i}`));
		expect(parseMandoDelivery(JSON.stringify(list)).ok).toBe(false);
	});
});
