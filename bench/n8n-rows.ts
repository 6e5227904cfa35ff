import { randomBytes, randomUUID } from 'crypto';
import { copyFileSync, readdirSync, readFileSync, statSync, writeFileSync } from 'fs';
import path from 'path';

import { delay, N8n, type N8nOptions } from '../test/harness/n8n';
import { makeTempFolder } from '../test/harness/tempFolders';
import { createMandoCredential, createTriggerWorkflow, publish } from '../test/harness/workflows';
import {
	autocannonLoad,
	Deliveries,
	fixedRateLoad,
	forgedSignature,
	pool,
	send,
	type Answer,
	type LoadStats,
} from './load';
import { monotonicUs, servesWebhooks, summariseProfile, type ProfileSummary } from './profile';

/**
 * The real-n8n rows of `npm run bench`: one fresh n8n 2.40.7 per workflow (the harness's, this
 * package's dist/), the same signed bodies, the same settings. A row measures throughput and
 * acknowledgement at 20 connections, p50 at 1 connection, forged requests, and de-duplication
 * (replayed ids and duplicate pairs, counted per event id from the executions' data).
 */

/** The secret every row signs with (the Mando credential's, and the DIY Code node's). */
export const SECRET = 'bench-whsec-' + randomBytes(8).toString('hex');

/** Workflow settings every row has. */
export const SETTINGS = {
	executionOrder: 'v1',
	saveDataSuccessExecution: 'all',
	saveDataErrorExecution: 'all',
	saveManualExecutions: true,
	saveExecutionProgress: false,
};

/** Environment every n8n of the bench gets (the DIY Code node needs `crypto`). */
export const BASE_ENV: Record<string, string> = {
	N8N_LOG_LEVEL: 'warn',
	NODE_FUNCTION_ALLOW_BUILTIN: 'crypto',
	EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
	EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
};

export type WorkflowKind = 'core' | 'diy-immediate' | 'diy-safe' | 'mando';

/** What a row runs. */
export interface RowSpec {
	label: string;
	/** A short name for table headers. */
	short: string;
	kind: WorkflowKind;
	/** n8n environment beyond {@link BASE_ENV}. */
	env?: Record<string, string>;
	/** Run this `bin/n8n` instead of the cache's (the patched copy). */
	n8nBin?: string;
}

/** Durations and counts of a row (env-configurable in run.ts). */
export interface RowLoad {
	connections: number;
	warmupS: number;
	durationS: number;
	/** Seconds at 1 connection (p50). */
	singleS: number;
	forged: number;
	/** Ids of the main load sent again after it. */
	replays: number;
	/** New ids each sent twice at once. */
	pairs: number;
}

/** One row's figures. */
export interface RowResult {
	label: string;
	short: string;
	kind: WorkflowKind;
	env: Record<string, string>;
	load: LoadStats;
	single: LoadStats;
	/** Seconds from the end of the main load until every execution had finished. */
	drainS: number;
	/** Executions of the main load finished per second (its duration plus the drain). */
	runsPerS: number;
	forgedSent: number;
	forged2xx: number;
	/** Forged requests whose event id appears in an execution's data (a run they started). */
	forgedExecutions: number;
	/** Replayed ids recognised as seen (no second run of the last node) / replayed. */
	idsKept: number;
	replayed: number;
	/** Pairs whose id reached the last node twice / pairs. */
	pairsRunTwice: number;
	pairs: number;
	executions: number;
	succeeded: number;
	staticDataBytes: number;
	/** n8n main process's CPU over the measured load and its drain (`--cpu-prof`). */
	profile?: ProfileSummary;
}

/** A workflow under test: its id and production URL. */
export interface Target {
	id: string;
	url: string;
}

/**
 * Publishes "Mando Trigger (Acknowledge: Immediately, Registration: Manual) → `next`" with the
 * bench's secret and {@link SETTINGS}; `webhookUrl` is the production URL (the load balancer's in
 * queue mode).
 */
export async function createMandoTarget(
	n8n: N8n,
	name: string,
	next?: { waitSeconds: number },
): Promise<Target> {
	const credential = await createMandoCredential(n8n, {
		apiKey: 'bench-unused',
		webhookSecret: SECRET,
		baseUrl: 'http://127.0.0.1:9/api',
	});
	const wf = await createTriggerWorkflow(
		n8n,
		credential,
		{ events: ['*'], registration: 'manual', acknowledge: 'immediately' },
		{ name, next },
	);
	const full = await n8n.api<Record<string, unknown>>('GET', `/workflows/${wf.id}`);
	await n8n.api('PUT', `/workflows/${wf.id}`, {
		name: full.name,
		nodes: full.nodes,
		connections: full.connections,
		settings: SETTINGS,
	});
	await publish(n8n, wf.id);
	return { id: wf.id, url: n8n.webhookUrl(wf.webhookPath) };
}

async function createTarget(n8n: N8n, kind: WorkflowKind): Promise<Target> {
	if (kind === 'mando') return await createMandoTarget(n8n, 'Bench: Mando Trigger → No Operation');
	const webhookPath = randomUUID();
	const body =
		kind === 'core'
			? coreWorkflow(webhookPath)
			: (JSON.parse(
					readFileSync(path.join(__dirname, 'workflows', `${kind}.json`), 'utf8')
						.replaceAll('__PATH__', webhookPath)
						.replaceAll('__MANDO_SECRET__', SECRET),
				) as Record<string, unknown>);
	const wf = await n8n.api<{ id: string }>('POST', '/workflows', { ...body, settings: SETTINGS });
	await publish(n8n, wf.id);
	return { id: wf.id, url: n8n.webhookUrl(webhookPath) };
}

function coreWorkflow(webhookPath: string) {
	return {
		name: 'Bench: core Webhook → No Operation',
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [240, 300],
				webhookId: webhookPath,
				parameters: {
					httpMethod: 'POST',
					path: webhookPath,
					responseMode: 'onReceived',
					options: {},
				},
			},
			{
				id: randomUUID(),
				name: 'No Operation',
				type: 'n8n-nodes-base.noOp',
				typeVersion: 1,
				position: [460, 300],
				parameters: {},
			},
		],
		connections: { Webhook: { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] } },
	};
}

interface ExecutionSummary {
	id: string;
	status: string;
	stoppedAt?: string | null;
	data?: {
		resultData: {
			runData: Record<string, Array<{ data?: { main: Array<Array<{ json: any }> | null> } }>>;
		};
	};
}

/** Executions of a workflow, newest first, at most `max` (paged 250 at a time). */
async function listExecutions(
	n8n: N8n,
	workflowId: string,
	max = 1_000_000,
	includeData = false,
): Promise<ExecutionSummary[]> {
	const out: ExecutionSummary[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < 4000 && out.length < max; page++) {
		const limit = includeData ? 100 : 250;
		const res = await n8n.api<{ data: ExecutionSummary[]; nextCursor?: string | null }>(
			'GET',
			`/executions?workflowId=${workflowId}&limit=${limit}${includeData ? '&includeData=true' : ''}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		out.push(...res.data);
		if (!res.nextCursor) break;
		cursor = res.nextCursor;
	}
	return out.slice(0, max);
}

/** Execution counts of a workflow. */
export async function countExecutions(
	n8n: N8n,
	workflowId: string,
): Promise<{ total: number; succeeded: number; unfinished: number; lastStopped: number }> {
	const list = await listExecutions(n8n, workflowId);
	let succeeded = 0;
	let unfinished = 0;
	let lastStopped = 0;
	for (const e of list) {
		if (e.status === 'success') succeeded++;
		if (e.status === 'running' || e.status === 'new' || e.status === 'waiting') unfinished++;
		if (e.stoppedAt) lastStopped = Math.max(lastStopped, Date.parse(e.stoppedAt));
	}
	return { total: list.length, succeeded, unfinished, lastStopped };
}

/**
 * Waits (at most `timeoutMs`) until the workflow has at least `expected` executions and none is
 * unfinished; the counts and when the last one stopped.
 */
export async function drain(n8n: N8n, workflowId: string, expected = 0, timeoutMs = 60_000) {
	const deadline = Date.now() + timeoutMs;
	let counts = await countExecutions(n8n, workflowId);
	while (Date.now() < deadline && (counts.unfinished > 0 || counts.total < expected)) {
		await delay(500);
		counts = await countExecutions(n8n, workflowId);
	}
	return counts;
}

/** Event ids that reached "No Operation" in an execution (the DIY's IF passed, the trigger emitted). */
function idsAtLastNode(e: ExecutionSummary): string[] {
	const runs = e.data?.resultData.runData['No Operation'] ?? [];
	const ids: string[] = [];
	for (const run of runs)
		for (const item of run.data?.main[0] ?? []) {
			const json = item.json as { id?: unknown; body?: { id?: unknown } };
			const id = json.id ?? json.body?.id;
			if (typeof id === 'string') ids.push(id);
		}
	return ids;
}

/** Event ids in any node's output of an execution (`json.id`, or the core Webhook's `json.body.id`). */
function idsAnywhere(e: ExecutionSummary): string[] {
	const ids: string[] = [];
	for (const runs of Object.values(e.data?.resultData.runData ?? {}))
		for (const run of runs)
			for (const output of run.data?.main ?? [])
				for (const item of output ?? []) {
					const json = item.json as { id?: unknown; body?: { id?: unknown } };
					const id = json.id ?? json.body?.id;
					if (typeof id === 'string') ids.push(id);
				}
	return ids;
}

/** Options of {@link startBenchN8n}. */
export interface StartOptions {
	env?: Record<string, string>;
	n8nBin?: string;
	/** Write a V8 CPU profile of n8n's processes into this folder (`--cpu-prof`). */
	profileDir?: string;
	extra?: Partial<N8nOptions>;
}

/** Starts a fresh n8n with the bench's environment. */
export async function startBenchN8n(options: StartOptions = {}): Promise<N8n> {
	const nodeOptions = ['--max-old-space-size=4096'];
	if (options.profileDir) nodeOptions.push('--cpu-prof', `--cpu-prof-dir=${options.profileDir}`);
	return await N8n.start({
		env: { ...BASE_ENV, NODE_OPTIONS: nodeOptions.join(' '), ...options.env },
		n8nBin: options.n8nBin,
		...options.extra,
	});
}

/**
 * Sends signed deliveries until one is answered 2xx (the workflow is live), at most 60 tries.
 *
 * @returns 1: the one delivery that started a run (earlier 404s before publication start none)
 */
async function waitLive(url: string, deliveries: Deliveries): Promise<number> {
	for (let i = 0; i < 60; i++) {
		const a = await send(url, deliveries.take(), 10_000);
		if (a.status >= 200 && a.status < 300) return 1;
		await delay(500);
	}
	throw new Error(`${url} never answered 2xx`);
}

/**
 * Runs one row on a fresh n8n (started and stopped here).
 *
 * @param log progress lines
 */
export async function runRow(
	spec: RowSpec,
	rowLoad: RowLoad,
	log: (line: string) => void,
): Promise<RowResult> {
	const profileDir = profileFolder();
	const n8n = await startBenchN8n({ env: spec.env, n8nBin: spec.n8nBin, profileDir });
	let result: RowResult | undefined;
	const window = { fromUs: 0, toUs: 0 };
	try {
		const target = await createTarget(n8n, spec.kind);
		const deliveries = new Deliveries(SECRET);
		// Executions n8n owes so far: one per accepted new delivery (and, for the workflows that
		// must run to check, one per forged or repeated request). Waiting for them matters once
		// the answer comes before the run.
		let owed = await waitLive(target.url, deliveries);
		owed += (
			await autocannonLoad(target.url, deliveries, {
				connections: rowLoad.connections,
				durationS: rowLoad.warmupS,
			})
		).ok2xx;
		const beforeMain = await drain(n8n, target.id, owed);
		const firstMain = deliveries.taken.length;
		window.fromUs = monotonicUs();
		const load = await autocannonLoad(target.url, deliveries, {
			connections: rowLoad.connections,
			durationS: rowLoad.durationS,
		});
		owed += load.ok2xx;
		const ended = Date.now();
		// The last ids taken may have been in flight when the load stopped (never delivered).
		const mainIds = deliveries.taken.slice(firstMain, -2 * rowLoad.connections);
		const afterLoad = await drain(n8n, target.id, owed);
		window.toUs = monotonicUs();
		const drainS = Math.max(0, (afterLoad.lastStopped - ended) / 1000);
		const runsPerS = (afterLoad.total - beforeMain.total) / (rowLoad.durationS + drainS);
		const single = await autocannonLoad(target.url, deliveries, {
			connections: 1,
			durationS: rowLoad.singleS,
		});
		owed += single.ok2xx;
		const beforeForged = await drain(n8n, target.id, owed);
		const forged = Array.from({ length: rowLoad.forged }, () => deliveries.make());
		const forgedAnswers = await pool(
			forged.map((d) => () => send(target.url, d, 30_000, forgedSignature())),
			4,
		);
		if (spec.kind !== 'mando') owed += rowLoad.forged;
		await delay(1000);
		await drain(n8n, target.id, owed);
		// De-duplication: ids of the main load sent again (spread over the run), then new ids each
		// sent twice at once; which ids reached No Operation again, from the executions' data.
		const step = Math.max(1, Math.floor(mainIds.length / rowLoad.replays));
		const replayIds = mainIds.filter((_, i) => i % step === 0).slice(0, rowLoad.replays);
		await pool(
			replayIds.map((id) => () => send(target.url, deliveries.again(id))),
			rowLoad.connections,
		);
		const pairs = Array.from({ length: rowLoad.pairs }, () => deliveries.make());
		await pool(
			pairs.map((d) => () => Promise.all([send(target.url, d), send(target.url, d)])),
			Math.max(1, rowLoad.connections / 2),
		);
		owed += spec.kind === 'mando' ? pairs.length : replayIds.length + 2 * pairs.length;
		await delay(1000);
		const final = await drain(n8n, target.id, owed);
		const newer = await listExecutions(n8n, target.id, final.total - beforeForged.total, true);
		const reached = new Map<string, number>();
		const anywhere = new Set<string>();
		for (const e of newer) {
			for (const id of idsAtLastNode(e)) reached.set(id, (reached.get(id) ?? 0) + 1);
			for (const id of idsAnywhere(e)) anywhere.add(id);
		}
		const wf = await n8n.api<{ staticData?: unknown }>('GET', `/workflows/${target.id}`);
		result = {
			label: spec.label,
			short: spec.short,
			kind: spec.kind,
			env: spec.env ?? {},
			load,
			single,
			drainS,
			runsPerS,
			forgedSent: rowLoad.forged,
			forged2xx: forgedAnswers.filter((a) => a.status >= 200 && a.status < 300).length,
			forgedExecutions: forged.filter((d) => anywhere.has(d.id)).length,
			idsKept: replayIds.filter((id) => !reached.has(id)).length,
			replayed: replayIds.length,
			pairsRunTwice: pairs.filter((d) => (reached.get(d.id) ?? 0) > 1).length,
			pairs: pairs.length,
			executions: final.total,
			succeeded: final.succeeded,
			staticDataBytes: Buffer.byteLength(JSON.stringify(wf.staticData ?? {})),
		};
		log(
			`${spec.label}: ${result.load.rps.toFixed(1)}/s, ack p50 ${load.p50Ms} p99 ${load.p99Ms} max ${load.maxMs} ms (answered by the trigger after its fallback delay ${load.early}; non-2xx ${load.non2xx}, timeouts ${load.timeouts}); 1 conn p50 ${single.p50Ms} ms; forged 2xx ${result.forged2xx}/${result.forgedSent}, forged executions ${result.forgedExecutions}; ids kept ${result.idsKept}/${result.replayed}; pairs run twice ${result.pairsRunTwice}/${result.pairs}; executions ${result.executions} (${result.succeeded} ok), ${runsPerS.toFixed(1)} runs/s; drain ${drainS.toFixed(1)} s`,
		);
	} finally {
		await n8n.stop();
	}
	result.profile = profileOf(profileDir, window, spec.kind);
	return result;
}

/** The bucketed profile of n8n's main process over `window` (kept in BENCH_KEEP_PROFILES when set). */
function profileOf(
	dir: string,
	window: { fromUs: number; toUs: number },
	kind: string,
): ProfileSummary | undefined {
	const main = profilesIn(dir).find(servesWebhooks);
	if (!main) return undefined;
	const keep = process.env.BENCH_KEEP_PROFILES;
	if (keep) {
		const name = path.join(keep, `${kind}-${Date.now()}`);
		copyFileSync(main, `${name}.cpuprofile`);
		writeFileSync(`${name}.window.json`, JSON.stringify(window));
	}
	return summariseProfile(main, window);
}

/** The concurrency-limit row's figures. */
export interface ConcurrencyResult {
	/** Ack time of each event, ms (status 0: no answer within the client's 25 s); `early`: the trigger answered after its fallback delay. */
	answers: Array<{ status: number; ms: number; early: boolean }>;
	/** The delivery sent first (its run holds the slot while the measured events arrive). */
	warmup: { status: number; ms: number };
	gapS: number;
	waitS: number;
}

/**
 * `N8N_CONCURRENCY_PRODUCTION_LIMIT=1`, Mando Trigger (Acknowledge: Immediately) → Wait
 * `waitS` s, `events` events `gapS` s apart: each one's acknowledgement time.
 */
export async function runConcurrencyLimit(
	options: { events: number; gapS: number; waitS: number; n8nBin?: string },
	log: (line: string) => void,
): Promise<ConcurrencyResult> {
	const n8n = await startBenchN8n({
		env: { N8N_CONCURRENCY_PRODUCTION_LIMIT: '1', N8N_GRACEFUL_SHUTDOWN_TIMEOUT: '2' },
		n8nBin: options.n8nBin,
	});
	try {
		const { url } = await createMandoTarget(n8n, 'Bench: concurrency limit 1, Wait', {
			waitSeconds: options.waitS,
		});
		const deliveries = new Deliveries(SECRET);
		// One delivery first, so the run holding the only slot is already waiting when the measured
		// events come (and the first one pays no cold start).
		const warmup = await send(url, deliveries.take(), 25_000);
		await delay(options.gapS * 1000);
		const pending: Array<Promise<Answer>> = [];
		for (let i = 0; i < options.events; i++) {
			if (i) await delay(options.gapS * 1000);
			pending.push(send(url, deliveries.take(), 25_000));
		}
		const answers = (await Promise.all(pending)).map((a) => ({
			status: a.status,
			ms: Math.round(a.ms),
			early: a.early,
		}));
		log(
			`concurrency limit 1, Wait ${options.waitS} s: first delivery ${Math.round(warmup.ms)} ms, then ${options.events} events ${options.gapS} s apart: ack ${answers.map((a) => `${a.ms} ms (${a.status || 'no answer'}${a.early ? ', by the trigger' : ''})`).join(', ')}`,
		);
		return {
			warmup: { status: warmup.status, ms: Math.round(warmup.ms) },
			answers,
			gapS: options.gapS,
			waitS: options.waitS,
		};
	} finally {
		await n8n.stop();
	}
}

/** One step of a capacity search. */
export interface CapacityStep {
	ratePerS: number;
	stats: LoadStats;
	/** Executions not finished when the step's load ended (backlog), and accepted so far. */
	backlog: number;
	passed: boolean;
}

/** Capacity search result. */
export interface CapacityResult {
	label: string;
	steps: CapacityStep[];
	/** Highest rate that passed (0 if none). */
	capacity: number;
}

/**
 * Steps a fixed overall rate of signed deliveries to `url` (`rates`, ascending; stops at the
 * first failure): a step passes with ack p99 < 5 s, no non-2xx, no error and no timeout (5 s,
 * Mando's). After a failure, one step halfway between the last pass and the failure.
 */
export async function searchCapacity(
	label: string,
	url: string,
	backlog: () => Promise<number>,
	rates: number[],
	stepS: number,
	log: (line: string) => void,
): Promise<CapacityResult> {
	const deliveries = new Deliveries(SECRET);
	const steps: CapacityStep[] = [];
	const step = async (rate: number) => {
		const stats = await fixedRateLoad(url, deliveries, rate, stepS);
		const open = await backlog();
		const passed =
			stats.p99Ms < 5000 && stats.non2xx === 0 && stats.errors === 0 && stats.timeouts === 0;
		steps.push({ ratePerS: rate, stats, backlog: open, passed });
		log(
			`${label} ${rate}/s: ${stats.ok2xx} of ${stats.requests} answered 2xx, p50 ${stats.p50Ms} p99 ${stats.p99Ms} ms, by the trigger after its fallback delay ${stats.early}, non-2xx ${stats.non2xx}, timeouts (5 s) ${stats.timeouts}; executions unfinished ${open} → ${passed ? 'pass' : 'FAIL'}`,
		);
		// Let the backlog clear before the next step (bounded).
		for (let i = 0; i < 60 && (await backlog()) !== 0; i++) await delay(500);
		return passed;
	};
	let lastPass = 0;
	for (const rate of rates) {
		if (await step(rate)) lastPass = rate;
		else {
			const mid = Math.round((lastPass + rate) / 2);
			if (mid > lastPass && mid < rate && (await step(mid))) lastPass = mid;
			break;
		}
	}
	return { label, steps, capacity: lastPass };
}

/** The `.cpuprofile` files in `dir`, largest first. */
export function profilesIn(dir: string): string[] {
	return readdirSync(dir)
		.filter((f) => f.endsWith('.cpuprofile'))
		.map((f) => path.join(dir, f))
		.sort((a, b) => statSync(b).size - statSync(a).size);
}

/** A new temp folder for CPU profiles. */
export const profileFolder = () => makeTempFolder('mando-cpuprof-');
