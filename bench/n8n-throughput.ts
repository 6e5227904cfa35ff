import autocannon from 'autocannon';
import { randomBytes, randomUUID } from 'crypto';

import { signMandoPayload } from '../nodes/shared/signature';
import { dedupSize, getDedupState } from '../nodes/MandoTrigger/dedup';
import { delay, N8n, waitUntil } from '../test/harness/n8n';
import { cleanTempFolders } from '../test/harness/tempFolders';
import { createMandoCredential, createTriggerWorkflow, publish } from '../test/harness/workflows';
import { makeBody } from './inprocess';

/**
 * Benchmark 2, a real n8n (the e2e harness's n8n 2.40.7 on Node 24, this package's dist/):
 * sustained signed deliveries from autocannon to "Mando Trigger → No Operation" and to
 * "Webhook (n8n-nodes-base.webhook v2) → No Operation" on the same n8n, one after the other,
 * with the same execution-saving settings. Every request carries a new event id and its own
 * valid `X-Mando-Signature` (bodies made and signed before the run); the same bytes go to the core
 * Webhook. Both answer at once (Acknowledge "Immediately" / Respond "Immediately").
 */

/** Load of one run (issue 5: 20 connections, 60 s). */
export interface LoadOptions {
	connections: number;
	durationS: number;
	/** Warm-up per workflow before its measured run, in seconds (not reported). */
	warmupS: number;
	/** Body size of each delivery, bytes. */
	bodyBytes: number;
	/** Extra environment for n8n (e.g. `N8N_EXPRESSION_ENGINE`); none by default. */
	env?: Record<string, string>;
}

export const DEFAULT_LOAD: LoadOptions = {
	connections: 20,
	durationS: 60,
	warmupS: 5,
	bodyBytes: 1024,
};

/** One workflow's measured run. */
export interface LoadRun {
	label: string;
	/** 2xx answers per second (acknowledged deliveries). */
	rps: number;
	requests: number;
	non2xx: number;
	errors: number;
	timeouts: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	/** Executions n8n recorded for the workflow (warm-up included) and how many of them succeeded. */
	executions: number;
	succeeded: number;
	/** Seconds from the end of the load until the last execution had stopped (0 when none was left). */
	drainS: number;
}

/** The whole benchmark 2. */
export interface ThroughputResult {
	load: LoadOptions;
	mando: LoadRun;
	core: LoadRun;
	/** mando.rps / core.rps (goal ≥ 0.9). */
	ratio: number;
	/** The trigger's persisted de-duplication state after the run (workflow static data). */
	dedupIds: number;
	staticDataBytes: number;
	/** Execution-saving settings both workflows had. */
	settings: Record<string, string>;
}

const SECRET = 'bench-whsec-' + randomBytes(8).toString('hex');
const SETTINGS = {
	executionOrder: 'v1',
	saveDataSuccessExecution: 'all',
	saveDataErrorExecution: 'all',
	saveManualExecutions: true,
	saveExecutionProgress: false,
};

/** Signed deliveries made up front, handed out one per request; more are made if they run out. */
class Deliveries {
	private readonly template: Buffer;
	private readonly idOffset: number;
	private readonly prefix = randomBytes(3).toString('hex');
	private readonly pool: Array<{ body: Buffer; signature: string }> = [];
	private next = 0;
	private made = 0;

	constructor(bodyBytes: number, count: number) {
		const { body, idOffset } = makeBody(bodyBytes);
		this.template = body;
		this.idOffset = idOffset;
		for (let i = 0; i < count; i++) this.pool.push(this.make());
	}

	private make(): { body: Buffer; signature: string } {
		const body = Buffer.from(this.template);
		const id = (this.prefix + (++this.made).toString(16)).padStart(24, '0');
		body.write(id, this.idOffset, 'latin1');
		return { body, signature: signMandoPayload(body, SECRET) };
	}

	take(): { body: Buffer; signature: string } {
		return this.next < this.pool.length ? this.pool[this.next++] : this.make();
	}

	get used(): number {
		return this.next;
	}
}

async function load(
	url: string,
	deliveries: Deliveries,
	connections: number,
	durationS: number,
): Promise<autocannon.Result> {
	return await autocannon({
		url,
		method: 'POST',
		connections,
		duration: durationS,
		timeout: 10,
		requests: [
			{
				method: 'POST',
				setupRequest: (request) => {
					const { body, signature } = deliveries.take();
					return {
						...request,
						body,
						headers: { 'content-type': 'application/json', 'x-mando-signature': signature },
					} as unknown as autocannon.Request;
				},
			},
		],
	});
}

/** Counts a workflow's executions through the public API (paged, 250 at a time). */
async function countExecutions(
	n8n: N8n,
	workflowId: string,
): Promise<{ total: number; succeeded: number; running: number; lastStopped: number }> {
	let cursor: string | undefined;
	let lastStopped = 0;
	let total = 0;
	let succeeded = 0;
	let running = 0;
	for (let page = 0; page < 2000; page++) {
		const res = await n8n.api<{
			data: Array<{ status: string; stoppedAt?: string | null }>;
			nextCursor?: string | null;
		}>(
			'GET',
			`/executions?workflowId=${workflowId}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		for (const e of res.data) {
			total++;
			if (e.status === 'success') succeeded++;
			if (e.status === 'running' || e.status === 'new') running++;
			if (e.stoppedAt) lastStopped = Math.max(lastStopped, Date.parse(e.stoppedAt));
		}
		if (!res.nextCursor) break;
		cursor = res.nextCursor;
	}
	return { total, succeeded, running, lastStopped };
}

async function coreWebhookWorkflow(n8n: N8n): Promise<{ id: string; path: string }> {
	const path = randomUUID();
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name: 'Bench: core Webhook → No Operation',
		nodes: [
			{
				id: randomUUID(),
				name: 'Webhook',
				type: 'n8n-nodes-base.webhook',
				typeVersion: 2,
				position: [240, 300],
				webhookId: path,
				parameters: { httpMethod: 'POST', path, responseMode: 'onReceived', options: {} },
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
		settings: SETTINGS,
	});
	await publish(n8n, workflow.id);
	return { id: workflow.id, path };
}

/**
 * Runs benchmark 2 on a fresh n8n (started and stopped here).
 *
 * @param log progress lines
 */
export async function runThroughput(
	options: LoadOptions = DEFAULT_LOAD,
	log: (line: string) => void = () => undefined,
): Promise<ThroughputResult> {
	const n8n = await N8n.start({
		// Quieter logs: per-request debug lines would be a cost neither node causes.
		env: {
			N8N_LOG_LEVEL: 'warn',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			...options.env,
		},
	});
	let ok = false;
	try {
		log(`n8n ${n8n.baseUrl} (user folder ${n8n.userFolder})`);
		const credential = await createMandoCredential(n8n, {
			apiKey: 'bench-unused',
			webhookSecret: SECRET,
			baseUrl: 'http://127.0.0.1:9/api',
		});
		const mandoWf = await createTriggerWorkflow(
			n8n,
			credential,
			{ events: ['*'], registration: 'manual', acknowledge: 'immediately' },
			{ name: 'Bench: Mando Trigger → No Operation' },
		);
		await n8n.api('PUT', `/workflows/${mandoWf.id}`, await workflowWithSettings(n8n, mandoWf.id));
		await publish(n8n, mandoWf.id);
		const core = await coreWebhookWorkflow(n8n);
		const targets = [
			{ label: 'Webhook (core) → No Operation', id: core.id, url: n8n.webhookUrl(core.path) },
			{
				label: 'Mando Trigger → No Operation',
				id: mandoWf.id,
				url: n8n.webhookUrl(mandoWf.webhookPath),
			},
		];
		// Enough signed bodies for 2 000 deliveries/s; more are made on the fly if the run is faster.
		const deliveries = new Deliveries(
			options.bodyBytes,
			Math.ceil((options.durationS + options.warmupS) * 2 * 2000 * 0.5),
		);
		const runs: LoadRun[] = [];
		for (const target of targets) {
			await load(target.url, deliveries, options.connections, options.warmupS);
			await drain(n8n, target.id);
			log(`${target.label}: ${options.connections} connections for ${options.durationS} s`);
			const result = await load(target.url, deliveries, options.connections, options.durationS);
			const ended = Date.now();
			const counts = await drain(n8n, target.id);
			const run: LoadRun = {
				label: target.label,
				rps: result['2xx'] / options.durationS,
				requests: result.requests.total,
				non2xx: result.non2xx,
				errors: result.errors,
				timeouts: result.timeouts,
				p50Ms: result.latency.p50,
				p99Ms: result.latency.p99,
				maxMs: result.latency.max,
				executions: counts.total,
				succeeded: counts.succeeded,
				drainS: Math.max(0, (counts.at - ended) / 1000),
			};
			log(
				`  ${run.rps.toFixed(1)} deliveries/s, p50 ${run.p50Ms} ms, p99 ${run.p99Ms} ms, non-2xx ${run.non2xx}, executions ${run.executions} (${run.succeeded} succeeded)`,
			);
			runs.push(run);
		}
		const [coreRun, mandoRun] = runs;
		const wf = await n8n.api<{ staticData?: Record<string, unknown> | null }>(
			'GET',
			`/workflows/${mandoWf.id}`,
		);
		const staticData = wf.staticData ?? {};
		const nodeData = (staticData['node:Mando Trigger'] ?? {}) as Record<string, unknown>;
		const result: ThroughputResult = {
			load: options,
			mando: mandoRun,
			core: coreRun,
			ratio: mandoRun.rps / coreRun.rps,
			dedupIds: dedupSize(getDedupState({ ...nodeData })),
			staticDataBytes: Buffer.byteLength(JSON.stringify(staticData)),
			settings: {
				...Object.fromEntries(Object.entries(SETTINGS).map(([k, v]) => [k, String(v)])),
				N8N_LOG_LEVEL: 'warn',
			},
		};
		ok = true;
		return result;
	} finally {
		await n8n.stop();
		cleanTempFolders(!ok); // n8n's user folder; kept (path printed) when the run failed
	}
}

/** The workflow as the public API takes it on PUT, with {@link SETTINGS}. */
async function workflowWithSettings(n8n: N8n, id: string): Promise<Record<string, unknown>> {
	const wf = await n8n.api<Record<string, unknown>>('GET', `/workflows/${id}`);
	return { name: wf.name, nodes: wf.nodes, connections: wf.connections, settings: SETTINGS };
}

/** Waits (at most 120 s) until no execution of the workflow is running; the counts and when the last one stopped. */
async function drain(
	n8n: N8n,
	workflowId: string,
): Promise<{ total: number; succeeded: number; at: number }> {
	let counts = await countExecutions(n8n, workflowId);
	await waitUntil(async () => {
		counts = await countExecutions(n8n, workflowId);
		return counts.running === 0;
	}, 120_000);
	await delay(500);
	return { total: counts.total, succeeded: counts.succeeded, at: counts.lastStopped };
}
