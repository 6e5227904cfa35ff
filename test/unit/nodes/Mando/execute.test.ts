import { NodeApiError } from 'n8n-workflow';

import type { Emulator } from '../../../emulator/server';
import { runNode, useEmulator } from '../../../harness/mandoContext';

/** The Mando node's execute step against the emulator: error mapping, item index, Continue On Fail. */

let emulator: Emulator;
useEmulator('errors-key', (e) => (emulator = e));

const get = (id: string, options: Record<string, unknown> = {}) => ({
	resource: 'product',
	operation: 'get',
	id,
	options,
});

describe('errors', () => {
	test('401: the hint says to check the key; the key never shows up in the error', async () => {
		const error = (await runNode({ emulator, apiKey: 'wrong-secret-key', items: [get('p')] }).catch(
			(e: unknown) => e,
		)) as NodeApiError;
		expect(error).toBeInstanceOf(NodeApiError);
		expect(error.message).toContain('401 UNAUTHORIZED');
		expect(error.description).toContain('Check the API key');
		expect(
			JSON.stringify({ ...error, message: error.message, description: error.description }),
		).not.toContain('wrong-secret-key');
	});

	test('the error names the failing item', async () => {
		emulator.seed('plu', [{ id: 'ok', name: 'ok' }]);
		const error = (await runNode({ emulator, items: [get('ok'), get('missing')] }).catch(
			(e: unknown) => e,
		)) as NodeApiError;
		expect(error.context.itemIndex).toBe(1);
	});

	test('Continue On Fail: a failed item becomes an error item paired with its input; the others go on', async () => {
		emulator.seed('plu', [{ id: 'ok', name: 'ok' }]);
		const out = await runNode({
			emulator,
			continueOnFail: true,
			items: [
				get('ok'),
				get('missing'),
				{ resource: 'businessDay', operation: 'rename', id: 'x', newDate: 'no' },
				get('ok'),
			],
		});
		expect(out.map((i) => i.pairedItem)).toEqual([
			{ item: 0 },
			{ item: 1 },
			{ item: 2 },
			{ item: 3 },
		]);
		expect(out[0].json.id).toBe('ok');
		expect(out[1].json).toMatchObject({
			error: expect.stringContaining('Mando has no product with ID'),
			httpCode: '404',
		});
		expect(out[2].json.error).toContain('YYYY-MM-DD');
		expect(out[3].json.id).toBe('ok');
	});
});
