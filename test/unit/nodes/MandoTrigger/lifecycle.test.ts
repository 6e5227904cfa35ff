import type {
	IDataObject,
	IHookFunctions,
	IHttpRequestOptions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { startEmulator, type Emulator } from '../../../emulator/server';
import type { ITriggerFunctions } from 'n8n-workflow';
import {
	carryRegistration,
	checkAndRepair,
	DEACTIVATION_GRACE_MS,
	flushDeactivations,
	forgetRegistrations,
	hookCheckExists,
	hookDelete,
	loadRegistration,
	register,
	registeredSecret,
} from '../../../../nodes/MandoTrigger/lifecycle';
import { openSecret } from '../../../../nodes/MandoTrigger/sealedSecret';
import { startHealthCheck } from '../../../../nodes/MandoTrigger/health';

/**
 * The trigger's webhook methods as n8n calls them, against two emulator accounts: a hook context
 * whose HTTP helpers make real requests (n8n's helper adds the Bearer header the same way).
 */

const KEY_A = 'account-a-key';
const KEY_B = 'account-b-key';
const PROD = 'https://n8n.example.fi/webhook/abc/webhook';
const TEST = 'https://n8n.example.fi/webhook-test/abc/webhook';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

let a: Emulator;
let b: Emulator;

async function http(
	options: IHttpRequestOptions & { returnFullResponse?: boolean },
	apiKey?: string,
) {
	const url = new URL(options.url);
	for (const [k, v] of Object.entries(options.qs ?? {}))
		if (v !== undefined) url.searchParams.set(k, String(v));
	const headers = {
		...(options.headers as Record<string, string>),
		...(apiKey ? { Authorization: `Bearer ${apiKey}` } : {}),
		'Content-Type': 'application/json',
	};
	const res = await fetch(url, {
		method: options.method ?? 'GET',
		headers,
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	});
	const text = await res.text();
	return {
		statusCode: res.status,
		headers: Object.fromEntries(res.headers),
		body: text ? JSON.parse(text) : undefined,
	};
}

interface Hook {
	ctx: IHookFunctions;
	staticData: IDataObject;
	credentials: IDataObject | Error;
	logs: string[];
}

function hook(options: {
	url: string;
	mode?: string;
	events?: string[];
	staticData?: IDataObject;
	credentials: IDataObject | Error;
}): Hook {
	const h: Hook = {
		staticData: options.staticData ?? {},
		credentials: options.credentials,
		logs: [],
		ctx: undefined as unknown as IHookFunctions,
	};
	const parameters: IDataObject = {
		events: options.events ?? ['sale.created'],
		registration: 'automatic',
	};
	const creds = async () => {
		if (h.credentials instanceof Error) throw h.credentials;
		return h.credentials;
	};
	h.ctx = {
		getMode: () => options.mode ?? 'trigger',
		getNode: () => ({
			id: 'node-1',
			name: 'Mando Trigger',
			type: 'CUSTOM.mandoTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters,
		}),
		getWorkflow: () => ({ id: 'wf-1', name: 'Shop', active: true }),
		getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
		getNodeWebhookUrl: () => options.url,
		getWorkflowStaticData: () => h.staticData,
		getCredentials: creds,
		logger: {
			info: (m: string) => h.logs.push(`info ${m}`),
			warn: (m: string) => h.logs.push(`warn ${m}`),
			error: (m: string) => h.logs.push(`error ${m}`),
			debug: () => undefined,
		},
		helpers: {
			httpRequest: async (o: IHttpRequestOptions) => {
				const r = await http(o);
				return (o as { returnFullResponse?: boolean }).returnFullResponse ? r : r.body;
			},
			httpRequestWithAuthentication: async (_t: string, o: IHttpRequestOptions) =>
				http(o, String(((await creds()) as IDataObject).apiKey)),
		},
	} as unknown as IHookFunctions;
	return h;
}

beforeAll(async () => {
	a = await startEmulator({ apiKey: KEY_A, perWebhookSecrets: true });
	b = await startEmulator({ apiKey: KEY_B, perWebhookSecrets: true });
});
afterAll(async () => {
	await a.close();
	await b.close();
});
beforeEach(() => {
	a.reset();
	b.reset();
	forgetRegistrations();
});

describe('trigger webhook methods', () => {
	it('a credential n8n cannot resolve fails the publish with a message naming the field', async () => {
		const h = hook({ url: PROD, credentials: new Error('access to env vars denied') });
		await expect(hookCheckExists(h.ctx)).rejects.toThrow(
			/could not be resolved: access to env vars denied.*"Webhook Signing Secret"/,
		);
	});

	it('an empty Events selection fails the publish instead of ignoring every delivery', async () => {
		const h = hook({ url: PROD, events: [], credentials: { apiKey: KEY_A, baseUrl: a.url } });
		await expect(hookCheckExists(h.ctx)).rejects.toThrow('Select at least one event');
	});

	it('keeps the per-webhook secret sealed across unpublish/publish, and tears a test webhook down in internal mode by its URL', async () => {
		const creds = { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 'account-secret' };
		const prod = hook({ url: PROD, credentials: creds });
		await register(prod.ctx, PROD);
		const stored = loadRegistration(prod.ctx, 'production')!;
		const secret = a.webhooks()[0].secret!;
		expect(JSON.stringify(prod.staticData)).not.toContain(secret);
		expect(openSecret(stored.sealedSecret, KEY_A)).toBe(secret);
		// Test listen (manual mode, empty static data), then teardown in internal mode.
		const test = hook({ url: TEST, mode: 'manual', credentials: creds });
		await register(test.ctx, TEST);
		await hookDelete(hook({ url: TEST, mode: 'internal', credentials: creds }).ctx);
		expect(a.webhooks().find((w) => w.url === TEST)?.active).toBe(false);
		expect(a.webhooks().find((w) => w.url === PROD)?.active).toBe(true);
		// Unpublish, publish: the same webhook, its secret still known.
		await hookDelete(prod.ctx);
		await flushDeactivations();
		expect(await hookCheckExists(prod.ctx)).toBe(false);
		await register(prod.ctx, PROD);
		expect(
			a
				.webhooks()
				.filter((w) => w.url === PROD)
				.map((w) => w.active),
		).toEqual([true]);
		expect(openSecret(loadRegistration(prod.ctx, 'production')!.sealedSecret, KEY_A)).toBe(secret);
		expect(prod.logs.join('\n')).toContain('deactivated by this trigger, is re-activated');
	});

	it('a publish that runs delete and then finds the webhook as configured (no create) keeps it active', async () => {
		const prod = hook({
			url: PROD,
			credentials: { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' },
		});
		await register(prod.ctx, PROD);
		await hookDelete(prod.ctx);
		expect(await hookCheckExists(prod.ctx)).toBe(true);
		await flushDeactivations();
		expect(a.webhooks().map((w) => w.active)).toEqual([true]);
		expect(prod.logs.join('\n')).toContain('stayed active across the republish');
	});

	it('a credential moved to another account: delete acts on the old account, never reads a 404 there as gone', async () => {
		const h = hook({
			url: PROD,
			credentials: { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' },
		});
		await register(h.ctx, PROD);
		h.credentials = { apiKey: KEY_B, baseUrl: b.url, webhookSecret: 's' };
		expect(await hookCheckExists(h.ctx)).toBe(false);
		await register(h.ctx, PROD);
		expect(a.webhooks().filter((w) => w.active)).toHaveLength(0);
		expect(b.webhooks().filter((w) => w.active)).toHaveLength(1);
		expect(h.logs.join('\n')).toMatch(
			/on the previous account \(http:\/\/127\.0\.0\.1:\d+\/api\) was deactivated by this trigger/,
		);
		// After a restart the old key is unknown: the log says to deactivate it by hand.
		h.credentials = { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' };
		forgetRegistrations();
		await hookDelete(h.ctx);
		expect(b.webhooks().filter((w) => w.active)).toHaveLength(1);
		expect(h.logs.join('\n')).toContain('this trigger cannot reach that account any more');
	});

	it('a republish (delete, then create within the grace period) keeps the webhook active; its events are updated', async () => {
		const creds = { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' };
		const h = hook({ url: PROD, credentials: creds });
		await register(h.ctx, PROD);
		const [first] = a.webhooks();
		await hookDelete(h.ctx);
		expect(a.webhooks()[0].active).toBe(true);
		const edited = hook({
			url: PROD,
			events: ['customer.created', 'sale.created'],
			credentials: creds,
			staticData: h.staticData,
		});
		await register(edited.ctx, PROD);
		await flushDeactivations();
		expect(a.webhooks().map((w) => [w.id, w.active, w.events])).toEqual([
			[first.id, true, ['customer.created', 'sale.created']],
		]);
		expect(a.webhookHistory().map((c) => c.active)).toEqual([true]);
		expect(edited.logs.join('\n')).toContain('stayed active across the republish');
	});

	it('a republish with a new URL moves the same webhook; nothing is left delivering to the old URL', async () => {
		const creds = { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' };
		const h = hook({ url: PROD, credentials: creds });
		await register(h.ctx, PROD);
		await hookDelete(h.ctx);
		const moved = PROD.replace('/abc/', '/def/');
		await register(hook({ url: moved, credentials: creds, staticData: h.staticData }).ctx, moved);
		await flushDeactivations();
		expect(a.webhooks().map((w) => [w.url, w.active])).toEqual([[moved, true]]);
	});

	it('an unpublish (delete, no create) deactivates the webhook after the grace period and says who did', async () => {
		const h = hook({
			url: PROD,
			credentials: { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' },
		});
		await register(h.ctx, PROD);
		await hookDelete(h.ctx);
		expect(a.webhooks()[0].active).toBe(true);
		await new Promise((resolve) => setTimeout(resolve, DEACTIVATION_GRACE_MS + 500));
		expect(a.webhooks()[0].active).toBe(false);
		expect(a.webhookHistory().map((c) => [c.active, c.by])).toEqual([
			[true, 'api-create'],
			[false, 'api-update'],
		]);
		expect(h.logs.join('\n')).toMatch(
			/Mando webhook \S+ deactivated by this trigger \(workflow unpublished\)/,
		);
	}, 15_000);
});

describe('the health check after the credential changed (same Mando account)', () => {
	const KEY_A2 = 'account-a-second-key';
	const check = async (h: Hook) => await checkAndRepair(h.ctx as unknown as ITriggerFunctions);
	afterEach(() => a.setConfig({ apiKey: KEY_A }));

	it('a new API key while n8n runs: the secret is re-sealed under it, the same webhook stays, its deliveries verify', async () => {
		const h = hook({
			url: PROD,
			credentials: { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' },
		});
		await register(h.ctx, PROD);
		const [webhook] = a.webhooks();
		// Mando rotates the key: the old one stops working, the credential gets the new one.
		a.setConfig({ apiKey: KEY_A2 });
		h.credentials = { apiKey: KEY_A2, baseUrl: a.url, webhookSecret: 's' };
		const result = await check(h);
		expect(result.status).toBe('key-changed');
		const stored = loadRegistration(h.ctx, 'production')!;
		expect(openSecret(stored.sealedSecret, KEY_A2)).toBe(webhook.secret);
		expect(a.webhooks().map((w) => [w.id, w.active])).toEqual([[webhook.id, true]]);
		expect(h.logs.join('\n')).toContain('re-sealed under the new key');
		expect((await check(h)).status).toBe('ok');
	});

	it('a new API key that nothing in memory explains (after a restart): the webhook is replaced by one whose secret the new key opens', async () => {
		const h = hook({
			url: PROD,
			credentials: { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' },
		});
		await register(h.ctx, PROD);
		const [old] = a.webhooks();
		forgetRegistrations(); // a restart: only the static data remains
		a.setConfig({ apiKey: KEY_A2 });
		h.credentials = { apiKey: KEY_A2, baseUrl: a.url, webhookSecret: 's' };
		// Before the repair a delivery's secret cannot be opened.
		expect(await registeredSecret(h.ctx as never)).toBeUndefined();
		const result = await check(h);
		expect(result.status).toBe('secret-lost');
		const active = a.webhooks().filter((w) => w.active);
		expect(active).toHaveLength(1);
		expect(active[0].id).not.toBe(old.id);
		expect(a.webhooks().find((w) => w.id === old.id)?.active).toBe(false);
		expect(openSecret(loadRegistration(h.ctx, 'production')!.sealedSecret, KEY_A2)).toBe(
			active[0].secret,
		);
		expect(result.repairedAs).toBe(active[0].id);
		expect((await check(h)).status).toBe('ok');
	});

	it('the same change found by a publish (checkExists, create) also replaces the webhook', async () => {
		const h = hook({
			url: PROD,
			credentials: { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 's' },
		});
		await register(h.ctx, PROD);
		forgetRegistrations();
		a.setConfig({ apiKey: KEY_A2 });
		h.credentials = { apiKey: KEY_A2, baseUrl: a.url, webhookSecret: 's' };
		expect(await hookCheckExists(h.ctx)).toBe(false);
		await register(h.ctx, PROD);
		const active = a.webhooks().filter((w) => w.active);
		expect(active).toHaveLength(1);
		expect(openSecret(loadRegistration(h.ctx, 'production')!.sealedSecret, KEY_A2)).toBe(
			active[0].secret,
		);
		expect(h.logs.join('\n')).not.toContain('another Mando account');
	});

	it('deliveries verified with the credential secret while it is empty: an error that says what to do', async () => {
		const h = hook({
			url: PROD,
			credentials: { apiKey: KEY_A, baseUrl: a.url, webhookSecret: '' },
		});
		h.ctx.getNode().parameters.registration = 'manual';
		await expect(check(h)).rejects.toThrow(
			/empty Webhook Signing Secret, so every Mando delivery to this trigger is refused \(401\).*publish this workflow again/,
		);
		h.credentials = { apiKey: KEY_A, baseUrl: a.url, webhookSecret: 'set' };
		expect((await check(h)).status).toBe('skipped');
	});
});

/**
 * Queue mode (n8n 2.40.7): a worker starts a run's static data empty and saves it over the
 * database's, without the registration. The webhook processor keeps the registration it last
 * saw and writes it back with the next delivery.
 */
describe('carryRegistration in a queue-mode webhook processor', () => {
	beforeEach(() => forgetRegistrations());

	const webhookCtx = (staticData: IDataObject) =>
		({
			getWorkflowStaticData: () => staticData,
			getWorkflow: () => ({ id: 'wf-queue' }),
			getNode: () => ({ id: 'node-queue', name: 'Mando Trigger' }),
			getMode: () => 'webhook',
		}) as unknown as IWebhookFunctions;
	const reg = {
		webhookId: 'wh_1',
		url: 'http://127.0.0.1:5678/webhook/q/webhook',
		events: ['sale.created'],
		account: 'http://x/api#0123456789abcdef',
		sealedSecret: 'v1.a.b.c',
		at: 1_000,
	};

	it('writes the registration back into static data a worker saved without it', () => {
		const first: IDataObject = { registrations: { production: { ...reg } } };
		expect(carryRegistration(webhookCtx(first))?.webhookId).toBe('wh_1');
		// What the worker's run saved: de-dup marks, no registration.
		const wiped: IDataObject = { dedup: {} };
		expect(carryRegistration(webhookCtx(wiped))?.webhookId).toBe('wh_1');
		expect((wiped.registrations as IDataObject).production).toMatchObject({ webhookId: 'wh_1' });
	});

	it('changes nothing in static data that holds no registration and none is known (a worker run)', () => {
		const empty: IDataObject = {};
		expect(carryRegistration(webhookCtx(empty))).toBeUndefined();
		expect(empty).toEqual({});
	});
});

/**
 * The health check's repair, when the registration sync cannot reach n8n's own URL (here a closed
 * port): a warning naming the cause; a delivery in this process then saves the repair with its
 * static data, and the next check says so instead of warning again.
 */
describe('a repair whose registration sync fails', () => {
	it('warns with the cause, then notes the delivery that saved it and stops warning', async () => {
		const em = await startEmulator({ apiKey: KEY_A, perWebhookSecrets: true, allowHttp: true });
		try {
			const url = 'http://127.0.0.1:1/webhook/abc/webhook';
			const credentials = { apiKey: KEY_A, baseUrl: em.url + '/', webhookSecret: '' };
			const database: IDataObject = {};
			const publish = hook({ url, staticData: database, credentials });
			await register(publish.ctx, url);
			const ticks: Array<() => void> = [];
			const check = hook({ url, staticData: {}, credentials });
			Object.assign(check.ctx.helpers, {
				registerCron: (_o: unknown, onTick: () => void) => ticks.push(onTick),
			});
			const trigger = Object.assign(check.ctx, { emitError: () => undefined });
			await startHealthCheck(trigger as unknown as ITriggerFunctions);
			/**
			 * Fires the check until its log shows `done` (at most 10 s). A fire while the check that
			 * trigger() starts with still runs is skipped by the trigger, so it fires again.
			 */
			const tick = async (done: RegExp) => {
				const before = check.logs.length;
				const logged = () => check.logs.slice(before).join('\n');
				for (let i = 0; i < 100 && !done.test(logged()); i++) {
					if (i % 10 === 0 && check.logs.length === before) ticks[0]();
					await delay(100);
				}
				return logged();
			};
			const [first] = em.webhooks();
			em.deleteWebhook(first.id);
			const repaired = await tick(/could not save|saved the registration/);
			expect(repaired).toContain('no longer exists in Mando (deleted there); repaired');
			expect(repaired).toMatch(
				/warn Mando Trigger could not save the registration of webhook \S+ through its own webhook URL http:\/\/127\.0\.0\.1:1\/webhook\/abc\/webhook: n8n could not reach its own webhook URL/,
			);
			// A delivery in this process (regular mode) writes the repair into the static data n8n saves.
			const delivery = hook({ url, mode: 'webhook', staticData: database, credentials });
			carryRegistration(delivery.ctx as unknown as IWebhookFunctions);
			expect((database.registrations as IDataObject).production).toMatchObject({
				webhookId: em.webhooks().find((w) => w.active)?.id,
			});
			const next = await tick(/saved with a delivery/);
			expect(next).toContain('was saved with a delivery');
			expect(next).not.toContain('could not save');
			expect(next).not.toContain(KEY_A);
		} finally {
			await em.close();
		}
	}, 30_000);
});
