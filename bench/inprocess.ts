import { createHmac, randomBytes } from 'crypto';
import type { IDataObject, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';
import { ObservableObject } from 'n8n-workflow';
import { Bench, type Task } from 'tinybench';

import path from 'path';

import type { MandoTrigger } from '../nodes/MandoTrigger/MandoTrigger.node';
import { MANDO_SIGNATURE_HEADER, signMandoPayload } from '../nodes/shared/signature';
import { dedupSize, getDedupState } from '../nodes/MandoTrigger/dedup';
import { REPO_ROOT } from '../test/harness/n8n';

/**
 * Benchmark 1, in process: the Mando Trigger's real `webhook()` method (what n8n calls per
 * delivery: verify `X-Mando-Signature`, parse, de-duplicate in static data, build items) against
 * the floor of the same bytes — HMAC-SHA256 plus `JSON.parse` — measured by tinybench in the same
 * process. Every iteration carries a new event id and a fresh signature, made in tinybench's
 * `beforeEach` (outside the timed call), so every call really accepts an event.
 *
 * The trigger is the compiled `dist/` (run `npm run build` first): the code n8n loads.
 */

/** Body sizes measured, in bytes. */
export const BODY_SIZES = [1024, 64 * 1024, 1024 * 1024] as const;

/** Goal per size: trigger / floor at most this (issue 5). */
export function goalFor(size: number): number {
	return size <= 1024 ? 2 : 1.2;
}

/** One size's result; times in microseconds (medians of tinybench's samples). */
export interface InProcessRow {
	size: number;
	floorUs: number;
	triggerUs: number;
	/** trigger median / floor median. */
	ratio: number;
	/** Means (µs) and their ratio: the amortised cost, pruning of the de-duplication state included. */
	floorMeanUs: number;
	triggerMeanUs: number;
	meanRatio: number;
	goal: number;
	floorSamples: number;
	triggerSamples: number;
	/** Ids in the trigger's persisted de-duplication state at the end. */
	dedupIds: number;
	/** JSON size of the trigger's static data at the end, bytes (what n8n stores per workflow). */
	staticDataBytes: number;
	/** n8n loads and saves the static data per delivery: JSON.parse + JSON.stringify of it, µs. */
	staticDataRoundTripUs: number;
}

const SECRET = 'bench-whsec-' + randomBytes(8).toString('hex');
const ID_DIGITS = 24;

/** Rounds per size (see {@link runInProcess}). */
const ROUNDS = 3;

/** A `sale.created` delivery of exactly `size` bytes, with a fixed-width id to overwrite. */
export function makeBody(size: number): { body: Buffer; idOffset: number } {
	const line = (n: number) => ({
		plu_id: `3fa85f64-5717-4562-b3fc-${String(n).padStart(12, '0')}`,
		productid: String(1000 + n),
		name: `Product ${n}`,
		qty: 1 + (n % 3),
		price: 4.5,
		total: 4.5 * (1 + (n % 3)),
		vat_rate: 14,
	});
	const envelope = (items: unknown[], note: string) =>
		JSON.stringify({
			id: 'evt_' + '0'.repeat(ID_DIGITS),
			type: 'sale.created',
			created: '2026-11-28T11:42:17.000Z',
			data: { id: 'c56a4180-65aa-42ec-a945-5fd21dec0538', total: 45.5, items, note },
		});
	const lineBytes = Buffer.byteLength(JSON.stringify(line(99_999))) + 1;
	const count = Math.max(
		0,
		Math.floor((size - Buffer.byteLength(envelope([], '')) - 64) / lineBytes),
	);
	const items = Array.from({ length: count }, (_, n) => line(n));
	const pad = size - Buffer.byteLength(envelope(items, ''));
	if (pad < 0) throw new Error(`cannot make a ${size}-byte body`);
	const text = envelope(items, 'x'.repeat(pad));
	const body = Buffer.from(text, 'utf8');
	if (body.length !== size) throw new Error(`body is ${body.length} bytes, wanted ${size}`);
	return { body, idOffset: text.indexOf('evt_') + 4 };
}

/** Writes a new, never-used event id into `body` in place. */
function stampId(body: Buffer, idOffset: number, n: number, prefix: string): void {
	body.write(
		(prefix + n.toString(16)).padStart(ID_DIGITS, '0').slice(-ID_DIGITS),
		idOffset,
		'latin1',
	);
}

function lookup(params: IDataObject, name: string): unknown {
	return name
		.split('.')
		.reduce<unknown>(
			(v, key) => (v && typeof v === 'object' ? (v as IDataObject)[key] : undefined),
			params,
		);
}

/**
 * The least `IWebhookFunctions` the trigger's `webhook()` uses, as n8n would hand it over for a
 * production delivery: the raw body, the header, node parameters, the credential's secret and
 * static data wrapped the way n8n's `Workflow` wraps it (`ObservableObject`, key `node:<name>`).
 */
function webhookContext(request: { rawBody: Buffer; headers: Record<string, string> }) {
	const parameters: IDataObject = {
		events: ['*'],
		registration: 'manual',
		acknowledge: 'immediately',
		options: {},
	};
	const workflowStaticData = ObservableObject.create({}) as IDataObject;
	const node = {
		id: 'bench-node',
		name: 'Mando Trigger',
		type: 'CUSTOM.mandoTrigger',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const response = { headersSent: false, status: () => response, json: () => response };
	const silent = () => undefined;
	const ctx = {
		getRequestObject: () => request,
		getResponseObject: () => response,
		getNodeParameter: (name: string, fallback?: unknown) => lookup(parameters, name) ?? fallback,
		getCredentials: async () => ({
			apiKey: 'bench',
			webhookSecret: SECRET,
			baseUrl: 'http://127.0.0.1:9/api',
		}),
		getWorkflowStaticData: (type: string) => {
			const key = type === 'node' ? `node:${node.name}` : 'global';
			if (workflowStaticData[key] === undefined)
				workflowStaticData[key] = ObservableObject.create({}, workflowStaticData as never);
			return workflowStaticData[key];
		},
		getWorkflow: () => ({ id: 'bench-workflow', name: 'bench', active: true }),
		getNode: () => node,
		getMode: () => 'webhook',
		logger: { debug: silent, info: silent, warn: silent, error: silent },
	};
	return { ctx: ctx as unknown as IWebhookFunctions, workflowStaticData };
}

function median(task: Task): { us: number; meanUs: number; samples: number } {
	const r = task.result;
	if (r.state !== 'completed')
		throw new Error(`${task.name}: ${r.state === 'errored' ? r.error.message : r.state}`);
	return {
		us: r.latency.p50 * 1000,
		meanUs: r.latency.mean * 1000,
		samples: r.latency.samplesCount,
	};
}

/**
 * Runs benchmark 1.
 *
 * @param timeMs tinybench time budget per task and size, split over the rounds
 */
export async function runInProcess(timeMs = 2400): Promise<InProcessRow[]> {
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const compiled = require(
		path.join(REPO_ROOT, 'dist', 'nodes', 'MandoTrigger', 'MandoTrigger.node.js'),
	) as { MandoTrigger: typeof MandoTrigger };
	const webhook = compiled.MandoTrigger.prototype.webhook;
	const rows: InProcessRow[] = [];
	for (const size of BODY_SIZES) {
		const { body, idOffset } = makeBody(size);
		const request = {
			rawBody: body,
			headers: { 'content-type': 'application/json', [MANDO_SIGNATURE_HEADER]: '' },
		};
		const { ctx, workflowStaticData } = webhookContext(request);
		let n = 0;
		const prefix = randomBytes(4).toString('hex');
		const nextDelivery = () => {
			stampId(body, idOffset, ++n, prefix);
			request.headers[MANDO_SIGNATURE_HEADER] = signMandoPayload(body, SECRET);
		};
		let accepted = 0;
		const floorFn = () => {
			createHmac('sha256', SECRET).update(body).digest();
			return JSON.parse(body.toString('utf8')) as unknown;
		};
		const triggerFn = async () => {
			const result: IWebhookResponseData = await webhook.call(ctx);
			// Every call must accept its event (a new id, a valid signature): one item out.
			if (result.workflowData?.[0]?.length !== 1)
				throw new Error('the trigger did not accept the delivery');
			accepted++;
		};
		// Rounds alternate floor and trigger; the lowest median of each is kept, so a burst of
		// other load on the machine during one round does not decide the ratio.
		let floor: ReturnType<typeof median> | undefined;
		let trigger: ReturnType<typeof median> | undefined;
		for (let round = 0; round < ROUNDS; round++) {
			const bench = new Bench({
				time: timeMs / ROUNDS,
				warmupTime: round === 0 ? 300 : 50,
				iterations: 10,
			});
			bench.add(`floor ${size}`, floorFn, { beforeEach: nextDelivery });
			bench.add(`trigger ${size}`, triggerFn, { beforeEach: nextDelivery });
			await bench.run();
			const [f, t] = bench.tasks.map(median);
			if (!floor || f.us < floor.us) floor = f;
			if (!trigger || t.us < trigger.us) trigger = t;
		}
		if (!floor || !trigger) throw new Error('no rounds ran');
		if (accepted === 0) throw new Error('no delivery was accepted');
		const staticData = workflowStaticData[`node:Mando Trigger`] as Record<string, unknown>;
		const json = JSON.stringify(workflowStaticData);
		const roundTrip = new Bench({ time: 300, warmupTime: 50 });
		roundTrip.add('static data round trip', () => JSON.stringify(JSON.parse(json)));
		await roundTrip.run();
		rows.push({
			size,
			floorUs: floor.us,
			triggerUs: trigger.us,
			ratio: trigger.us / floor.us,
			floorMeanUs: floor.meanUs,
			triggerMeanUs: trigger.meanUs,
			meanRatio: trigger.meanUs / floor.meanUs,
			goal: goalFor(size),
			floorSamples: floor.samples,
			triggerSamples: trigger.samples,
			dedupIds: dedupSize(getDedupState(staticData)),
			staticDataBytes: Buffer.byteLength(json),
			staticDataRoundTripUs: median(roundTrip.tasks[0]).us,
		});
	}
	return rows;
}
