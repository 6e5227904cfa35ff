import http from 'http';
import type { AddressInfo } from 'net';
import type {
	IDataObject,
	IExecuteFunctions,
	INodeExecutionData,
	IWebhookFunctions,
} from 'n8n-workflow';

import { MandoTrigger } from '../../../../nodes/MandoTrigger/MandoTrigger.node';
import { IN_FLIGHT_MS } from '../../../../nodes/MandoTrigger/dedup';
import { ACK_FALLBACK_MS } from '../../../../nodes/MandoTrigger/delivery';
import { forgetCredentialSecrets, SECRET_REUSE_MS } from '../../../../nodes/MandoTrigger/secret';
import { signMandoPayload } from '../../../../nodes/shared/signature';
import { httpRequest } from '../../../emulator/client';
import { startEmulator, type Emulator } from '../../../emulator/server';

/**
 * The trigger's delivery path (nodes/MandoTrigger/delivery.ts) through its own `webhook()` and
 * `execute()` on a real HTTP server that plays n8n 2.40's part around them (raw body, the run,
 * the answer per Acknowledge), fed by the Mando emulator (signing, timeout, retry schedule).
 */

const SECRET = 'whsec_delivery_' + 'x'.repeat(8);
const real = Date.now.bind(Date);

/** Options of {@link startN8nStandIn}. */
interface StandIn {
	acknowledge: 'immediately' | 'afterSuccess';
	/** How long a run takes, in real ms. */
	runMs?: number;
	/** Real ms n8n takes before calling `webhook()` (a busy process). */
	beforeWebhookMs?: (request: number) => number;
	/** `false`: the run of this request never ends (a lost answer). */
	runEnds?: (request: number) => boolean;
	/** "Immediately": real ms n8n takes to store the execution and get a concurrency slot before it answers. */
	storeMs?: (request: number) => number;
	/** "Immediately": n8n's process works flat out while it stores the execution (a burst of deliveries). */
	busyWhileStoring?: boolean;
	/** "Immediately": `true` when n8n cannot store this request's execution (it answers 500, no run). */
	storeFails?: (request: number) => boolean;
	/** The credential's secret, or an Error its read throws. */
	secret: { value: string | Error };
}

let standIns = 0;

async function startN8nStandIn(options: StandIn) {
	const trigger = new MandoTrigger();
	const nodeId = `node-delivery-${++standIns}`;
	const staticData: IDataObject = {};
	const logs: string[] = [];
	const reads = { n: 0 };
	/** Event ids of every run that finished successfully. */
	const succeeded: string[][] = [];
	/** Per run started: whether the answer had gone out before it. */
	const answeredBeforeRun: boolean[] = [];
	/** Per run that ended: whether the answer had gone out before it ended. */
	const answeredBeforeRunEnded: boolean[] = [];
	/** Errors n8n's own answer ran into (it does not check whether an answer went out). */
	const n8nWriteErrors: string[] = [];
	const parameters: IDataObject = { events: ['*'], acknowledge: options.acknowledge, options: {} };
	const param = (name: string, fallback?: unknown) =>
		name === 'options.output' ? 'envelope' : name in parameters ? parameters[name] : fallback;
	const common = {
		getNodeParameter: param,
		getWorkflowStaticData: () => staticData,
		getWorkflow: () => ({ id: 'wf-delivery' }),
		getNode: () => ({
			id: nodeId,
			name: 'Mando Trigger',
			credentials: { mandoApi: { id: 'cred-d', name: 'Mando' } },
		}),
		getMode: () => 'webhook',
		logger: {
			warn: (m: string) => logs.push(m),
			error: (m: string) => logs.push(m),
			info: () => undefined,
			debug: () => undefined,
		},
	};
	let count = 0;
	const server = http.createServer((req, res) => {
		const n = ++count;
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => void handle(n, req, res, Buffer.concat(chunks)));
	});
	// express's helpers that the trigger uses
	type ExpressLike = http.ServerResponse & {
		status(code: number): ExpressLike;
		json(body: unknown): void;
	};
	const expressLike = (res: http.ServerResponse): ExpressLike => {
		const r = res as ExpressLike;
		r.status = (code: number) => ((res.statusCode = code), r);
		// as express: sets its header whether or not an answer went out (throws after one did)
		r.json = (body: unknown) =>
			void res.setHeader('content-type', 'application/json').end(JSON.stringify(body));
		return r;
	};
	async function handle(
		n: number,
		req: http.IncomingMessage,
		rawRes: http.ServerResponse,
		rawBody: Buffer,
	) {
		const res = expressLike(rawRes);
		await delay(options.beforeWebhookMs?.(n) ?? 0);
		const ctx = {
			...common,
			getRequestObject: () => Object.assign(req, { rawBody }),
			getResponseObject: () => res,
			getCredentials: async () => {
				reads.n++;
				if (options.secret.value instanceof Error) throw options.secret.value;
				return { webhookSecret: options.secret.value };
			},
		};
		const result = await trigger.webhook.call(ctx as unknown as IWebhookFunctions);
		// n8n 2.40 (webhook-helpers.js executeWebhook): no workflowData → no run; noWebhookResponse →
		// it writes nothing, and still starts the run
		if (!result.workflowData) {
			if (!result.noWebhookResponse) res.status(200).json(result.webhookResponse);
			return;
		}
		// the run: the trigger's execute step, then the rest of the workflow
		const items = result.workflowData[0];
		const run = async () => {
			await trigger.execute.call({
				...common,
				getInputData: () => items,
			} as unknown as IExecuteFunctions);
			await delay(options.runMs ?? 0);
		};
		const ids = items.map((i: INodeExecutionData) => String(i.json.id));
		if (options.acknowledge !== 'immediately') answeredBeforeRun.push(res.headersSent);
		if (result.noWebhookResponse) {
			await run();
			succeeded.push(ids);
			return;
		}
		if (options.acknowledge === 'immediately') {
			// n8n 2.40: responseMode onReceived. It stores the execution, waits for a concurrency slot,
			// starts the run and answers with webhookResponse when WorkflowRunner.run returns, setting
			// its headers without checking headersSent (webhook-request-handler.js sendStaticResponse);
			// a failure before that is an error answer and no run.
			const storeMs = options.storeMs?.(n) ?? 0;
			if (options.busyWhileStoring) {
				// 45 ms of work in every 50 ms: event-loop utilisation about 0.9
				for (const end = real() + storeMs; real() < end;) {
					for (const slice = real() + 45; real() < slice;);
					await delay(5);
				}
			} else await delay(storeMs);
			const n8nAnswer = (code: number, body: unknown) => {
				try {
					res.status(code);
					res.setHeader('content-security-policy', 'sandbox');
					res.json(body);
				} catch (error) {
					n8nWriteErrors.push((error as Error).message);
				}
			};
			if (options.storeFails?.(n)) {
				n8nAnswer(500, { code: 500, message: 'There was a problem executing the workflow' });
				return;
			}
			answeredBeforeRun.push(res.headersSent);
			const ran = run().then(() => {
				answeredBeforeRunEnded.push(res.headersSent);
				succeeded.push(ids);
			});
			n8nAnswer(200, result.webhookResponse);
			await ran;
			return;
		}
		if (options.runEnds?.(n) === false) return;
		await run();
		succeeded.push(ids);
		// n8n answers when the run ends, whether or not the sender still listens
		res.status(200);
		res.end();
	}
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhook/mando`;
	return {
		url,
		logs,
		reads,
		succeeded,
		answeredBeforeRun,
		answeredBeforeRunEnded,
		n8nWriteErrors,
		staticData,
		close: () =>
			new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
	};
}

const delay = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const envelope = (id: unknown, extra: Record<string, unknown> = {}) => ({
	id,
	type: 'sale.created',
	created: '2026-11-29T10:00:00Z',
	data: { id: `sale-${String(id)}`, total: 1 },
	...extra,
});

afterEach(() => {
	jest.restoreAllMocks();
	forgetCredentialSecrets();
});

describe('Acknowledge "After the workflow succeeds": a sender that hangs up at 5 s on a 6 s run', () => {
	/** Mando time runs SPEED times faster than real time here: the emulator's schedule and timeout, the node's clock. */
	const SPEED = 20;
	let emulator: Emulator;
	let t0 = 0;

	beforeEach(async () => {
		t0 = real();
		jest.spyOn(Date, 'now').mockImplementation(() => t0 + (real() - t0) * SPEED);
		emulator = await startEmulator({
			webhookSecret: SECRET,
			allowHttp: true,
			timeScale: 1 / SPEED,
			deliveryTimeoutMs: 5000 / SPEED,
		});
	});
	afterEach(async () => emulator.close());

	it.each([
		['the sender hangs up while the run goes on', {}],
		[
			'the sender hung up before webhook() ran',
			{ beforeWebhookMs: (n: number) => (n === 1 ? 6000 / SPEED : 0) },
		],
		['the answer to attempt 1 is lost (its run never ends)', { runEnds: (n: number) => n !== 1 }],
	])(
		'%s: no 409 after the first 60 s, exactly 1 successful run',
		async (name, variant) => {
			const n8n = await startN8nStandIn({
				acknowledge: 'afterSuccess',
				runMs: 6000 / SPEED,
				secret: { value: SECRET },
				...variant,
			});
			try {
				const hook = emulator.addWebhook({ url: n8n.url, events: ['sale.created'] });
				const id = 'evt_hangup_' + real();
				await emulator.deliver(hook.id, JSON.stringify(envelope(id)));
				// until an attempt is answered 2xx, or the schedule ends
				const records = await emulator.waitForDeliveries(
					(d) => d.some((r) => r.outcome === 'ok') || !emulator.webhooks()[0].active,
					60_000,
				);
				await delay(8000 / SPEED); // a run still going on ends
				const mandoTime = (at: string) => (Date.parse(at) - t0) * SPEED;
				const attempts = records.map(
					(r) =>
						`#${r.attempt} at +${(mandoTime(r.at) / 1000).toFixed(0)} s → ${r.status ?? r.error}`,
				);
				const late409 = records.filter((r) => r.status === 409 && mandoTime(r.at) > IN_FLIGHT_MS);
				const runs = n8n.succeeded.filter((ids) => ids.includes(id)).length;
				console.log(
					`hang-up (${name}): attempts ${attempts.join('; ')} (Mando time); 409 after the first 60 s: ${late409.length}; successful runs of the event: ${runs}; webhook ${emulator.webhooks()[0].active ? 'active' : 'DISABLED'}`,
				);
				expect(late409).toEqual([]);
				expect(runs).toBe(1);
				expect(records.some((r) => r.outcome === 'ok')).toBe(true);
				expect(emulator.webhooks()[0].active).toBe(true);
			} finally {
				await n8n.close();
			}
		},
		120_000,
	);
});

describe('Acknowledge "Immediately": n8n answers once it has stored the run, the trigger within ACK_FALLBACK_MS', () => {
	const post = async (url: string, id: string) => {
		const body = JSON.stringify(envelope(id));
		return await httpRequest(url, {
			method: 'POST',
			headers: {
				'content-type': 'application/json',
				'x-mando-signature': signMandoPayload(body, SECRET),
			},
			body,
		});
	};

	it('a 3 s run: n8n answers 200 with the counts after storing it and before it ends; each event runs once, re-deliveries run nothing', async () => {
		const n8n = await startN8nStandIn({
			acknowledge: 'immediately',
			runMs: 3000,
			storeMs: () => 20,
			secret: { value: SECRET },
		});
		try {
			const ids = ['evt_early_1', 'evt_early_2', 'evt_early_3'];
			const first = await Promise.all(ids.map((id) => post(n8n.url, id)));
			const again = await Promise.all(ids.map((id) => post(n8n.url, id)));
			for (const r of first) {
				expect(r.status).toBe(200);
				expect(r.body).toEqual({
					ok: true,
					received: 1,
					accepted: 1,
					duplicates: 0,
					ignored: 0,
					inFlight: 0,
					malformed: 0,
				});
			}
			for (const r of again) expect(r.body).toMatchObject({ ok: true, accepted: 0, duplicates: 1 });
			// stored first (no answer when the run started), answered before the 3 s run ended
			expect(n8n.answeredBeforeRun).toEqual([false, false, false]);
			for (let i = 0; i < 300 && n8n.succeeded.length < ids.length; i++) await delay(100);
			expect(n8n.succeeded.flat().sort()).toEqual(ids);
			expect(n8n.answeredBeforeRunEnded).toEqual([true, true, true]);
			expect(n8n.n8nWriteErrors).toEqual([]);
		} finally {
			await n8n.close();
		}
	}, 45_000);

	it(`a run that waits 3 s for a concurrency slot, n8n idle: the trigger answers 200 (early) after ${ACK_FALLBACK_MS} ms, n8n's later answer writes nothing and fails nothing, the event runs once`, async () => {
		const n8n = await startN8nStandIn({
			acknowledge: 'immediately',
			storeMs: () => 3000,
			secret: { value: SECRET },
		});
		try {
			const started = real();
			const r = await post(n8n.url, 'evt_slot_1');
			const ms = real() - started;
			expect(r.status).toBe(200);
			expect(r.body).toMatchObject({ ok: true, accepted: 1, early: true });
			expect(ms).toBeGreaterThanOrEqual(ACK_FALLBACK_MS - 5);
			expect(ms).toBeLessThan(3000);
			for (let i = 0; i < 100 && n8n.succeeded.length < 1; i++) await delay(100);
			expect(n8n.succeeded).toEqual([['evt_slot_1']]);
			// n8n's own answer came after the trigger's: its writes were ignored, nothing thrown
			expect(n8n.answeredBeforeRun).toEqual([true]);
			expect(n8n.n8nWriteErrors).toEqual([]);
			const dup = await post(n8n.url, 'evt_slot_1');
			expect(dup.body).toMatchObject({ ok: true, accepted: 0, duplicates: 1 });
		} finally {
			await n8n.close();
		}
	}, 30_000);

	it(`n8n busy storing runs for 1.5 s (a burst): the trigger does not answer early; n8n answers once stored`, async () => {
		const n8n = await startN8nStandIn({
			acknowledge: 'immediately',
			storeMs: () => 1500,
			busyWhileStoring: true,
			secret: { value: SECRET },
		});
		try {
			const started = real();
			const r = await post(n8n.url, 'evt_busy_1');
			const ms = real() - started;
			expect(r.status).toBe(200);
			expect(r.body).toMatchObject({ ok: true, accepted: 1 });
			expect((r.body as { early?: boolean }).early).toBeUndefined();
			expect(ms).toBeGreaterThanOrEqual(1500);
			expect(n8n.n8nWriteErrors).toEqual([]);
		} finally {
			await n8n.close();
		}
	}, 30_000);

	it('the trigger answered early, then n8n fails to start the run: its late 500 writes nothing, and the lost event is logged with its id', async () => {
		const n8n = await startN8nStandIn({
			acknowledge: 'immediately',
			storeMs: () => 1000,
			storeFails: () => true,
			secret: { value: SECRET },
		});
		try {
			const r = await post(n8n.url, 'evt_late_fail');
			expect(r.status).toBe(200);
			expect(r.body).toMatchObject({ ok: true, accepted: 1, early: true });
			for (let i = 0; i < 50 && !n8n.logs.some((l) => l.includes('failed to start it')); i++)
				await delay(50);
			expect(n8n.logs.filter((l) => l.includes('failed to start it'))).toEqual([
				expect.stringContaining('(500): events evt_late_fail did not run'),
			]);
			expect(n8n.n8nWriteErrors).toEqual([]);
			expect(n8n.succeeded).toEqual([]);
		} finally {
			await n8n.close();
		}
	}, 30_000);

	it('n8n cannot store the run (it answers 500): the re-delivery is not a duplicate and runs', async () => {
		const n8n = await startN8nStandIn({
			acknowledge: 'immediately',
			storeFails: (n) => n === 1,
			secret: { value: SECRET },
		});
		try {
			const failed = await post(n8n.url, 'evt_store_fails');
			expect(failed.status).toBe(500);
			const retried = await post(n8n.url, 'evt_store_fails');
			expect(retried.status).toBe(200);
			expect(retried.body).toMatchObject({ ok: true, accepted: 1, duplicates: 0 });
			for (let i = 0; i < 100 && n8n.succeeded.length < 1; i++) await delay(50);
			expect(n8n.succeeded).toEqual([['evt_store_fails']]);
		} finally {
			await n8n.close();
		}
	}, 30_000);
});

describe('a signed body with unexpected members (Mando replays the same bytes on every retry)', () => {
	let emulator: Emulator;
	beforeAll(async () => {
		// the whole retry schedule (2 h 36 min) in about half a second
		emulator = await startEmulator({
			webhookSecret: SECRET,
			allowHttp: true,
			timeScale: 1 / 20_000,
		});
	});
	afterAll(async () => emulator.close());

	const bom = (text: string) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]);
	const big = Array.from({ length: 1001 }, (_, i) => envelope(`evt_big_${i}`));
	big[500] = { ...big[500], type: undefined as unknown as string };
	it.each([
		[
			'data: null on a delete',
			JSON.stringify({
				id: 'evt_del',
				type: 'product.deleted',
				created: '2026-11-29T10:00:00Z',
				data: null,
			}),
			['evt_del'],
			0,
		],
		['a numeric id', JSON.stringify(envelope(12345)), ['12345'], 0],
		[
			'created as epoch seconds',
			JSON.stringify(envelope('evt_epoch', { created: 1764410400 })),
			['evt_epoch'],
			0,
		],
		['a UTF-8 BOM', bom(JSON.stringify(envelope('evt_bom'))), ['evt_bom'], 0],
		[
			'a member without id beside a good one',
			JSON.stringify([envelope('evt_good'), { type: 'sale.created', data: {} }]),
			['evt_good'],
			1,
		],
		[
			'a batch of 1001 with one member without type',
			JSON.stringify(big),
			big.filter((_, i) => i !== 500).map((e) => String(e.id)),
			1,
		],
		[
			'a whitespace-only id and data as an array',
			JSON.stringify([envelope(' '), envelope('evt_arr', { data: [1] }), envelope('evt_ok2')]),
			['evt_ok2'],
			2,
		],
	])(
		'%s: 2xx, the good members run, the bad ones logged, the webhook stays active',
		async (name, body, good, bad) => {
			const n8n = await startN8nStandIn({ acknowledge: 'immediately', secret: { value: SECRET } });
			try {
				const hook = emulator.addWebhook({ url: n8n.url, events: ['sale.created'] });
				const deliveryId = await emulator.deliver(hook.id, body);
				await delay(1500); // longer than the scaled retry schedule
				const attempts = emulator.deliveries().filter((d) => d.deliveryId === deliveryId);
				const ran = n8n.succeeded.flat();
				const logged = n8n.logs.filter((l) => l.includes('skipped member'));
				const active = emulator.webhooks().find((w) => w.id === hook.id)?.active;
				console.log(
					`malformed but signed (${name}): answer ${attempts.map((a) => a.status).join(', ')}, ${attempts.length} attempt(s); ran ${ran.length} of ${good.length} good member(s)${good.length <= 3 ? ` [${ran.join(', ')}]` : ''}; logged ${logged.length}${logged.length ? `: ${logged[0]}` : ''}; webhook after the full retry schedule: ${active ? 'active' : 'DISABLED'}`,
				);
				expect(attempts.map((a) => a.status)).toEqual([200]);
				expect(ran).toEqual(good);
				expect(logged).toHaveLength(bad);
				expect(active).toBe(true);
			} finally {
				await n8n.close();
			}
		},
	);
});

describe('forged traffic and the credential secret', () => {
	const post = (url: string, body: string, signature?: string) =>
		httpRequest(url, {
			method: 'POST',
			body,
			headers: {
				'content-type': 'application/json',
				...(signature === undefined ? {} : { 'x-mando-signature': signature }),
			},
		});

	it('1,000 forged deliveries read the credential at most 10 times; unsigned or malformed ones never', async () => {
		const n8n = await startN8nStandIn({ acknowledge: 'immediately', secret: { value: SECRET } });
		try {
			const statuses = new Map<number, number>();
			const count = (s: number) => statuses.set(s, (statuses.get(s) ?? 0) + 1);
			for (let i = 0; i < 1000; i++) {
				const body = JSON.stringify(envelope(`evt_forged_${i}`));
				count((await post(n8n.url, body, signMandoPayload(body, 'not-the-secret'))).status);
			}
			const forgedReads = n8n.reads.n;
			for (let i = 0; i < 500; i++) count((await post(n8n.url, '{}')).status);
			for (let i = 0; i < 500; i++) count((await post(n8n.url, '{}', 'sha256=zz')).status);
			console.log(
				`forged traffic: 1,000 deliveries with a wrong signature → credential reads ${forgedReads}; 500 unsigned + 500 malformed signatures → ${n8n.reads.n - forgedReads} more; answers ${JSON.stringify(Object.fromEntries(statuses))}; runs ${n8n.succeeded.length}`,
			);
			expect(forgedReads).toBeLessThanOrEqual(10);
			expect(n8n.reads.n).toBe(forgedReads);
			expect([...statuses.keys()]).toEqual([401]);
			expect(n8n.succeeded).toEqual([]);
		} finally {
			await n8n.close();
		}
	}, 120_000);

	it(`a changed secret verifies at once; the old one is refused within ${SECRET_REUSE_MS / 1000} s`, async () => {
		let now = 1_800_000_000_000;
		jest.spyOn(Date, 'now').mockImplementation(() => now);
		const secret = { value: 'whsec_old' as string | Error };
		const n8n = await startN8nStandIn({ acknowledge: 'immediately', secret });
		try {
			const send = async (id: string, key: string) => {
				const body = JSON.stringify(envelope(id));
				return (await post(n8n.url, body, signMandoPayload(body, key))).status;
			};
			const log: string[] = [];
			log.push(`old secret → ${await send('evt_r1', 'whsec_old')}`);
			secret.value = 'whsec_new';
			now += 10_000;
			log.push(`secret changed; +10 s new → ${await send('evt_r2', 'whsec_new')}`);
			now += 10_000;
			log.push(`+20 s old → ${await send('evt_r3', 'whsec_old')}`);
			// nothing signed with the new secret arrives: the old one is refused once the reuse window ends
			const other = await startN8nStandIn({ acknowledge: 'immediately', secret });
			try {
				secret.value = 'whsec_a';
				const sendOther = async (id: string) => {
					const body = JSON.stringify(envelope(id));
					return (await post(other.url, body, signMandoPayload(body, 'whsec_a'))).status;
				};
				const before = await sendOther('evt_w1');
				secret.value = 'whsec_b';
				now += SECRET_REUSE_MS / 2;
				const inside = await sendOther('evt_w2');
				now += SECRET_REUSE_MS / 2;
				const after = await sendOther('evt_w3');
				log.push(
					`another node, secret changed with nothing signed by the new one: old → ${before}, +${SECRET_REUSE_MS / 2000} s old → ${inside}, +${SECRET_REUSE_MS / 1000} s old → ${after}`,
				);
				expect([before, after]).toEqual([200, 401]);
			} finally {
				await other.close();
			}
			console.log(`secret rotation: ${log.join('; ')}`);
			expect(log[0]).toMatch(/→ 200$/);
			expect(log[1]).toMatch(/→ 200$/);
			expect(log[2]).toMatch(/→ 401$/);
		} finally {
			await n8n.close();
		}
	});

	it('a secret that cannot be resolved gets a 401 that names the credential field, never a 500, and is not re-read per delivery', async () => {
		const n8n = await startN8nStandIn({
			acknowledge: 'immediately',
			secret: { value: new Error('access to env vars denied') },
		});
		try {
			const answers = [];
			for (let i = 0; i < 20; i++) {
				const body = JSON.stringify(envelope(`evt_env_${i}`));
				answers.push(await post(n8n.url, body, signMandoPayload(body, SECRET)));
			}
			console.log(
				`unresolvable secret: 20 signed deliveries → answers ${[...new Set(answers.map((a) => a.status))].join(', ')} ${answers[0].text}; credential reads ${n8n.reads.n}; log: ${n8n.logs[0]}`,
			);
			expect(answers.every((a) => a.status === 401)).toBe(true);
			expect(answers[0].body).toMatchObject({ code: 'SECRET_UNAVAILABLE' });
			expect(answers[0].text).toContain('Webhook Signing Secret (webhookSecret)');
			expect(n8n.reads.n).toBe(1);
			expect(n8n.logs[0]).toContain('access to env vars denied');
		} finally {
			await n8n.close();
		}
	});
});
