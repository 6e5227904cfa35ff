import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import type { Emulator } from '../../../emulator/server';
import { fakeContext, run, runNode, useEmulator } from '../../../harness/mandoContext';
import { listSearch, SEARCH_PAGE_SIZE } from '../../../../nodes/Mando/listSearch';
import { LOCATOR_MODE, MANDO_ID_REGEX } from '../../../../nodes/Mando/locators';
import { Mando } from '../../../../nodes/Mando/Mando.node';

/**
 * The Mando node's resource locators against the emulator: the From List search, By Product
 * Number, By ID, the plain ID text of workflows saved before the locators, and the not-found
 * message.
 */

let emulator: Emulator;
useEmulator('locators-key', (e) => (emulator = e), 'cafe');

const rl = (mode: string, value: string): IDataObject => ({ __rl: true, mode, value });
const CAPPUCCINO = '3fa85f64-5717-4562-b3fc-2c963f66afa6';
const SALMON_SOUP = '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b';

describe('From List (listSearch)', () => {
	test('lists the active products by name with number and price, filtered by name or number in any case', async () => {
		const ctx = fakeContext({ emulator, items: [] });
		const all = await listSearch.searchProducts.call(ctx);
		expect(all.results.map((r) => r.name)).toEqual([
			'Caffè latte',
			'Cappuccino',
			'Cinnamon bun',
			'Espresso',
			'Karelian pie',
			'Salmon soup',
		]);
		expect(all.paginationToken).toBeUndefined();
		expect(all.results.find((r) => r.value === CAPPUCCINO)).toEqual({
			name: 'Cappuccino',
			value: CAPPUCCINO,
			description: 'No. 1001 · 4.50 €',
		});
		expect((await listSearch.searchProducts.call(ctx, 'SALMON')).results).toEqual([
			{ name: 'Salmon soup', value: SALMON_SOUP, description: 'No. 2040 · 18.25 €' },
		]);
		expect((await listSearch.searchProducts.call(ctx, '3020')).results.map((r) => r.name)).toEqual([
			'Karelian pie',
		]);
		expect(emulator.requests().every((r) => r.query.active === 'true')).toBe(true);
	});

	test('departments, groups, locations, customers and business days list by name (days by date, open or closed)', async () => {
		const ctx = fakeContext({ emulator, items: [] });
		const names = async (method: keyof typeof listSearch, filter?: string) =>
			(await listSearch[method].call(ctx, filter)).results.map((r) => r.name);
		expect({
			departments: await names('searchDepartments'),
			groups: await names('searchGroups'),
			locations: await names('searchLocations', 'tampere'),
			customers: await names('searchCustomers', 'aino'),
			days: await names('searchBusinessDays'),
		}).toEqual({
			departments: ['Coffee & tea', 'Pastries', 'Soups & lunch'],
			groups: ['Drinks', 'Food'],
			locations: ['Kahvila Tampere'],
			customers: ['Aino Virtanen'],
			days: ['2026-11-28 (open)'],
		});
	});

	test('pages through the transport: 250 products → pages of 100, a token while more remain; a filter reads on until it has a page of matches', async () => {
		emulator.seed('plu', 250);
		const ctx = fakeContext({ emulator, items: [] });
		const first = await listSearch.searchProducts.call(ctx);
		expect([first.results.length, first.paginationToken]).toEqual([SEARCH_PAGE_SIZE, '2']);
		const second = await listSearch.searchProducts.call(ctx, undefined, first.paginationToken);
		const third = await listSearch.searchProducts.call(ctx, undefined, second.paginationToken);
		expect([second.results.length, second.paginationToken]).toEqual([100, '3']);
		expect([third.results.length, third.paginationToken]).toEqual([56, undefined]);
		const lists = emulator.requests().filter((r) => r.path === '/api/secure/plu');
		expect(lists.map((r) => `${r.query.page}/${r.query.pageSize}`)).toEqual([
			'1/100',
			'2/100',
			'3/100',
		]);
		// "Product 24" matches Product 24 and 240–249: all pages are read in one answer
		const before = emulator.requests().length;
		const found = await listSearch.searchProducts.call(ctx, 'product 24');
		expect(found.results).toHaveLength(11);
		expect(found.paginationToken).toBeUndefined();
		expect(emulator.requests().length - before).toBe(3);
	});

	test('an account without the resource (404) gives an empty list; a wrong API key is a NodeApiError', async () => {
		emulator.injectFault({ path: '/api/secure/grp', status: 404, code: 'NOT_FOUND' });
		const ctx = fakeContext({ emulator, items: [] });
		expect(await listSearch.searchGroups.call(ctx)).toEqual({ results: [] });
		const wrong = fakeContext({ emulator, items: [], apiKey: 'wrong' });
		await expect(listSearch.searchGroups.call(wrong)).rejects.toBeInstanceOf(NodeApiError);
	});
});

describe('product ID from each mode', () => {
	test('From List, By Product Number, By ID and a plain ID text all reach the same kind of record', async () => {
		const get = async (id: string | ReturnType<typeof rl>) =>
			(await run(emulator, { resource: 'product', operation: 'get', id }))[0].name;
		expect({
			list: await get(rl(LOCATOR_MODE.list, CAPPUCCINO)),
			number: await get(rl(LOCATOR_MODE.productNumber, ' 2040 ')),
			id: await get(rl(LOCATOR_MODE.id, SALMON_SOUP)),
			plainText: await get(CAPPUCCINO),
		}).toEqual({
			list: 'Cappuccino',
			number: 'Salmon soup',
			id: 'Salmon soup',
			plainText: 'Cappuccino',
		});
	});

	test('By Product Number is one filtered list request (productid), also for Stock', async () => {
		const [stock] = await run(emulator, {
			resource: 'stock',
			operation: 'get',
			id: rl(LOCATOR_MODE.productNumber, '1001'),
		});
		expect(stock).toMatchObject({ plu_id: CAPPUCCINO, productid: '1001' });
		const lookups = emulator.requests().filter((r) => r.path === '/api/secure/plu');
		expect(lookups.map((r) => r.query.productid)).toEqual(['1001']);
	});

	test('an unknown product number and an unknown ID are 404 NodeApiErrors saying where the ID comes from', async () => {
		const number = run(emulator, {
			resource: 'product',
			operation: 'update',
			id: rl(LOCATOR_MODE.productNumber, '9999'),
			updateFields: { base_price: 5 },
		});
		await expect(number).rejects.toBeInstanceOf(NodeApiError);
		await expect(number).rejects.toMatchObject({
			httpCode: '404',
			message: 'Mando has no product with product number "9999"',
			description: expect.stringContaining('pick the product from the list'),
		});
		const byId = run(emulator, { resource: 'product', operation: 'get', id: 'cappuccino' });
		await expect(byId).rejects.toMatchObject({
			httpCode: '404',
			message: 'Mando has no product with ID "cappuccino"',
			description: expect.stringContaining(
				'Pick the product from the list, or use its product number (By Product Number)',
			),
		});
		const customer = run(emulator, {
			resource: 'customer',
			operation: 'get',
			id: rl(LOCATOR_MODE.id, '00000000-0000-4000-8000-000000000000'),
		});
		await expect(customer).rejects.toMatchObject({
			message: 'Mando has no customer with ID "00000000-0000-4000-8000-000000000000"',
			description: expect.stringContaining('Pick the customer from the list'),
		});
		expect(emulator.entity('plu', CAPPUCCINO)).toMatchObject({ base_price: '4.50' });
	});

	test('two active products with one number are a 409 naming both; an inactive one with the number is passed over', async () => {
		emulator.seed('plu', [
			{ id: 'old-1001', name: 'Cappuccino (old)', productid: '1001', active: false },
		]);
		expect(
			(
				await run(emulator, {
					resource: 'product',
					operation: 'get',
					id: rl(LOCATOR_MODE.productNumber, '1001'),
				})
			)[0].id,
		).toBe(CAPPUCCINO);
		emulator.seed('plu', [{ id: 'dup-1001', name: 'Cappuccino large', productid: '1001' }]);
		await expect(
			run(emulator, {
				resource: 'product',
				operation: 'get',
				id: rl(LOCATOR_MODE.productNumber, '1001'),
			}),
		).rejects.toMatchObject({
			httpCode: '409',
			message: '2 products have product number "1001"',
			description: expect.stringContaining('Cappuccino large (dup-1001)'),
		});
	});
});

describe('workflows saved before the locators', () => {
	test('plain ID texts in the ID and in Department / Location fields and filters still work', async () => {
		const DEPARTMENT = '9b2d7f0e-1c3a-4e5b-8d6f-7a8b9c0d1e2f';
		const [updated] = await run(emulator, {
			resource: 'product',
			operation: 'update',
			id: SALMON_SOUP,
			updateFields: { dpt_id: DEPARTMENT },
		});
		expect(updated).toMatchObject({ id: SALMON_SOUP, dpt_id: DEPARTMENT });
		const listed = await run(emulator, {
			resource: 'product',
			operation: 'getAll',
			returnAll: true,
			filters: { dpt_id: DEPARTMENT },
		});
		expect(listed.map((p) => p.name).sort()).toEqual([
			'Caffè latte',
			'Cappuccino',
			'Espresso',
			'Salmon soup',
		]);
		// the same filter as a locator, and an unset one (old dropdown '' or an empty locator)
		const viaLocator = await run(emulator, {
			resource: 'product',
			operation: 'getAll',
			returnAll: true,
			filters: { dpt_id: rl(LOCATOR_MODE.list, DEPARTMENT) },
		});
		expect(viaLocator).toHaveLength(4);
		for (const unset of ['', rl(LOCATOR_MODE.list, '')]) {
			const out = await runNode({
				emulator,
				items: [{ resource: 'sale', operation: 'getAll', filters: { location_id: unset } }],
			});
			expect(out).toEqual([]);
		}
		const sales = emulator.requests().filter((r) => r.path === '/api/secure/sales');
		expect(sales.every((r) => r.query.location_id === undefined)).toBe(true);
	});

	test('an AI tool passes the ID as plain text ($fromAI) and gets the product', async () => {
		const out = await runNode({
			emulator,
			asTool: true,
			items: [{ resource: 'product', operation: 'get', id: SALMON_SOUP }],
		});
		expect(out[0].json).toMatchObject({ name: 'Salmon soup' });
	});
});

describe('the locator parameters', () => {
	const properties = new Mando().description.properties;
	const locators = (list: INodeProperties[]): INodeProperties[] =>
		list.flatMap((p) => [
			...(p.type === 'resourceLocator' ? [p] : []),
			...(p.type === 'collection' ? locators((p.options ?? []) as INodeProperties[]) : []),
		]);

	test('the product picker is the parameter id with modes list, productNumber and id, From List by default', () => {
		const product = properties.find(
			(p) =>
				p.name === 'id' &&
				p.type === 'resourceLocator' &&
				p.displayOptions?.show?.resource?.includes('product'),
		)!;
		expect(product.displayName).toBe('Product');
		expect(product.default).toEqual({ mode: 'list', value: '' });
		expect(product.modes!.map((m) => m.name)).toEqual(['list', 'productNumber', 'id']);
		expect(product.modes![0].typeOptions?.searchListMethod).toBe('searchProducts');
	});

	test('every locator names a search method the node has; By ID accepts GUIDs only', () => {
		const all = locators(properties);
		expect(all.length).toBeGreaterThanOrEqual(12);
		const methods = new Mando().methods.listSearch;
		for (const p of all) {
			const list = p.modes!.find((m) => m.name === 'list')!;
			expect(Object.keys(methods)).toContain(list.typeOptions!.searchListMethod);
		}
		const guid = new RegExp(MANDO_ID_REGEX);
		expect([guid.test(CAPPUCCINO), guid.test('cappuccino'), guid.test('1001')]).toEqual([
			true,
			false,
			false,
		]);
	});
});
