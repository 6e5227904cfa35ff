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
			{ resource: 'customer', operation: 'update', label: 'Customer ID', updateFields: { name: 'x' } },
			{ resource: 'stock', operation: 'get', label: 'Product ID' },
			{ resource: 'businessDay', operation: 'rename', label: 'Business Day ID', newDate: '2025-03-15' },
			{ resource: 'sale', operation: 'get', label: 'Sale ID' },
		];
		const out = await runNode({ emulator, continueOnFail: true, items: cases.map(({ label: _label, ...params }) => ({ ...params, id })) });
		expect(out.map((item) => item.json.error)).toEqual(cases.map((c) => `${c.label} is empty (${got})`));
		expect(emulator.requests()).toEqual([]);
	});

	test('Create: a Custom ID that yields nothing is an item error; an empty Custom ID lets the node choose', async () => {
		const out = await runNode({
			emulator,
			continueOnFail: true,
			items: [
				{ resource: 'product', operation: 'create', name: 'A', additionalFields: { id: null } },
				{ resource: 'product', operation: 'create', name: 'B', additionalFields: { id: '' } },
			],
		});
		expect(out[0].json.error).toBe('Custom ID is empty (got null)');
		expect(out[1].json).toMatchObject({ name: 'B', id: expect.stringMatching(/^[0-9a-f-]{36}$/) });
		expect(emulator.countRequests({ method: 'POST' })).toBe(1);
	});
});
