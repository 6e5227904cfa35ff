import { createHash, randomBytes } from 'crypto';

/**
 * De-duplication of Mando events by event `id`, kept in the trigger's workflow static data so that
 * it is persisted by n8n and survives a restart.
 *
 * Mando re-sends the same event `id` on every retry (immediately, 1 min, 5 min, 30 min, 2 h: Mando
 * webhook docs), about 2 h 36 min in all, so every handled id is remembered for at least
 * {@link DEDUP_RETENTION_MS} whatever the rate. The persisted form is compact: each id is a 48-bit
 * hash prefix (8 base64url characters), grouped in {@link DEDUP_BUCKET_MS} buckets by the time it
 * was handled; whole buckets expire. 5,000 ids take about 40 kB of JSON.
 */

/** How long a handled id is remembered, in milliseconds: 3 h (Mando's 2 h 36 min retry span plus margin). */
export const DEDUP_RETENTION_MS = 3 * 60 * 60 * 1000;

/** Width of one time bucket, in milliseconds (10 min); ids live between the retention and the retention plus one bucket. */
export const DEDUP_BUCKET_MS = 10 * 60 * 1000;

/**
 * Most ids held, a memory bound far above Mando's rates (about 280 events/min for 3 h, 800 kB of
 * JSON); past it the oldest buckets go first.
 */
export const DEDUP_MAX_IDS = 50_000;

/** Characters of one id's hash in a bucket (6 bytes in base64url). */
const TOKEN_CHARS = 8;

/**
 * The persisted shape (version 2). `b[bucket]`, with `bucket` = floor(ms since epoch /
 * {@link DEDUP_BUCKET_MS}), holds the hashes of the ids handled in that bucket, concatenated.
 * Only handled ids are stored: an accepted id whose run's outcome is unknown (Acknowledge "After
 * the workflow succeeds") does not block a re-delivery, so it needs no mark.
 */
export interface DedupState {
	v: 2;
	b: Record<string, string>;
	/**
	 * Merge watermark of the in-process memory ({@link RecentEventIds.mergeInto}): `by` names the
	 * memory (one per trigger node and process), `seq` is its sequence number when it last merged
	 * into this state; every handled id the memory held up to `seq` is in `b`. Absent until the
	 * first merge; a watermark of another memory (another process, or before a restart) is ignored.
	 */
	m?: { by: string; seq: number };
}

/** What a mark means: `handled` is remembered, `pending` (outcome unknown) is not. */
export type DedupMark = 'handled' | 'pending';

/** The 0.1.0 shape: `seen[id]` = ms accepted, negative while pending; `n` = number of keys. */
interface LegacyDedupState {
	seen: Record<string, number>;
	n?: number;
	m?: { by: string; seq: number };
}

/** The hash token of `id`: the first 6 bytes of its SHA-256, base64url (8 characters). */
function token(id: string): string {
	return createHash('sha256').update(id).digest().subarray(0, 6).toString('base64url');
}

function isState(value: unknown): value is DedupState {
	const v = value as DedupState | undefined;
	return (
		typeof v === 'object' &&
		v !== null &&
		v.v === 2 &&
		typeof v.b === 'object' &&
		v.b !== null &&
		!Array.isArray(v.b)
	);
}

function isLegacy(value: unknown): value is LegacyDedupState {
	const v = value as LegacyDedupState | undefined;
	return typeof v === 'object' && v !== null && typeof v.seen === 'object' && v.seen !== null;
}

/**
 * The de-duplication state inside `container` (the node's static data): created when absent or
 * not of a known shape, migrated (every handled id kept, with its time) when stored by 0.1.0.
 * Mutations through the returned object change `container`.
 */
export function getDedupState(container: Record<string, unknown>): DedupState {
	const current = container.dedup;
	if (isState(current)) return current;
	const state = readDedupState(container);
	container.dedup = state;
	return state;
}

/**
 * The de-duplication state inside `container` for reading only: the stored state itself, or a
 * detached one (empty, or migrated from 0.1.0) when none of a known shape is stored. Never changes
 * `container`, so n8n (which saves static data only when it changed) writes nothing for a read.
 */
export function readDedupState(container: Record<string, unknown>): DedupState {
	const current = container.dedup;
	if (isState(current)) return current;
	const state: DedupState = { v: 2, b: {} };
	if (isLegacy(current)) {
		for (const id of Object.keys(current.seen)) {
			const at = current.seen[id];
			if (typeof at === 'number' && at > 0) markEvent(state, id, 'handled', at);
		}
	}
	return state;
}

function bucketOf(at: number): string {
	return String(Math.floor(at / DEDUP_BUCKET_MS));
}

/** True when `tokens` (a bucket) holds `t` at a token boundary. */
function holds(tokens: string, t: string): boolean {
	for (let i = tokens.indexOf(t); i !== -1; i = tokens.indexOf(t, i + 1))
		if (i % TOKEN_CHARS === 0) return true;
	return false;
}

/** True when the event `id` was handled within the retention (as of the last prune). */
export function isHandled(state: DedupState, id: string): boolean {
	const t = token(id);
	for (const bucket of Object.keys(state.b)) if (holds(state.b[bucket], t)) return true;
	return false;
}

/**
 * Records many ids as handled in one pass: the state's tokens are read once into a `Set`, each new
 * token is appended to its bucket's batch, and each touched bucket is written once, so the cost is
 * linear in the state plus `marks` (checking each mark with {@link isHandled} scans the whole state
 * per mark: quadratic when a run merges thousands of marks). Ids already held are skipped.
 *
 * @param marks ids with the time each was handled (ms since epoch)
 * @param now current time (ms since epoch), for pruning
 * @returns how many ids were added
 */
export function markHandledMany(
	state: DedupState,
	marks: Iterable<{ id: string; at: number }>,
	now: number,
): number {
	let held: Set<string> | undefined;
	const added = new Map<string, string>();
	for (const { id, at } of marks) {
		held ??= heldTokens(state);
		const t = token(id);
		if (held.has(t)) continue;
		held.add(t);
		const bucket = bucketOf(at);
		added.set(bucket, (added.get(bucket) ?? '') + t);
	}
	let opened = false;
	let count = 0;
	for (const [bucket, tokens] of added) {
		opened ||= !Object.prototype.hasOwnProperty.call(state.b, bucket);
		state.b[bucket] = (state.b[bucket] ?? '') + tokens;
		count += tokens.length / TOKEN_CHARS;
	}
	if (opened || (count > 0 && dedupSize(state) > DEDUP_MAX_IDS)) pruneDedupState(state, now);
	return count;
}

/** Every token the state holds (one pass over its buckets). */
function heldTokens(state: DedupState): Set<string> {
	const held = new Set<string>();
	for (const bucket of Object.keys(state.b)) {
		const tokens = state.b[bucket];
		for (let i = 0; i + TOKEN_CHARS <= tokens.length; i += TOKEN_CHARS)
			held.add(tokens.slice(i, i + TOKEN_CHARS));
	}
	return held;
}

/**
 * Records `id` as handled at `at` (ms since epoch); a `pending` mark stores nothing. Opening a
 * new bucket drops the expired ones. Callers check {@link isHandled} first: an id recorded twice
 * costs only space.
 */
export function markEvent(state: DedupState, id: string, mark: DedupMark, at: number): void {
	if (mark !== 'handled') return;
	const bucket = bucketOf(at);
	const opened = !Object.prototype.hasOwnProperty.call(state.b, bucket);
	state.b[bucket] = (opened ? '' : state.b[bucket]) + token(id);
	if (opened || dedupSize(state) > DEDUP_MAX_IDS) pruneDedupState(state, at);
}

/** Number of ids held. */
export function dedupSize(state: DedupState): number {
	let chars = 0;
	for (const bucket of Object.keys(state.b)) chars += state.b[bucket].length;
	return chars / TOKEN_CHARS;
}

/**
 * Drops the buckets that ended more than {@link DEDUP_RETENTION_MS} before `now` (ms since
 * epoch), then the oldest while more than {@link DEDUP_MAX_IDS} ids are held.
 */
export function pruneDedupState(state: DedupState, now: number): void {
	const buckets = Object.keys(state.b)
		.map(Number)
		.sort((a, b) => a - b);
	let held = dedupSize(state);
	for (const bucket of buckets) {
		const expired = (bucket + 1) * DEDUP_BUCKET_MS + DEDUP_RETENTION_MS < now;
		if (!expired && held <= DEDUP_MAX_IDS) break;
		held -= state.b[bucket].length / TOKEN_CHARS;
		delete state.b[bucket];
	}
}

/**
 * How long the in-process memory keeps an id, in milliseconds: as long as the persisted state
 * ({@link DEDUP_RETENTION_MS}), so that marks a concurrent save dropped are merged back later.
 */
export const RECENT_WINDOW_MS = DEDUP_RETENTION_MS;

/** Most ids the in-process memory keeps per trigger node. */
export const RECENT_MAX_IDS = 20_000;

/**
 * How long an `in-flight` mark holds, in milliseconds: a delivery under Acknowledge "After the
 * workflow succeeds" whose outcome never arrives (a lost answer, a crash) blocks its id no longer.
 */
export const IN_FLIGHT_MS = 60_000;

/**
 * In-process memory of the event ids one trigger node saw in the last {@link RECENT_WINDOW_MS}.
 *
 * n8n loads the static data when a request starts and saves the whole object when it answers, so
 * two concurrent deliveries can each miss the other's id (and the later save can drop the earlier
 * one's mark). This memory closes that gap inside one process: the check and the mark happen
 * synchronously, and {@link RecentEventIds.mergeInto} copies recent marks back into the static
 * data at every delivery. It also holds the outcome of runs under Acknowledge "After the workflow
 * succeeds": `in-flight` while the run goes on, then handled (2xx answer) or forgotten (error).
 *
 * Every {@link RecentEventIds.set} gets the next sequence number, so a merge only walks the
 * marks made after the state's watermark ({@link DedupState.m}): constant work per delivery
 * instead of one look-up per remembered id.
 */
export class RecentEventIds {
	private readonly entries = new Map<
		string,
		{ mark: 'handled' | 'in-flight'; at: number; seq: number }
	>();
	/** Every `set` in order: `seq` ascending; an item is stale once `entries` holds a newer `seq` for its id. */
	private log: Array<{ id: string; seq: number }> = [];
	/** Index of the first log item not yet pruned (items before it are gone from `entries` or stale). */
	private head = 0;
	private seq = 0;
	/** Names this memory in watermarks; random, so another process's or an earlier run's never matches. */
	private readonly instance = randomBytes(6).toString('hex');

	constructor(
		private readonly windowMs = RECENT_WINDOW_MS,
		private readonly maxIds = RECENT_MAX_IDS,
	) {}

	/** `handled`, `in-flight`, or `undefined` when the id was not seen in the window. */
	get(id: string, now: number): 'handled' | 'in-flight' | undefined {
		const entry = this.entries.get(id);
		if (
			!entry ||
			now - entry.at >
				(entry.mark === 'in-flight' ? Math.min(IN_FLIGHT_MS, this.windowMs) : this.windowMs)
		)
			return undefined;
		return entry.mark;
	}

	/** Records `id` with `mark` at `now` (ms since epoch). */
	set(id: string, mark: 'handled' | 'in-flight', now: number): void {
		const seq = ++this.seq;
		this.entries.delete(id);
		this.entries.set(id, { mark, at: now, seq });
		this.log.push({ id, seq });
		this.prune(now);
	}

	/** Forgets `id` (a run that failed, so that Mando's re-delivery runs again). */
	forget(id: string): void {
		this.entries.delete(id);
	}

	/** Number of ids held. */
	get size(): number {
		return this.entries.size;
	}

	/**
	 * Copies handled ids that the persisted state lacks (or holds as pending) into `state`, then
	 * sets the state's watermark. Walks only the marks made after the state's own watermark when
	 * this memory wrote it, otherwise every id held.
	 */
	mergeInto(state: DedupState, now: number): void {
		this.prune(now);
		const m = state.m;
		const since =
			typeof m === 'object' && m !== null && m.by === this.instance && typeof m.seq === 'number'
				? m.seq
				: 0;
		// First log item newer than the watermark (binary search: seq ascends).
		let lo = this.head;
		let hi = this.log.length;
		while (lo < hi) {
			const mid = (lo + hi) >>> 1;
			if (this.log[mid].seq <= since) lo = mid + 1;
			else hi = mid;
		}
		const marks: Array<{ id: string; at: number }> = [];
		for (let i = lo; i < this.log.length; i++) {
			const { id, seq } = this.log[i];
			const entry = this.entries.get(id);
			if (entry?.seq === seq && entry.mark === 'handled') marks.push({ id, at: entry.at });
		}
		if (marks.length > 0) markHandledMany(state, marks, now);
		if (since !== this.seq) state.m = { by: this.instance, seq: this.seq };
	}

	/**
	 * Drops the oldest ids while more than `maxIds` are held or the oldest is outside the window.
	 * Walks the log from `head` (oldest first, as the ids were set) rather than iterating the Map,
	 * whose iteration from the start slows down as deleted entries pile up at its front.
	 */
	private prune(now: number): void {
		while (this.head < this.log.length) {
			const { id, seq } = this.log[this.head];
			const entry = this.entries.get(id);
			if (entry?.seq === seq) {
				if (this.entries.size <= this.maxIds && now - entry.at <= this.windowMs) break;
				this.entries.delete(id);
			}
			this.head++;
		}
		// Drop pruned log items, and stale ones once they outnumber the live (amortised constant time).
		if (
			this.head > this.maxIds ||
			this.log.length - this.head > 2 * this.maxIds + 2 * this.entries.size
		) {
			this.log = this.log
				.slice(this.head)
				.filter(({ id, seq }) => this.entries.get(id)?.seq === seq);
			this.head = 0;
		}
	}
}

const recentByNode = new Map<string, RecentEventIds>();

/** The {@link RecentEventIds} of one trigger node, by a key such as `workflowId:nodeId`. */
export function recentEventIdsFor(key: string): RecentEventIds {
	let recent = recentByNode.get(key);
	if (!recent) {
		recent = new RecentEventIds();
		recentByNode.set(key, recent);
	}
	return recent;
}

/**
 * Writes event ids into the persisted state of an execution's static data: every id in `ids`
 * (the run's events) as handled or pending, and every handled id of `recent`.
 *
 * Why here and not in the webhook request: n8n loads the static data again for the run and saves
 * the run's copy when the run ends, so marks written by the webhook method would cost a second
 * database write per delivery (n8n 2.40 `LiveWebhooks.executeWebhook` saves changed static data
 * after the webhook method) and race with the run's load. The trigger's `execute` — the first step
 * of the run — calls this; the webhook request only reads the static data.
 *
 * @param container the node's static data in the execution
 * @param ids event ids of the run's items (may be empty when the output holds only `data`)
 */
export function persistRunMarks(
	container: Record<string, unknown>,
	recent: RecentEventIds,
	ids: string[],
	mark: DedupMark,
	now: number,
): void {
	const state = getDedupState(container);
	recent.mergeInto(state, now);
	if (mark === 'handled')
		markHandledMany(
			state,
			ids.map((id) => ({ id, at: now })),
			now,
		);
}

/** What {@link TriggerDedup.accept} says about one event id. */
export type DedupVerdict = 'new' | 'duplicate' | 'in-flight';

/**
 * The de-duplication of one trigger node, over its persisted state (static data) and its
 * in-process memory ({@link RecentEventIds}):
 * - `accept` checks a delivery's event ids and marks the new ones;
 * - `settle` records the outcome of a run under Acknowledge "After the workflow succeeds";
 * - `persist` writes a run's ids into the static data of the run (see {@link persistRunMarks}).
 */
export interface TriggerDedup {
	/**
	 * One verdict per id, in order: `duplicate` when handled before (or earlier in `ids`),
	 * `in-flight` when an earlier delivery's run is still going on, else `new`. New ids are marked in
	 * the in-process memory as handled (`immediately`) or in flight (`afterSuccess`, at most
	 * {@link IN_FLIGHT_MS}) at `now` (ms since epoch); `holdInFlight: false` (the sender has hung up
	 * already) sets no in-flight mark. The static data is only read: `persist`, in the run, writes.
	 */
	accept(
		ids: readonly string[],
		mode: 'immediately' | 'afterSuccess',
		now: number,
		holdInFlight?: boolean,
	): DedupVerdict[];
	/** A run under "After the workflow succeeds" ended: its ids become handled, or are forgotten so a re-delivery runs. */
	settle(ids: readonly string[], succeeded: boolean, now: number): void;
	/** Writes a run's ids (as `mark`) and the memory's handled ids into the static data (in a run: the execution's). */
	persist(ids: readonly string[], mark: DedupMark, now: number): void;
}

/**
 * The {@link TriggerDedup} over `staticData` (the node's static data in the webhook request) and
 * `recent` (the node's in-process memory).
 */
export function triggerDedup(
	staticData: Record<string, unknown>,
	recent: RecentEventIds,
): TriggerDedup {
	return {
		accept(ids, mode, now, holdInFlight = true) {
			// Read only: the run's first step persists its ids (`persist`), so the webhook request
			// changes no static data and n8n saves none for it.
			const state = readDedupState(staticData);
			const batch = new Set<string>();
			const verdicts = ids.map((id): DedupVerdict => {
				const inMemory = recent.get(id, now);
				if (batch.has(id) || inMemory === 'handled' || isHandled(state, id)) return 'duplicate';
				if (inMemory === 'in-flight') return 'in-flight';
				batch.add(id);
				return 'new';
			});
			const immediate = mode === 'immediately';
			for (const id of batch)
				if (immediate || holdInFlight) recent.set(id, immediate ? 'handled' : 'in-flight', now);
			return verdicts;
		},
		settle(ids, succeeded, now) {
			for (const id of ids) {
				if (succeeded) recent.set(id, 'handled', now);
				else recent.forget(id);
			}
		},
		persist(ids, mark, now) {
			persistRunMarks(staticData, recent, [...ids], mark, now);
		},
	};
}
