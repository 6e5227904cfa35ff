import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
import { N8n, waitUntil } from '../harness/n8n';
import {
	createMandoCredential,
	createTriggerWorkflow,
	publish,
	unpublish,
} from '../harness/workflows';

/**
 * The secret Mando's deliveries are verified with, checked by the trigger's health check on a real
 * n8n 2.40.7 (default settings): a changed API key is repaired within one check interval (the
 * per-webhook secret re-sealed under the new key, kept across a restart); a credential secret that
 * deliveries need and that is empty becomes an activation error that says what to do.
 */

jest.setTimeout(10 * 60 * 1000);

const API_KEY = 'secret-health-key-' + randomBytes(6).toString('hex');
const NEW_API_KEY = 'secret-health-key-new-' + randomBytes(6).toString('hex');
const WEBHOOK_SECRET = 'secret-health-whsec-' + randomBytes(8).toString('hex');
/** Health check every 0.1 min = 6 s. */
const CHECK_MINUTES = 0.1;

function log(line: string): void {
	process.stdout.write(`[e2e] ${line.replace(/\u001b\[\d+m/g, '')}\n`);
}

let emulator: Emulator;
let n8n: N8n;

beforeAll(async () => {
	emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
		perWebhookSecrets: true,
		timeScale: 1 / 3000,
	});
	n8n = await N8n.start();
	log(`n8n ${n8n.baseUrl} (default settings), emulator ${emulator.url} with per-webhook secrets`);
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
});

const activeFor = (url: string) => emulator.webhooks().filter((w) => w.url === url && w.active);

/** Emits `type` as Mando would (signed with the webhook's secret) and waits for its delivery to `url`. */
async function deliver(
	url: string,
	type: string,
): Promise<{ status: number | null; hook: string }> {
	const { event } = await emulator.emit(type);
	const [hook] = activeFor(url);
	const match = (x: { eventIds: string[]; webhookId: string }) =>
		x.eventIds.includes(event.id) && x.webhookId === hook?.id;
	const deliveries = await emulator.waitForDeliveries((d) => d.some(match), 15_000);
	return { status: deliveries.find(match)?.status ?? null, hook: hook?.id };
}

/** A credential on the emulator's account with the key and secret the test starts from. */
async function newCredential(name: string): Promise<{ id: string; name: string }> {
	return await createMandoCredential(
		n8n,
		{ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: emulator.url },
		name,
	);
}

/** Changes the credential through n8n's public API, as a user saving it in the editor would. */
async function saveCredential(
	credential: { id: string; name: string },
	data: { apiKey: string; webhookSecret: string },
): Promise<void> {
	await n8n.api('PATCH', `/credentials/${credential.id}`, {
		name: credential.name,
		type: 'mandoApi',
		data: { ...data, baseUrl: emulator.url, allowedHttpRequestDomains: 'all' },
	});
}

describe('Mando Trigger health check: the secret deliveries are verified with (n8n 2.40.7)', () => {
	test('the API key changed while published → re-sealed within one check interval; a delivery → 200 and one run, also after a restart', async () => {
		const credential = await newCredential('Mando (key change)');
		const wf = await createTriggerWorkflow(n8n, credential, {
			events: ['sale.created'],
			options: { checkInterval: CHECK_MINUTES },
		});
		const url = n8n.webhookUrl(wf.webhookPath);
		await publish(n8n, wf.id);
		const before = await deliver(url, 'sale.created');
		expect(before.status).toBe(200);
		await n8n.waitForExecutions(wf.id, 1);

		// Mando rotates the key (the old one stops working); the user pastes the new one into the credential.
		emulator.setConfig({ apiKey: NEW_API_KEY });
		const changedAt = Date.now();
		await saveCredential(credential, { apiKey: NEW_API_KEY, webhookSecret: WEBHOOK_SECRET });
		const resealed = () =>
			n8n
				.logs()
				.split('\n')
				.find((l) => l.includes('re-sealed under the new key'));
		const repaired = await waitUntil(() => resealed() !== undefined, 60_000);
		const seconds = (Date.now() - changedAt) / 1000;
		expect(repaired).toBe(true);
		expect(seconds).toBeLessThan(CHECK_MINUTES * 60 * 2 + 10);
		const after = await deliver(url, 'sale.created');
		expect(after.status).toBe(200);
		expect(after.hook).toBe(before.hook);
		const runs = await n8n.waitForExecutions(wf.id, 2);
		expect(runs).toHaveLength(2);
		log(
			`API key changed (Mando rotated it, credential PATCHed) → health check re-sealed the secret of webhook ${before.hook} after ${seconds.toFixed(1)} s (interval ${CHECK_MINUTES * 60} s): "${resealed()
				?.replace(/^.*?(The Mando credential)/, '$1')
				.slice(0, 150)}"`,
		);
		log(
			`delivery signed as Mando signs it now → ${after.status}, webhook ${after.hook} (same), executions ${runs.length} (1 before + 1 after); active webhooks for the URL: ${activeFor(url).length}`,
		);

		await n8n.restart();
		await n8n.waitForPublication(wf.id);
		const restarted = await deliver(url, 'sale.created');
		expect(restarted.status).toBe(200);
		const runs3 = await n8n.waitForExecutions(wf.id, 3);
		expect(runs3).toHaveLength(3);
		expect(activeFor(url)).toHaveLength(1);
		const deliveries401 = emulator.deliveries().filter((d) => d.status === 401).length;
		expect(deliveries401).toBe(0);
		log(
			`after an n8n restart: delivery → ${restarted.status} on webhook ${restarted.hook} (${restarted.hook === before.hook ? 'same, the re-sealed secret was saved' : 'replaced at startup'}), executions ${runs3.length}; ${deliveries401} × 401 in all`,
		);
		await unpublish(n8n, wf.id);
		emulator.setConfig({ apiKey: API_KEY });
	});

	test('the API key changed and n8n restarted before any check (old key nowhere) → the webhook is replaced at startup; a delivery → 200 and one run', async () => {
		const credential = await newCredential('Mando (key change, restart)');
		// A long interval: no periodic check runs between the change and the restart.
		const wf = await createTriggerWorkflow(n8n, credential, {
			events: ['product.created'],
			options: { checkInterval: 60 },
		});
		const url = n8n.webhookUrl(wf.webhookPath);
		await publish(n8n, wf.id);
		const [old] = activeFor(url);
		emulator.setConfig({ apiKey: NEW_API_KEY });
		await saveCredential(credential, { apiKey: NEW_API_KEY, webhookSecret: WEBHOOK_SECRET });
		const startedAt = Date.now();
		await n8n.restart();
		const replaced = await waitUntil(
			() => activeFor(url).length === 1 && activeFor(url)[0].id !== old.id,
			60_000,
		);
		const seconds = (Date.now() - startedAt) / 1000;
		expect(replaced).toBe(true);
		expect(emulator.webhooks().find((w) => w.id === old.id)?.active).toBe(false);
		const runsBefore = (await n8n.executions(wf.id)).length;
		const after = await deliver(url, 'product.created');
		expect(after.status).toBe(200);
		const runs = await n8n.waitForExecutions(wf.id, runsBefore + 1);
		expect(runs).toHaveLength(runsBefore + 1);
		const warned = n8n
			.logs()
			.split('\n')
			.find((l) => l.includes('sealed under an API key the Mando credential no longer has'));
		expect(warned).toBeDefined();
		log(
			`API key changed, n8n restarted (old key in no memory) → ${seconds.toFixed(1)} s after the restart began webhook ${old.id} is deactivated and ${after.hook} active; delivery → ${after.status}, executions ${runsBefore} → ${runs.length}`,
		);
		log(`n8n log: ${warned?.trim().slice(0, 220)}`);
		await unpublish(n8n, wf.id);
		emulator.setConfig({ apiKey: API_KEY });
	});

	test("the credential's Webhook Signing Secret emptied while deliveries need it → activation error saying what to do", async () => {
		const credential = await newCredential('Mando (manual)');
		const wf = await createTriggerWorkflow(n8n, credential, {
			events: ['sale.created'],
			registration: 'manual',
			options: { checkInterval: CHECK_MINUTES },
		});
		await publish(n8n, wf.id);
		const emptiedAt = Date.now();
		await saveCredential(credential, { apiKey: API_KEY, webhookSecret: '' });
		let error: string | null = null;
		const shown = await waitUntil(async () => {
			error = await n8n
				.rest<string | null>('GET', `/active-workflows/error/${wf.id}`)
				.catch(() => null);
			return typeof error === 'string' && error.length > 0;
		}, 90_000);
		const seconds = (Date.now() - emptiedAt) / 1000;
		expect(shown).toBe(true);
		expect(error).toContain('empty Webhook Signing Secret');
		expect(error).toContain('publish this workflow again');
		const logged = n8n
			.logs()
			.split('\n')
			.find((l) => l.includes('health check failed') && l.includes('Webhook Signing Secret'));
		expect(logged).toBeDefined();
		log(
			`credential's Webhook Signing Secret emptied (manual registration) → after ${seconds.toFixed(1)} s GET /rest/active-workflows/error/${wf.id}: "${error}"`,
		);
		log(`n8n log: ${logged?.trim().slice(0, 200)}`);
		await unpublish(n8n, wf.id);
	});
});
