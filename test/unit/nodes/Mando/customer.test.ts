import type { Emulator } from '../../../emulator/server';
import { run, useEmulator } from '../../../harness/mandoContext';

/** Customer operations against the emulator. */

let emulator: Emulator;
useEmulator('customer-key', (e) => (emulator = e));

const customer = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'customer',
	operation,
	...extra,
});

describe('Customer', () => {
	test('Create, Get, Update, Delete (soft)', async () => {
		const [created] = await run(
			emulator,
			customer('create', {
				name: 'Aino Virtanen',
				additionalFields: { email: 'aino@example.fi', customer_number: 'C-1' },
			}),
		);
		const id = created.id as string;
		expect(emulator.entity('customer', id)).toMatchObject({
			name: 'Aino Virtanen',
			email: 'aino@example.fi',
			customer_number: 'C-1',
			active: true,
		});
		expect(await run(emulator, customer('get', { id }))).toEqual([
			{ ...created, alreadyExisted: undefined },
		]); // Get has no alreadyExisted;
		const [updated] = await run(
			emulator,
			customer('update', { id, updateFields: { phone: '+358 40 123 4567' } }),
		);
		expect(updated).toMatchObject({ id, phone: '+358 40 123 4567', email: 'aino@example.fi' });
		await run(emulator, customer('delete', { id }));
		expect(emulator.entity('customer', id)).toMatchObject({ active: false, name: 'Aino Virtanen' });
	});

	test('Get Many filters on active and customer number', async () => {
		emulator.seed('customer', [
			{ id: 'c1', name: 'A', customer_number: '1' },
			{ id: 'c2', name: 'B', customer_number: '2' },
			{ id: 'c3', name: 'C', customer_number: '3', active: false },
		]);
		expect(
			(await run(emulator, customer('getAll', { returnAll: true, filters: { active: true } }))).map(
				(c) => c.id,
			),
		).toEqual(['c1', 'c2']);
		expect(
			(
				await run(
					emulator,
					customer('getAll', { returnAll: true, filters: { customer_number: '3' } }),
				)
			).map((c) => c.id),
		).toEqual(['c3']);
		expect(await run(emulator, customer('getAll', { returnAll: false, limit: 1 }))).toHaveLength(1);
	});
});
