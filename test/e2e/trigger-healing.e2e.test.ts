import { randomBytes, randomUUID } from 'crypto';
import { readFileSync } from 'fs';
import path from 'path';
import { DEACTIVATION_GRACE_MS } from '../../nodes/MandoTrigger/lifecycle';
import { signMandoPayload } from '../../nodes/shared/signature';
import { startEmulator, type Emulator } from '../emulator/server';
import { delay, N8n, nodeOutput, REPO_ROOT, waitUntil } from '../harness/n8n';
import {
	createMandoCredential,
	createTriggerWorkflow,
	NODE_PREFIX,
	publish,
	unpublish,
	type CreatedWorkflow,
} from '../harness/workflows';

/**
 * The Mando Trigger's registration on a real n8n 2.40.7 with default settings (workflow
 * publication service on): per-webhook secrets kept across republish and test listens, sealed in
 * static data, self-healing after admin changes and restarts, failures visible, an idempotent
 * registration POST and a credential moved to another account.
 */

jest.setTimeout(20 * 60 * 1000);

const API_KEY = 'heal-api-key-' + randomBytes(6).toString('hex');
const WEBHOOK_SECRET = 'heal-whsec-' + randomBytes(8).toString('hex');
const API_KEY_2 = 'heal-api-key-two-' + randomBytes(6).toString('hex');
/** Health check every 0.1 min = 6 s. */
const CHECK_MINUTES = 0.1;

function log(line: string): void {
	process.stdout.write(`[e2e] ${line.replace(/\u001b\[\d+m/g, '')}\n`);
}

let emulator: Emulator;
let n8n: N8n;
let credential: { id: string; name: string };
/** Every per-webhook secret the emulator handed out. */
const secretsSeen = new Set<string>();

function noteSecrets(em: Emulator = emulator): void {
	for (const w of em.webhooks()) if (w.secret) secretsSeen.add(w.secret);
}

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
	credential = await createMandoCredential(n8n, {
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		baseUrl: emulator.url,
	});
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
});

const activeFor = (url: string, em: Emulator = emulator) =>
	em.webhooks().filter((w) => w.url === url && w.active);
const statuses401 = () => emulator.deliveries().filter((d) => d.status === 401).length;

/** Emits `type`, waits for its delivery to `url` and for the workflow's `count`-th execution. */
async function deliverTo(
	url: string,
	type: string,
	workflowId: string,
	count: number,
): Promise<{ status: number | null; executions: number }> {
	const { event } = await emulator.emit(type);
	const [hook] = activeFor(url);
	const deliveries = await emulator.waitForDeliveries(
		(d) => d.some((x) => x.eventIds.includes(event.id) && x.webhookId === hook?.id),
		15_000,
	);
	const delivery = deliveries.find(
		(x) => x.eventIds.includes(event.id) && x.webhookId === hook?.id,
	);
	const executions = await n8n.waitForExecutions(workflowId, count);
	return { status: delivery?.status ?? null, executions: executions.length };
}

/** The first n8n log line that `match` accepts, waiting up to 10 s for it to be written. */
async function logLine(match: (line: string) => boolean): Promise<string | undefined> {
	const find = () => n8n.logs().split('\n').find(match);
	await waitUntil(() => find() !== undefined, 10_000);
	return find();
}

/** Saves the workflow through n8n's public API (trigger parameters changed by `edit`) and publishes it. */
async function republish(
	workflowId: string,
	edit: (p: Record<string, unknown>) => Record<string, unknown> = (p) => p,
	settings: Record<string, unknown> = {},
): Promise<void> {
	const current = await n8n.api<
		Record<string, unknown> & {
			nodes: Array<{ name: string; parameters: Record<string, unknown> }>;
		}
	>('GET', `/workflows/${workflowId}`);
	const nodes = current.nodes.map((n) =>
		n.name === 'Mando Trigger' ? { ...n, parameters: edit(n.parameters) } : n,
	);
	await n8n.api('PUT', `/workflows/${workflowId}`, {
		name: current.name,
		nodes,
		connections: current.connections,
		settings: { ...(current.settings as object), ...settings },
	});
	await publish(n8n, workflowId);
}

describe('Mando Trigger registration that heals itself (n8n 2.40.7, default settings)', () => {
	let wf: CreatedWorkflow;
	let url: string;

	test('per-webhook secrets survive unpublish → publish and an edited republish; 0 × 401', async () => {
		wf = await createTriggerWorkflow(n8n, credential, {
			events: ['customer.created'],
			options: { checkInterval: CHECK_MINUTES },
		});
		url = n8n.webhookUrl(wf.webhookPath);
		await publish(n8n, wf.id);
		const first = await deliverTo(url, 'customer.created', wf.id, 1);
		expect(first.status).toBe(200);
		const [hook1] = activeFor(url);
		await unpublish(n8n, wf.id);
		// The trigger deactivates it after its grace period (a republish within it keeps it active).
		await waitUntil(() => activeFor(url).length === 0, 20_000);
		expect(activeFor(url)).toHaveLength(0);
		await publish(n8n, wf.id);
		const second = await deliverTo(url, 'customer.created', wf.id, 2);
		expect(second.status).toBe(200);
		const [hook2] = activeFor(url);
		expect(hook2.id).toBe(hook1.id);
		// Edit a parameter and publish: n8n 2.40.7 runs delete-then-create.
		await republish(wf.id, (parameters) => ({
			...parameters,
			events: ['customer.created', 'customer.updated'],
		}));
		await waitUntil(() => activeFor(url).some((w) => w.events.includes('customer.updated')));
		const third = await deliverTo(url, 'customer.updated', wf.id, 3);
		expect(third.status).toBe(200);
		expect(activeFor(url)).toHaveLength(1);
		noteSecrets();
		expect(statuses401()).toBe(0);
		log(
			`per-webhook secret: publish → deliver ${first.status} → unpublish → publish → deliver ${second.status} (same webhook ${hook2.id}) → edit events + publish → deliver ${third.status}; ${statuses401()} × 401`,
		);
	});

	test('"Listen for test event" twice: both test deliveries verify and both test runs finish', async () => {
		const testWf = await createTriggerWorkflow(n8n, credential, { events: ['stock.low'] });
		const testUrl = `${n8n.baseUrl}/webhook-test/${testWf.webhookPath}`;
		const results: string[] = [];
		for (let i = 1; i <= 2; i++) {
			const run = await n8n.rest<{ waitingForWebhook?: boolean }>(
				'POST',
				`/workflows/${testWf.id}/run`,
				{ triggerToStartFrom: { name: 'Mando Trigger' } },
			);
			expect(run.waitingForWebhook).toBe(true);
			await waitUntil(() => activeFor(testUrl).length === 1);
			noteSecrets();
			const { event } = await emulator.emit('stock.low');
			const [delivery] = await emulator
				.waitForDeliveries((d) => d.some((x) => x.eventIds.includes(event.id)), 15_000)
				.then((d) => d.filter((x) => x.eventIds.includes(event.id)));
			expect(delivery.status).toBe(200);
			const executions = await n8n.waitForExecutions(testWf.id, i);
			expect(executions[0]).toMatchObject({ mode: 'manual', status: 'success' });
			await waitUntil(() => activeFor(testUrl).length === 0);
			results.push(
				`listen #${i}: webhook ${delivery.webhookId} → ${delivery.status}, test run ${executions[0].status}`,
			);
		}
		expect(statuses401()).toBe(0);
		log(`test listens: ${results.join('; ')}; ${statuses401()} × 401`);
	});

	test('admin deactivates or deletes the webhook while published → repaired by the health check, warning logged', async () => {
		const [hook] = activeFor(url);
		emulator.deactivateWebhook(hook.id);
		const t0 = Date.now();
		await waitUntil(() => activeFor(url).length === 1, 30_000);
		const repairedIn = Date.now() - t0;
		expect(activeFor(url)[0].id).toBe(hook.id);
		expect(n8n.logs()).toMatch(
			new RegExp(`Mando webhook ${hook.id} for \\S+ was found disabled outside n8n`),
		);
		// The warning follows the repair's API requests, so it can reach the log after the emulator
		// shows the webhook active again.
		const warning1 = await logLine(
			(l) => l.includes('health check: webhook ' + hook.id) && l.includes('inactive'),
		);
		expect(warning1).toBeDefined();
		log(
			`admin deactivated webhook ${hook.id} → re-activated in ${(repairedIn / 1000).toFixed(1)} s (check every ${CHECK_MINUTES * 60} s), no restart; n8n log: ${warning1!.trim()}`,
		);

		emulator.deleteWebhook(hook.id);
		const t1 = Date.now();
		await waitUntil(() => activeFor(url).length === 1, 30_000);
		const [recreated] = activeFor(url);
		expect(recreated.id).not.toBe(hook.id);
		noteSecrets();
		const warning2 = await logLine(
			(l) => l.includes('health check: webhook ' + hook.id) && l.includes('deleted there'),
		);
		expect(warning2).toBeDefined();
		// The repair happened in trigger(), whose static data n8n does not save: the registration
		// sync through the production URL puts it in the saved static data before any delivery.
		const saved = await logLine((l) =>
			l.includes(`saved the registration of webhook ${recreated.id} through its own webhook URL`),
		);
		expect(saved).toBeDefined();
		const stored = await n8n.api<{ staticData?: Record<string, unknown> }>(
			'GET',
			`/workflows/${wf.id}`,
		);
		const production = JSON.stringify(stored.staticData ?? {}).match(
			/"production":\{"webhookId":"([^"]+)"/,
		)?.[1];
		expect(production).toBe(recreated.id);
		log(
			`admin deleted webhook ${hook.id} → re-created as ${recreated.id} in ${((Date.now() - t1) / 1000).toFixed(1)} s; n8n log: ${warning2!.trim()}; before any delivery the saved static data names ${production} (registration sync)`,
		);
		const before = (await n8n.executions(wf.id)).length;
		const after = await deliverTo(url, 'customer.created', wf.id, before + 1);
		expect(after.status).toBe(200);
	});

	test('the same two cases across a plain n8n restart; then a delivery runs once', async () => {
		for (const action of ['deactivated', 'deleted'] as const) {
			const [hook] = activeFor(url);
			await n8n.stop();
			if (action === 'deactivated') emulator.deactivateWebhook(hook.id);
			else emulator.deleteWebhook(hook.id);
			await n8n.restart();
			// The publication reconciler re-publishes at startup: checkExists → create ran already.
			await waitUntil(() => activeFor(url).length === 1, 30_000);
			const [now] = activeFor(url);
			if (action === 'deactivated') expect(now.id).toBe(hook.id);
			else expect(now.id).not.toBe(hook.id);
			noteSecrets();
			log(
				`webhook ${hook.id} ${action} while n8n was down → after a plain restart (default settings) webhook ${now.id} active`,
			);
		}
		const before = (await n8n.executions(wf.id)).length;
		const { event } = await emulator.emit('customer.created');
		await emulator.waitForDeliveries((d) => d.some((x) => x.eventIds.includes(event.id)), 15_000);
		// n8n answers once the run is stored; the run may still be going. Wait for it, then long
		// enough that a second run would show.
		await n8n.waitForExecutions(wf.id, before + 1);
		await delay(1500);
		const executions = await n8n.executions(wf.id);
		const delivered = emulator.deliveries().filter((d) => d.eventIds.includes(event.id));
		expect(delivered.map((d) => d.status)).toEqual([200]);
		expect(executions.length - before).toBe(1);
		expect(statuses401()).toBe(0);
		log(
			`after the restarts: ${event.id} → ${delivered.map((d) => d.status).join(', ')}, ${executions.length - before} execution; ${statuses401()} × 401 so far`,
		);
	});

	test('neither the public API nor the n8n log reveals a per-webhook or account secret', async () => {
		noteSecrets();
		const body = Buffer.from(JSON.stringify(await n8n.api('GET', `/workflows/${wf.id}`)));
		const logs = Buffer.from(n8n.logs());
		const secrets = [...secretsSeen, WEBHOOK_SECRET, API_KEY];
		const leaks = secrets.filter(
			(s) => body.includes(Buffer.from(s)) || logs.includes(Buffer.from(s)),
		);
		expect(secretsSeen.size).toBeGreaterThanOrEqual(3);
		expect(leaks).toEqual([]);
		const sealed = JSON.stringify(JSON.parse(body.toString()).staticData ?? {}).match(
			/"sealedSecret":"(v1\.[^"]{0,12})/,
		)?.[1];
		expect(sealed).toBeDefined();
		log(
			`GET /api/v1/workflows/${wf.id} (${body.length} bytes) and the n8n log (${logs.length} bytes) searched for ${secrets.length} secrets (${secretsSeen.size} per-webhook): ${leaks.length} found; static data holds "sealedSecret": "${sealed}…"`,
		);
	});

	test("Mando answers 401 to the periodic check → an activation error with Mando's message and the error workflow runs; publishing after the fix clears it", async () => {
		const errorWf = await n8n.api<{ id: string }>('POST', '/workflows', {
			name: 'Mando errors',
			nodes: [
				{
					id: randomUUID(),
					name: 'Error Trigger',
					type: 'n8n-nodes-base.errorTrigger',
					typeVersion: 1,
					position: [0, 0],
					parameters: {},
				},
				{
					id: randomUUID(),
					name: 'No Operation',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [240, 0],
					parameters: {},
				},
			],
			connections: {
				'Error Trigger': { main: [[{ node: 'No Operation', type: 'main', index: 0 }]] },
			},
			settings: {
				executionOrder: 'v1',
				saveDataSuccessExecution: 'all',
				saveDataErrorExecution: 'all',
			},
		});
		await publish(n8n, errorWf.id); // n8n 2.40.7 runs only a published error workflow
		// A changed trigger parameter makes n8n re-register the trigger with the new settings.
		const republishLog = n8n.logs().length;
		await republish(wf.id, (p) => ({ ...p, events: ['customer.updated', 'customer.created'] }), {
			errorWorkflow: errorWf.id,
		});
		await waitUntil(() => activeFor(url).length === 1);
		// A new version with the same events: n8n runs delete, then checkExists finds the webhook as
		// configured (no create follows), and the trigger cancels the delete's deferred deactivation.
		const kept = await waitUntil(
			() => n8n.logs().slice(republishLog).includes('stayed active across the republish'),
			30_000,
		);
		expect(kept).toBe(true);
		emulator.setConfig({ apiKey: 'rotated-elsewhere' });
		try {
			let error: string | null = null;
			await waitUntil(async () => {
				error = await n8n
					.rest<string | null>('GET', `/active-workflows/error/${wf.id}`)
					.catch(() => null);
				return typeof error === 'string' && error.length > 0;
			}, 60_000);
			expect(error).toContain('401');
			expect(error).toContain('Missing or invalid API key');
			const logged = n8n
				.logs()
				.split('\n')
				.find((l) => l.includes('health check failed'));
			const [errorRun] = await n8n.waitForExecutions(errorWf.id, 1, 30_000);
			expect(errorRun).toBeDefined();
			const errorInput = nodeOutput(errorRun, 'Error Trigger')[0] as
				{ trigger?: { error?: { message?: string; cause?: { message?: string } } } } | undefined;
			log(
				`Mando answered 401 to the health check → GET /rest/active-workflows/error/${wf.id}: "${error}"; n8n log: ${logged?.trim()}`,
			);
			log(
				`error workflow: execution #${errorRun.id} (mode ${errorRun.mode}, ${errorRun.status}) with "${errorInput?.trigger?.error?.message ?? JSON.stringify(errorInput).slice(0, 160)}"`,
			);
		} finally {
			emulator.setConfig({ apiKey: API_KEY });
		}
		// Past n8n's 5 re-tries (about 15 s) the error stays until the workflow is published again.
		const activationError = async () => {
			const answer = await n8n.rest<unknown>('GET', `/active-workflows/error/${wf.id}`);
			return typeof answer === 'string' && answer.length > 0 ? answer : undefined;
		};
		const stillShown = await activationError();
		const logBefore = n8n.logs().length;
		await publish(n8n, wf.id);
		const cleared = await waitUntil(async () => (await activationError()) === undefined, 30_000);
		expect(cleared).toBe(true);
		// No deactivation follows the publish after the fix: the webhook stays active past the grace
		// period without a repair.
		await delay(DEACTIVATION_GRACE_MS + 1_000);
		const deactivatedSince = n8n
			.logs()
			.slice(logBefore)
			.split('\n')
			.filter((l) => l.includes('deactivated by this trigger (workflow unpublished)'));
		expect(deactivatedSince).toEqual([]);
		expect(activeFor(url)).toHaveLength(1);
		log(
			`API key accepted again → activation error ${stillShown ? 'still shown' : 'gone'} until the workflow is published again, then ${cleared ? 'cleared' : 'still shown'}; webhook active ${DEACTIVATION_GRACE_MS / 1000 + 1} s later: ${activeFor(url).length} (deactivations by the publish's delete: ${deactivatedSince.length})`,
		);
	});

	test('a dropped connection after Mando stored the registration POST leaves exactly 1 active webhook', async () => {
		const dropWf = await createTriggerWorkflow(n8n, credential, { events: ['sale.created'] });
		const dropUrl = n8n.webhookUrl(dropWf.webhookPath);
		const before = emulator.requests().length;
		emulator.injectFault({
			method: 'POST',
			path: '/api/secure/webhook',
			kind: 'dropAfter',
			count: 1,
		});
		await publish(n8n, dropWf.id);
		const posts = emulator
			.requests()
			.slice(before)
			.filter((r) => r.method === 'POST' && r.path === '/api/secure/webhook');
		expect(activeFor(dropUrl)).toHaveLength(1);
		noteSecrets();
		const { event } = await emulator.emit('sale.created');
		await emulator.waitForDeliveries(
			(d) =>
				d.some((x) => x.eventIds.includes(event.id) && x.webhookId === activeFor(dropUrl)[0].id),
			15_000,
		);
		const status = emulator
			.deliveries()
			.find(
				(d) => d.eventIds.includes(event.id) && d.webhookId === activeFor(dropUrl)[0].id,
			)?.status;
		expect(status).toBe(200);
		log(
			`registration POST dropped after Mando stored it (${posts.length} POSTs, statuses ${posts.map((p) => p.status).join(', ')}) → ${activeFor(dropUrl).length} active webhook for the URL, ${emulator.webhooks().filter((w) => w.url === dropUrl).length} in all; delivery → ${status}`,
		);
		await unpublish(n8n, dropWf.id);
	});

	test('credential moved to a second account while published, then republish and unpublish → 0 active on the first; a rotated secret applies', async () => {
		const second = await startEmulator({
			apiKey: API_KEY_2,
			webhookSecret: WEBHOOK_SECRET,
			allowHttp: true,
			perWebhookSecrets: true,
			timeScale: 1 / 3000,
		});
		try {
			const cred = await createMandoCredential(
				n8n,
				{ apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: emulator.url },
				'Mando (moving)',
			);
			const moving = await createTriggerWorkflow(n8n, cred, { events: ['product.created'] });
			const movingUrl = n8n.webhookUrl(moving.webhookPath);
			await publish(n8n, moving.id);
			expect(activeFor(movingUrl)).toHaveLength(1);
			await n8n.api('PATCH', `/credentials/${cred.id}`, {
				name: cred.name,
				type: 'mandoApi',
				data: { apiKey: API_KEY_2, webhookSecret: WEBHOOK_SECRET, baseUrl: second.url },
			});
			await republish(moving.id, (p) => ({ ...p, options: { checkInterval: 14 } })); // a new version: n8n runs delete, then create
			await waitUntil(() => activeFor(movingUrl, second).length === 1);
			const onFirstAfterRepublish = activeFor(movingUrl).length;
			await unpublish(n8n, moving.id);
			await waitUntil(() => activeFor(movingUrl, second).length === 0, 20_000);
			const onFirst = activeFor(movingUrl).length;
			const onSecond = activeFor(movingUrl, second).length;
			expect(onFirstAfterRepublish).toBe(0);
			expect(onFirst).toBe(0);
			expect(onSecond).toBe(0);
			noteSecrets(second);
			log(
				`credential moved to a second account while published → republish: ${onFirstAfterRepublish} active on the first account, 1 on the second → unpublish: ${onFirst} on the first, ${onSecond} on the second`,
			);
		} finally {
			await second.close();
		}

		// Rotated account secret (credential without per-webhook secrets on this emulator).
		emulator.setConfig({ perWebhookSecrets: false });
		const rotCred = await createMandoCredential(
			n8n,
			{ apiKey: API_KEY, webhookSecret: 'old-' + WEBHOOK_SECRET, baseUrl: emulator.url },
			'Mando (rotating)',
		);
		const rot = await createTriggerWorkflow(n8n, rotCred, { events: ['businessday.opened'] });
		const rotUrl = n8n.webhookUrl(rot.webhookPath);
		await publish(n8n, rot.id);
		const [rotHook] = activeFor(rotUrl);
		const body = JSON.stringify({
			id: 'evt_rot_' + randomBytes(4).toString('hex'),
			type: 'businessday.opened',
			created: new Date().toISOString(),
			data: {},
		});
		const warm = await emulator.send(rotHook.id, body, {
			'X-Mando-Signature': signMandoPayload(body, 'old-' + WEBHOOK_SECRET),
		});
		await n8n.api('PATCH', `/credentials/${rotCred.id}`, {
			name: rotCred.name,
			type: 'mandoApi',
			data: { apiKey: API_KEY, webhookSecret: 'new-' + WEBHOOK_SECRET, baseUrl: emulator.url },
		});
		const body2 = body.replace('evt_rot_', 'evt_rot2_');
		const fresh = await emulator.send(rotHook.id, body2, {
			'X-Mando-Signature': signMandoPayload(body2, 'new-' + WEBHOOK_SECRET),
		});
		expect(fresh.status).toBe(200);
		await delay(61_000);
		const body3 = body.replace('evt_rot_', 'evt_rot3_');
		const stale = await emulator.send(rotHook.id, body3, {
			'X-Mando-Signature': signMandoPayload(body3, 'old-' + WEBHOOK_SECRET),
		});
		expect(stale.status).toBe(401);
		log(
			`rotated secret: old one before rotation → ${warm.status}; new one at once → ${fresh.status}; old one after the 60 s reuse window → ${stale.status}`,
		);
		await unpublish(n8n, rot.id);
		emulator.setConfig({ perWebhookSecrets: true });
	});

	test('examples/mando-webhook-health.json lists every webhook and passes the inactive ones on to Slack', async () => {
		const manual = emulator.addWebhook({
			url: 'https://shop.example.fi/hooks/mando',
			events: ['sale.created'],
			description: 'Added by hand',
		});
		emulator.deactivateWebhook(manual.id);
		const file = JSON.parse(
			readFileSync(path.join(REPO_ROOT, 'examples', 'mando-webhook-health.json'), 'utf8'),
		) as {
			name: string;
			nodes: Array<{ name: string; type: string; credentials?: unknown; disabled?: boolean }>;
			connections: unknown;
			settings: unknown;
		};
		for (const node of file.nodes) {
			node.type = node.type.replace(/^n8n-nodes-mando\./, `${NODE_PREFIX}.`);
			if (node.type === `${NODE_PREFIX}.mando`) node.credentials = { mandoApi: credential };
			if (node.name === 'Slack') node.disabled = true;
		}
		const created = await n8n.api<{ id: string }>('POST', '/workflows', {
			name: file.name,
			nodes: file.nodes,
			connections: file.connections,
			settings: file.settings,
		});
		await n8n.rest('POST', `/workflows/${created.id}/run`, {
			triggerToStartFrom: { name: 'Every 15 minutes' },
		});
		const [execution] = await n8n.waitForExecutions(created.id, 1);
		expect(execution.status).toBe('success');
		const listed = nodeOutput(execution, 'Get webhooks');
		const messages = nodeOutput(execution, 'Message').map((m) => String(m.text));
		const inactive = emulator.webhooks().filter((w) => !w.active);
		expect(listed).toHaveLength(emulator.webhooks().length);
		expect(messages).toHaveLength(inactive.length);
		expect(
			messages.some(
				(m) => m.includes('Added by hand') && m.includes('https://shop.example.fi/hooks/mando'),
			),
		).toBe(true);
		log(
			`example mando-webhook-health.json: listed ${listed.length} webhooks, ${messages.length} inactive → Slack would post e.g. "${messages.find((m) => m.includes('Added by hand'))}"`,
		);
	});
});
