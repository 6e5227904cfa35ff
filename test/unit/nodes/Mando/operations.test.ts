import type { IDataObject } from 'n8n-workflow';

import type { Emulator } from '../../../emulator/server';
import { runNode, useEmulator } from '../../../harness/mandoContext';

/** What every operation handler shares (operations.ts): record ids, checked before any request. */

let emulator: Emulator;
useEmulator('operations-key', (e) => (emulator = e));

describe('record ids', () => {
	const nothing: Array<[string, unknown, string]> = [
		['undefined (an empty $fromAI or $json.missing)', undefined, 'got undefined'],
		['null', null, 'got null'],
		['an object', { id: 'x' }, 'got an object'],
		['blanks', '   ', 'got "   "'],
		['the text "undefined"', 'undefined', 'got "undefined"'],
		['the text "[object Object]"', '[object Object]', 'got "[object Object]"'],
	];
	test.each(nothing)('%s → an item error naming the field, never a request', async (_, id, got) => {
		const cases = [
			{ resource: 'product', operation: 'get', label: 'Product ID' },
			{ resource: 'product', operation: 'delete', label: 'Product ID' },
			{
				resource: 'customer',
				operation: 'update',
				label: 'Customer ID',
				updateFields: { name: 'x' },
			},
			{ resource: 'stock', operation: 'get', label: 'Product ID' },
			{
				resource: 'businessDay',
				operation: 'rename',
				label: 'Business Day ID',
				newDate: '2025-03-15',
			},
			{ resource: 'sale', operation: 'get', label: 'Sale ID' },
		];
		const out = await runNode({
			emulator,
			continueOnFail: true,
			items: cases.map(({ label: _label, ...params }) => ({ ...params, id }) as IDataObject),
		});
		expect(out.map((item) => item.json.error)).toEqual(
			cases.map((c) => `${c.label} is empty (${got})`),
		);
		expect(emulator.requests()).toEqual([]);
	});

	test('Create: a Custom ID that yields nothing lets the node choose one; an object or the text "undefined" is an item error', async () => {
		const out = await runNode({
			emulator,
			continueOnFail: true,
			items: [
				{
					resource: 'product',
					operation: 'create',
					name: 'A',
					additionalFields: { id: { id: 'x' } },
				},
				{
					resource: 'product',
					operation: 'create',
					name: 'B',
					additionalFields: { id: 'undefined' },
				},
				{
					resource: 'product',
					operation: 'create',
					name: 'C',
					additionalFields: { id: undefined },
				},
				{ resource: 'product', operation: 'create', name: 'D', additionalFields: { id: null } },
				{ resource: 'product', operation: 'create', name: 'E', additionalFields: { id: '' } },
			],
		});
		expect(out.slice(0, 2).map((i) => i.json.error)).toEqual([
			'Custom ID is empty (got an object)',
			'Custom ID is empty (got "undefined")',
		]);
		for (const item of out.slice(2))
			expect(item.json).toMatchObject({
				id: expect.stringMatching(/^[0-9a-f-]{36}$/),
				alreadyExisted: false,
			});
		expect(emulator.countRequests({ method: 'POST' })).toBe(3);
	});
});

describe('Create', () => {
	const create = (extra: Record<string, unknown> = {}) => ({
		resource: 'customer',
		operation: 'create',
		name: 'Aino',
		...extra,
	});

	test("n8n's Retry On Fail after a create whose answer was lost: the re-run sends the same id → exactly 1 record, alreadyExisted: true", async () => {
		emulator.injectFault({ method: 'POST', path: '/api/secure/customer', kind: 'dropAfter' });
		const first = await runNode({
			emulator,
			executionId: 'exec-42',
			items: [create({ options: { maxAttempts: 1 } })],
		}).catch((e: Error) => e);
		expect(first).toBeInstanceOf(Error); // the node's own retries are off: n8n's Retry On Fail re-runs the node
		const [again] = await runNode({
			emulator,
			executionId: 'exec-42',
			items: [create({ options: { maxAttempts: 1 } })],
		});
		expect(emulator.entities('customer')).toHaveLength(1);
		expect(again.json).toMatchObject({
			id: emulator.entities('customer')[0].id,
			name: 'Aino',
			alreadyExisted: true,
		});
		const posts = emulator
			.requests()
			.filter((r) => r.method === 'POST')
			.map((r) => (r.body as { id: string }).id);
		expect(posts).toEqual([again.json.id, again.json.id]);
	});

	test('another execution, run (a loop) or item gets another id: no record is taken for another', async () => {
		await runNode({ emulator, executionId: 'exec-1', items: [create(), create()] });
		await runNode({ emulator, executionId: 'exec-1', runIndex: 1, items: [create()] });
		const [fresh] = await runNode({ emulator, executionId: 'exec-2', items: [create()] });
		expect(emulator.entities('customer')).toHaveLength(4);
		expect(fresh.json.alreadyExisted).toBe(false);
	});

	test('a Custom ID that exists returns the stored record unchanged, saying so', async () => {
		emulator.seed('customer', [{ id: 'c-1', name: 'Stored' }]);
		const [out] = await runNode({ emulator, items: [create({ additionalFields: { id: 'c-1' } })] });
		expect(out.json).toEqual({ ...emulator.entity('customer', 'c-1'), alreadyExisted: true });
	});

	test('a bare 409 (no code) for the node\'s own id is "already exists" too', async () => {
		emulator.seed('customer', [{ id: 'c-2', name: 'Stored' }]);
		emulator.injectFault({
			method: 'POST',
			path: '/api/secure/customer',
			status: 409,
			code: '',
			message: 'Conflict',
		});
		const [out] = await runNode({ emulator, items: [create({ additionalFields: { id: 'c-2' } })] });
		expect(out.json).toMatchObject({ id: 'c-2', alreadyExisted: true });
	});

	test('another 409 (CONFLICT: a product number in use) is said plainly, not read as "already exists" or 404', async () => {
		emulator.injectFault({
			method: 'POST',
			path: '/api/secure/plu',
			status: 409,
			code: 'CONFLICT',
			message: 'productid 1001 is already used by another product',
		});
		const error = (await runNode({
			emulator,
			items: [
				{
					resource: 'product',
					operation: 'create',
					name: 'Kahvi',
					additionalFields: { productid: '1001' },
				},
			],
		}).catch((e: unknown) => e)) as Error & { httpCode?: string; description?: string };
		expect(error).toMatchObject({
			httpCode: '409',
			message: 'Mando API error 409 CONFLICT: productid 1001 is already used by another product',
		});
		expect(error.description).not.toContain('already exists');
		expect(emulator.requests().map((r) => `${r.method} ${r.status}`)).toEqual(['POST 409']);
	});

	test('the operation description tells agents about alreadyExisted', async () => {
		const { Mando } = await import('../../../../nodes/Mando/Mando.node');
		const operation = new Mando().description.properties.find(
			(p) => p.name === 'operation' && p.displayOptions?.show?.resource?.[0] === 'customer',
		);
		const createOption = (operation?.options as Array<{ value: string; description: string }>).find(
			(o) => o.value === 'create',
		);
		expect(createOption?.description).toContain('alreadyExisted: true');
	});
});

describe('typed parameters', () => {
	const errors = async (items: IDataObject[]) =>
		(await runNode({ emulator, continueOnFail: true, items })).map((i) => i.json.error ?? i.json);

	test('Stock Update: "twenty", null, -1 and Infinity are item errors naming the field; nothing is sent', async () => {
		emulator.seed('plu', [{ id: 'p', name: 'P', data: { stock_qty_warning: 5 } }]);
		const update = (stock_qty_warning: unknown) => ({
			resource: 'stock',
			operation: 'update',
			id: 'p',
			updateFields: { stock_qty_warning },
		});
		expect(await errors([update('twenty'), update(null), update(-1), update(Infinity)])).toEqual([
			'Low-Stock Threshold must be a number such as 12.50 or 12,50 (got "twenty")',
			expect.stringMatching(
				/^Low-Stock Threshold is empty \(got null\); remove the field, or on Update use Clear Fields/,
			),
			'Low-Stock Threshold must be a whole number, 0 or more (got -1)',
			'Low-Stock Threshold must be a number such as 12.50 or 12,50 (got Infinity)',
		]);
		expect(emulator.countRequests({ method: 'PUT' })).toBe(0);
		expect(emulator.entity('plu', 'p')?.data.stock_qty_warning).toBe(5);
	});

	test('Product Create: 18.09*1.1 is sent as 19.9; "12,50" as 12.5; "1.234,50" is refused', async () => {
		const create = (base_price: unknown) => ({
			resource: 'product',
			operation: 'create',
			name: 'K',
			additionalFields: { base_price },
		});
		const out = await errors([create(18.09 * 1.1), create('12,50'), create('1.234,50')]);
		expect(out[0]).toMatchObject({ base_price: 19.9 });
		expect(out[1]).toMatchObject({ base_price: 12.5 });
		expect(out[2]).toBe('Base Price must be a number such as 12.50 or 12,50 (got "1.234,50")');
		expect(
			emulator
				.requests()
				.filter((r) => r.method === 'POST')
				.map((r) => (r.body as { base_price: unknown }).base_price),
		).toEqual([19.9, 12.5]);
	});

	test('Update: Clear Fields empties a field (sent as null); set and cleared at once is an error', async () => {
		emulator.seed('plu', [
			{ id: 'p', name: 'P', memo: 'old note', data: { stock_qty_warning: 5 } },
		]);
		await runNode({
			emulator,
			items: [{ resource: 'product', operation: 'update', id: 'p', clearFields: ['memo'] }],
		});
		expect(emulator.entity('plu', 'p')?.memo).toBeNull();
		await runNode({
			emulator,
			items: [
				{ resource: 'stock', operation: 'update', id: 'p', clearFields: ['stock_qty_warning'] },
			],
		});
		expect(emulator.entity('plu', 'p')?.data.stock_qty_warning).toBeNull();
		expect(
			await errors([
				{
					resource: 'product',
					operation: 'update',
					id: 'p',
					updateFields: { memo: 'x' },
					clearFields: ['memo'],
				},
			]),
		).toEqual(['Memo is both set and cleared; choose one']);
	});

	test('dates are strict: Rename "2025-03-14; DROP" and Business Day Create with "14.3.2025" send nothing', async () => {
		emulator.seed('businessday', [{ id: 'd', date: '2025-03-13' }]);
		expect(
			await errors([
				{ resource: 'businessDay', operation: 'rename', id: 'd', newDate: '2025-03-14; DROP' },
				{ resource: 'businessDay', operation: 'create', date: '14.3.2025', location_id: 'l' },
				{
					resource: 'businessDay',
					operation: 'getAll',
					returnAll: true,
					filters: { date: '2025-03-14x' },
				},
			]),
		).toEqual([
			'New Date must be a date as YYYY-MM-DD, e.g. 2025-03-14 (got "2025-03-14; DROP")',
			'Date must be a date as YYYY-MM-DD, e.g. 2025-03-14 (got "14.3.2025")',
			'Date must be a date as YYYY-MM-DD, e.g. 2025-03-14 (got "2025-03-14x")',
		]);
		expect(emulator.requests()).toEqual([]);
	});

	test('Limit 2.5 (an AI tool guess) reads 2, sent as pageSize=2; Limit "many" is an item error', async () => {
		emulator.seed('plu', 5);
		const out = await runNode({
			emulator,
			continueOnFail: true,
			items: [
				{ resource: 'product', operation: 'getAll', limit: 2.5 },
				{ resource: 'product', operation: 'getAll', limit: 'many' },
			],
		});
		expect(out.slice(0, 2).map((i) => i.json.productid)).toEqual(['1', '2']);
		expect(out[2].json.error).toBe('Limit must be a number such as 12.50 or 12,50 (got "many")');
		expect(emulator.requests().map((r) => r.query.pageSize)).toEqual(['2']);
	});
});

describe('as an AI tool', () => {
	test('Get Many with Return All over 25,000 products: one item with ≤ 100 compact records, the total and a hint; one request', async () => {
		emulator.seed('plu', 25_000, {
			data: { supply: [{ ean: '6400000000000', sku: 'x' }] },
			sales_history: { month_sales: [] },
		});
		const out = await runNode({
			emulator,
			asTool: true,
			items: [{ resource: 'product', operation: 'getAll', returnAll: true }],
		});
		expect(out).toHaveLength(1);
		const page = out[0].json as {
			total: number;
			returned: number;
			more: boolean;
			hint: string;
			results: Array<Record<string, unknown>>;
		};
		expect(page).toMatchObject({ total: 25_000, returned: 100, more: true });
		expect(page.results).toHaveLength(100);
		expect(page.results[0]).toEqual({
			id: expect.any(String),
			active: true,
			name: 'Product 1',
			productid: '1',
			base_price: '1.00',
		});
		expect(page.hint).toBe(
			'Showing 100 of 25000 products, with top-level fields only. Narrow the list with filters (Active, Department, Product Number), or use Get with an id for one record in full.',
		);
		expect(JSON.stringify(out).length).toBeLessThan(20_000);
		expect(emulator.requests().map((r) => r.query)).toEqual([{ page: '1', pageSize: '100' }]);
	});

	test('a small list comes whole, without a hint; sales (cursor) too', async () => {
		emulator.seedSales(3);
		const [page] = await runNode({
			emulator,
			asTool: true,
			items: [{ resource: 'sale', operation: 'getAll', limit: 50 }],
		});
		expect(page.json).toMatchObject({ total: null, returned: 3, more: false });
		expect(page.json.hint).toBeUndefined();
	});

	test('a missing required id comes back as a readable answer to the agent, before any request', async () => {
		const out = await runNode({
			emulator,
			asTool: true,
			items: [{ resource: 'product', operation: 'get', id: undefined }],
		});
		expect(out.map((i) => i.json)).toEqual([
			{
				error: 'Product ID is empty (got undefined)',
				description: expect.stringContaining('Give the ID (GUID) of the product'),
			},
		]);
		expect(emulator.requests()).toEqual([]);
	});
});
