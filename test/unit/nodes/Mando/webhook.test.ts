import type { Emulator } from '../../../emulator/server';
import { run, useEmulator } from '../../../harness/mandoContext';

/** Webhook operations (the resource the trigger registers with) against the emulator. */

let emulator: Emulator;
useEmulator('webhook-key', (e) => (emulator = e));

const hook = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'webhook',
	operation,
	...extra,
});

describe('Webhook', () => {
	test('Create, Get, Get Many, Update, Delete (soft)', async () => {
		const [created] = await run(
			emulator,
			hook('create', {
				url: 'https://n8n.example.fi/webhook/x',
				events: ['sale.created'],
				additionalFields: { description: 'n8n' },
			}),
		);
		const id = created.id as string;
		expect(emulator.webhooks()).toEqual([
			expect.objectContaining({
				id,
				url: 'https://n8n.example.fi/webhook/x',
				events: ['sale.created'],
				active: true,
				description: 'n8n',
			}),
		]);
		expect(await run(emulator, hook('get', { id }))).toEqual([expect.objectContaining({ id })]);
		expect(await run(emulator, hook('getAll', { returnAll: true }))).toHaveLength(1);
		const [updated] = await run(
			emulator,
			hook('update', { id, updateFields: { events: ['sale.created', 'stock.low'] } }),
		);
		expect(updated.events).toEqual(['sale.created', 'stock.low']);
		await run(emulator, hook('delete', { id }));
		expect(emulator.webhooks()[0]).toMatchObject({ id, active: false });
	});

	test("Mando's validation error (422) reaches the user with its message", async () => {
		await expect(
			run(emulator, hook('create', { url: 'http://insecure.example', events: ['sale.created'] })),
		).rejects.toMatchObject({
			httpCode: '422',
			message: expect.stringContaining('VALIDATION_FAILED: url must use https://'),
		});
	});
});
