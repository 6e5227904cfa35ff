import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
import { proveEarlyAckChangesNothing } from '../harness/early-ack';
import { freePort, N8n } from '../harness/n8n';
import { createMandoCredential } from '../harness/workflows';
import { log } from './setup';
import { queueModeEnv, startPostgres, startRedis, type Postgres, type Service } from './services';

/**
 * Acknowledge "Immediately" in queue mode (main + `n8n webhook` + `n8n worker`, PostgreSQL,
 * Redis): the webhook processor answers before it enqueues the run, and the worker's runs are
 * the same as for "After the workflow succeeds" (whose answer waits for the worker): same
 * executions, same items, no duplicate, forged → 401 and no run. The deliveries and the
 * comparison are test/harness/early-ack.ts, as in the regular-mode e2e test.
 */

jest.setTimeout(10 * 60 * 1000);

const API_KEY = 'rel-ack-api-key-' + randomBytes(8).toString('hex');
const WEBHOOK_SECRET = 'rel-ack-whsec-' + randomBytes(12).toString('hex');

let redis: Service;
let postgres: Postgres;
let emulator: Emulator;
let main: N8n;
let webhook: N8n;
let worker: N8n;

beforeAll(async () => {
	redis = await startRedis();
	postgres = await startPostgres();
	emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
		timeScale: 1 / 3000,
	});
	const webhookPort = await freePort();
	const env = queueModeEnv(redis, postgres, `http://127.0.0.1:${webhookPort}/`);
	main = await N8n.start({ env, webhookBaseUrl: `http://127.0.0.1:${webhookPort}` });
	[webhook, worker] = await Promise.all([
		N8n.start({ command: 'webhook', port: webhookPort, userFolder: main.userFolder, env }),
		N8n.start({ command: 'worker', userFolder: main.userFolder, env }),
	]);
});

afterAll(async () => {
	for (const p of [webhook, worker, main]) await p?.stop();
	await emulator?.close();
	await postgres?.stop();
	await redis?.stop();
});

test('queue mode: Immediately answers before the run is enqueued and changes no execution or item', async () => {
	const credential = await createMandoCredential(main, {
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		baseUrl: emulator.url,
	});
	const proof = await proveEarlyAckChangesNothing(main, emulator, credential, WEBHOOK_SECRET);
	const line = `early ack, queue mode (main + webhook processor + worker, PostgreSQL, Redis): ${proof.summary}`;
	log(line);
	process.stdout.write(`[e2e] ${line}\n`);
	expect(proof.immediately.runs).toEqual(proof.expected);
	expect(proof.afterSuccess.runs).toEqual(proof.expected);
	expect(proof.immediately.executions.every((e) => e.status === 'success')).toBe(true);
	expect(proof.duplicatesRun).toBe(0);
	expect(proof.forgedStatuses.every((s) => s === 401)).toBe(true);
	const signed = proof.immediately.answers.filter((a) => a.status !== 401);
	expect(signed.every((a) => a.status === 200 && (a.body as { ok?: boolean }).ok === true)).toBe(
		true,
	);
	// the runs happened on the worker, not in the webhook processor
	expect(main.logs()).toContain('Starting n8n webhook process');
	expect(main.logs()).not.toMatch(/headers already sent|ERR_HTTP_HEADERS_SENT/i);
});
