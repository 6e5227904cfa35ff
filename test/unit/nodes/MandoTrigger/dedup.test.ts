import {
	DEDUP_BUCKET_MS,
	DEDUP_MAX_IDS,
	DEDUP_RETENTION_MS,
	IN_FLIGHT_MS,
	RecentEventIds,
	dedupSize,
	getDedupState,
	isHandled,
	markEvent,
	markHandledMany,
	persistRunMarks,
	triggerDedup,
} from '../../../../nodes/MandoTrigger/dedup';
import { ObservableObject, type IDataObject, type IObservableObject } from 'n8n-workflow';

const MIN = 60_000;
/** Mando's retry delays after the first attempt (Mando webhook docs): 1 min, 5 min, 30 min, 2 h. */
const RETRY_DELAYS = [MIN, 5 * MIN, 30 * MIN, 120 * MIN];
const roundTrip = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

describe('event id de-duplication state', () => {
	it('remembers handled ids; pending marks store nothing', () => {
		const container: Record<string, unknown> = {};
		const state = getDedupState(container);
		expect(container.dedup).toBe(state);
		markEvent(state, 'evt_1', 'handled', 1000);
		markEvent(state, 'evt_2', 'pending', 1000);
		expect(isHandled(state, 'evt_1')).toBe(true);
		expect(isHandled(state, 'evt_2')).toBe(false);
		expect(isHandled(state, 'evt_3')).toBe(false);
		expect(dedupSize(state)).toBe(1);
	});

	it('records and finds ids named like Object.prototype members, and stores no id as a key', () => {
		const state = getDedupState({});
		for (const id of ['constructor', 'toString', 'hasOwnProperty'])
			expect(isHandled(state, id)).toBe(false);
		for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
			markEvent(state, id, 'handled', 1000);
		const restored = getDedupState(roundTrip({ dedup: state }));
		for (const id of ['__proto__', 'constructor', 'toString', 'hasOwnProperty'])
			expect(isHandled(restored, id)).toBe(true);
		expect(dedupSize(restored)).toBe(4);
		expect(Object.keys(state.b).every((k) => /^\d+$/.test(k))).toBe(true);
	});

	it('repairs a state of the wrong shape', () => {
		const container: Record<string, unknown> = { dedup: 'garbage' };
		expect(getDedupState(container)).toEqual({ v: 2, b: {} });
	});

	it('migrates the 0.1.0 state without losing a handled id (pending ones were never binding)', () => {
		const now = 50 * DEDUP_BUCKET_MS;
		const seen: Record<string, number> = {};
		for (let i = 0; i < 5000; i++) seen[`evt_legacy_${i}`] = now - 2 * 60 * MIN + i; // 2 h ago, within every retry
		seen.evt_pending = -now;
		const container: Record<string, unknown> = { dedup: { seen, n: 5001, m: { by: 'x', seq: 3 } } };
		const legacyBytes = JSON.stringify(container.dedup).length;
		const state = getDedupState(container);
		const lost = Object.keys(seen).filter((id) => id !== 'evt_pending' && !isHandled(state, id));
		expect(lost).toEqual([]);
		expect(isHandled(state, 'evt_pending')).toBe(false);
		const bytes = JSON.stringify(container.dedup).length;
		console.log(
			`de-dup 0.1.0 state migrated: 5000 handled ids kept, 0 lost; ${legacyBytes} bytes of JSON → ${bytes} bytes`,
		);
		expect(bytes).toBeLessThanOrEqual(64 * 1024);
	});

	it('drops whole buckets once they are older than the retention, never an id younger than it', () => {
		const state = getDedupState({});
		markEvent(state, 'old', 'handled', 0);
		markEvent(state, 'edge', 'handled', DEDUP_BUCKET_MS - 1);
		markEvent(state, 'new', 'handled', DEDUP_RETENTION_MS + DEDUP_BUCKET_MS - 1);
		expect(isHandled(state, 'old')).toBe(true); // 3 h after 'edge' was handled: still held
		markEvent(state, 'later', 'handled', DEDUP_RETENTION_MS + DEDUP_BUCKET_MS + 1);
		expect(isHandled(state, 'old')).toBe(false);
		expect(isHandled(state, 'edge')).toBe(false);
		expect(isHandled(state, 'new')).toBe(true);
	});

	it(`bounds memory at ${DEDUP_MAX_IDS} ids, dropping the oldest bucket first`, () => {
		const state = getDedupState({});
		const total = DEDUP_MAX_IDS + 5000;
		// all within one retention: only the cap can drop them
		for (let i = 0; i < total; i++)
			markEvent(state, `evt_${i}`, 'handled', Math.floor((i / total) * DEDUP_RETENTION_MS));
		expect(dedupSize(state)).toBeLessThanOrEqual(DEDUP_MAX_IDS);
		expect(isHandled(state, `evt_${total - 1}`)).toBe(true);
		expect(isHandled(state, 'evt_0')).toBe(false);
	});

	it('20,000 distinct events over a simulated 3 h (110/min), persisted and reloaded: every retry and a final re-offer of all → 0 accepted', () => {
		const start = 1_800_000_000_000;
		const perMinute = 110;
		const total = 20_000;
		const at = (i: number) => start + Math.floor((i * MIN) / perMinute);
		let staticData: Record<string, unknown> = {};
		let recent = new RecentEventIds();
		let accepted = 0;
		let retriesAccepted = 0;
		let sizeAt5000 = 0;
		const retries: Array<{ i: number; due: number }> = [];
		// a delivery: the webhook request checks (reading the static data), the run persists new ids
		const offer = (id: string, at: number) => {
			const dedup = triggerDedup(staticData, recent);
			const isNew = dedup.accept([id], 'immediately', at)[0] === 'new';
			if (isNew) dedup.persist([id], 'handled', at);
			return isNew;
		};
		for (let i = 0; i < total; i++) {
			const now = at(i);
			// Mando's retries that are due (answers were lost, so Mando re-sends every event on schedule)
			while (retries.length && retries[0].due <= now) {
				const r = retries.shift()!;
				if (offer(`evt_${r.i}`, r.due)) retriesAccepted++;
			}
			if (offer(`evt_${i}`, now)) accepted++;
			for (const d of RETRY_DELAYS) if (i % 50 === 0) retries.push({ i, due: now + d });
			retries.sort((a, b) => a.due - b.due);
			// n8n persists static data as JSON (here every 10 deliveries); every 100 the process restarts (memory lost)
			if (i % 10 === 9) staticData = roundTrip(staticData);
			if (i % 100 === 99) recent = new RecentEventIds();
			if (i === 4999) sizeAt5000 = JSON.stringify(staticData).length;
		}
		const end = at(total - 1);
		const reloaded = roundTrip(staticData);
		const fresh = triggerDedup(reloaded, new RecentEventIds());
		const reAccepted = fresh
			.accept(
				Array.from({ length: total }, (_, i) => `evt_${i}`),
				'immediately',
				end + 1,
			)
			.filter((v) => v === 'new').length;
		const finalBytes = JSON.stringify(reloaded).length;
		console.log(
			`de-dup simulation: ${total} distinct events over ${((end - start) / 3_600_000).toFixed(2)} h (${perMinute}/min), state persisted and reloaded: first offers accepted ${accepted}, retries (1, 5, 30 min, 2 h) accepted ${retriesAccepted}, all ${total} re-offered after a restart → ${reAccepted} accepted; static data ${sizeAt5000} bytes at 5,000 ids (≤ 65536), ${finalBytes} bytes at ${dedupSize(getDedupState(reloaded))} ids`,
		);
		expect(accepted).toBe(total);
		expect(retriesAccepted).toBe(0);
		expect(reAccepted).toBe(0);
		expect(sizeAt5000).toBeLessThanOrEqual(64 * 1024);
	});
});

describe('markHandledMany (a run merging many marks at once)', () => {
	it('adds each id once, skips ids already held or repeated, keeps every id findable, and stores what markEvent would', () => {
		const t0 = 5 * DEDUP_BUCKET_MS;
		const batch = getDedupState({});
		const oneByOne = getDedupState({});
		for (let i = 0; i < 3000; i++) {
			markEvent(batch, `held_${i}`, 'handled', t0);
			markEvent(oneByOne, `held_${i}`, 'handled', t0);
		}
		const marks = [];
		for (let i = 0; i < 6000; i++)
			marks.push({ id: `new_${i}`, at: t0 + (i % 3) * DEDUP_BUCKET_MS });
		for (let i = 0; i < 500; i++) marks.push({ id: `held_${i}`, at: t0 + DEDUP_BUCKET_MS }); // already held
		marks.push({ id: 'new_0', at: t0 }); // repeated within the batch
		expect(markHandledMany(batch, marks, t0 + 2 * DEDUP_BUCKET_MS)).toBe(6000);
		for (const { id, at } of marks)
			if (!isHandled(oneByOne, id)) markEvent(oneByOne, id, 'handled', at);
		expect(dedupSize(batch)).toBe(9000);
		expect(roundTrip(batch)).toEqual(roundTrip(oneByOne));
		const missing = marks.filter(({ id }) => !isHandled(batch, id));
		expect(missing).toEqual([]);
		expect(isHandled(batch, 'never_seen')).toBe(false);
	});

	it('a run merging 20,000 marks into a 20,000-id state holds all 40,000 (one pass, not one scan per mark)', () => {
		const t0 = 5 * DEDUP_BUCKET_MS;
		const state = getDedupState({});
		markHandledMany(
			state,
			Array.from({ length: 20_000 }, (_, i) => ({ id: `old_${i}`, at: t0 })),
			t0,
		);
		const recent = new RecentEventIds();
		for (let i = 0; i < 20_000; i++) recent.set(`run_${i}`, 'handled', t0 + 1);
		const container: Record<string, unknown> = { dedup: state };
		persistRunMarks(container, recent, ['run_last'], 'handled', t0 + 2);
		expect(dedupSize(getDedupState(container))).toBe(40_001);
		expect(isHandled(state, 'run_19999')).toBe(true);
		expect(isHandled(state, 'old_0')).toBe(true);
		expect(isHandled(state, 'run_last')).toBe(true);
	});
});

describe('triggerDedup: accept / settle / persist', () => {
	it('an in-flight mark holds at most IN_FLIGHT_MS, and is not set when the sender has hung up', () => {
		const staticData = {};
		const recent = new RecentEventIds();
		const dedup = triggerDedup(staticData, recent);
		expect(dedup.accept(['evt_1'], 'afterSuccess', 0)).toEqual(['new']);
		expect(dedup.accept(['evt_1'], 'afterSuccess', IN_FLIGHT_MS)).toEqual(['in-flight']);
		expect(dedup.accept(['evt_1'], 'afterSuccess', IN_FLIGHT_MS + 1)).toEqual(['new']);
		expect(dedup.accept(['evt_2'], 'afterSuccess', 0, false)).toEqual(['new']);
		expect(recent.get('evt_2', 1)).toBeUndefined();
		dedup.settle(['evt_2'], true, 5);
		expect(dedup.accept(['evt_2'], 'afterSuccess', 10)).toEqual(['duplicate']);
		dedup.settle(['evt_1'], false, IN_FLIGHT_MS + 2);
		expect(dedup.accept(['evt_1', 'evt_1'], 'immediately', IN_FLIGHT_MS + 3)).toEqual([
			'new',
			'duplicate',
		]);
	});
});

describe("the webhook request and n8n's static data save", () => {
	/**
	 * The static data as n8n 2.40 hands it to a request: the stored JSON wrapped by
	 * `ObservableObject.create` (Workflow constructor), the node's container as `getStaticData('node')`
	 * makes it. n8n saves it (one database write) only when `__dataChanged` is true.
	 */
	function loaded(stored: Record<string, unknown>) {
		const root = ObservableObject.create(roundTrip(stored) as IDataObject, undefined, {
			ignoreEmptyOnFirstChild: true,
		}) as Record<string, unknown> & { __dataChanged: boolean };
		if (root['node:Mando Trigger'] === undefined)
			root['node:Mando Trigger'] = ObservableObject.create(
				{},
				root as unknown as IObservableObject,
			);
		return { root, node: root['node:Mando Trigger'] as Record<string, unknown> };
	}

	it('no delivery changes the static data, new events, duplicates or a legacy state alike; the run persists', () => {
		const recent = new RecentEventIds();
		const ids = Array.from({ length: 5000 }, (_, i) => `evt_${i}`);
		// the run (the trigger's execute step) persisted 5,000 handled ids earlier
		const run = loaded({});
		triggerDedup(run.node, recent).persist(ids, 'handled', 1_000_000);
		expect(run.root.__dataChanged).toBe(true);
		const stored = roundTrip({ 'node:Mando Trigger': run.node });
		for (const [what, batch] of [
			['a new event', ['evt_new']],
			['a duplicate', ['evt_42']],
			['a batch of both', ['evt_7', 'evt_new_2']],
		] as const) {
			const request = loaded(stored);
			triggerDedup(request.node, recent).accept(batch, 'immediately', 1_000_500);
			expect([what, request.root.__dataChanged]).toEqual([what, false]);
		}
		// a fresh process (empty memory), a 0.1.0 state, an empty one
		for (const [s, expected] of [
			[stored, ['new', 'duplicate']],
			[{ 'node:Mando Trigger': { dedup: { seen: { evt_old: 1_000_000 } } } }, ['duplicate', 'new']],
			[{}, ['new', 'new']],
		] as const) {
			const request = loaded(s);
			const verdicts = triggerDedup(request.node, new RecentEventIds()).accept(
				['evt_old', 'evt_1'],
				'immediately',
				1_000_500,
			);
			expect(verdicts).toEqual(expected);
			expect(request.root.__dataChanged).toBe(false);
		}
		console.log(
			`de-dup state: ${JSON.stringify(stored).length} bytes of static data at 5,000 ids; a delivery changes none of it (n8n saves nothing for the webhook request)`,
		);
	});
});

describe('persistRunMarks (the trigger execute step)', () => {
	it("writes the run's event ids and the memory's handled ids into the run's static data", () => {
		const recent = new RecentEventIds();
		recent.set('evt_earlier', 'handled', 1000);
		recent.set('evt_running', 'in-flight', 1000);
		const container: Record<string, unknown> = {};
		persistRunMarks(container, recent, ['evt_now'], 'handled', 2000);
		const state = getDedupState(container);
		expect(isHandled(state, 'evt_now')).toBe(true);
		expect(isHandled(state, 'evt_earlier')).toBe(true);
		expect(isHandled(state, 'evt_running')).toBe(false);
		persistRunMarks(container, recent, ['evt_pending'], 'pending', 3000);
		expect(isHandled(getDedupState(container), 'evt_pending')).toBe(false);
	});
});

describe('RecentEventIds merge watermark', () => {
	it('copies marks made after the state was saved, skipping older ones it already holds', () => {
		const recent = new RecentEventIds();
		const saved = getDedupState({});
		recent.set('evt_1', 'handled', 1000);
		recent.mergeInto(saved, 1000);
		expect(isHandled(saved, 'evt_1')).toBe(true);
		const snapshot = JSON.parse(JSON.stringify(saved)) as ReturnType<typeof getDedupState>;
		// A concurrent delivery marks evt_2 after the snapshot was taken; a later request loads the snapshot.
		recent.set('evt_2', 'handled', 1001);
		recent.mergeInto(snapshot, 1002);
		expect(isHandled(snapshot, 'evt_1')).toBe(true);
		expect(isHandled(snapshot, 'evt_2')).toBe(true);
		// A watermark at the memory's head: ids the state lost before it are not looked up again.
		snapshot.b = {};
		recent.mergeInto(snapshot, 1003);
		expect(isHandled(snapshot, 'evt_1')).toBe(false);
	});

	it("merges everything it holds into a state with another memory's watermark (another process, a restart)", () => {
		const other = new RecentEventIds();
		const state = getDedupState({});
		other.set('evt_x', 'handled', 1000);
		other.mergeInto(state, 1000);
		const recent = new RecentEventIds();
		recent.set('evt_1', 'handled', 1000);
		recent.set('evt_2', 'in-flight', 1000);
		recent.mergeInto(state, 1001);
		expect(isHandled(state, 'evt_1')).toBe(true);
		expect(isHandled(state, 'evt_2')).toBe(false);
		// evt_2 succeeds later: handled with a newer mark, merged on the next delivery.
		recent.set('evt_2', 'handled', 1002);
		recent.mergeInto(state, 1003);
		expect(isHandled(state, 'evt_2')).toBe(true);
	});

	it('keeps its log bounded under sustained load', () => {
		const recent = new RecentEventIds(60_000, 100);
		const state = getDedupState({});
		for (let i = 0; i < 10_000; i++) {
			recent.set(`evt_${i}`, 'handled', 1000 + i);
			recent.mergeInto(state, 1000 + i);
		}
		expect(recent.size).toBe(100);
		expect((recent as unknown as { log: unknown[] }).log.length).toBeLessThanOrEqual(201);
		expect(isHandled(state, 'evt_9999')).toBe(true);
		markEvent(state, 'evt_extra', 'handled', 20_000);
		expect(dedupSize(state)).toBe(10_001);
	});
});
