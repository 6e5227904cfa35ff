import { NodeApiError } from 'n8n-workflow';

import { EMULATOR_DEFAULT_CONFIG } from '../../../emulator/config';
import type { Emulator } from '../../../emulator/server';
import { fakeContext, run, useEmulator } from '../../../harness/mandoContext';
import {
	MANDO_DEFAULT_BASE_URL,
	mandoBaseUrl,
	mandoGetAll,
	redact,
} from '../../../../nodes/shared/transport';

/** The shared Mando transport's retries, driven through the Mando node against the emulator. */

let emulator: Emulator;
useEmulator('retries-key', (e) => (emulator = e));

const get = (id: string, options: Record<string, unknown> = {}) => ({
	resource: 'product',
	operation: 'get',
	id,
	options,
});

describe('retries', () => {
	test('429 with Retry-After is waited out, then the request succeeds', async () => {
		emulator.seed('plu', [{ id: 'p', name: 'P' }]);
		emulator.injectFault({ path: '/api/secure/plu/p', status: 429, retryAfter: 1 });
		const started = Date.now();
		expect(await run(emulator, get('p'))).toEqual([expect.objectContaining({ id: 'p' })]);
		const waited = Date.now() - started;
		expect(waited).toBeGreaterThanOrEqual(950); // honoured Retry-After: 1
		expect(emulator.requests().map((r) => r.status)).toEqual([429, 200]);
	});

	test('502/503/504 and a dropped connection are retried', async () => {
		emulator.seed('plu', [{ id: 'p', name: 'P' }]);
		emulator.injectFault({ path: '/api/secure/plu/p', kind: 'drop' }); // first, so the back-off is the shortest (0.5 s)
		for (const status of [502, 503, 504])
			emulator.injectFault({ path: '/api/secure/plu/p', status, retryAfter: 0 });
		expect(await run(emulator, get('p', { maxAttempts: 5 }))).toHaveLength(1);
		expect(emulator.requests().map((r) => r.status)).toEqual([0, 502, 503, 504, 200]);
	});

	test('Max Attempts bounds the tries; then a NodeApiError says what happened', async () => {
		emulator.injectFault({ path: '/api/secure/plu*', status: 503, retryAfter: 0, count: 10 });
		const error = await run(emulator, get('p', { maxAttempts: 2 })).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error).toMatchObject({
			httpCode: '503',
			message: expect.stringContaining('503 SERVICE_UNAVAILABLE'),
		});
		expect((error as NodeApiError).description).toContain('after 2 attempts');
		expect(emulator.countRequests()).toBe(2);
	});

	test('Max Total Wait bounds the waiting: a Retry-After beyond it is not waited for', async () => {
		emulator.injectFault({ path: '/api/secure/plu/p', status: 429, retryAfter: 120 });
		const started = Date.now();
		await expect(run(emulator, get('p', { maxTotalWaitSeconds: 5 }))).rejects.toMatchObject({
			httpCode: '429',
		});
		expect(Date.now() - started).toBeLessThan(2000);
		expect(emulator.countRequests()).toBe(1);
	});

	test('Return All retries a failed page without repeating the others', async () => {
		emulator.seed('plu', 2100);
		emulator.injectFault({ method: 'GET', path: '/api/secure/plu', status: 503, retryAfter: 0 });
		const ctxOut = await run(emulator, {
			resource: 'product',
			operation: 'getAll',
			returnAll: true,
		});
		expect(ctxOut).toHaveLength(2100);
		expect(emulator.requests().map((r) => `${r.query.page}:${r.status}`)).toEqual([
			'1:503',
			'1:200',
			'2:200',
			'3:200',
		]);
	});
});

describe('offset paging', () => {
	afterEach(() => emulator.setConfig({ ...EMULATOR_DEFAULT_CONFIG, apiKey: 'retries-key' }));
	const all = (resource = 'product') => ({ resource, operation: 'getAll', returnAll: true });
	const pages = () => emulator.requests().map((r) => Number(r.query.page));

	test('a server capping pages at 100 while reporting X-Total-Pages: 25 → all 2,500 records in 25 requests', async () => {
		emulator.setConfig({ maxPageSize: 100 });
		emulator.seed('plu', 2500);
		const out = await run(emulator, all());
		expect(out).toHaveLength(2500);
		expect(new Set(out.map((p) => p.id)).size).toBe(2500);
		expect(pages()).toEqual(Array.from({ length: 25 }, (_, i) => i + 1));
	});

	test('X-Total-Count alone drives paging too (capped pages, no X-Total-Pages)', async () => {
		emulator.setConfig({ maxPageSize: 100, listTotals: 'countOnly' });
		emulator.seed('plu', 250);
		const out = await run(emulator, all());
		expect(out).toHaveLength(250);
		expect(pages()).toEqual([1, 2, 3]);
	});

	test('no total headers: the short page ends the list', async () => {
		emulator.setConfig({ listTotals: false });
		emulator.seed('plu', 2100);
		expect(await run(emulator, all())).toHaveLength(2100);
		expect(pages()).toEqual([1, 2, 3]);
	});

	test('a server repeating its last page past the end (no totals) → a clear error, no partial list, 3 requests', async () => {
		emulator.setConfig({ listTotals: false, listPaging: 'repeatLastPage' });
		emulator.seed('plu', 2000);
		await expect(run(emulator, all())).rejects.toThrow(
			"Mando's list /secure/plu could not be read whole: page 3 repeats page 2",
		);
		expect(pages()).toEqual([1, 2, 3]);
	});

	test('a server ignoring page (with or without totals) → a clear error after 2 requests', async () => {
		emulator.seed('plu', 2500);
		for (const listTotals of [true, false]) {
			emulator.setConfig({ listPaging: 'ignorePage', listTotals });
			await expect(run(emulator, all())).rejects.toThrow(
				'page 2 repeats page 1; the server ignores the page parameter',
			);
		}
		expect(pages()).toEqual([1, 2, 1, 2]);
	});

	test('the page cap stops a list that never ends, with an error', async () => {
		const ctx = fakeContext({ emulator, items: [{}] });
		emulator.seed('plu', 50);
		emulator.setConfig({ maxPageSize: 10 });
		await expect(
			mandoGetAll.call(ctx, '/secure/plu', {}, undefined, undefined, { maxPages: 3 }),
		).rejects.toThrow('still not at the end after 3 pages (30 records)');
	});

	test("the webhook listing (mandoGetAll, which the Mando Trigger's registration calls too) reads capped pages whole", async () => {
		emulator.setConfig({ maxPageSize: 100 });
		emulator.seed(
			'webhook',
			Array.from({ length: 150 }, (_, i) => ({
				id: `w${i}`,
				url: `https://x.example/${i}`,
				events: ['sale.created'],
			})),
		);
		expect(await run(emulator, all('webhook'))).toHaveLength(150);
	});
});

describe('cursor paging (sales)', () => {
	afterEach(() => emulator.setConfig({ ...EMULATOR_DEFAULT_CONFIG, apiKey: 'retries-key' }));
	const all = { resource: 'sale', operation: 'getAll', returnAll: true };

	test('a null body is a clear error, not a TypeError', async () => {
		emulator.setConfig({ salesPaging: 'nullBody' });
		await expect(run(emulator, all)).rejects.toThrow(
			'Mando\'s list /secure/sales could not be read whole: a page is null instead of { "data"',
		);
	});

	test('empty pages with has_more: true are followed: all 2,345 sales', async () => {
		emulator.setConfig({ salesPaging: 'emptyPages' });
		const ids = emulator.seedSales(2345);
		expect((await run(emulator, all)).map((s) => s.id)).toEqual(ids);
		expect(emulator.countRequests({ path: '/api/secure/sales' })).toBe(6);
	});

	test('endless empty pages stop at the cap with an error', async () => {
		emulator.setConfig({ salesPaging: 'endlessEmpty' });
		await expect(run(emulator, all)).rejects.toThrow(
			'10 empty pages in a row, each saying has_more',
		);
		expect(emulator.countRequests({ path: '/api/secure/sales' })).toBe(10);
	});
});

describe('time bounds', () => {
	test('Request Timeout: an attempt without an answer in time fails and is retried; the next one succeeds', async () => {
		emulator.seed('plu', [{ id: 'p', name: 'P' }]);
		emulator.injectFault({ path: '/api/secure/plu/p', kind: 'slow', delayMs: 1500 });
		expect(await run(emulator, get('p', { requestTimeoutSeconds: 1 }))).toHaveLength(1);
	});

	test('Max Total Time bounds attempts and waits together: slow answers stop the request at the budget', async () => {
		emulator.injectFault({ path: '/api/secure/plu/p', kind: 'slow', delayMs: 3000, count: 10 });
		const started = Date.now();
		const error = (await run(
			emulator,
			get('p', { requestTimeoutSeconds: 1, totalTimeSeconds: 2, maxAttempts: 10 }),
		).catch((e: unknown) => e)) as NodeApiError;
		expect(Date.now() - started).toBeLessThan(3500);
		expect(error.message).toMatch(
			/Mando API error ECONNABORTED: Could not reach Mando \(no answer within (1 s|\d+ ms)\) after [12] attempt\(s\); the request's time budget of 2 s is spent/,
		);
	});
});

describe('redaction', () => {
	test("the credential's actual key and any JWT are taken out of Mando's messages", async () => {
		const jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJjb21wYW55IjoiMSJ9.c2lnbmF0dXJlLXNpZ25hdHVyZQ';
		emulator.injectFault({
			path: '/api/secure/plu/p',
			status: 401,
			code: 'UNAUTHORIZED',
			message: `Token retries-key has expired; also seen ${jwt}`,
		});
		const error = (await run(emulator, get('p')).catch((e: unknown) => e)) as NodeApiError;
		expect(error.message).toBe(
			'Mando API error 401 UNAUTHORIZED: Token [redacted] has expired; also seen [redacted JWT]',
		);
		expect(
			JSON.stringify({ ...error, message: error.message, description: error.description }),
		).not.toMatch(/retries-key|eyJhbGci/);
	});

	test('redact() also covers Bearer tokens and leaves other text alone', () => {
		expect(redact('Authorization: Bearer abc.def', [])).toBe('Authorization: Bearer [redacted]');
		expect(redact('nothing secret here', ['k3y!'])).toBe('nothing secret here');
	});
});

describe('base URL', () => {
	test.each([
		['  https://www.mando.fi/api/  ', 'https://www.mando.fi/api'],
		['', MANDO_DEFAULT_BASE_URL],
		['http://127.0.0.1:5555/api/', 'http://127.0.0.1:5555/api'],
		['http://localhost:5555/api', 'http://localhost:5555/api'],
	])('"%s" → %s', (input, expected) => {
		expect(mandoBaseUrl(input)).toBe(expected);
	});

	test.each([
		['www.mando.fi/api', 'must start with https://'],
		['http://www.mando.fi/api', 'must use https://'],
		['https://www.mando.fi/ api', 'contains spaces'],
		['ftp://www.mando.fi/api', 'must start with https://'],
		['https://', 'is not a URL'],
	])('"%s" is a clear error: %s', (input, message) => {
		expect(() => mandoBaseUrl(input)).toThrow(message);
	});

	test('the nodes refuse a bad Base URL before any request, saying where to fix it', async () => {
		const ctx = fakeContext({ emulator, items: [{}] });
		ctx.getCredentials = (async () => ({
			apiKey: 'retries-key',
			baseUrl: 'www.mando.fi/api',
		})) as typeof ctx.getCredentials;
		await expect(mandoGetAll.call(ctx, '/secure/plu')).rejects.toMatchObject({
			message: expect.stringContaining('must start with https://'),
			description: expect.stringContaining('credential'),
		});
		expect(emulator.requests()).toEqual([]);
	});
});
