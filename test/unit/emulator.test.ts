import http from 'http';
import type { AddressInfo } from 'net';

import { MANDO_EVENT_TYPES, MANDO_EVENTS } from '../../nodes/shared/events';
import { verifyMandoSignature } from '../../nodes/shared/signature';
import { httpRequest } from '../emulator/client';
import type { HttpRequestOptions } from '../emulator/client';
import { MANDO_DISABLED_REASON, MANDO_RETRY_DELAYS_MS, startEmulator, EMULATOR_USER_AGENT } from '../emulator/server';
import type { Emulator, EmulatorOptions } from '../emulator/server';

/** The Mando emulator over real HTTP: API contract, webhook resource, signed deliveries, retries. */

const API_KEY = 'test-key';
const SECRET = 'test-secret';
/** 1 min → 6 ms, 5 min → 30 ms, 30 min → 180 ms, 2 h → 720 ms. */
const TIME_SCALE = 0.0001;

interface Received {
	at: number;
	headers: http.IncomingHttpHeaders;
	raw: Buffer;
}

/** A local webhook receiver; `respond` decides each answer (a status, or 'hang' to never answer). */
interface Receiver {
	url: string;
	received: Received[];
	respond: (n: number) => number | 'hang';
	close(): Promise<void>;
}

async function startReceiver(respond: Receiver['respond'] = () => 200): Promise<Receiver> {
	const receiver = { received: [] as Received[], respond } as Receiver;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			receiver.received.push({ at: Date.now(), headers: req.headers, raw: Buffer.concat(chunks) });
			const answer = receiver.respond(receiver.received.length);
			if (answer === 'hang') return;
			res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	receiver.close = () =>
		new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	return receiver;
}

let emulator: Emulator;
let receiver: Receiver;

async function boot(options: EmulatorOptions = {}, respond?: Receiver['respond']): Promise<void> {
	emulator = await startEmulator({ apiKey: API_KEY, webhookSecret: SECRET, allowHttp: true, timeScale: TIME_SCALE, ...options });
	receiver = await startReceiver(respond);
}

afterEach(async () => {
	await emulator?.close();
	await receiver?.close();
});

function api(path: string, options: HttpRequestOptions = {}) {
	return httpRequest(emulator.url + path, {
		...options,
		headers: { authorization: `Bearer ${API_KEY}`, ...(options.headers ?? {}) },
	});
}

async function createWebhook(events: string[] = ['sale.created']): Promise<{ id: string; secret?: string }> {
	const res = await api('/secure/webhook', { method: 'POST', json: { url: receiver.url, events, active: true, description: 'test' } });
	expect(res.status).toBe(201);
	return res.body as { id: string; secret?: string };
}

describe('API', () => {
	beforeEach(() => boot());

	test('base URL is on 127.0.0.1 under /api', () => {
		expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}/api`);
	});

	test('missing or wrong Bearer key answers 401 and the header is not recorded', async () => {
		const none = await httpRequest(emulator.url + '/secure/plu');
		expect(none.status).toBe(401);
		expect(none.body).toEqual({ code: 'UNAUTHORIZED', message: 'Missing or invalid API key' });
		const wrong = await api('/secure/plu', { headers: { authorization: 'Bearer nope' } });
		expect(wrong.status).toBe(401);
		const right = await api('/secure/plu');
		expect(right.status).toBe(200);
		const recorded = emulator.requests();
		expect(recorded.map((r) => r.status)).toEqual([401, 401, 200]);
		expect(JSON.stringify(recorded)).not.toContain(API_KEY);
		expect(JSON.stringify(recorded)).not.toContain('nope');
	});

	test('create, get, partial update, conflict, 404, 405, bad JSON', async () => {
		const created = await api('/secure/plu', { method: 'POST', json: { name: 'Tea', base_price: '3.0', data: { tags: ['hot'] } } });
		expect(created.status).toBe(201);
		const plu = created.body as { id: string; active: boolean; name: string };
		expect(plu.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(plu.active).toBe(true);

		const got = await api(`/secure/plu/${plu.id}`);
		expect(got.body).toEqual(created.body);

		const updated = await api(`/secure/plu/${plu.id}`, { method: 'PUT', json: { active: false } });
		expect(updated.status).toBe(200);
		expect(updated.body).toMatchObject({ id: plu.id, name: 'Tea', active: false, data: { tags: ['hot'] } });

		const fixed = await api('/secure/customer', { method: 'POST', json: { id: 'c-1', name: 'Aino' } });
		expect(fixed.status).toBe(201);
		const dup = await api('/secure/customer', { method: 'POST', json: { id: 'c-1', name: 'Again' } });
		expect(dup.status).toBe(409);
		expect(dup.body).toMatchObject({ code: 'ALREADY_EXISTS' });
		expect((dup.body as { message: string }).message).toContain('c-1');

		expect((await api('/secure/plu/nope')).status).toBe(404);
		expect((await api('/secure/plu/nope', { method: 'PUT', json: {} })).status).toBe(404);
		const unknown = await api('/secure/nothing');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
		expect((await api(`/secure/plu/${plu.id}`, { method: 'DELETE' })).status).toBe(405);

		const bad = await api('/secure/plu', { method: 'POST', body: '{"name":', headers: { 'content-type': 'application/json' } });
		expect(bad.status).toBe(400);
		expect(bad.body).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) });
	});

	test('offset paging headers, filters and the pageSize limit', async () => {
		for (let i = 0; i < 7; i++) {
			await api('/secure/plu', { method: 'POST', json: { name: `P${i}`, dpt_id: i % 2 ? 'odd' : 'even', active: i !== 0 } });
		}
		const page2 = await api('/secure/plu?page=2&pageSize=3');
		expect(page2.status).toBe(200);
		expect((page2.body as Array<{ name: string }>).map((p) => p.name)).toEqual(['P3', 'P4', 'P5']);
		expect(page2.headers['x-total-count']).toBe('7');
		expect(page2.headers['x-page']).toBe('2');
		expect(page2.headers['x-page-size']).toBe('3');
		expect(page2.headers['x-total-pages']).toBe('3');

		const odd = await api('/secure/plu?dpt_id=odd');
		expect((odd.body as Array<{ name: string }>).map((p) => p.name)).toEqual(['P1', 'P3', 'P5']);
		expect(odd.headers['x-total-count']).toBe('3');
		const inactive = await api('/secure/plu?active=false');
		expect((inactive.body as Array<{ name: string }>).map((p) => p.name)).toEqual(['P0']);

		expect((await api('/secure/plu?pageSize=1000')).status).toBe(200);
		const tooBig = await api('/secure/plu?pageSize=1001');
		expect(tooBig.status).toBe(400);
		expect(tooBig.body).toMatchObject({ code: 'BAD_REQUEST' });
		expect((await api('/secure/plu?page=0')).status).toBe(400);
	});

	test('list shape: bare array by default, { data } when wrapped; two seeded locations', async () => {
		const bare = await api('/secure/location');
		expect(Array.isArray(bare.body)).toBe(true);
		expect(bare.body).toHaveLength(2);
		emulator.setConfig({ listShape: 'wrapped' });
		const wrapped = await api('/secure/location');
		expect(wrapped.body).toEqual({ data: bare.body });
		expect(wrapped.headers['x-total-count']).toBe('2');
	});

	test('sales use cursor paging and collect emitted sale.created data', async () => {
		const empty = await api('/secure/sales');
		expect(empty.body).toEqual({ data: [], next_cursor: null, has_more: false });
		for (let i = 0; i < 3; i++) await emulator.emit('sale.created', { data: { id: `s${i}`, total: i, items: [] } });
		const first = await api('/secure/sales?limit=2');
		const body = first.body as { data: Array<{ id: string }>; next_cursor: string; has_more: boolean };
		expect(body.data.map((s) => s.id)).toEqual(['s0', 's1']);
		expect(body.has_more).toBe(true);
		const second = await api(`/secure/sales?limit=2&cursor=${encodeURIComponent(body.next_cursor)}`);
		expect(second.body).toEqual({ data: [{ id: 's2', total: 2, items: [] }], next_cursor: null, has_more: false });
		expect((await api('/secure/sales?cursor=garbage')).status).toBe(400);
	});
});

describe('webhook resource', () => {
	test('https only unless allowHttp; events must be documented and non-empty', async () => {
		await boot({ allowHttp: false });
		const http422 = await api('/secure/webhook', { method: 'POST', json: { url: receiver.url, events: ['sale.created'] } });
		expect(http422.status).toBe(422);
		expect(http422.body).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.stringContaining('https') });
		const https201 = await api('/secure/webhook', { method: 'POST', json: { url: 'https://example.invalid/hook', events: ['sale.created'] } });
		expect(https201.status).toBe(201);
		const noEvents = await api('/secure/webhook', { method: 'POST', json: { url: 'https://example.invalid/hook', events: [] } });
		expect(noEvents.status).toBe(422);
		const badEvent = await api('/secure/webhook', { method: 'POST', json: { url: 'https://example.invalid/hook', events: ['sale.exploded'] } });
		expect(badEvent.status).toBe(422);
		expect((badEvent.body as { message: string }).message).toContain('sale.exploded');

		emulator.setConfig({ allowHttp: true });
		expect((await api('/secure/webhook', { method: 'POST', json: { url: receiver.url, events: ['sale.created'] } })).status).toBe(201);
		expect(emulator.webhooks()).toHaveLength(2);
	});

	test('webhookResource false answers 404 NOT_FOUND on every webhook path', async () => {
		await boot({ webhookResource: false });
		for (const [path, method] of [
			['/secure/webhook', 'GET'],
			['/secure/webhook', 'POST'],
			['/secure/webhook/some-id', 'GET'],
			['/secure/webhook/some-id', 'PUT'],
		]) {
			const res = await api(path, { method, json: method === 'GET' ? undefined : { url: receiver.url, events: ['sale.created'] } });
			expect(res.status).toBe(404);
			expect(res.body).toMatchObject({ code: 'NOT_FOUND', message: expect.any(String) });
		}
		expect((await api('/secure/plu')).status).toBe(200);
	});

	test('per-webhook secret: returned on create only, and signs that webhook', async () => {
		await boot({ perWebhookSecrets: true });
		const hook = await createWebhook();
		expect(hook.secret).toMatch(/^[0-9a-f]{64}$/);
		const got = await api(`/secure/webhook/${hook.id}`);
		expect(got.body).not.toHaveProperty('secret');
		await emulator.emit('sale.created');
		const [delivery] = receiver.received;
		expect(verifyMandoSignature(delivery.raw, delivery.headers['x-mando-signature'], hook.secret).valid).toBe(true);
		expect(verifyMandoSignature(delivery.raw, delivery.headers['x-mando-signature'], SECRET)).toEqual({ valid: false, reason: 'mismatch' });
	});
});

describe('deliveries', () => {
	test('a delivery is the catalogue envelope, signed over the exact bytes', async () => {
		await boot();
		const hook = await createWebhook(['sale.created', 'stock.low']);
		const other = await createWebhook(['customer.created']);
		const result = await emulator.emit('sale.created');
		expect(result.webhookIds).toEqual([hook.id]);
		expect(receiver.received).toHaveLength(1); // resolved after attempt 1, not before
		const { raw, headers } = receiver.received[0];
		expect(headers['content-type']).toBe('application/json');
		expect(headers['user-agent']).toBe(EMULATOR_USER_AGENT);
		expect(headers['x-mando-signature']).toMatch(/^sha256=[0-9a-f]{64}$/);
		expect(verifyMandoSignature(raw, headers['x-mando-signature'], SECRET)).toEqual({ valid: true });
		const flipped = Buffer.from(raw);
		flipped[flipped.length - 2] ^= 1;
		expect(verifyMandoSignature(flipped, headers['x-mando-signature'], SECRET).valid).toBe(false);

		const envelope = JSON.parse(raw.toString('utf8'));
		expect(envelope).toEqual(result.event);
		expect(envelope.id).toMatch(/^evt_[0-9a-f]+$/);
		expect(envelope.type).toBe('sale.created');
		expect(new Date(envelope.created).toISOString()).toBe(envelope.created);
		expect(envelope.data).toEqual(MANDO_EVENTS.find((e) => e.type === 'sale.created')!.sample);

		const [record] = emulator.deliveries();
		expect(record).toMatchObject({ webhookId: hook.id, url: receiver.url, eventIds: [envelope.id], eventType: 'sale.created', attempt: 1, status: 200, outcome: 'ok' });
		expect((await emulator.emit('customer.created', { id: 'evt_fixed' })).webhookIds).toEqual([other.id]);
		expect(JSON.parse(receiver.received[1].raw.toString()).id).toBe('evt_fixed');
		expect((await emulator.emit('product.deleted')).webhookIds).toEqual([]);
	});

	test('send() posts raw bytes once; headers can be replaced or dropped', async () => {
		await boot({}, () => 400);
		const hook = await createWebhook();
		const body = '{"id":"evt_raw","type":"sale.created" , "created":"x","data":{}}';
		const delivery = await emulator.send(hook.id, body, { 'X-Mando-Signature': null, 'X-Extra': 'yes' });
		expect(receiver.received[0].raw.toString('utf8')).toBe(body);
		expect(receiver.received[0].headers['x-mando-signature']).toBeUndefined();
		expect(receiver.received[0].headers['x-extra']).toBe('yes');
		expect(delivery).toMatchObject({ eventIds: ['evt_raw'], eventType: 'sale.created', status: 400, outcome: 'failed' });
		await new Promise((r) => setTimeout(r, 50));
		expect(receiver.received).toHaveLength(1); // no retries
		const signed = await emulator.send(hook.id, 'not json');
		expect(verifyMandoSignature(Buffer.from('not json'), receiver.received[1].headers['x-mando-signature'], SECRET).valid).toBe(true);
		expect(signed.eventIds).toEqual([]);
	});

	test('500 on every attempt: exactly 5 attempts on the scaled schedule, then the webhook is disabled', async () => {
		await boot({}, () => 500);
		const hook = await createWebhook();
		const { event } = await emulator.emit('sale.created');
		const done = await emulator.waitForDeliveries((d) => d.length >= 5, 3000);
		expect(done.map((d) => [d.attempt, d.status, d.outcome])).toEqual([1, 2, 3, 4, 5].map((n) => [n, 500, 'failed']));
		expect(new Set(done.map((d) => d.deliveryId)).size).toBe(1);
		// Same bytes (same event id) every time, each gap at least the scaled delay.
		expect(receiver.received.map((r) => JSON.parse(r.raw.toString()).id)).toEqual(Array(5).fill(event.id));
		for (let n = 1; n < 5; n++) {
			expect(receiver.received[n].at - receiver.received[n - 1].at).toBeGreaterThanOrEqual(MANDO_RETRY_DELAYS_MS[n] * TIME_SCALE - 2); // timers may round by 1 ms
		}
		const [disabled] = emulator.webhooks();
		expect(disabled.active).toBe(false);
		expect(disabled.data.disabled_reason).toBe(MANDO_DISABLED_REASON);
		expect(new Date(disabled.data.disabled_at!).getTime()).toBeGreaterThan(0);
		const viaApi = await api(`/secure/webhook/${hook.id}`);
		expect(viaApi.body).toMatchObject({ active: false, data: { disabled_reason: MANDO_DISABLED_REASON } });

		// Nothing more happens, and a disabled webhook gets no new events.
		await new Promise((r) => setTimeout(r, 100));
		expect(receiver.received).toHaveLength(5);
		expect((await emulator.emit('sale.created')).webhookIds).toEqual([]);

		// PUT { active: true } re-activates it and clears the reason.
		const again = await api(`/secure/webhook/${hook.id}`, { method: 'PUT', json: { active: true } });
		expect(again.body).toMatchObject({ active: true });
		expect((again.body as { data: object }).data).not.toHaveProperty('disabled_reason');
		expect((again.body as { data: object }).data).not.toHaveProperty('disabled_at');
	});

	test('a success on attempt 3 stops the retries', async () => {
		await boot({}, (n) => (n < 3 ? 503 : 204));
		await createWebhook();
		await emulator.emit('sale.created');
		await emulator.waitForDeliveries((d) => d.some((x) => x.outcome === 'ok'), 3000);
		await new Promise((r) => setTimeout(r, 250)); // past where attempt 4 would have come (180 ms)
		expect(emulator.deliveries().map((d) => [d.attempt, d.status, d.outcome])).toEqual([
			[1, 503, 'failed'],
			[2, 503, 'failed'],
			[3, 204, 'ok'],
		]);
		expect(receiver.received).toHaveLength(3);
		expect(emulator.webhooks()[0].active).toBe(true);
	});

	test('no answer within deliveryTimeoutMs is a failure; a connection error too', async () => {
		await boot({ deliveryTimeoutMs: 150 }, (n) => (n === 1 ? 'hang' : 200));
		await createWebhook();
		const started = Date.now();
		await emulator.emit('sale.created');
		expect(Date.now() - started).toBeGreaterThanOrEqual(140);
		await emulator.waitForDeliveries((d) => d.length >= 2, 3000);
		const [first, second] = emulator.deliveries();
		expect(first).toMatchObject({ attempt: 1, status: null, outcome: 'failed', error: expect.stringContaining('150 ms') });
		expect(second).toMatchObject({ attempt: 2, status: 200, outcome: 'ok' });

		const url = receiver.url;
		await receiver.close();
		emulator.reset();
		emulator.addWebhook({ url, events: ['stock.low'] });
		await emulator.emit('stock.low');
		expect(emulator.deliveries()[0]).toMatchObject({ attempt: 1, status: null, outcome: 'failed', error: expect.stringContaining('ECONNREFUSED') });
	});

	test('a retry that comes due on an inactive webhook is skipped and ends the delivery', async () => {
		await boot({ timeScale: 0.001 }, () => 500); // attempt 2 after 60 ms
		const hook = await createWebhook();
		await emulator.emit('sale.created');
		await api(`/secure/webhook/${hook.id}`, { method: 'PUT', json: { active: false } });
		const records = await emulator.waitForDeliveries((d) => d.length >= 2, 2000);
		expect(records.map((d) => [d.attempt, d.outcome])).toEqual([
			[1, 'failed'],
			[2, 'skipped'],
		]);
		await new Promise((r) => setTimeout(r, 350)); // attempt 3 would be 300 ms later
		expect(emulator.deliveries()).toHaveLength(2);
		expect(receiver.received).toHaveLength(1);
	});

	test('close() cancels pending retries and rejects pending waits', async () => {
		await boot({ timeScale: 0.001 }, () => 500); // attempt 2 would come 60 ms later
		await createWebhook();
		await emulator.emit('sale.created');
		const waiting = emulator.waitForDeliveries((d) => d.length >= 2, 2000);
		await emulator.close();
		await expect(waiting).rejects.toThrow('closed');
		await new Promise((r) => setTimeout(r, 150));
		expect(receiver.received).toHaveLength(1);
		expect(emulator.deliveries()).toHaveLength(1);
	});
});

describe('control endpoints', () => {
	test('emit, state, catalogue, config and reset over HTTP', async () => {
		await boot();
		const hook = await createWebhook(['stock.low']);
		const base = emulator.url.replace(/\/api$/, '');
		const catalogue = await httpRequest(`${base}/_emulator/events`);
		expect((catalogue.body as Array<{ type: string }>).map((e) => e.type)).toEqual([...MANDO_EVENT_TYPES]);

		const emitted = await httpRequest(`${base}/_emulator/events`, { method: 'POST', json: { type: 'stock.low', id: 'evt_ctl', data: { plu_id: 'p', location_id: 'l', quantity: 1 } } });
		expect(emitted.status).toBe(200);
		expect(emitted.body).toMatchObject({ event: { id: 'evt_ctl', type: 'stock.low', data: { quantity: 1 } }, webhookIds: [hook.id] });
		expect(receiver.received).toHaveLength(1);
		const unknown = await httpRequest(`${base}/_emulator/events`, { method: 'POST', json: { type: 'nope' } });
		expect(unknown.status).toBe(422);

		const state = (await httpRequest(`${base}/_emulator/state`)).body as { webhooks: unknown[]; deliveries: unknown[]; requests: Array<{ path: string }> };
		expect(state.webhooks).toHaveLength(1);
		expect(state.deliveries).toHaveLength(1);
		expect(state.requests.map((r) => r.path)).toEqual(['/api/secure/webhook']);

		const config = await httpRequest(`${base}/_emulator/config`, { method: 'POST', json: { listShape: 'wrapped' } });
		expect(config.body).toMatchObject({ listShape: 'wrapped' });
		expect((await httpRequest(`${base}/_emulator/config`, { method: 'POST', json: { listShape: 'tree' } })).status).toBe(400);

		expect((await httpRequest(`${base}/_emulator/reset`, { method: 'POST' })).status).toBe(200);
		expect(emulator.webhooks()).toEqual([]);
		expect(emulator.deliveries()).toEqual([]);
		expect((await api('/secure/location')).body).toMatchObject({ data: expect.any(Array) });
	});

	test('batch emits several envelopes in one JSON array body', async () => {
		await boot();
		await createWebhook();
		const result = await emulator.emit('sale.created', { batch: 3, id: 'evt_b0' });
		const body = JSON.parse(receiver.received[0].raw.toString());
		expect(Array.isArray(body)).toBe(true);
		expect(body.map((e: { id: string }) => e.id)).toEqual(result.events.map((e) => e.id));
		expect(body[0].id).toBe('evt_b0');
		expect(new Set(body.map((e: { id: string }) => e.id)).size).toBe(3);
		expect(emulator.deliveries()[0].eventIds).toHaveLength(3);
	});
});
