import { NodeApiError } from 'n8n-workflow';

import type { Emulator } from '../emulator/server';
import { fakeContext, run, runNode, useEmulator } from './helpers/mandoContext';
import { loadOptions } from '../../nodes/Mando/loadOptions';

/** Retries, error mapping, Continue On Fail and load options of the Mando node, against the emulator. */

let emulator: Emulator;
useEmulator('errors-key', (e) => (emulator = e));

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

describe('errors', () => {
	test('401: the hint says to check the key; the key never shows up in the error', async () => {
		const error = (await runNode({ emulator, apiKey: 'wrong-secret-key', items: [get('p')] }).catch((e: unknown) => e)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('401 UNAUTHORIZED');
		expect(error.description).toContain('Check the API key');
		expect(JSON.stringify({ ...error, message: error.message, description: error.description })).not.toContain('wrong-secret-key');
	});

	test('the error names the failing item', async () => {
		emulator.seed('plu', [{ id: 'ok', name: 'ok' }]);
		const error = (await runNode({ emulator, items: [get('ok'), get('missing')] }).catch((e: unknown) => e)) as NodeApiError;
		expect(error.context.itemIndex).toBe(1);
	});

	test('Continue On Fail: a failed item becomes an error item paired with its input; the others go on', async () => {
		emulator.seed('plu', [{ id: 'ok', name: 'ok' }]);
		const out = await runNode({ emulator, continueOnFail: true, items: [get('ok'), get('missing'), { resource: 'businessDay', operation: 'rename', id: 'x', newDate: 'no' }, get('ok')] });
		expect(out.map((i) => i.pairedItem)).toEqual([{ item: 0 }, { item: 1 }, { item: 2 }, { item: 3 }]);
		expect(out[0].json.id).toBe('ok');
		expect(out[1].json).toMatchObject({ error: expect.stringContaining('404 NOT_FOUND'), httpCode: '404' });
		expect(out[2].json.error).toContain('YYYY-MM-DD');
		expect(out[3].json.id).toBe('ok');
	});
});

describe('load options', () => {
	test('departments, groups, locations and taxes list active records by name', async () => {
		emulator.seed('dpt', [
			{ id: 'd2', name: 'Pastries' },
			{ id: 'd1', name: 'Coffee' },
			{ id: 'd3', name: 'Old', active: false },
		]);
		emulator.seed('grp', [{ id: 'g1', name: 'Drinks' }]);
		const ctx = fakeContext({ emulator, items: [] });
		expect(await loadOptions.getDepartments.call(ctx)).toEqual([
			{ name: 'Coffee', value: 'd1', description: undefined },
			{ name: 'Pastries', value: 'd2', description: undefined },
		]);
		expect((await loadOptions.getGroups.call(ctx)).map((o) => o.value)).toEqual(['g1']);
		expect((await loadOptions.getLocations.call(ctx)).map((o) => o.name)).toEqual(['Kahvila Helsinki', 'Kahvila Tampere']);
		const taxes = await loadOptions.getTaxes.call(ctx);
		expect(taxes.map((o) => o.description)).toEqual(expect.arrayContaining(['25.5 %', '14 %', '10 %', '0 %']));
		expect(emulator.requests().every((r) => r.query.pageSize === '1000' && r.query.active === 'true')).toBe(true);
	});
});
