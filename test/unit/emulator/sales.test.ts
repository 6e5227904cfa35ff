import { api, boot, emulator, closeAfterEach } from '../../harness/emulatorSession';

/** The emulator's sales list (created_from, expiring cursors) and its sources of new sales. */

closeAfterEach();

type Page = {
	data: Array<{ id: string; created_at: string; receipt_number: string }>;
	next_cursor: string | null;
	has_more: boolean;
};

describe('sales list', () => {
	beforeEach(() => boot());

	test('created_from keeps the sales at or after a time, and cursors keep the filter', async () => {
		emulator.seedSales([
			{ id: 'a', total: 1, items: [], created_at: '2026-11-29T10:00:00.000Z' },
			{ id: 'b', total: 2, items: [], created_at: '2026-11-29T11:00:00.000Z' },
			{ id: 'c', total: 3, items: [], created_at: '2026-11-29T12:00:00.000Z' },
			{ id: 'd', total: 4, items: [], created_at: '2026-11-29T13:00:00.000Z' },
		]);
		const first = (await api('/secure/sales?created_from=2026-11-29T11:00:00.000Z&limit=2'))
			.body as Page;
		expect(first.data.map((s) => s.id)).toEqual(['b', 'c']);
		expect(first.has_more).toBe(true);
		const rest = (await api(`/secure/sales?limit=2&cursor=${first.next_cursor}`)).body as Page;
		expect(rest).toMatchObject({ data: [{ id: 'd' }], next_cursor: null, has_more: false });
		expect((await api('/secure/sales?created_from=soon')).status).toBe(400);
	});

	test('with cursorTtlMs a cursor older than that answers 400 CURSOR_EXPIRED; 0 keeps them for ever', async () => {
		emulator.seedSales(3);
		emulator.setConfig({ cursorTtlMs: 50 });
		const first = (await api('/secure/sales?limit=1')).body as Page;
		expect((await api(`/secure/sales?limit=1&cursor=${first.next_cursor}`)).status).toBe(200);
		await new Promise((r) => setTimeout(r, 80));
		const expired = await api(`/secure/sales?limit=1&cursor=${first.next_cursor}`);
		expect(expired.status).toBe(400);
		expect(expired.body).toMatchObject({ code: 'CURSOR_EXPIRED' });
		emulator.setConfig({ cursorTtlMs: 0 });
		expect((await api(`/secure/sales?limit=1&cursor=${first.next_cursor}`)).status).toBe(200);
	});

	test('createSales makes new sales at a rate, each stored with created_at now and emitted as sale.created', async () => {
		const before = Date.now();
		const ids = await emulator.createSales(5, { perSecond: 100 });
		const took = Date.now() - before;
		expect(took).toBeGreaterThanOrEqual(35); // 4 gaps of 10 ms
		const sales = emulator.sales();
		expect(sales.map((s) => s.id)).toEqual(ids);
		expect(new Set(ids).size).toBe(5);
		for (const sale of sales)
			expect(Date.parse(sale.created_at as string)).toBeGreaterThanOrEqual(before - 1);
		expect(sales.map((s) => s.receipt_number)).toEqual([
			'000001',
			'000002',
			'000003',
			'000004',
			'000005',
		]);
		await expect(emulator.createSales(0)).rejects.toThrow('count');
	});

	test('startSales makes sales until stopped', async () => {
		const stop = emulator.startSales(60_000); // one a millisecond
		await new Promise((r) => setTimeout(r, 60));
		stop();
		const made = emulator.sales().length;
		expect(made).toBeGreaterThan(5);
		await new Promise((r) => setTimeout(r, 30));
		expect(emulator.sales().length).toBe(made);
		expect(() => emulator.startSales(0)).toThrow('perMinute');
	});
});
