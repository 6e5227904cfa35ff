import type { Emulator } from '../../../emulator/server';
import { fakeContext, useEmulator } from '../../../harness/mandoContext';
import { loadOptions } from '../../../../nodes/Mando/loadOptions';

/** The Mando node's dropdown lists (load options) against the emulator. */

let emulator: Emulator;
useEmulator('load-options-key', (e) => (emulator = e));

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
		expect((await loadOptions.getLocations.call(ctx)).map((o) => o.name)).toEqual([
			'Kahvila Helsinki',
			'Kahvila Tampere',
		]);
		const taxes = await loadOptions.getTaxes.call(ctx);
		expect(taxes.map((o) => o.description)).toEqual(
			expect.arrayContaining(['25.5 %', '14 %', '10 %', '0 %']),
		);
		expect(
			emulator.requests().every((r) => r.query.pageSize === '1000' && r.query.active === 'true'),
		).toBe(true);
	});
});
