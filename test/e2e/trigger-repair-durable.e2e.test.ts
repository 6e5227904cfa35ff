import { randomBytes } from 'crypto';
import { startEmulator, type Emulator, type EmulatorDelivery } from '../emulator/server';
import { delay, N8n, nodeOutput, waitUntil } from '../harness/n8n';
import { savedRegistration, waitForSavedRegistration } from '../harness/staticData';
import {
	createMandoCredential,
	createTriggerWorkflow,
	publish,
	unpublish,
	type CreatedWorkflow,
} from '../harness/workflows';

/**
 * A repair made by the Mando Trigger's periodic health check is durable (n8n 2.40.7, default
 * settings): the check runs inside `trigger()`, whose static data n8n does not save by itself, so
 * the repaired registration (webhook id and sealed per-webhook secret) must reach the database
 * before n8n restarts — with no delivery in between to carry it there. Otherwise, at startup, the
 * trigger does not hold the repaired webhook's secret, replaces it, and Mando's pending retries to
 * it are dropped.
 */

jest.setTimeout(20 * 60 * 1000);

const API_KEY = 'durable-api-key-' + randomBytes(6).toString('hex');
const NEW_API_KEY = 'durable-api-key-new-' + randomBytes(6).toString('hex');
const WEBHOOK_SECRET = 'durable-whsec-' + randomBytes(8).toString('hex');
/** Health check every 0.1 min = 6 s. */
const CHECK_MINUTES = 0.1;
/** Fast retries while n8n is up (1 min → 20 ms). */
const FAST_RETRIES = 1 / 3000;

function log(line: string): void {
	process.stdout.write(`[e2e] ${line.replace(/\u001b\[\d+m/g, '')}\n`);
}

let n8n: N8n;
/** How long the first boot of n8n took (the retry of an event sent while n8n is down is set after it). */
let bootMs = 0;
const emulators: Emulator[] = [];

beforeAll(async () => {
	const started = Date.now();
	n8n = await N8n.start();
	bootMs = Date.now() - started;
	log(`n8n ${n8n.baseUrl} (default settings) up in ${(bootMs / 1000).toFixed(1)} s`);
});

afterAll(async () => {
	await n8n?.stop();
	for (const em of emulators) await em.close();
});

/** An emulator (per-webhook secrets, fast retries) and a credential on it with `API_KEY`. */
async function account(
	name: string,
): Promise<{ emulator: Emulator; credential: { id: string; name: string } }> {
	const emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
		perWebhookSecrets: true,
		timeScale: FAST_RETRIES,
	});
	emulators.push(emulator);
	const credential = await createMandoCredential(
		n8n,
		{ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: emulator.url },
		name,
	);
	return { emulator, credential };
}

const activeFor = (em: Emulator, url: string) =>
	em.webhooks().filter((w) => w.url === url && w.active);
const idsFor = (em: Emulator, url: string) =>
	em
		.webhooks()
		.filter((w) => w.url === url)
		.map((w) => `${w.id}${w.active ? '' : ' (inactive)'}`);
const count401 = (em: Emulator) => em.deliveries().filter((d) => d.status === 401).length;
const describe1 = (d: EmulatorDelivery) =>
	`#${d.attempt} ${d.webhookId} ${d.outcome} ${d.status ?? d.error ?? ''}`.trim();

/** Executions of `wf` whose trigger emitted the event `eventId`. */
async function runsOf(wf: CreatedWorkflow, eventId: string): Promise<number> {
	const executions = await n8n.executions(wf.id);
	return executions.filter((e) => nodeOutput(e, 'Mando Trigger').some((i) => i.id === eventId))
		.length;
}

/** Emits `type`, waits for attempt 1 to the active webhook for `url` and for the run it starts. */
async function deliverOnce(
	em: Emulator,
	wf: CreatedWorkflow,
	url: string,
	type: string,
): Promise<{ status: number | null; hook: string; eventId: string; runs: number }> {
	const [hook] = activeFor(em, url);
	const { event } = await em.emit(type);
	const match = (x: EmulatorDelivery) => x.eventIds.includes(event.id) && x.webhookId === hook?.id;
	const deliveries = await em.waitForDeliveries((d) => d.some(match), 15_000);
	await waitUntil(async () => (await runsOf(wf, event.id)) >= 1, 30_000);
	await delay(1500); // a second run would show by now
	return {
		status: deliveries.find(match)?.status ?? null,
		hook: hook?.id,
		eventId: event.id,
		runs: await runsOf(wf, event.id),
	};
}

describe('Mando Trigger: a health-check repair survives a restart (n8n 2.40.7, default settings)', () => {
	test('admin deletes the webhook → the health check re-creates it; n8n stops before any delivery, an event is sent while it is down → after the restart Mando’s retry reaches the same webhook: 200, one run, 0 × 401', async () => {
		const { emulator: em, credential } = await account('Mando (repair durable)');
		const wf = await createTriggerWorkflow(n8n, credential, {
			events: ['customer.created'],
			options: { checkInterval: CHECK_MINUTES },
		});
		const url = n8n.webhookUrl(wf.webhookPath);
		try {
			await publish(n8n, wf.id);
			const first = await deliverOnce(em, wf, url, 'customer.created');
			expect(first.status).toBe(200);
			const afterFirst = em.deliveries().length;
			const savedA = await savedRegistration(n8n, wf.id);
			expect(savedA?.webhookId).toBe(first.hook);

			em.deleteWebhook(first.hook);
			const t0 = Date.now();
			expect(await waitUntil(() => activeFor(em, url).length === 1, 30_000)).toBe(true);
			const [b] = activeFor(em, url);
			expect(b.id).not.toBe(first.hook);
			const repairedIn = (Date.now() - t0) / 1000;
			// Bounded wait: does the database name the new webhook before n8n stops?
			const saved = await waitForSavedRegistration(n8n, wf.id, (r) => r?.webhookId === b.id);
			log(
				`admin deleted webhook ${first.hook} → health check re-created it as ${b.id} in ${repairedIn.toFixed(1)} s; saved static data names ${saved?.webhookId ?? 'none'} ${((Date.now() - t0) / 1000).toFixed(1)} s after the delete`,
			);

			// No delivery since the first one: nothing but the trigger itself can have saved B.
			const deliveriesBeforeStop = em.deliveries().length;
			expect(em.deliveries().filter((d) => !d.eventIds.includes(first.eventId))).toHaveLength(0);
			await n8n.stop();
			// Mando's attempt 2 comes `retryMs` after attempt 1 fails: after n8n is back (1.5 × first boot + 10 s, at least 30 s).
			const retryMs = Math.max(30_000, Math.round(bootMs * 1.5 + 10_000));
			em.setConfig({ timeScale: retryMs / 60_000 });
			const { event } = await em.emit('customer.created');
			const attempt1 = em.deliveries().filter((d) => d.eventIds.includes(event.id));
			expect(attempt1.map((d) => [d.webhookId, d.outcome])).toEqual([[b.id, 'failed']]);
			const restartStarted = Date.now();
			await n8n.restart();
			const restartS = (Date.now() - restartStarted) / 1000;

			// Wait for Mando's retry to be answered (a retry that finds the webhook inactive is skipped and ends it).
			const ofEvent = (ds: EmulatorDelivery[]) => ds.filter((d) => d.eventIds.includes(event.id));
			await em
				.waitForDeliveries(
					(ds) => ofEvent(ds).some((d) => d.outcome === 'ok' || d.outcome === 'skipped'),
					retryMs * 6 + 60_000,
				)
				.catch(() => undefined);
			await waitUntil(async () => (await runsOf(wf, event.id)) >= 1, 30_000);
			await delay(1500);
			const attempts = ofEvent(em.deliveries());
			const runs = await runsOf(wf, event.id);
			log(
				`n8n stopped with no delivery in between (${deliveriesBeforeStop - afterFirst} since the first), ${event.id} emitted while down, restart took ${restartS.toFixed(1)} s, retry after ${(retryMs / 1000).toFixed(0)} s → attempts: ${attempts.map(describe1).join('; ')}; webhooks for the URL: ${idsFor(em, url).join(', ')}; runs of ${event.id}: ${runs}; ${count401(em)} × 401`,
			);
			expect(idsFor(em, url)).toEqual([b.id]);
			expect(
				attempts.filter((d) => d.outcome === 'ok').map((d) => [d.webhookId, d.status]),
			).toEqual([[b.id, 200]]);
			expect(runs).toBe(1);
			expect(count401(em)).toBe(0);
		} finally {
			em.setConfig({ timeScale: FAST_RETRIES });
			await unpublish(n8n, wf.id).catch(() => undefined);
		}
	});

	test('the API key changed → the health check re-seals the secret under the new key; n8n restarts before any delivery → the same webhook verifies: 200, one run, no replacement, 0 × 401', async () => {
		const { emulator: em, credential } = await account('Mando (key change durable)');
		const wf = await createTriggerWorkflow(n8n, credential, {
			events: ['product.created'],
			options: { checkInterval: CHECK_MINUTES },
		});
		const url = n8n.webhookUrl(wf.webhookPath);
		try {
			await publish(n8n, wf.id);
			const first = await deliverOnce(em, wf, url, 'product.created');
			expect(first.status).toBe(200);
			const afterFirst = em.deliveries().length;
			const savedBefore = await savedRegistration(n8n, wf.id);
			expect(savedBefore?.webhookId).toBe(first.hook);

			// Mando rotates the key (the old one stops working); the user pastes the new one into the credential.
			em.setConfig({ apiKey: NEW_API_KEY });
			const t0 = Date.now();
			await n8n.api('PATCH', `/credentials/${credential.id}`, {
				name: credential.name,
				type: 'mandoApi',
				data: {
					apiKey: NEW_API_KEY,
					webhookSecret: WEBHOOK_SECRET,
					baseUrl: em.url,
					allowedHttpRequestDomains: 'all',
				},
			});
			const resealed = () =>
				n8n
					.logs()
					.split('\n')
					.find((l) => l.includes('re-sealed under the new key') && l.includes(first.hook));
			expect(await waitUntil(() => resealed() !== undefined, 60_000)).toBe(true);
			const resealedIn = (Date.now() - t0) / 1000;
			const saved = await waitForSavedRegistration(
				n8n,
				wf.id,
				(r) => r !== undefined && r.account !== savedBefore!.account,
			);
			log(
				`API key changed (Mando rotated it, credential PATCHed) → health check re-sealed webhook ${first.hook}'s secret in ${resealedIn.toFixed(1)} s; saved static data: webhook ${saved?.webhookId}, account fingerprint ${saved?.account === savedBefore!.account ? 'still the old key' : 'the new key'}`,
			);

			const deliveriesBeforeRestart = em.deliveries().length;
			await n8n.restart();
			await n8n.waitForPublication(wf.id);
			// The startup activation (checkExists, and create if it returns false) has run before readiness; let a replacement show.
			await waitUntil(
				() => activeFor(em, url).length !== 1 || activeFor(em, url)[0].id !== first.hook,
				10_000,
			);
			const after = await deliverOnce(em, wf, url, 'product.created');
			log(
				`n8n restarted with no delivery in between (${deliveriesBeforeRestart - afterFirst} since the first) → webhooks for the URL: ${idsFor(em, url).join(', ')}; ${after.eventId} → ${after.status} on ${after.hook}, runs ${after.runs}; ${count401(em)} × 401`,
			);
			expect(idsFor(em, url)).toEqual([first.hook]);
			expect(after.status).toBe(200);
			expect(after.hook).toBe(first.hook);
			expect(after.runs).toBe(1);
			expect(count401(em)).toBe(0);
		} finally {
			await unpublish(n8n, wf.id).catch(() => undefined);
		}
	});
});
