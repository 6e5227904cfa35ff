import { MANDO_EVENT_TYPES } from '../../../nodes/shared/events';
import { httpRequest } from '../../emulator/client';
import {
	api,
	boot,
	createWebhook,
	emulator,
	receiver,
	closeAfterEach,
} from '../../harness/emulatorSession';

/** The `/_emulator/` control endpoints and batch emits. */

closeAfterEach();

describe('control endpoints', () => {
	test('emit, state, catalogue, config and reset over HTTP', async () => {
		await boot();
		const hook = await createWebhook(['stock.low']);
		const base = emulator.url.replace(/\/api$/, '');
		const catalogue = await httpRequest(`${base}/_emulator/events`);
		expect((catalogue.body as Array<{ type: string }>).map((e) => e.type)).toEqual([
			...MANDO_EVENT_TYPES,
		]);

		const emitted = await httpRequest(`${base}/_emulator/events`, {
			method: 'POST',
			json: {
				type: 'stock.low',
				id: 'evt_ctl',
				data: { plu_id: 'p', location_id: 'l', quantity: 1 },
			},
		});
		expect(emitted.status).toBe(200);
		expect(emitted.body).toMatchObject({
			event: { id: 'evt_ctl', type: 'stock.low', data: { quantity: 1 } },
			webhookIds: [hook.id],
		});
		expect(receiver.received).toHaveLength(1);
		const unknown = await httpRequest(`${base}/_emulator/events`, {
			method: 'POST',
			json: { type: 'nope' },
		});
		expect(unknown.status).toBe(422);

		const state = (await httpRequest(`${base}/_emulator/state`)).body as {
			webhooks: unknown[];
			deliveries: unknown[];
			requests: Array<{ path: string }>;
		};
		expect(state.webhooks).toHaveLength(1);
		expect(state.deliveries).toHaveLength(1);
		expect(state.requests.map((r) => r.path)).toEqual(['/api/secure/webhook']);

		const config = await httpRequest(`${base}/_emulator/config`, {
			method: 'POST',
			json: { listShape: 'wrapped' },
		});
		expect(config.body).toMatchObject({ listShape: 'wrapped' });
		expect(
			(
				await httpRequest(`${base}/_emulator/config`, {
					method: 'POST',
					json: { listShape: 'tree' },
				})
			).status,
		).toBe(400);

		expect((await httpRequest(`${base}/_emulator/reset`, { method: 'POST' })).status).toBe(200);
		expect(emulator.webhooks()).toEqual([]);
		expect(emulator.deliveries()).toEqual([]);
		// reset restores the config the emulator started with: bare-array lists again
		expect((await httpRequest(`${base}/_emulator/config`)).body).toMatchObject({
			listShape: 'array',
		});
		expect((await api('/secure/location')).body).toEqual(expect.any(Array));
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
