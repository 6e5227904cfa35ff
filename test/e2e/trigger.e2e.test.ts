import { dedupSize, getDedupState, isHandled } from '../../nodes/MandoTrigger/dedup';
import { signMandoPayload } from '../../nodes/shared/signature';
import type { Emulator } from '../emulator/server';
import { e2eLog as log } from '../harness/e2eLog';
import { startE2eStage, type E2eStage } from '../harness/e2eStage';
import { delay, N8n, nodeOutput, waitUntil } from '../harness/n8n';
import {
	createMandoCredential,
	createTriggerWorkflow,
	publish,
	unpublish,
	type CreatedWorkflow,
} from '../harness/workflows';
import { TriggerChecks } from '../harness/trigger-checks';

/**
 * The Mando Trigger end to end: a real n8n 2.40.7 with this package's dist/ loaded, the Mando
 * emulator on the other side, everything set up through n8n's public API.
 */

jest.setTimeout(15 * 60 * 1000);

let stage: E2eStage;
let emulator: Emulator;
let n8n: N8n;
let credential: { id: string; name: string };
let API_KEY: string;
let WEBHOOK_SECRET: string;

beforeAll(async () => {
	stage = await startE2eStage();
	({ emulator, n8n, credential, apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET } = stage);
});

afterAll(async () => stage?.stop());

function registrationsFor(url: string) {
	return emulator.webhooks().filter((w) => w.url === url);
}

describe('Mando Trigger in a real n8n', () => {
	// The essential checks (shared with installed.e2e.test.ts, which runs them on the copy n8n's
	// community-package installer installs); this file adds the rest around them.
	let checks: TriggerChecks;
	let wf: CreatedWorkflow;
	let url: string;
	let firstEventId: string;

	test("credential test button passes against the emulator and reports Mando's error on a bad key", async () => {
		const ok = await n8n.api<{ status: string; message?: string }>(
			'POST',
			`/credentials/${credential.id}/test`,
		);
		expect(ok.status).toBe('OK');
		const bad = await createMandoCredential(
			n8n,
			{ apiKey: 'wrong-key', webhookSecret: 'x', baseUrl: emulator.url },
			'Mando (bad key)',
		);
		const failed = await n8n.api<{ status: string; message: string }>(
			'POST',
			`/credentials/${bad.id}/test`,
		);
		expect(failed.status).toBe('Error');
		expect(failed.message).toContain('401 UNAUTHORIZED');
		log(`credential test: good key → ${ok.status}; bad key → ${failed.status}: ${failed.message}`);
	});

	test('publishing registers exactly one webhook for the production URL and the selected events', async () => {
		checks = new TriggerChecks({ n8n, emulator, credential, webhookSecret: WEBHOOK_SECRET, log });
		await checks.publishRegistersProductionUrl();
		({ wf, url } = checks);
	});

	test('a signed sale.created yields exactly one execution whose item is the typed event', async () => {
		await checks.signedEventRunsOnce();
		firstEventId = checks.firstEventId;
	});

	test('a forged delivery gets 401 and starts nothing; a signed one without a usable event gets 2xx and starts nothing', async () => {
		await checks.forgedDeliveriesRejected();
	});

	test('the same event id again yields no second execution', async () => {
		await checks.duplicateIgnored();
	});

	test('restarting n8n with the workflow published leaves exactly one registration, and de-duplication survives it', async () => {
		const persisted = await n8n.api<{ staticData?: Record<string, Record<string, unknown>> }>(
			'GET',
			`/workflows/${wf.id}`,
		);
		const state = getDedupState({ dedup: persisted.staticData?.['node:Mando Trigger']?.dedup });
		expect(isHandled(state, firstEventId)).toBe(true);
		await n8n.restart();
		await n8n.waitForPublication(wf.id);
		const mine = registrationsFor(url);
		expect(mine).toHaveLength(1);
		expect(mine[0].active).toBe(true);
		expect(emulator.webhooks()).toHaveLength(1);
		// The in-process memory is gone: only the persisted static data knows the id now.
		const before = emulator.deliveries().length;
		await emulator.emit('sale.created', { id: firstEventId });
		const [answer] = await emulator.waitForDeliveries(
			(d) => d.slice(before).some((x) => x.eventIds.includes(firstEventId) && x.status === 200),
			20_000,
		);
		expect(answer).toBeDefined();
		await delay(1500);
		expect(await n8n.executions(wf.id)).toHaveLength(2);
		log(
			`after restart: ${mine.length} registration (${mine[0].id}, active=${mine[0].active}); persisted de-dup state held ${dedupSize(state)} ids; ${firstEventId} re-sent → answered 200, still 2 executions`,
		);
	});

	test('"listen for test event" while published registers the test URL separately and removes it afterwards', async () => {
		const testUrl = `${n8n.baseUrl}/webhook-test/${wf.webhookPath}`;
		const before = (await n8n.executions(wf.id)).length;
		const run = await n8n.rest<{ waitingForWebhook?: boolean }>('POST', `/workflows/${wf.id}/run`, {
			triggerToStartFrom: { name: 'Mando Trigger' },
		});
		expect(run.waitingForWebhook).toBe(true);
		await waitUntil(() => registrationsFor(testUrl).some((w) => w.active));
		const testHooks = registrationsFor(testUrl);
		expect(testHooks.filter((w) => w.active)).toHaveLength(1);
		expect(registrationsFor(url).filter((w) => w.active)).toHaveLength(1);
		log(
			`test listening: test URL ${testUrl} registered as ${testHooks[0].id}; production webhook still active`,
		);
		const { event } = await emulator.emit('sale.created');
		await waitUntil(() => registrationsFor(testUrl).every((w) => !w.active));
		expect(registrationsFor(testUrl).every((w) => !w.active)).toBe(true);
		expect(registrationsFor(url).filter((w) => w.active)).toHaveLength(1);
		const deliveries = emulator.deliveries().filter((d) => d.eventIds.includes(event.id));
		expect(deliveries.map((d) => d.status)).toEqual([200, 200]);
		const executions = await n8n.waitForExecutions(wf.id, before + 2);
		const modes = executions
			.slice(0, executions.length - before)
			.map((e) => e.mode)
			.sort();
		expect(modes).toEqual(['manual', 'webhook']);
		log(
			`test event ${event.id}: delivered to production and test URL (${deliveries.map((d) => d.status).join(', ')}); one production and one test execution (${modes.join(', ')}); test webhook deactivated after the test run, production one still active`,
		);
	});

	test("node version 2: the sale's fields at the top of the item (total, not data.total), the event under _event; a repeated id runs nothing", async () => {
		const v11 = await createTriggerWorkflow(
			n8n,
			credential,
			{ events: ['sale.created'] },
			{ typeVersion: 2 },
		);
		await publish(n8n, v11.id);
		const { event } = await emulator.emit('sale.created');
		const [execution] = await n8n.waitForExecutions(v11.id, 1);
		const [item] = nodeOutput(execution, 'Mando Trigger');
		expect(item).toEqual({
			...(event.data as object),
			_event: { id: event.id, type: 'sale.created', created: event.created },
		});
		await emulator.emit('sale.created', { id: event.id });
		await delay(3000);
		expect(await n8n.waitForExecutions(v11.id, 1)).toHaveLength(1);
		log(
			`node version 2: sale ${String(item.id)} → item with total ${JSON.stringify(item.total)} at the top and _event ${JSON.stringify(item._event)}; the same event id again → still 1 execution`,
		);
		await unpublish(n8n, v11.id);
	});

	test('unpublishing deactivates the registration on the emulator', async () => {
		await checks.unpublishDeactivates();
	});

	test('"Acknowledge: After the workflow succeeds" with a failing workflow answers non-2xx and Mando retries', async () => {
		const failing = await createTriggerWorkflow(
			n8n,
			credential,
			{ events: ['stock.low'], acknowledge: 'afterSuccess' },
			{ next: 'fail' },
		);
		const failingUrl = n8n.webhookUrl(failing.webhookPath);
		await publish(n8n, failing.id);
		await waitUntil(() => registrationsFor(failingUrl).some((w) => w.active));
		const { event } = await emulator.emit('stock.low');
		const deadline = Date.now() + 60_000;
		let attempts = emulator.deliveries().filter((d) => d.eventIds.includes(event.id));
		while (Date.now() < deadline && attempts.length < 5) {
			await delay(500);
			attempts = emulator.deliveries().filter((d) => d.eventIds.includes(event.id));
		}
		expect(attempts.length).toBe(5);
		for (const a of attempts) expect(a.status === null || a.status >= 300).toBe(true);
		const executions = await n8n.waitForExecutions(failing.id, 5);
		expect(executions.filter((e) => e.status === 'error')).toHaveLength(5);
		const [webhook] = registrationsFor(failingUrl);
		expect(webhook.active).toBe(false);
		log(
			`afterSuccess + failing workflow: ${attempts.length} attempts, statuses ${attempts.map((a) => a.status).join(', ')}; ${executions.length} failed executions; webhook disabled by emulator (active=${webhook.active})`,
		);
		await unpublish(n8n, failing.id);
	});

	test('a per-webhook secret returned by Mando at registration is the one deliveries are verified with', async () => {
		emulator.setConfig({ perWebhookSecrets: true });
		try {
			const noSecret = await createMandoCredential(
				n8n,
				{ apiKey: API_KEY, baseUrl: emulator.url },
				'Mando (no account secret)',
			);
			const wfSecret = await createTriggerWorkflow(n8n, noSecret, {
				events: ['customer.created'],
				options: { output: 'data' },
			});
			const secretUrl = n8n.webhookUrl(wfSecret.webhookPath);
			await publish(n8n, wfSecret.id);
			await waitUntil(() => registrationsFor(secretUrl).some((w) => w.active));
			const [hook] = registrationsFor(secretUrl);
			expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
			const { event } = await emulator.emit('customer.created');
			const [execution] = await n8n.waitForExecutions(wfSecret.id, 1);
			expect(nodeOutput(execution, 'Mando Trigger')).toEqual([event.data]);
			const forged = await emulator.send(hook.id, JSON.stringify(event), {
				'X-Mando-Signature': signMandoPayload(JSON.stringify(event), WEBHOOK_SECRET),
			});
			expect(forged.status).toBe(401);
			log(
				`per-webhook secret: webhook ${hook.id} got its own secret; signed with it → execution #${execution.id} (output "data only": ${String((nodeOutput(execution, 'Mando Trigger')[0] as { name: string }).name)}); signed with the account secret → ${forged.status}`,
			);
			expect(n8n.logs()).not.toContain(hook.secret as string);
			await unpublish(n8n, wfSecret.id);
		} finally {
			emulator.setConfig({ perWebhookSecrets: false });
		}
	});

	test('an account whose API has no webhook resource: publishing fails and says to switch to Manual, with the URL', async () => {
		emulator.setConfig({ webhookResource: false });
		try {
			const wf404 = await createTriggerWorkflow(n8n, credential, { events: ['sale.created'] });
			const url404 = n8n.webhookUrl(wf404.webhookPath);
			const error = await publish(n8n, wf404.id).then(
				() => '',
				(e: Error) => e.message,
			);
			expect(error).toContain('no webhook resource');
			expect(error).toContain('Manual');
			expect(error).toContain(url404);
			log(`no webhook resource (404): publish refused: ${error.slice(0, 220)}…`);
			// Manual registration: the user pastes the production URL into Mando's admin panel.
			const manual = await createTriggerWorkflow(n8n, credential, {
				events: ['sale.created'],
				registration: 'manual',
			});
			const manualUrl = n8n.webhookUrl(manual.webhookPath);
			await publish(n8n, manual.id);
			await delay(1000);
			expect(registrationsFor(manualUrl)).toHaveLength(0);
			expect(registrationsFor(url404)).toHaveLength(0);
			emulator.addWebhook({ url: manualUrl, events: ['sale.created'] });
			const { event } = await emulator.emit('sale.created');
			const [execution] = await n8n.waitForExecutions(manual.id, 1);
			expect(nodeOutput(execution, 'Mando Trigger')).toEqual([event]);
			log(
				`manual registration: published with no API call; webhook added "in the admin panel" → execution #${execution.id} for ${event.id}`,
			);
			await unpublish(n8n, manual.id);
		} finally {
			emulator.setConfig({ webhookResource: true });
		}
	});
});
