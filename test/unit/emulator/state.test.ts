import { httpRequest } from '../../emulator/client';
import { startEmulator, type Emulator } from '../../emulator/server';
import { getMandoEventDefinition } from '../../../nodes/shared/events';
import type { MandoProduct, MandoSale } from '../../../nodes/shared/events';

/** The emulator's fault injection, request counting, seeding and tax list (for the action node's tests). */

const KEY = 'faults-key';
const auth = { Authorization: `Bearer ${KEY}` };
let emulator: Emulator;
beforeAll(async () => {
	emulator = await startEmulator({ apiKey: KEY, seed: 'empty' });
});
afterAll(async () => emulator.close());
beforeEach(() => emulator.reset());

const api = (path: string, options: Parameters<typeof httpRequest>[1] = {}) =>
	httpRequest(`${emulator.url}${path}`, { ...options, headers: { ...auth, ...options.headers } });

describe('fault injection', () => {
	test("429 with Retry-After and Mando's error body, for the next N matching requests only", async () => {
		emulator.injectFault({
			method: 'GET',
			path: '/api/secure/plu',
			status: 429,
			retryAfter: 2,
			count: 2,
		});
		const first = await api('/secure/plu');
		expect(first.status).toBe(429);
		expect(first.headers['retry-after']).toBe('2');
		expect(first.body).toEqual({ code: 'RATE_LIMITED', message: expect.any(String) });
		expect((await api('/secure/customer')).status).toBe(200); // path does not match
		expect((await api('/secure/plu', { method: 'POST', json: { name: 'x' } })).status).toBe(201); // method does not match
		expect((await api('/secure/plu')).status).toBe(429);
		expect((await api('/secure/plu')).status).toBe(200); // used up
		expect(emulator.faults()).toEqual([]);
	});

	test('5xx default 503; prefix paths with *', async () => {
		emulator.injectFault({ path: '/api/secure/plu*' });
		emulator.injectFault({ path: '/api/secure/plu*', status: 502 });
		expect((await api('/secure/plu/abc')).status).toBe(503);
		const second = await api('/secure/plu');
		expect(second.status).toBe(502);
		expect(second.body).toMatchObject({ code: 'SERVICE_UNAVAILABLE' });
	});

	test('drop closes the connection without an answer and changes nothing; dropAfter applies the request first', async () => {
		emulator.injectFault({ method: 'POST', kind: 'drop' });
		await expect(
			api('/secure/plu', { method: 'POST', json: { id: 'a', name: 'A' } }),
		).rejects.toThrow();
		expect(emulator.entity('plu', 'a')).toBeUndefined();
		emulator.injectFault({ method: 'POST', kind: 'dropAfter' });
		await expect(
			api('/secure/plu', { method: 'POST', json: { id: 'b', name: 'B' } }),
		).rejects.toThrow();
		expect(emulator.entity('plu', 'b')).toMatchObject({ name: 'B' });
		expect(emulator.requests().map((r) => r.status)).toEqual([0, 0]);
	});

	test('invalid faults are refused; reset clears them', () => {
		expect(() => emulator.injectFault({ count: 0 })).toThrow(TypeError);
		expect(() => emulator.injectFault({ status: 200 })).toThrow(TypeError);
		expect(() => emulator.injectFault({ kind: 'explode' as never })).toThrow(TypeError);
		emulator.injectFault({});
		emulator.reset();
		expect(emulator.faults()).toEqual([]);
	});

	test('control endpoints: POST/GET/DELETE /_emulator/faults, POST /_emulator/seed, GET /_emulator/counts', async () => {
		const base = emulator.url.replace(/\/api$/, '');
		expect(
			(
				await httpRequest(`${base}/_emulator/faults`, {
					method: 'POST',
					json: { path: '/api/secure/tax', status: 504 },
				})
			).status,
		).toBe(201);
		expect((await httpRequest(`${base}/_emulator/faults`)).body).toEqual([
			expect.objectContaining({ path: '/api/secure/tax', status: 504, count: 1 }),
		]);
		expect(
			(await httpRequest(`${base}/_emulator/faults`, { method: 'POST', json: { count: -1 } }))
				.status,
		).toBe(400);
		expect((await httpRequest(`${base}/_emulator/faults`, { method: 'DELETE' })).status).toBe(200);
		expect(emulator.faults()).toEqual([]);
		const seeded = await httpRequest(`${base}/_emulator/seed`, {
			method: 'POST',
			json: { resource: 'plu', count: 1500, template: { dpt_id: 'd' } },
		});
		expect(seeded.body).toEqual({ count: 1500 });
		expect(
			(
				await httpRequest(`${base}/_emulator/seed`, {
					method: 'POST',
					json: { resource: 'nope', count: 1 },
				})
			).status,
		).toBe(422);
		await api('/secure/plu?pageSize=1000');
		await api('/secure/plu?pageSize=1000&page=2');
		expect((await httpRequest(`${base}/_emulator/counts`)).body).toEqual({
			'GET /api/secure/plu': 2,
		});
		expect(emulator.countRequests({ method: 'get', path: '/api/secure/plu', status: 200 })).toBe(2);
	});
});

describe('seeding and taxes', () => {
	test('seed(count) makes numbered products fast; seed(list) stores records as given', () => {
		const started = Date.now();
		const ids = emulator.seed('plu', 5000);
		expect(Date.now() - started).toBeLessThan(2000);
		expect(ids).toHaveLength(5000);
		expect(emulator.entity('plu', ids[41])).toMatchObject({
			name: 'Product 42',
			productid: '42',
			active: true,
			data: {},
		});
		expect(emulator.seed('customer', [{ id: 'c', name: 'C' }])).toEqual(['c']);
		expect(() => emulator.seed('customer', [{ name: 'no id' }])).toThrow('id');
		expect(emulator.requests()).toEqual([]);
	});

	test('list headers over a seeded catalogue', async () => {
		emulator.seed('plu', 2500);
		const page3 = await api('/secure/plu?page=3&pageSize=1000');
		expect((page3.body as unknown[]).length).toBe(500);
		expect(page3.headers).toMatchObject({
			'x-total-count': '2500',
			'x-total-pages': '3',
			'x-page': '3',
			'x-page-size': '1000',
		});
	});

	test('GET /secure/tax lists the seeded Finnish VAT rates', async () => {
		const taxes = (await api('/secure/tax')).body as Array<{ rate: number }>;
		expect(taxes.map((t) => t.rate)).toEqual([25.5, 14, 10, 0]);
	});

	test('seedSales adds sales for cursor paging', async () => {
		const ids = emulator.seedSales(3);
		const page = (await api('/secure/sales?limit=2')).body as {
			data: Array<{ id: string }>;
			has_more: boolean;
			next_cursor: string;
		};
		expect(page.data.map((s) => s.id)).toEqual(ids.slice(0, 2));
		expect(page.has_more).toBe(true);
		const rest = (await api(`/secure/sales?limit=2&cursor=${page.next_cursor}`)).body as {
			data: Array<{ id: string }>;
			has_more: boolean;
		};
		expect(rest).toMatchObject({ data: [{ id: ids[2] }], has_more: false });
	});
});

describe('the demo café', () => {
	let cafe: Emulator;
	beforeAll(async () => {
		cafe = await startEmulator({ apiKey: KEY });
	});
	afterAll(async () => cafe.close());
	const get = async (path: string) =>
		(await httpRequest(`${cafe.url}${path}`, { headers: auth })).body as Array<
			Record<string, unknown>
		>;

	test("holds the products the sample sale sells, with the sample's ids, product numbers, departments, groups and tax", async () => {
		const sale = getMandoEventDefinition('sale.created')!.sample as MandoSale;
		const products = await get('/secure/plu');
		for (const line of sale.items) {
			expect(products).toContainEqual(
				expect.objectContaining({ id: line.plu_id, productid: line.productid, name: line.name }),
			);
		}
		const departments = await get('/secure/dpt');
		const groups = await get('/secure/grp');
		const taxes = await get('/secure/tax');
		for (const product of products) {
			const dpt = departments.find((d) => d.id === product.dpt_id);
			expect({ product: product.name, dpt: dpt?.name }).toEqual({
				product: product.name,
				dpt: expect.any(String),
			});
			expect(groups.map((g) => g.id)).toContain(dpt!.grp_id);
			expect(taxes.map((t) => t.id)).toContain(product.tax_id);
		}
		const sample = getMandoEventDefinition('product.created')!.sample as MandoProduct;
		expect(products.find((p) => p.id === sample.id)).toEqual(sample);
		process.stdout.write(
			`[café] ${products.length} products (${products.map((p) => `${String(p.productid)} ${String(p.name)}`).join(', ')}), ${departments.length} departments, ${groups.length} groups\n`,
		);
	});

	test("holds the sale's customer and its business day, open, at the sample location", async () => {
		const sale = getMandoEventDefinition('sale.created')!.sample as MandoSale;
		expect(await get('/secure/customer')).toEqual([
			expect.objectContaining({ id: sale.customer_id, name: 'Aino Virtanen' }),
		]);
		expect(await get('/secure/businessday')).toEqual([
			expect.objectContaining({
				id: sale.businessday_id,
				location_id: sale.location_id,
				closed_at: null,
			}),
		]);
		expect((await get('/secure/location')).map((l) => l.id)).toContain(sale.location_id);
	});

	test('seed "empty" leaves only the locations and taxes; reset restores the start config and the café', async () => {
		const empty = await startEmulator({ apiKey: KEY, seed: 'empty' });
		try {
			const count = async (e: Emulator, r: string) =>
				((await httpRequest(`${e.url}/secure/${r}`, { headers: auth })).body as unknown[]).length;
			expect([await count(empty, 'plu'), await count(empty, 'location')]).toEqual([0, 2]);
		} finally {
			await empty.close();
		}
		cafe.setConfig({ seed: 'empty', listShape: 'wrapped' });
		cafe.seed('plu', 3);
		cafe.reset();
		expect(cafe.config()).toMatchObject({ seed: 'cafe', listShape: 'array' });
		expect(cafe.entities('plu')).toHaveLength(6);
	});
});
