import type { Emulator } from '../../../emulator/server';
import { run, runNode, useEmulator } from '../../../harness/mandoContext';
import { todayIn } from '../../../../nodes/Mando/values';

/** Sale operations (read only, cursor paging) against the emulator. */

let emulator: Emulator;
useEmulator('sale-key', (e) => (emulator = e));

describe('Sale', () => {
	test('Get returns one sale; unknown id → 404 NodeApiError', async () => {
		const [id] = emulator.seedSales(2);
		const [sale] = await run(emulator, { resource: 'sale', operation: 'get', id });
		expect(sale).toEqual(emulator.sales()[0]);
		await expect(
			run(emulator, { resource: 'sale', operation: 'get', id: 'missing' }),
		).rejects.toMatchObject({ httpCode: '404' });
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
		const out = await run(emulator, {
			resource: 'sale',
			operation: 'getAll',
			returnAll: false,
			limit: 12,
		});
		expect(out).toHaveLength(12);
		expect(emulator.countRequests({ path: '/api/secure/sales' })).toBe(1);
		expect(emulator.requests()[0].query.limit).toBe('12');
	});

	test('an empty sales list gives no items', async () => {
		expect(await run(emulator, { resource: 'sale', operation: 'getAll', returnAll: true })).toEqual(
			[],
		);
	});
});

describe('Sale → Get Many filters', () => {
	const HELSINKI = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
	const sale = (
		id: string,
		created_at: string,
		location_id = HELSINKI,
		businessday_id = 'bd-1',
	) => ({ id, created_at, location_id, businessday_id });
	const getAll = (filters: Record<string, unknown>) => ({
		resource: 'sale',
		operation: 'getAll',
		returnAll: true,
		filters,
	});

	test("Day is a calendar day in the workflow's time zone (Europe/Helsinki, the day DST starts: 23 hours)", async () => {
		emulator.seedSales([
			sale('before', '2025-03-29T21:59:59Z'), // 23:59:59 on the 29th in Helsinki (+02:00)
			sale('first', '2025-03-29T22:00:00Z'), // 00:00 on the 30th
			sale('last', '2025-03-30T20:59:59Z'), // 23:59:59 on the 30th (+03:00 since 04:00)
			sale('after', '2025-03-30T21:00:00Z'), // 00:00 on the 31st
		]);
		const out = await runNode({
			emulator,
			timezone: 'Europe/Helsinki',
			items: [getAll({ date: '2025-03-30' })],
		});
		expect(out.map((i) => i.json.id)).toEqual(['first', 'last']);
		expect(emulator.requests()[0].query).toMatchObject({
			created_from: '2025-03-30T00:00:00+02:00',
			created_to: '2025-03-31T00:00:00+03:00',
		});
	});

	test('Day "today" is today in the workflow time zone; location and business day filter too', async () => {
		const now = new Date().toISOString();
		emulator.seedSales([
			sale('today-here', now),
			sale('today-there', now, 'elsewhere'),
			sale('old', '2020-01-01T10:00:00Z'),
			sale('other-day', now, HELSINKI, 'bd-2'),
		]);
		const out = await runNode({
			emulator,
			timezone: 'Europe/Helsinki',
			items: [getAll({ date: 'today', location_id: HELSINKI, businessday_id: 'bd-1' })],
		});
		expect(out.map((i) => i.json.id)).toEqual(['today-here']);
	});

	test('Created After / Before bound any span; with Day it is an error', async () => {
		emulator.seedSales([
			sale('a', '2025-01-01T10:00:00Z'),
			sale('b', '2025-01-02T10:00:00Z'),
			sale('c', '2025-01-03T10:00:00Z'),
		]);
		const out = await runNode({
			emulator,
			items: [getAll({ created_from: '2025-01-02T00:00:00Z', created_to: '2025-01-03T00:00:00Z' })],
		});
		expect(out.map((i) => i.json.id)).toEqual(['b']);
		await expect(
			runNode({
				emulator,
				items: [getAll({ date: '2025-01-02', created_from: '2025-01-02T00:00:00Z' })],
			}),
		).rejects.toThrow('Day cannot be combined');
	});
});

describe('Business Day "today"', () => {
	test("Create with Date today stores today's date in the workflow time zone", async () => {
		const [day] = (
			await runNode({
				emulator,
				timezone: 'Europe/Helsinki',
				items: [{ resource: 'businessDay', operation: 'create', date: 'today', location_id: 'l' }],
			})
		).map((i) => i.json);
		expect(day.date).toBe(todayIn('Europe/Helsinki'));
	});
});
