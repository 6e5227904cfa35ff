import type { Emulator } from '../../../emulator/server';
import { run, runNode, useEmulator } from '../../../harness/mandoContext';

/** Product (PLU) operations of the Mando node against the emulator, over real HTTP. */

let emulator: Emulator;
useEmulator('product-key', (e) => (emulator = e));

const product = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'product',
	operation,
	...extra,
});

describe('Product', () => {
	test('Create sends its own id and the fields; Mando stores them', async () => {
		const [created] = await run(
			emulator,
			product('create', {
				name: 'Kahvi',
				additionalFields: { base_price: 3.5, productid: '1001', data: '{"tags":["hot"]}' },
			}),
		);
		expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
		const post = emulator.requests().find((r) => r.method === 'POST');
		expect((post?.body as { id: string }).id).toBe(created.id); // the node chose the id
		expect(emulator.entity('plu', created.id as string)).toMatchObject({
			name: 'Kahvi',
			base_price: 3.5,
			productid: '1001',
			active: true,
			data: { tags: ['hot'] },
		});
	});

	test('Create is idempotent: a retried POST whose answer was lost returns the stored record, no duplicate', async () => {
		emulator.injectFault({ method: 'POST', path: '/api/secure/plu', kind: 'dropAfter' });
		const [created] = await run(emulator, product('create', { name: 'Tee' }));
		expect(created).toMatchObject({ name: 'Tee', active: true });
		expect(emulator.entities('plu')).toHaveLength(1);
		expect(emulator.requests().map((r) => `${r.method} ${r.status}`)).toEqual([
			'POST 0',
			'POST 409',
			`GET 200`,
		]);
	});

	test('Create with a Custom ID twice gives the same record once', async () => {
		const params = product('create', { name: 'Pulla', additionalFields: { id: 'plu-custom-1' } });
		const [first] = await run(emulator, params);
		const [again] = await run(emulator, { ...params, name: 'Pulla 2' });
		expect(first).toMatchObject({ id: 'plu-custom-1', alreadyExisted: false });
		expect(again).toEqual({ ...first, alreadyExisted: true }); // the stored record, unchanged
		expect(emulator.entities('plu')).toHaveLength(1);
	});

	test("Get returns the record; an unknown id is a NodeApiError with Mando's code and a hint", async () => {
		const [id] = emulator.seed('plu', 1);
		expect(await run(emulator, product('get', { id }))).toEqual([emulator.entity('plu', id)]);
		await expect(run(emulator, product('get', { id: 'nope' }))).rejects.toMatchObject({
			httpCode: '404',
			message: 'Mando has no product with ID "nope"',
			description: expect.stringContaining(
				'Pick the product from the list, or use its product number (By Product Number)',
			),
		});
	});

	test('Get Many with Return All reads 2,500 products in exactly 3 requests of 1000', async () => {
		emulator.seed('plu', 2500);
		const out = await run(emulator, product('getAll', { returnAll: true }));
		expect(out).toHaveLength(2500);
		expect(new Set(out.map((p) => p.id)).size).toBe(2500);
		const lists = emulator.requests().filter((r) => r.path === '/api/secure/plu');
		expect(lists.map((r) => [r.query.page, r.query.pageSize])).toEqual([
			['1', '1000'],
			['2', '1000'],
			['3', '1000'],
		]);
	});

	test('Get Many Return All on exactly 2000 products stops at X-Total-Pages (2 requests), also with { data } bodies', async () => {
		emulator.setConfig({ listShape: 'wrapped' });
		emulator.seed('plu', 2000);
		expect(await run(emulator, product('getAll', { returnAll: true }))).toHaveLength(2000);
		expect(emulator.countRequests({ path: '/api/secure/plu' })).toBe(2);
		emulator.setConfig({ listShape: 'array' });
	});

	test('Get Many with a Limit over one page keeps offsets aligned', async () => {
		emulator.seed('plu', 1600);
		const out = await run(emulator, product('getAll', { returnAll: false, limit: 1500 }));
		expect(out).toHaveLength(1500);
		expect(out.map((p) => p.productid)).toEqual(
			Array.from({ length: 1500 }, (_, i) => String(i + 1)),
		);
		expect(await run(emulator, product('getAll', { returnAll: false, limit: 5 }))).toHaveLength(5);
	});

	test('Get Many filters by department and active', async () => {
		emulator.seed('plu', 3, { dpt_id: 'dpt-a' });
		emulator.seed('plu', [
			{ id: 'other', name: 'x', dpt_id: 'dpt-b' },
			{ id: 'old', name: 'y', dpt_id: 'dpt-a', active: false },
		]);
		const out = await run(
			emulator,
			product('getAll', { returnAll: true, filters: { dpt_id: 'dpt-a', active: true } }),
		);
		expect(out).toHaveLength(3);
		expect(out.every((p) => p.dpt_id === 'dpt-a' && p.active === true)).toBe(true);
	});

	test('Update changes the fields given and merges Data into the stored data', async () => {
		emulator.seed('plu', [
			{ id: 'p1', name: 'Old', base_price: '1.0', data: { tags: ['a'], cost_price: 0.4 } },
		]);
		const [updated] = await run(
			emulator,
			product('update', { id: 'p1', updateFields: { name: 'New', data: '{"tags":["b"]}' } }),
		);
		expect(updated).toMatchObject({
			id: 'p1',
			name: 'New',
			base_price: '1.0',
			data: { tags: ['b'], cost_price: 0.4 },
		});
		expect(emulator.entity('plu', 'p1')).toEqual(updated);
		await expect(run(emulator, product('update', { id: 'p1', updateFields: {} }))).rejects.toThrow(
			'Nothing to update',
		);
		await expect(
			run(emulator, product('update', { id: 'p1', updateFields: { data: '[1]' } })),
		).rejects.toThrow('must be a JSON object');
	});

	test('Delete is soft: the product stays, inactive', async () => {
		emulator.seed('plu', [{ id: 'p2', name: 'Gone' }]);
		const [deleted] = await run(emulator, product('delete', { id: 'p2' }));
		expect(deleted).toMatchObject({ id: 'p2', active: false });
		expect(emulator.entity('plu', 'p2')).toMatchObject({ name: 'Gone', active: false });
		expect(emulator.requests().map((r) => r.method)).toEqual(['PUT']);
	});

	test('items are paired with their input; Get Many fans out per input item', async () => {
		emulator.seed('plu', 3);
		const out = await runNode({
			emulator,
			items: [
				product('getAll', { returnAll: true }),
				product('getAll', { returnAll: false, limit: 2 }),
			],
		});
		expect(out.map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 0 },
			{ item: 0 },
			{ item: 1 },
			{ item: 1 },
		]);
	});
});
