import type { Emulator } from '../../../emulator/server';
import { fakeContext, useEmulator } from '../../../harness/mandoContext';
import { loadOptions } from '../../../../nodes/Mando/loadOptions';

/** The Mando node's dropdown lists (load options) against the emulator. */

let emulator: Emulator;
useEmulator('load-options-key', (e) => (emulator = e));

describe('load options', () => {
	test('taxes list the active rates by name with their percentage', async () => {
		emulator.seed('tax', [{ id: 't-old', name: 'ALV 24 %', rate: 24, active: false }]);
		const ctx = fakeContext({ emulator, items: [] });
		const taxes = await loadOptions.getTaxes.call(ctx);
		expect(taxes.map((o) => o.description).sort()).toEqual(['0 %', '10 %', '14 %', '25.5 %']);
		expect(
			emulator.requests().every((r) => r.query.pageSize === '1000' && r.query.active === 'true'),
		).toBe(true);
	});
});
