import {
	decideDelivery as decideWith,
	type DeliveryInput,
} from '../../../../nodes/MandoTrigger/receive';
import {
	RecentEventIds,
	getDedupState,
	isHandled,
	triggerDedup,
} from '../../../../nodes/MandoTrigger/dedup';
import { signMandoPayload } from '../../../../nodes/shared/signature';

const SECRET = 'whsec_receive';
const envelope = (id: string, type = 'sale.created') => ({
	id,
	type,
	created: '2026-11-28T10:00:00Z',
	data: { id: 's-' + id, total: 1, items: [] },
});

/** A delivery input over a plain static data object and memory, which the tests inspect. */
type TestInput = Omit<DeliveryInput, 'dedup'> & {
	staticData: Record<string, unknown>;
	recent: RecentEventIds;
};

const decideDelivery = (i: TestInput) =>
	decideWith({ ...i, dedup: triggerDedup(i.staticData, i.recent) });

function input(body: unknown, overrides: Partial<TestInput> = {}): TestInput {
	const raw = Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
	return {
		rawBody: raw,
		signature: signMandoPayload(raw, SECRET),
		secret: SECRET,
		selected: new Set(['sale.created', 'stock.low']),
		acknowledge: 'immediately',
		staticData: {},
		recent: new RecentEventIds(),
		now: 1_000_000,
		...overrides,
	};
}

describe('decideDelivery', () => {
	it('runs a verified event once and remembers its id in memory; the static data is only read', () => {
		const i = input(envelope('evt_1'));
		const first = decideDelivery(i);
		expect(first).toEqual({
			action: 'run',
			events: [envelope('evt_1')],
			counts: { received: 1, accepted: 1, duplicates: 0, ignored: 0, inFlight: 0, malformed: 0 },
			malformed: [],
		});
		// n8n saves static data only when it changed: the run's first step persists the id (below)
		expect(i.staticData).toEqual({});
		expect(i.recent.get('evt_1', i.now)).toBe('handled');
		// same delivery again, same node: acknowledged, no run
		expect(decideDelivery({ ...i, now: i.now + 10 })).toEqual({
			action: 'acknowledge',
			counts: { received: 1, accepted: 0, duplicates: 1, ignored: 0, inFlight: 0, malformed: 0 },
			malformed: [],
		});
	});

	it('de-duplicates from persisted static data alone (after an n8n restart)', () => {
		const i = input(envelope('evt_1'));
		decideDelivery(i);
		// the run's first step (the trigger's execute) writes the run's ids
		triggerDedup(i.staticData, i.recent).persist(['evt_1'], 'handled', i.now);
		const persisted = JSON.parse(JSON.stringify(i.staticData));
		const after = decideDelivery({ ...i, staticData: persisted, recent: new RecentEventIds() });
		expect(after.action).toBe('acknowledge');
	});

	it('de-duplicates from memory when a concurrent request saved static data without the id', () => {
		const recent = new RecentEventIds();
		decideDelivery(input(envelope('evt_1'), { recent }));
		const lostUpdate = input(envelope('evt_1'), { recent, staticData: {} });
		expect(decideDelivery(lostUpdate).action).toBe('acknowledge');
		// ...and the next run's first step writes the id back into the static data it saves
		const nextRun: Record<string, unknown> = {};
		triggerDedup(nextRun, recent).persist(['evt_2'], 'handled', lostUpdate.now);
		expect(isHandled(getDedupState(nextRun), 'evt_1')).toBe(true);
	});

	it.each([
		['wrong secret', { signature: signMandoPayload('{}', 'other') }, 'mismatch'],
		['no header', { signature: undefined }, 'missing'],
		['short header', { signature: 'sha256=abc' }, 'malformed'],
		['no secret configured', { secret: '' }, 'no-secret'],
	])('rejects with 401 and marks nothing: %s', (_n, overrides, reason) => {
		const i = input(envelope('evt_1'), overrides as Partial<TestInput>);
		const decision = decideDelivery(i);
		expect(decision).toMatchObject({ action: 'reject', status: 401, reason });
		expect(i.staticData).toEqual({});
		expect(i.recent.size).toBe(0);
	});

	it.each([
		['not JSON', 'not json', { index: 0, problem: 'is not JSON' }],
		['not an envelope', '{"hello":1}', { index: 0, problem: 'has no "id"' }],
		[
			'a whitespace-only id',
			JSON.stringify({ ...envelope('x'), id: ' ' }),
			{ index: 0, id: ' ', problem: 'has a blank "id"' },
		],
	])(
		'acknowledges a signed body that is %s (2xx, counted as malformed, nothing marked)',
		(_n, body, malformed) => {
			const i = input(body);
			expect(decideDelivery(i)).toEqual({
				action: 'acknowledge',
				counts: { received: 1, accepted: 0, duplicates: 0, ignored: 0, inFlight: 0, malformed: 1 },
				malformed: [malformed],
			});
			expect(i.recent.size).toBe(0);
		},
	);

	it('runs the good members of a signed batch with malformed ones', () => {
		const body = [
			envelope('a'),
			{ ...envelope('b'), data: [1] },
			{ ...envelope('c'), id: 42, data: null },
		];
		expect(decideDelivery(input(body))).toEqual({
			action: 'run',
			events: [envelope('a'), { ...envelope('c'), id: '42', data: {} }],
			counts: { received: 3, accepted: 2, duplicates: 0, ignored: 0, inFlight: 0, malformed: 1 },
			malformed: [{ index: 1, id: 'b', problem: 'has a "data" that is an array' }],
		});
	});

	it('ignores event types not selected, unless All Events', () => {
		expect(decideDelivery(input(envelope('evt_1', 'customer.created')))).toEqual({
			action: 'acknowledge',
			counts: { received: 1, accepted: 0, duplicates: 0, ignored: 1, inFlight: 0, malformed: 0 },
			malformed: [],
		});
		const all = decideDelivery(input(envelope('evt_2', 'some.future.event'), { selected: '*' }));
		expect(all).toMatchObject({ action: 'run', events: [envelope('evt_2', 'some.future.event')] });
	});

	it('gives one event per envelope in a batch, skipping repeats inside it', () => {
		const batch = [
			envelope('a'),
			envelope('b', 'stock.low'),
			envelope('a'),
			envelope('c', 'customer.created'),
		];
		expect(decideDelivery(input(batch))).toEqual({
			action: 'run',
			events: [envelope('a'), envelope('b', 'stock.low')],
			counts: { received: 4, accepted: 2, duplicates: 1, ignored: 1, inFlight: 0, malformed: 0 },
			malformed: [],
		});
	});

	describe('Acknowledge: After the workflow succeeds', () => {
		it('marks pending, answers 409 to a parallel duplicate, re-runs after a failure, skips after success', () => {
			const recent = new RecentEventIds();
			const staticData = {};
			const base = { acknowledge: 'afterSuccess' as const, recent, staticData };
			expect(decideDelivery(input(envelope('evt_1'), base)).action).toBe('run');
			expect(isHandled(getDedupState(staticData), 'evt_1')).toBe(false);
			// a parallel duplicate while the first run is going on
			expect(decideDelivery(input(envelope('evt_1'), base))).toMatchObject({
				action: 'retry-later',
				status: 409,
			});
			// the run failed: the node forgets the id, so Mando's retry runs again
			recent.forget('evt_1');
			expect(decideDelivery(input(envelope('evt_1'), { ...base, now: 1_060_000 })).action).toBe(
				'run',
			);
			// that run succeeded: a further delivery is a duplicate
			recent.set('evt_1', 'handled', 1_060_500);
			expect(decideDelivery(input(envelope('evt_1'), { ...base, now: 1_061_000 })).action).toBe(
				'acknowledge',
			);
			// the next run's first step persists it
			triggerDedup(staticData, recent).persist([], 'pending', 1_062_000);
			expect(isHandled(getDedupState(staticData), 'evt_1')).toBe(true);
		});

		it('a persisted pending id (outcome unknown after a restart) runs again', () => {
			const first = input(envelope('evt_1'), { acknowledge: 'afterSuccess' });
			decideDelivery(first);
			const restarted = input(envelope('evt_1'), {
				acknowledge: 'afterSuccess',
				staticData: JSON.parse(JSON.stringify(first.staticData)),
			});
			expect(decideDelivery(restarted).action).toBe('run');
		});
	});
});
