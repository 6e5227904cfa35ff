import { startEmulator, type Emulator } from '../../../emulator/server';
import {
	checkRegistration,
	ensureRegistration,
	normaliseWebhookUrl,
	removeRegistration,
	type MandoWebhook,
	type RegistrationLogger,
	type WebhookApi,
} from '../../../../nodes/MandoTrigger/registration';

/**
 * The trigger's webhook lifecycle against the emulator's webhook resource, over real HTTP.
 * (In n8n the same functions get a WebhookApi built on the Mando transport; see the e2e test.)
 */

const API_KEY = 'registration-key';
const URL_A = 'https://n8n.example.fi/webhook/aaaa/webhook';
const URL_B = 'https://n8n.example.fi/webhook-test/aaaa/webhook';

let emulator: Emulator;
let api: WebhookApi;
let log: RegistrationLogger & { warnings: string[] };

/** A WebhookApi over fetch: what `webhookApiFor` does through n8n's HTTP helper. */
function fetchApi(baseUrl: string): WebhookApi {
	async function call(
		method: string,
		path: string,
		body?: unknown,
	): Promise<{ status: number; json: unknown }> {
		const res = await fetch(baseUrl + path, {
			method,
			headers: { Authorization: `Bearer ${API_KEY}`, 'Content-Type': 'application/json' },
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		return { status: res.status, json: text ? JSON.parse(text) : undefined };
	}
	function ok<T>(r: { status: number; json: unknown }): T {
		if (r.status >= 300)
			throw Object.assign(new Error(JSON.stringify(r.json)), { httpCode: String(r.status) });
		return r.json as T;
	}
	return {
		list: async () => {
			const body = ok<MandoWebhook[] | { data: MandoWebhook[] }>(
				await call('GET', '/secure/webhook?pageSize=1000'),
			);
			return Array.isArray(body) ? body : body.data;
		},
		get: async (id) => {
			const r = await call('GET', `/secure/webhook/${id}`);
			return r.status === 404 ? undefined : ok<MandoWebhook>(r);
		},
		create: async (body) => ok<MandoWebhook>(await call('POST', '/secure/webhook', body)),
		update: async (id, body) => {
			const r = await call('PUT', `/secure/webhook/${id}`, body);
			return r.status === 404 ? undefined : ok<MandoWebhook>(r);
		},
	};
}

beforeAll(async () => {
	emulator = await startEmulator({ apiKey: API_KEY });
	api = fetchApi(emulator.url);
});
afterAll(async () => emulator.close());
beforeEach(() => {
	emulator.reset();
	emulator.setConfig({ perWebhookSecrets: false, webhookResource: true });
	const warnings: string[] = [];
	log = { warnings, info: () => undefined, warn: (m) => warnings.push(m) };
});

const EVENTS = ['sale.created', 'stock.low'];

describe('webhook registration lifecycle', () => {
	it('creates one webhook, then finds it ok without changing anything', async () => {
		const stored = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		expect(emulator.webhooks()).toHaveLength(1);
		expect(emulator.webhooks()[0]).toMatchObject({
			id: stored.webhookId,
			url: URL_A,
			events: EVENTS,
			active: true,
		});
		const before = emulator.requests().length;
		expect(await checkRegistration(api, stored, URL_A, EVENTS, log)).toBe('ok');
		const during = emulator.requests().slice(before);
		expect(during.map((r) => r.method)).toEqual(['GET']);
	});

	it('reports why a stored registration is not usable', async () => {
		const stored = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		expect(await checkRegistration(api, undefined, URL_A, EVENTS, log)).toBe('not-stored');
		expect(await checkRegistration(api, stored, URL_A, ['sale.created'], log)).toBe('other-events');
		expect(await checkRegistration(api, stored, URL_B, EVENTS, log)).toBe('other-url');
		expect(
			await checkRegistration(api, { ...stored, webhookId: 'missing' }, URL_A, EVENTS, log),
		).toBe('gone');
		await api.update(stored.webhookId, {
			active: false,
			data: { disabled_reason: 'Disabled after 5 failed delivery attempts' },
		});
		expect(await checkRegistration(api, stored, URL_A, EVENTS, log)).toBe('disabled');
		expect(log.warnings.join('\n')).toMatch(
			/found disabled by Mando \(Disabled after 5 failed delivery attempts\)/,
		);
	});

	it('re-uses and re-activates a webhook already pointing at the URL, with new events, instead of adding one', async () => {
		const first = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		await api.update(first.webhookId, { active: false });
		const again = await ensureRegistration(api, undefined, URL_A, ['customer.created'], 'wf', log);
		expect(again.webhookId).toBe(first.webhookId);
		expect(emulator.webhooks()).toHaveLength(1);
		expect(emulator.webhooks()[0]).toMatchObject({ active: true, events: ['customer.created'] });
		expect(log.warnings.some((w) => w.includes('found disabled'))).toBe(true);
	});

	it("moves its own stored webhook to a new URL (n8n's address changed) instead of leaving it behind", async () => {
		const old = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		const moved = await ensureRegistration(api, old, URL_B, EVENTS, 'wf', log);
		expect(moved.webhookId).toBe(old.webhookId);
		expect(emulator.webhooks()).toHaveLength(1);
		expect(emulator.webhooks()[0]).toMatchObject({ url: URL_B, active: true });
	});

	it('deactivates extra webhooks for the same URL so events arrive once', async () => {
		emulator.addWebhook({ url: URL_A, events: EVENTS });
		emulator.addWebhook({ url: URL_A, events: EVENTS });
		emulator.addWebhook({ url: URL_B, events: EVENTS });
		const stored = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		const forA = emulator.webhooks().filter((w) => w.url === URL_A);
		expect(forA.filter((w) => w.active).map((w) => w.id)).toEqual([stored.webhookId]);
		expect(emulator.webhooks().filter((w) => w.url === URL_B && w.active)).toHaveLength(1);
	});

	it('keeps the per-webhook secret Mando returns at creation, also when re-used later', async () => {
		emulator.setConfig({ perWebhookSecrets: true });
		const stored = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		expect(stored.secret).toMatch(/^[0-9a-f]{64}$/);
		expect(stored.secret).toBe(emulator.webhooks()[0].secret);
		const again = await ensureRegistration(api, stored, URL_A, EVENTS, 'wf', log);
		expect(again.secret).toBe(stored.secret);
	});

	it('removes only its own webhook (soft delete); gone counts as success', async () => {
		const a = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		const b = await ensureRegistration(api, undefined, URL_B, EVENTS, 'wf', log);
		expect(await removeRegistration(api, a, URL_A)).toHaveLength(1);
		expect(emulator.webhooks().find((w) => w.id === a.webhookId)?.active).toBe(false);
		expect(emulator.webhooks().find((w) => w.id === b.webhookId)?.active).toBe(true);
		expect(await removeRegistration(api, { ...a, webhookId: 'gone' }, URL_A)).toHaveLength(0);
		// nothing stored (e.g. a test webhook whose static data was not kept): found by URL
		expect(await removeRegistration(api, undefined, URL_B)).toHaveLength(1);
		expect(emulator.webhooks().every((w) => !w.active)).toBe(true);
	});

	it('surfaces a 404 on the webhook resource (account without it) as an error with httpCode 404', async () => {
		emulator.setConfig({ webhookResource: false });
		await expect(
			ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log),
		).rejects.toMatchObject({ httpCode: '404' });
	});

	it('matches a URL Mando normalised (host case, :443, trailing slash) instead of adding a webhook per cycle', async () => {
		const url = 'https://n8n.example.fi/webhook/aaaa/webhook';
		expect(normaliseWebhookUrl('https://N8N.Example.FI:443/webhook/aaaa/webhook/')).toBe(url);
		emulator.addWebhook({
			url: 'https://N8N.example.fi:443/webhook/aaaa/webhook/',
			events: EVENTS,
		});
		const stored = await ensureRegistration(api, undefined, url, EVENTS, 'wf', log);
		expect(emulator.webhooks()).toHaveLength(1);
		expect(stored.webhookId).toBe(emulator.webhooks()[0].id);
		expect(await removeRegistration(api, undefined, url)).toHaveLength(1);
	});

	it('never re-uses a webhook whose per-webhook secret it does not hold: creates a new one and deactivates the old', async () => {
		emulator.setConfig({ perWebhookSecrets: true });
		const first = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		await api.update(first.webhookId, { active: false });
		// Secret lost (e.g. an empty static data) while Mando signs per webhook.
		const again = await ensureRegistration(
			api,
			{ ...first, secret: undefined },
			URL_A,
			EVENTS,
			'wf',
			log,
		);
		expect(again.webhookId).not.toBe(first.webhookId);
		expect(again.secret).toBe(emulator.webhooks().find((w) => w.id === again.webhookId)?.secret);
		expect(
			emulator
				.webhooks()
				.filter((w) => w.active)
				.map((w) => w.id),
		).toEqual([again.webhookId]);
		// With the secret held, the same webhook is re-used and its secret kept.
		const kept = await ensureRegistration(api, again, URL_A, EVENTS, 'wf', log);
		expect(kept).toMatchObject({ webhookId: again.webhookId, secret: again.secret });
		// A credential without an account secret never adopts a stranger's webhook either.
		emulator.addWebhook({ url: URL_B, events: EVENTS });
		const own = await ensureRegistration(api, undefined, URL_B, EVENTS, 'wf', log, {
			accountSecretSet: false,
		});
		expect(
			emulator
				.webhooks()
				.filter((w) => w.url === URL_B && w.active)
				.map((w) => w.id),
		).toEqual([own.webhookId]);
		expect(own.secret).toMatch(/^[0-9a-f]{64}$/);
	});

	it('creates a webhook when the one it re-activates was deleted between the list and the PUT (404)', async () => {
		const first = await ensureRegistration(api, undefined, URL_A, EVENTS, 'wf', log);
		const racing: WebhookApi = {
			...api,
			list: async () => {
				const all = await api.list();
				emulator.reset();
				return all;
			},
		};
		const again = await ensureRegistration(racing, first, URL_A, EVENTS, 'wf', log);
		expect(again.webhookId).not.toBe(first.webhookId);
		expect(emulator.webhooks()).toEqual([
			expect.objectContaining({ id: again.webhookId, active: true }),
		]);
		expect(log.warnings.join('\n')).toContain('deleted in Mando while it was being re-activated');
	});

	it.each([false, true])(
		'a connection dropped after Mando stored the POST leaves exactly one active webhook (per-webhook secrets: %s)',
		async (perWebhook) => {
			emulator.setConfig({ perWebhookSecrets: perWebhook });
			let drops = 1;
			const dropping: WebhookApi = {
				...api,
				create: async (body) => {
					const made = await api.create(body);
					if (drops-- > 0) throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
					return made;
				},
			};
			// Known account signing: the stored webhook is adopted; otherwise its lost secret may matter.
			const options = perWebhook ? {} : { perWebhookSecrets: false };
			const stored = await ensureRegistration(
				dropping,
				undefined,
				URL_A,
				EVENTS,
				'wf',
				log,
				options,
			);
			const active = emulator.webhooks().filter((w) => w.active);
			expect(active.map((w) => w.id)).toEqual([stored.webhookId]);
			expect(emulator.requests().filter((r) => r.method === 'POST').length).toBe(
				perWebhook ? 2 : 1,
			);
			if (perWebhook) expect(stored.secret).toBe(active[0].secret);
			expect(log.warnings.join('\n')).toContain('connection to Mando dropped');
		},
	);
});
