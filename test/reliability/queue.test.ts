import { randomBytes } from 'crypto';
import { signMandoPayload } from '../../nodes/shared/signature';
import { startEmulator, type Emulator } from '../emulator/server';
import { expectEarlyAckChangedNothing, proveEarlyAckChangesNothing } from '../harness/early-ack';
import { delay, freePort, N8n, waitUntil } from '../harness/n8n';
import { TriggerChecks } from '../harness/trigger-checks';
import { savedRegistration, waitForSavedRegistration } from '../harness/staticData';
import {
	createMandoCredential,
	createTriggerWorkflow,
	publish,
	unpublish,
	type CreatedWorkflow,
} from '../harness/workflows';
import { recordFigures } from './figures';
import { scanForSecrets } from './secrets';
import { allExecutions, emittedEventIds, log, lostAndDuplicated } from './setup';
import { queueModeEnv, startPostgres, startRedis, type Postgres, type Service } from './services';

/**
 * Scenario 7, queue mode (n8n's way to outgrow one process): Redis and PostgreSQL started here,
 * n8n main (editor, API, activation; production webhooks disabled) + `n8n webhook` (receives
 * Mando's deliveries, enqueues executions) + `n8n worker` (runs them), sharing the database,
 * Redis and user folder. The trigger's end-to-end checks (harness/trigger-checks.ts) run there,
 * de-duplication included; then a restart of main, and a measurement with two webhook processors;
 * then a webhook the main's health check re-created, whose new secret the webhook processor must
 * know.
 */

jest.setTimeout(20 * 60 * 1000);

const API_KEY = 'rel-q-api-key-' + randomBytes(8).toString('hex');
const WEBHOOK_SECRET = 'rel-q-whsec-' + randomBytes(12).toString('hex');

let redis: Service;
let postgres: Postgres;
let emulator: Emulator;
let main: N8n;
let webhook: N8n;
let worker: N8n;
const extra: N8n[] = [];

/** Environment shared by the three processes. */
function queueEnv(webhookPort: number): Record<string, string> {
	return queueModeEnv(redis, postgres, `http://127.0.0.1:${webhookPort}/`);
}

beforeAll(async () => {
	const started = Date.now();
	redis = await startRedis();
	postgres = await startPostgres();
	emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
		timeScale: 1 / 3000,
	});
	const webhookPort = await freePort();
	const env = queueEnv(webhookPort);
	main = await N8n.start({ env, webhookBaseUrl: `http://127.0.0.1:${webhookPort}` });
	// the webhook processor and the worker log into the same file as main (the checks read main.logs())
	[webhook, worker] = await Promise.all([
		N8n.start({ command: 'webhook', port: webhookPort, userFolder: main.userFolder, env }),
		N8n.start({ command: 'worker', userFolder: main.userFolder, env }),
	]);
	log(
		`queue mode up in ${((Date.now() - started) / 1000).toFixed(0)} s: Redis :${redis.port}, PostgreSQL :${postgres.port}, main ${main.baseUrl}, webhook ${webhook.baseUrl}, worker health :${worker.port}; user folder ${main.userFolder}`,
	);
});

afterAll(async () => {
	for (const p of [...extra, webhook, worker, main]) await p?.stop();
	await emulator?.close();
	await postgres?.stop();
	await redis?.stop();
});

/**
 * Runs `body` with an emulated Mando account that signs per webhook (its own emulator, started
 * and closed here), a credential for it on the main and an unpublished trigger workflow.
 *
 * @param checkInterval the trigger's health check interval in minutes (it runs on the main)
 * @param timeScale the emulator's time scale (Mando's retry schedule times this)
 */
async function withPerWebhookAccount(
	credentialName: string,
	options: { events: string[]; checkInterval: number; timeScale: number },
	body: (account: { em: Emulator; wf: CreatedWorkflow; url: string }) => Promise<void>,
): Promise<void> {
	const em = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
		perWebhookSecrets: true,
		timeScale: options.timeScale,
	});
	try {
		const credential = await createMandoCredential(
			main,
			{ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: em.url },
			credentialName,
		);
		const wf = await createTriggerWorkflow(main, credential, {
			events: options.events,
			options: { checkInterval: options.checkInterval },
		});
		await body({ em, wf, url: main.webhookUrl(wf.webhookPath) });
	} finally {
		await em.close();
	}
}

describe('reliability: queue mode (main + webhook processor + worker, PostgreSQL, Redis)', () => {
	test('7 queue mode: the trigger end to end, de-duplication included, restart of main, two webhook processors', async () => {
		const started = Date.now();
		const credential = await createMandoCredential(main, {
			apiKey: API_KEY,
			webhookSecret: WEBHOOK_SECRET,
			baseUrl: emulator.url,
		});
		const checks = new TriggerChecks({
			n8n: main,
			emulator,
			credential,
			webhookSecret: WEBHOOK_SECRET,
			log: (l) => log(`queue: ${l}`),
		});
		await checks.publishRegistersProductionUrl();
		expect(checks.url.startsWith(webhook.baseUrl)).toBe(true);
		await checks.signedEventRunsOnce();
		await checks.forgedDeliveriesRejected();
		await checks.duplicateIgnored();
		const [first] = await main.executions(checks.wf.id);
		const ranOn = JSON.stringify(first);
		expect(main.logs()).toContain('Starting n8n webhook process');

		// main restarted: still one registration; the first event again runs nothing
		await main.restart();
		await delay(2000);
		expect(checks.registrationsFor(checks.url).filter((w) => w.active)).toHaveLength(1);
		expect(emulator.webhooks()).toHaveLength(1);
		await emulator.emit('sale.created', { id: checks.firstEventId });
		await delay(2000);
		expect(await main.executions(checks.wf.id)).toHaveLength(2);
		log(
			`queue: main restarted → ${emulator.webhooks().length} registration; ${checks.firstEventId} again → still 2 executions`,
		);

		// 30 events, each delivered twice in parallel through the one webhook processor (one pair at a
		// time: a webhook processor of n8n 2.40 answers about 3 deliveries/s on 2 cores)
		const [hook] = checks.registrationsFor(checks.url);
		const bodies = Array.from({ length: 30 }, (_, i) =>
			JSON.stringify({
				id: `evt_q_${i}_${randomBytes(4).toString('hex')}`,
				type: 'stock.low',
				created: new Date().toISOString(),
				data: { plu_id: `p${i}`, quantity: 1, threshold: 5 },
			}),
		);
		const burst: Array<Awaited<ReturnType<typeof emulator.send>>> = [];
		for (const b of bodies)
			burst.push(...(await Promise.all([emulator.send(hook.id, b), emulator.send(hook.id, b)])));
		const ids = bodies.map((b) => (JSON.parse(b) as { id: string }).id);
		await waitUntil(
			async () => (await allExecutions(main, checks.wf.id, false)).length >= 32,
			60_000,
		);
		await delay(2000);
		const burstResult = lostAndDuplicated(
			ids,
			emittedEventIds(await allExecutions(main, checks.wf.id)).filter((id) =>
				id.startsWith('evt_q_'),
			),
		);
		log(
			`queue: 30 events × 2 parallel deliveries (answers ${JSON.stringify([...new Set(burst.map((d) => d.status))])}) → lost ${burstResult.lost}, duplicated ${burstResult.duplicated}`,
		);

		// measurement: a second webhook processor behind the same URL space; the same event posted to
		// both at once. RecentEventIds is per process, so only the persisted static data is shared.
		const second = await N8n.start({
			command: 'webhook',
			userFolder: main.userFolder,
			env: queueEnv(webhook.port),
			logName: 'n8n-webhook-2.log',
		});
		extra.push(second);
		const pairs = 10;
		const crossIds: string[] = [];
		for (let i = 0; i < pairs; i++) {
			const body = JSON.stringify({
				id: `evt_x_${i}_${randomBytes(4).toString('hex')}`,
				type: 'stock.low',
				created: new Date().toISOString(),
				data: { plu_id: 'x', quantity: 1, threshold: 5 },
			});
			crossIds.push((JSON.parse(body) as { id: string }).id);
			const headers = {
				'Content-Type': 'application/json',
				'X-Mando-Signature': signMandoPayload(body, WEBHOOK_SECRET),
			};
			const path = checks.url.slice(webhook.baseUrl.length);
			await Promise.all(
				[webhook, second].map((p) =>
					fetch(p.baseUrl + path, { method: 'POST', headers, body }).then((r) => r.text()),
				),
			);
		}
		await delay(4000);
		const cross = lostAndDuplicated(
			crossIds,
			emittedEventIds(await allExecutions(main, checks.wf.id)).filter((id) =>
				id.startsWith('evt_x_'),
			),
		);
		log(
			`queue: MEASURED, two webhook processors, ${pairs} events each posted to both at once → ${pairs - cross.lost} events ran, ${cross.duplicated} duplicate executions (RecentEventIds is per process)`,
		);

		await checks.unpublishDeactivates();
		const executions = (await allExecutions(main, checks.wf.id, false)).length;
		const scan = await scanForSecrets(main, [API_KEY, WEBHOOK_SECRET]);
		log(
			`queue: secrets in ${scan.logBytes} log bytes (main, webhook, worker) and ${scan.executionsScanned} executions → ${scan.total}; first execution ran in mode ${(JSON.parse(ranOn) as { mode: string }).mode}`,
		);
		recordFigures({
			scenario: '7 Queue mode',
			eventsSent: 2 + 2 + 60 + 2 * pairs,
			executions,
			lost: burstResult.lost,
			duplicated: burstResult.duplicated,
			answers5xx: burst.filter((d) => (d.status ?? 0) >= 500).length,
			forgedExecutions: 0,
			secretOccurrences: scan.total,
			durationS: (Date.now() - started) / 1000,
			note: `e2e checks + main restart + 30×2 parallel; measured with 2 webhook processors: ${cross.duplicated}/${pairs} events ran twice`,
		});
		expect(burstResult).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
		expect(burst.every((d) => d.status === 200)).toBe(true);
		expect(cross.lost).toBe(0);
		expect(scan.total).toBe(0);
	});

	test('7b queue mode (after 7), Acknowledge Immediately: the webhook processor answers before it enqueues the run, and the runs are those of After the workflow succeeds', async () => {
		const credential = await createMandoCredential(main, {
			apiKey: API_KEY,
			webhookSecret: WEBHOOK_SECRET,
			baseUrl: emulator.url,
		});
		// the deliveries and the comparison: test/harness/early-ack.ts, as in the regular-mode e2e test
		const proof = await proveEarlyAckChangesNothing(main, emulator, credential, WEBHOOK_SECRET);
		const line = `early ack, queue mode (main + webhook processor + worker, PostgreSQL, Redis): ${proof.summary}`;
		log(line);
		process.stdout.write(`[e2e] ${line}\n`);
		expectEarlyAckChangedNothing(proof, main.logs());
		expect(proof.immediately.executions.every((e) => e.mode === 'webhook')).toBe(true);
	});

	test("7c queue mode, per-webhook secrets: admin deletes the webhook → the main's health check re-creates it → the next event, through the webhook processor, is answered 200 and runs once (not 401)", async () => {
		// health check every 0.1 min = 6 s (it runs on the main, the leader)
		await withPerWebhookAccount(
			'Mando (per-webhook secrets)',
			{ events: ['customer.created'], checkInterval: 0.1, timeScale: 1 / 3000 },
			async ({ em, wf, url }) => {
				const activeFor = () => em.webhooks().filter((w) => w.url === url && w.active);
				/** Emits an event; its attempts (to the webhook active now) and how many runs emitted it. */
				const deliver = async () => {
					const [hook] = activeFor();
					const { event } = await em.emit('customer.created');
					const ofEvent = () => em.deliveries().filter((d) => d.eventIds.includes(event.id));
					// attempt 1 answered; a refused one is retried at once (time scale 1/3000) and disables the webhook
					await waitUntil(
						() =>
							ofEvent().some((d) => d.outcome === 'ok') ||
							!activeFor().some((w) => w.id === hook.id),
						15_000,
					);
					const runsOf = async () =>
						emittedEventIds(await allExecutions(main, wf.id)).filter((id) => id === event.id)
							.length;
					await waitUntil(async () => (await runsOf()) >= 1, 30_000);
					await delay(2000); // a second run would show by now
					return {
						hook: hook.id,
						eventId: event.id,
						statuses: ofEvent().map((d) => d.status),
						runs: await runsOf(),
					};
				};
				await publish(main, wf.id);
				expect(url.startsWith(webhook.baseUrl)).toBe(true);
				expect(activeFor()).toHaveLength(1);
				const first = await deliver();
				expect(first.statuses).toEqual([200]);
				const savedA = await savedRegistration(main, wf.id);

				em.deleteWebhook(first.hook);
				const t0 = Date.now();
				expect(await waitUntil(() => activeFor().length === 1, 30_000)).toBe(true);
				const [b] = activeFor();
				expect(b.id).not.toBe(first.hook);
				const repairedIn = (Date.now() - t0) / 1000;
				// bounded: the webhook processor reads the registration from the database per request
				const saved = await waitForSavedRegistration(main, wf.id, (r) => r?.webhookId === b.id);
				const after = await deliver();
				const refused = em.deliveries().filter((d) => d.status === 401).length;
				log(
					`queue: admin deleted webhook ${first.hook} (delivery before → ${first.statuses.join(', ')}; saved static data named ${savedA?.webhookId ?? 'none'}) → main's health check re-created it as ${b.id} in ${repairedIn.toFixed(1)} s; saved static data names ${saved?.webhookId ?? 'none'}; next event ${after.eventId} through the webhook processor → ${after.statuses.join(', ')} on ${after.hook}, ${after.runs} run; ${refused} × 401`,
				);
				expect(after.hook).toBe(b.id);
				expect(after.statuses).toEqual([200]);
				expect(after.runs).toBe(1);
				expect(refused).toBe(0);
				await unpublish(main, wf.id);
			},
		);
	});

	test('7d queue mode, per-webhook secrets: two events in a row to the same webhook, no repair in between → both answered 200 by the webhook processor, one run each', async () => {
		// No periodic check during the test: nothing but deliveries touches the registration.
		// n8n 2.40.7's execution snapshot drops staticData (toWorkflowSnapshot), and a worker loads
		// static data from the database only for a resumed execution: the worker's run starts with
		// empty static data, and what the trigger's execute() stores there is saved over the
		// database's, registration included.
		await withPerWebhookAccount(
			'Mando (per-webhook secrets, 7d)',
			{ events: ['customer.updated'], checkInterval: 60, timeScale: 1 / 3000 },
			async ({ em, wf, url }) => {
				await publish(main, wf.id);
				const [hook] = em.webhooks().filter((w) => w.url === url && w.active);
				const results: string[] = [];
				const statuses: Array<number | null> = [];
				for (let i = 1; i <= 2; i++) {
					const before = await savedRegistration(main, wf.id);
					const { event } = await em.emit('customer.updated');
					await waitUntil(async () => {
						const ran = emittedEventIds(await allExecutions(main, wf.id)).includes(event.id);
						return ran || em.deliveries().filter((d) => d.eventIds.includes(event.id)).length >= 5;
					}, 30_000);
					const first = em.deliveries().find((d) => d.eventIds.includes(event.id));
					statuses.push(first?.status ?? null);
					results.push(
						`event ${i}: saved static data named ${before?.webhookId ?? 'none'} → attempt 1 ${first?.status}`,
					);
				}
				log(`queue: two events to webhook ${hook.id}: ${results.join('; ')}`);
				expect(statuses).toEqual([200, 200]);
				await unpublish(main, wf.id);
			},
		);
	});
	test("7e queue mode, per-webhook secrets: a worker's run saves static data without the registration, then the webhook processor restarts → the main's periodic registration sync restores it within one check, and Mando's retry of the next event is answered 200 and runs once", async () => {
		// Mando's schedule at 1/120: retries 0.5 s, 2.5 s, 15 s and 60 s after the first attempt.
		// health check, and with it the registration sync, every 0.25 min = 15 s on the main
		await withPerWebhookAccount(
			'Mando (per-webhook secrets, 7e)',
			{ events: ['customer.updated'], checkInterval: 0.25, timeScale: 1 / 120 },
			async ({ em, wf, url }) => {
				const logFrom = main.logs().length;
				await publish(main, wf.id);
				const [hook] = em.webhooks().filter((w) => w.url === url && w.active);
				const deliver = async () => {
					const { event } = await em.emit('customer.updated');
					const ofEvent = () => em.deliveries().filter((d) => d.eventIds.includes(event.id));
					const runsOf = async () =>
						emittedEventIds(await allExecutions(main, wf.id)).filter((id) => id === event.id)
							.length;
					await waitUntil(async () => (await runsOf()) >= 1 || ofEvent().length >= 5, 90_000);
					await delay(2000); // a second run would show by now
					return { statuses: ofEvent().map((d) => d.status), runs: await runsOf() };
				};
				const first = await deliver();
				expect(first.statuses).toEqual([200]);
				// The worker's run saves static data without the registration (see carryRegistration).
				const wiped = await waitForSavedRegistration(main, wf.id, (r) => r === undefined, 20_000);
				await webhook.restart(); // the processor's memory of the registration is gone
				const second = await deliver();
				const restored = main
					.logs()
					.slice(logFrom)
					.split('\n')
					.find(
						(l) =>
							l.includes(`saved the registration of webhook ${hook.id}`) &&
							l.includes('had lost it'),
					);
				const active = em.webhooks().some((w) => w.id === hook.id && w.active);
				log(
					`queue: webhook ${hook.id}: event 1 → ${first.statuses.join(', ')}; saved registration after the worker's run: ${wiped?.webhookId ?? 'none'}; webhook processor restarted; event 2 → ${second.statuses.join(', ')}, ${second.runs} run, webhook still active: ${active}; main's log: ${restored ? restored.replace(/^.*(Mando Trigger saved)/, '$1').slice(0, 200) : 'no restore line'}`,
				);
				expect(restored).toBeDefined();
				expect(second.statuses.at(-1)).toBe(200);
				expect(second.runs).toBe(1);
				expect(active).toBe(true);
				await unpublish(main, wf.id);
			},
		);
	});
});
