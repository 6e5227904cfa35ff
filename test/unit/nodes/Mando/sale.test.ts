import type { Emulator } from '../../../emulator/server';
import { run, useEmulator } from '../../../harness/mandoContext';

/** Sale operations (read only, cursor paging) against the emulator. */

let emulator: Emulator;
useEmulator('sale-key', (e) => (emulator = e));

describe('Sale', () => {
	test('Get returns one sale; unknown id → 404 NodeApiError', async () => {
		const [id] = emulator.seedSales(2);
		const [sale] = await run(emulator, { resource: 'sale', operation: 'get', id });
		expect(sale).toEqual(emulator.sales()[0]);
		await expect(run(emulator, { resource: 'sale', operation: 'get', id: 'missing' })).rejects.toMatchObject({ httpCode: '404' });
	});

	test('Get Many with Return All follows next_cursor at 1000 per page: 2,345 sales in 3 requests', async () => {
		const ids = emulator.seedSales(2345);
		const out = await run(emulator, { resource: 'sale', operation: 'getAll', returnAll: true });
		expect(out.map((s) => s.id)).toEqual(ids);
		const pages = emulator.requests().filter((r) => r.path === '/api/secure/sales');
		expect(pages).toHaveLength(3);
		expect(pages.map((r) => r.query.limit)).toEqual(['1000', '1000', '1000']);
		expect(pages[0].query.cursor).toBeUndefined();
		expect(pages[1].query.cursor).toBeTruthy();
	});

	test('Get Many with a Limit stops early', async () => {
		emulator.seedSales(30);
		const out = await run(emulator, { resource: 'sale', operation: 'getAll', returnAll: false, limit: 12 });
		expect(out).toHaveLength(12);
		expect(emulator.countRequests({ path: '/api/secure/sales' })).toBe(1);
		expect(emulator.requests()[0].query.limit).toBe('12');
	});

	test('an empty sales list gives no items', async () => {
		expect(await run(emulator, { resource: 'sale', operation: 'getAll', returnAll: true })).toEqual([]);
	});
});
