import { DEDUP_MAX_IDS, DEDUP_RETENTION_MS, getDedupState, isHandled, markEvent, persistRunMarks, RecentEventIds } from '../../../../nodes/shared/dedup';

describe('event id de-duplication state', () => {
	it('remembers handled ids; pending ids do not block, and handled never goes back to pending', () => {
		const container: Record<string, unknown> = {};
		const state = getDedupState(container);
		expect(container.dedup).toBe(state);
		markEvent(state, 'evt_1', 'handled', 1000);
		markEvent(state, 'evt_2', 'pending', 1000);
		expect(isHandled(state, 'evt_1')).toBe(true);
		expect(isHandled(state, 'evt_2')).toBe(false);
		expect(isHandled(state, 'evt_3')).toBe(false);
		expect(isHandled(state, 'constructor')).toBe(false);
		markEvent(state, 'evt_1', 'pending', 2000);
		expect(isHandled(state, 'evt_1')).toBe(true);
		markEvent(state, 'evt_2', 'handled', 2000);
		expect(isHandled(state, 'evt_2')).toBe(true);
		expect(state.n).toBe(2);
	});

	it('survives a JSON round trip (how n8n persists static data)', () => {
		const container: Record<string, unknown> = {};
		markEvent(getDedupState(container), 'evt_1', 'handled', 5);
		const restored = JSON.parse(JSON.stringify(container));
		expect(isHandled(getDedupState(restored), 'evt_1')).toBe(true);
	});

	it('repairs a state of the wrong shape', () => {
		const container: Record<string, unknown> = { dedup: 'garbage' };
		const state = getDedupState(container);
		expect(state).toEqual({ seen: {}, n: 0 });
	});

	it(`keeps at most ${DEDUP_MAX_IDS} ids, dropping the oldest first`, () => {
		const state = getDedupState({});
		const total = DEDUP_MAX_IDS * 2 + 7;
		for (let i = 0; i < total; i++) markEvent(state, `evt_${i}`, 'handled', 1_000_000 + i);
		expect(state.n).toBeLessThanOrEqual(DEDUP_MAX_IDS);
		expect(Object.keys(state.seen).length).toBe(state.n);
		expect(isHandled(state, `evt_${total - 1}`)).toBe(true);
		expect(isHandled(state, `evt_${total - 1000}`)).toBe(true);
		expect(isHandled(state, 'evt_0')).toBe(false);
	});

	it('drops ids older than the retention when it prunes', () => {
		const state = getDedupState({});
		markEvent(state, 'old', 'handled', 0);
		for (let i = 1; i < 500; i++) markEvent(state, `evt_${i}`, 'handled', DEDUP_RETENTION_MS + 10);
		expect(isHandled(state, 'old')).toBe(false);
		expect(isHandled(state, 'evt_499')).toBe(true);
		expect(state.n).toBe(499);
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
		expect(getDedupState(container).seen.evt_pending).toBe(-3000);
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
		delete snapshot.seen.evt_1;
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
		expect(state.seen.evt_2).toBeUndefined();
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
		expect(state.n).toBeLessThanOrEqual(5000);
	});
});
