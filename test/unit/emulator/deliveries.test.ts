import { MANDO_EVENTS } from '../../../nodes/shared/events';
import { verifyMandoSignature } from '../../../nodes/shared/signature';
import {
	MANDO_DISABLED_REASON,
	MANDO_RETRY_DELAYS_MS,
	EMULATOR_USER_AGENT,
} from '../../emulator/server';
import {
	SECRET,
	TIME_SCALE,
	api,
	boot,
	createWebhook,
	emulator,
	receiver,
	closeAfterEach,
} from '../../harness/emulatorSession';

/** The emulator's webhook deliveries: signed envelopes, Mando's retry schedule, disabling, timeouts. */

closeAfterEach();

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
		expect(verifyMandoSignature(raw, headers['x-mando-signature'], SECRET)).toEqual({
			valid: true,
		});
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
		expect(record).toMatchObject({
			webhookId: hook.id,
			url: receiver.url,
			eventIds: [envelope.id],
			eventType: 'sale.created',
			attempt: 1,
			status: 200,
			outcome: 'ok',
		});
		expect((await emulator.emit('customer.created', { id: 'evt_fixed' })).webhookIds).toEqual([
			other.id,
		]);
		expect(JSON.parse(receiver.received[1].raw.toString()).id).toBe('evt_fixed');
		expect((await emulator.emit('product.deleted')).webhookIds).toEqual([]);
	});

	test('send() posts raw bytes once; headers can be replaced or dropped', async () => {
		await boot({}, () => 400);
		const hook = await createWebhook();
		const body = '{"id":"evt_raw","type":"sale.created" , "created":"x","data":{}}';
		const delivery = await emulator.send(hook.id, body, {
			'X-Mando-Signature': null,
			'X-Extra': 'yes',
		});
		expect(receiver.received[0].raw.toString('utf8')).toBe(body);
		expect(receiver.received[0].headers['x-mando-signature']).toBeUndefined();
		expect(receiver.received[0].headers['x-extra']).toBe('yes');
		expect(delivery).toMatchObject({
			eventIds: ['evt_raw'],
			eventType: 'sale.created',
			status: 400,
			outcome: 'failed',
		});
		await new Promise((r) => setTimeout(r, 50));
		expect(receiver.received).toHaveLength(1); // no retries
		const signed = await emulator.send(hook.id, 'not json');
		expect(
			verifyMandoSignature(
				Buffer.from('not json'),
				receiver.received[1].headers['x-mando-signature'],
				SECRET,
			).valid,
		).toBe(true);
		expect(signed.eventIds).toEqual([]);
	});

	test('500 on every attempt: exactly 5 attempts on the scaled schedule, then the webhook is disabled', async () => {
		await boot({}, () => 500);
		const hook = await createWebhook();
		const { event } = await emulator.emit('sale.created');
		const done = await emulator.waitForDeliveries((d) => d.length >= 5, 3000);
		expect(done.map((d) => [d.attempt, d.status, d.outcome])).toEqual(
			[1, 2, 3, 4, 5].map((n) => [n, 500, 'failed']),
		);
		expect(new Set(done.map((d) => d.deliveryId)).size).toBe(1);
		// Same bytes (same event id) every time, each gap at least the scaled delay.
		expect(receiver.received.map((r) => JSON.parse(r.raw.toString()).id)).toEqual(
			Array(5).fill(event.id),
		);
		for (let n = 1; n < 5; n++) {
			expect(receiver.received[n].at - receiver.received[n - 1].at).toBeGreaterThanOrEqual(
				MANDO_RETRY_DELAYS_MS[n] * TIME_SCALE - 2,
			); // timers may round by 1 ms
		}
		const [disabled] = emulator.webhooks();
		expect(disabled.active).toBe(false);
		expect(disabled.data.disabled_reason).toBe(MANDO_DISABLED_REASON);
		expect(new Date(disabled.data.disabled_at!).getTime()).toBeGreaterThan(0);
		const viaApi = await api(`/secure/webhook/${hook.id}`);
		expect(viaApi.body).toMatchObject({
			active: false,
			data: { disabled_reason: MANDO_DISABLED_REASON },
		});

		// Nothing more happens, and a disabled webhook gets no new events.
		await new Promise((r) => setTimeout(r, 100));
		expect(receiver.received).toHaveLength(5);
		expect((await emulator.emit('sale.created')).webhookIds).toEqual([]);

		// PUT { active: true } re-activates it and clears the reason.
		const again = await api(`/secure/webhook/${hook.id}`, {
			method: 'PUT',
			json: { active: true },
		});
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
		expect(first).toMatchObject({
			attempt: 1,
			status: null,
			outcome: 'failed',
			error: expect.stringContaining('150 ms'),
		});
		expect(second).toMatchObject({ attempt: 2, status: 200, outcome: 'ok' });

		const url = receiver.url;
		await receiver.close();
		emulator.reset();
		emulator.addWebhook({ url, events: ['stock.low'] });
		await emulator.emit('stock.low');
		expect(emulator.deliveries()[0]).toMatchObject({
			attempt: 1,
			status: null,
			outcome: 'failed',
			error: expect.stringContaining('ECONNREFUSED'),
		});
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
