import type { Emulator } from '../../../emulator/server';
import { run, useEmulator } from '../../../harness/mandoContext';

/** Stock operations (a product's stock units and low-stock threshold) against the emulator. */

let emulator: Emulator;
useEmulator('stock-key', (e) => (emulator = e));

const UNITS = [
	{
		name: 'pcs',
		value: 1,
		multiplier: 1,
		balance_unit: true,
		wastage_unit: true,
		inventory_unit: true,
	},
];

describe('Stock', () => {
	test('Get reads data.stock_units and data.stock_qty_warning (a string threshold becomes a number)', async () => {
		emulator.seed('plu', [
			{
				id: 'p1',
				name: 'Kahvi',
				productid: '1001',
				data: { stock_units: UNITS, stock_qty_warning: '5', tags: ['x'] },
			},
		]);
		expect(await run(emulator, { resource: 'stock', operation: 'get', id: 'p1' })).toEqual([
			{ plu_id: 'p1', productid: '1001', name: 'Kahvi', stock_units: UNITS, stock_qty_warning: 5 },
		]);
	});

	test('Update writes the threshold and units into the product, keeping the rest of data', async () => {
		emulator.seed('plu', [
			{ id: 'p2', name: 'Tee', data: { tags: ['keep'], stock_qty_warning: 1 } },
		]);
		const [stock] = await run(emulator, {
			resource: 'stock',
			operation: 'update',
			id: 'p2',
			updateFields: { stock_qty_warning: 8, stock_units: JSON.stringify(UNITS) },
		});
		expect(stock).toEqual({
			plu_id: 'p2',
			productid: null,
			name: 'Tee',
			stock_units: UNITS,
			stock_qty_warning: 8,
		});
		expect(emulator.entity('plu', 'p2')?.data).toEqual({
			tags: ['keep'],
			stock_qty_warning: 8,
			stock_units: UNITS,
		});
	});

	test('Update refuses an empty change or units that are not a list', async () => {
		emulator.seed('plu', [{ id: 'p3', name: 'X' }]);
		await expect(
			run(emulator, { resource: 'stock', operation: 'update', id: 'p3', updateFields: {} }),
		).rejects.toThrow('Nothing to update');
		await expect(
			run(emulator, {
				resource: 'stock',
				operation: 'update',
				id: 'p3',
				updateFields: { stock_units: '{"a":1}' },
			}),
		).rejects.toThrow('JSON array');
		await expect(run(emulator, { resource: 'stock', operation: 'get', id: '' })).rejects.toThrow(
			'Product ID is empty',
		);
	});
});
