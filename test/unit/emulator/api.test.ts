import { httpRequest } from '../../emulator/client';
import { API_KEY, api, boot, emulator, closeAfterEach } from '../../harness/emulatorSession';

/** The Mando API routes of the emulator over real HTTP: auth, entities, paging, errors. */

closeAfterEach();

describe('API', () => {
	beforeEach(() => boot());

	test('base URL is on 127.0.0.1 under /api', () => {
		expect(emulator.url).toBe(`http://127.0.0.1:${emulator.port}/api`);
	});

	test('missing or wrong Bearer key answers 401 and the header is not recorded', async () => {
		const none = await httpRequest(emulator.url + '/secure/plu');
		expect(none.status).toBe(401);
		expect(none.body).toEqual({ code: 'UNAUTHORIZED', message: 'Missing or invalid API key' });
		const wrong = await api('/secure/plu', { headers: { authorization: 'Bearer nope' } });
		expect(wrong.status).toBe(401);
		const right = await api('/secure/plu');
		expect(right.status).toBe(200);
		const recorded = emulator.requests();
		expect(recorded.map((r) => r.status)).toEqual([401, 401, 200]);
		expect(JSON.stringify(recorded)).not.toContain(API_KEY);
		expect(JSON.stringify(recorded)).not.toContain('nope');
	});

	test('create, get, partial update, conflict, 404, 405, bad JSON', async () => {
		const created = await api('/secure/plu', {
			method: 'POST',
			json: { name: 'Tea', base_price: '3.0', data: { tags: ['hot'] } },
		});
		expect(created.status).toBe(201);
		const plu = created.body as { id: string; active: boolean; name: string };
		expect(plu.id).toMatch(/^[0-9a-f-]{36}$/);
		expect(plu.active).toBe(true);

		const got = await api(`/secure/plu/${plu.id}`);
		expect(got.body).toEqual(created.body);

		const updated = await api(`/secure/plu/${plu.id}`, { method: 'PUT', json: { active: false } });
		expect(updated.status).toBe(200);
		expect(updated.body).toMatchObject({
			id: plu.id,
			name: 'Tea',
			active: false,
			data: { tags: ['hot'] },
		});

		const fixed = await api('/secure/customer', {
			method: 'POST',
			json: { id: 'c-1', name: 'Aino' },
		});
		expect(fixed.status).toBe(201);
		const dup = await api('/secure/customer', {
			method: 'POST',
			json: { id: 'c-1', name: 'Again' },
		});
		expect(dup.status).toBe(409);
		expect(dup.body).toMatchObject({ code: 'ALREADY_EXISTS' });
		expect((dup.body as { message: string }).message).toContain('c-1');

		expect((await api('/secure/plu/nope')).status).toBe(404);
		expect((await api('/secure/plu/nope', { method: 'PUT', json: {} })).status).toBe(404);
		const unknown = await api('/secure/nothing');
		expect(unknown.status).toBe(404);
		expect(unknown.body).toMatchObject({ code: 'NOT_FOUND' });
		expect((await api(`/secure/plu/${plu.id}`, { method: 'DELETE' })).status).toBe(405);

		const bad = await api('/secure/plu', {
			method: 'POST',
			body: '{"name":',
			headers: { 'content-type': 'application/json' },
		});
		expect(bad.status).toBe(400);
		expect(bad.body).toMatchObject({ code: 'BAD_REQUEST', message: expect.any(String) });
	});

	test('offset paging headers, filters and the pageSize limit', async () => {
		for (let i = 0; i < 7; i++) {
			await api('/secure/plu', {
				method: 'POST',
				json: { name: `P${i}`, dpt_id: i % 2 ? 'odd' : 'even', active: i !== 0 },
			});
		}
		const page2 = await api('/secure/plu?page=2&pageSize=3');
		expect(page2.status).toBe(200);
		expect((page2.body as Array<{ name: string }>).map((p) => p.name)).toEqual(['P3', 'P4', 'P5']);
		expect(page2.headers['x-total-count']).toBe('7');
		expect(page2.headers['x-page']).toBe('2');
		expect(page2.headers['x-page-size']).toBe('3');
		expect(page2.headers['x-total-pages']).toBe('3');

		const odd = await api('/secure/plu?dpt_id=odd');
		expect((odd.body as Array<{ name: string }>).map((p) => p.name)).toEqual(['P1', 'P3', 'P5']);
		expect(odd.headers['x-total-count']).toBe('3');
		const inactive = await api('/secure/plu?active=false');
		expect((inactive.body as Array<{ name: string }>).map((p) => p.name)).toEqual(['P0']);

		expect((await api('/secure/plu?pageSize=1000')).status).toBe(200);
		const tooBig = await api('/secure/plu?pageSize=1001');
		expect(tooBig.status).toBe(400);
		expect(tooBig.body).toMatchObject({ code: 'BAD_REQUEST' });
		expect((await api('/secure/plu?page=0')).status).toBe(400);
	});

	test('list shape: bare array by default, { data } when wrapped; two seeded locations', async () => {
		const bare = await api('/secure/location');
		expect(Array.isArray(bare.body)).toBe(true);
		expect(bare.body).toHaveLength(2);
		emulator.setConfig({ listShape: 'wrapped' });
		const wrapped = await api('/secure/location');
		expect(wrapped.body).toEqual({ data: bare.body });
		expect(wrapped.headers['x-total-count']).toBe('2');
	});

	test('sales use cursor paging and collect emitted sale.created data', async () => {
		const empty = await api('/secure/sales');
		expect(empty.body).toEqual({ data: [], next_cursor: null, has_more: false });
		for (let i = 0; i < 3; i++)
			await emulator.emit('sale.created', { data: { id: `s${i}`, total: i, items: [] } });
		const first = await api('/secure/sales?limit=2');
		const body = first.body as {
			data: Array<{ id: string }>;
			next_cursor: string;
			has_more: boolean;
		};
		expect(body.data.map((s) => s.id)).toEqual(['s0', 's1']);
		expect(body.has_more).toBe(true);
		const second = await api(
			`/secure/sales?limit=2&cursor=${encodeURIComponent(body.next_cursor)}`,
		);
		expect(second.body).toEqual({
			data: [{ id: 's2', total: 2, items: [] }],
			next_cursor: null,
			has_more: false,
		});
		expect((await api('/secure/sales?cursor=garbage')).status).toBe(400);
	});

	test('server-behaviour switches: totals off or count only, capped pages, page ignored or last page repeated', async () => {
		emulator.seed('plu', 250);
		emulator.setConfig({ maxPageSize: 100 });
		const capped = await api('/secure/plu?pageSize=1000&page=3');
		expect(capped.body).toHaveLength(50);
		expect(capped.headers).toMatchObject({
			'x-total-count': '250',
			'x-total-pages': '3',
			'x-page-size': '100',
		});
		emulator.setConfig({ listTotals: 'countOnly' });
		expect((await api('/secure/plu?page=1')).headers).toMatchObject({ 'x-total-count': '250' });
		expect((await api('/secure/plu?page=1')).headers['x-total-pages']).toBeUndefined();
		emulator.setConfig({ listTotals: false, listPaging: 'ignorePage' });
		const ignored = await api('/secure/plu?page=2');
		expect(ignored.headers['x-total-count']).toBeUndefined();
		expect((ignored.body as Array<{ productid: string }>)[0].productid).toBe('1');
		emulator.setConfig({ listPaging: 'repeatLastPage' });
		expect(
			((await api('/secure/plu?page=9')).body as Array<{ productid: string }>)[0].productid,
		).toBe('201');
		expect(
			(
				await httpRequest(`${emulator.url.replace(/\/api$/, '')}/_emulator/config`, {
					method: 'POST',
					json: { maxPageSize: 0 },
				})
			).status,
		).toBe(400);
	});

	test('sales switches: a null body, an empty page with has_more before every page, endless empty pages', async () => {
		emulator.seedSales(3);
		emulator.setConfig({ salesPaging: 'nullBody' });
		expect((await api('/secure/sales')).body).toBeNull();
		emulator.setConfig({ salesPaging: 'emptyPages' });
		const empty = (await api('/secure/sales')).body as {
			data: unknown[];
			next_cursor: string;
			has_more: boolean;
		};
		expect(empty).toMatchObject({ data: [], has_more: true });
		expect(
			((await api(`/secure/sales?cursor=${empty.next_cursor}`)).body as { data: unknown[] }).data,
		).toHaveLength(3);
		emulator.setConfig({ salesPaging: 'endlessEmpty' });
		const first = (await api('/secure/sales')).body as { next_cursor: string };
		const second = (await api(`/secure/sales?cursor=${first.next_cursor}`)).body as {
			data: unknown[];
			next_cursor: string;
			has_more: boolean;
		};
		expect(second).toMatchObject({ data: [], has_more: true });
		expect(second.next_cursor).not.toBe(first.next_cursor);
	});

	test("faults: a status with Mando's own code and message (or none), and a slow answer", async () => {
		emulator.injectFault({
			path: '/api/secure/plu',
			status: 409,
			code: 'CONFLICT',
			message: 'productid 1001 is already used',
		});
		expect(await api('/secure/plu')).toMatchObject({
			status: 409,
			body: { code: 'CONFLICT', message: 'productid 1001 is already used' },
		});
		emulator.injectFault({ path: '/api/secure/plu', status: 409, code: '', message: 'Conflict' });
		expect((await api('/secure/plu')).body).toEqual({ message: 'Conflict' });
		emulator.injectFault({ path: '/api/secure/plu', kind: 'slow', delayMs: 300 });
		const started = Date.now();
		expect((await api('/secure/plu')).status).toBe(200);
		expect(Date.now() - started).toBeGreaterThanOrEqual(280);
		expect(() => emulator.injectFault({ kind: 'slow', delayMs: -1 })).toThrow('delayMs');
	});
});
