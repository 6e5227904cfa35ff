import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
import { delay, freePort, N8n } from '../harness/n8n';
import { TriggerChecks } from '../harness/trigger-checks';
import { createMandoCredential } from '../harness/workflows';
import { recordFigures } from './figures';
import { scanForSecrets } from './secrets';
import { allExecutions, emittedEventIds, log, lostAndDuplicated } from './setup';
import {
	queueModeEnv,
	startNginx,
	startPostgres,
	startRedis,
	type Nginx,
	type Postgres,
	type Service,
} from './services';

/**
 * Scenario 9, queue mode with two webhook processors behind the load balancer shipped in
 * examples/queue-mode/nginx.conf (n8n's way to scale webhooks): the same event delivered twice at
 * once must run once. The config routes by the webhook URL (`hash $request_uri consistent`), so
 * one trigger's deliveries meet one process, whose de-duplication holds; the same config without
 * that line (round robin) is measured for contrast.
 */

jest.setTimeout(30 * 60 * 1000);

const API_KEY = 'rel-lb-api-key-' + randomBytes(8).toString('hex');
const WEBHOOK_SECRET = 'rel-lb-whsec-' + randomBytes(12).toString('hex');
/** Events per balancing mode; each is delivered twice in parallel. */
const EVENTS = 200;
/** Pairs in flight at once (2 cores shared by 2 webhook processors, a worker and main). */
const PAIRS_AT_ONCE = 4;

let redis: Service;
let postgres: Postgres;
let emulator: Emulator;
let main: N8n;
let worker: N8n;
const webhooks: N8n[] = [];
let nginx: Nginx | undefined;

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
	const balancerPort = await freePort();
	const env = queueModeEnv(redis, postgres, `http://127.0.0.1:${balancerPort}/`);
	main = await N8n.start({ env, webhookBaseUrl: `http://127.0.0.1:${balancerPort}` });
	const [a, b, w] = await Promise.all([
		N8n.start({
			command: 'webhook',
			userFolder: main.userFolder,
			env,
			logName: 'n8n-webhook-a.log',
		}),
		N8n.start({
			command: 'webhook',
			userFolder: main.userFolder,
			env,
			logName: 'n8n-webhook-b.log',
		}),
		N8n.start({ command: 'worker', userFolder: main.userFolder, env }),
	]);
	webhooks.push(a, b);
	worker = w;
	nginx = await startNginx({
		port: balancerPort,
		webhookPorts: [a.port, b.port],
		mainPort: main.port,
		balance: 'hash',
	});
	log(
		`queue behind nginx up in ${((Date.now() - started) / 1000).toFixed(0)} s: nginx :${balancerPort} → webhook processors :${a.port}, :${b.port}; main :${main.port}; worker; Redis :${redis.port}, PostgreSQL :${postgres.port}`,
	);
});

afterAll(async () => {
	await nginx?.stop();
	for (const p of [...webhooks, worker, main]) await p?.stop();
	await emulator?.close();
	await postgres?.stop();
	await redis?.stop();
});

describe('reliability: queue mode, two webhook processors behind the shipped nginx config', () => {
	test('9 queue mode behind nginx: 200 events each delivered twice in parallel → 200 executions, 0 duplicates; round robin for contrast', async () => {
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
			log: (l) => log(`balancer: ${l}`),
		});
		await checks.publishRegistersProductionUrl();
		const [hook] = checks.registrationsFor(checks.url);
		expect(checks.url.startsWith(`http://127.0.0.1:${nginx!.port}/webhook/`)).toBe(true);

		/** Sends `EVENTS` events, each twice at once through the balancer; the answers and the ids. */
		const burst = async (prefix: string) => {
			const ids = Array.from(
				{ length: EVENTS },
				(_, i) => `evt_${prefix}_${i}_${randomBytes(4).toString('hex')}`,
			);
			const statuses: Record<string, number> = {};
			let next = 0;
			const lane = async () => {
				while (next < ids.length) {
					const id = ids[next++];
					const body = JSON.stringify({
						id,
						type: 'stock.low',
						created: new Date().toISOString(),
						data: { plu_id: id, quantity: 1, threshold: 5 },
					});
					const answers = await Promise.all([
						emulator.send(hook.id, body),
						emulator.send(hook.id, body),
					]);
					for (const a of answers)
						statuses[String(a.status ?? a.error)] =
							(statuses[String(a.status ?? a.error)] ?? 0) + 1;
				}
			};
			await Promise.all(Array.from({ length: PAIRS_AT_ONCE }, lane));
			return { ids, statuses };
		};
		const ranFor = async (prefix: string) =>
			emittedEventIds(await allExecutions(main, checks.wf.id)).filter((id) =>
				id.startsWith(`evt_${prefix}_`),
			);
		const settle = async (prefix: string) => {
			const deadline = Date.now() + 180_000;
			while (Date.now() < deadline && new Set(await ranFor(prefix)).size < EVENTS)
				await delay(1000);
			await delay(5000); // a late second run would show by now
			return ranFor(prefix);
		};

		// hash $request_uri consistent (the shipped config)
		const hashed = await burst('hash');
		const hashedRuns = await settle('hash');
		const hashedResult = lostAndDuplicated(hashed.ids, hashedRuns);
		log(
			`balancer: shipped nginx config (hash $request_uri consistent), 2 webhook processors: ${EVENTS} events × 2 parallel deliveries (answers ${JSON.stringify(hashed.statuses)}) → ${hashedRuns.length} executions, lost ${hashedResult.lost}, duplicates ${hashedResult.duplicated}`,
		);

		// the same config without the hash line: nginx's default round robin, for contrast
		await nginx!.stop();
		nginx = await startNginx({
			port: nginx!.port,
			webhookPorts: webhooks.map((w) => w.port),
			mainPort: main.port,
			balance: 'round-robin',
		});
		const robin = await burst('robin');
		const robinRuns = await settle('robin');
		const robinResult = lostAndDuplicated(robin.ids, robinRuns);
		log(
			`balancer: CONTRAST round robin (same config without the hash line): ${EVENTS} events × 2 parallel deliveries (answers ${JSON.stringify(robin.statuses)}) → ${robinRuns.length} executions, lost ${robinResult.lost}, duplicates ${robinResult.duplicated}`,
		);

		const scan = await scanForSecrets(main, [API_KEY, WEBHOOK_SECRET]);
		recordFigures({
			scenario: '9 Queue mode behind nginx',
			eventsSent: 4 * EVENTS,
			executions: (await allExecutions(main, checks.wf.id, false)).length,
			lost: hashedResult.lost,
			duplicated: hashedResult.duplicated,
			answers5xx: Object.entries(hashed.statuses)
				.filter(([s]) => Number(s) >= 500)
				.reduce((n, [, c]) => n + c, 0),
			forgedExecutions: 0,
			secretOccurrences: scan.total,
			durationS: (Date.now() - started) / 1000,
			note: `2 webhook processors; shipped config (hash $request_uri consistent): ${hashedResult.duplicated} duplicates of ${EVENTS}; round robin for contrast: ${robinResult.duplicated} duplicates`,
		});
		expect(hashedRuns).toHaveLength(EVENTS);
		expect(hashedResult).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
		expect(Object.keys(hashed.statuses)).toEqual(['200']);
		expect(robinResult.lost).toBe(0);
		expect(scan.total).toBe(0);
	});
});
