import { NodeApiError } from 'n8n-workflow';

import type { Emulator } from '../../../emulator/server';
import { run, useEmulator } from '../../../harness/mandoContext';

/** The shared Mando transport's retries, driven through the Mando node against the emulator. */

let emulator: Emulator;
useEmulator('retries-key', (e) => (emulator = e));

const get = (id: string, options: Record<string, unknown> = {}) => ({ resource: 'product', operation: 'get', id, options });

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
		for (const status of [502, 503, 504]) emulator.injectFault({ path: '/api/secure/plu/p', status, retryAfter: 0 });
		expect(await run(emulator, get('p', { maxAttempts: 5 }))).toHaveLength(1);
		expect(emulator.requests().map((r) => r.status)).toEqual([0, 502, 503, 504, 200]);
	});

	test('Max Attempts bounds the tries; then a NodeApiError says what happened', async () => {
		emulator.injectFault({ path: '/api/secure/plu*', status: 503, retryAfter: 0, count: 10 });
		const error = await run(emulator, get('p', { maxAttempts: 2 })).catch((e: unknown) => e);
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error).toMatchObject({ httpCode: '503', message: expect.stringContaining('503 SERVICE_UNAVAILABLE') });
		expect((error as NodeApiError).description).toContain('after 2 attempts');
		expect(emulator.countRequests()).toBe(2);
	});

	test('Max Total Wait bounds the waiting: a Retry-After beyond it is not waited for', async () => {
		emulator.injectFault({ path: '/api/secure/plu/p', status: 429, retryAfter: 120 });
		const started = Date.now();
		await expect(run(emulator, get('p', { maxTotalWaitSeconds: 5 }))).rejects.toMatchObject({ httpCode: '429' });
		expect(Date.now() - started).toBeLessThan(2000);
		expect(emulator.countRequests()).toBe(1);
	});

	test('Return All retries a failed page without repeating the others', async () => {
		emulator.seed('plu', 2100);
		emulator.injectFault({ method: 'GET', path: '/api/secure/plu', status: 503, retryAfter: 0 });
		const ctxOut = await run(emulator, { resource: 'product', operation: 'getAll', returnAll: true });
		expect(ctxOut).toHaveLength(2100);
		expect(emulator.requests().map((r) => `${r.query.page}:${r.status}`)).toEqual(['1:503', '1:200', '2:200', '3:200']);
	});
});
