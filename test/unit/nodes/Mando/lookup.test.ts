import type { Emulator, EmulatorResource } from '../../../emulator/server';
import { run, useEmulator } from '../../../harness/mandoContext';

/** Department, Group, Location, Discount, Campaign (the look-alike resources) against the emulator. */

let emulator: Emulator;
useEmulator('lookup-key', (e) => (emulator = e));

const CASES: Array<[string, EmulatorResource]> = [
	['department', 'dpt'],
	['group', 'grp'],
	['location', 'location'],
	['discount', 'discount'],
	['campaign', 'campaign'],
];

describe.each(CASES)('%s', (resource, path) => {
	test('Create, Get, Update, Get Many', async () => {
		const [created] = await run(emulator, {
			resource,
			operation: 'create',
			name: `New ${resource}`,
			additionalFields: { data: '{"note":"n"}' },
		});
		const id = created.id as string;
		expect(emulator.entity(path, id)).toMatchObject({
			name: `New ${resource}`,
			active: true,
			data: { note: 'n' },
		});
		expect(await run(emulator, { resource, operation: 'get', id })).toEqual([
			{ ...created, alreadyExisted: undefined },
		]); // Get has no alreadyExisted;
		const [updated] = await run(emulator, {
			resource,
			operation: 'update',
			id,
			updateFields: { name: 'Renamed', active: false },
		});
		expect(updated).toMatchObject({ id, name: 'Renamed', active: false, data: { note: 'n' } });
		const inactive = await run(emulator, {
			resource,
			operation: 'getAll',
			returnAll: true,
			filters: { active: false },
		});
		expect(inactive.map((r) => r.id)).toEqual([id]);
		expect(
			emulator
				.requests()
				.map((r) => r.path)
				.every((p) => p.startsWith(`/api/secure/${path}`)),
		).toBe(true);
	});
});

test('a department names its group and can be filtered by it', async () => {
	const [group] = await run(emulator, { resource: 'group', operation: 'create', name: 'Drinks' });
	await run(emulator, {
		resource: 'department',
		operation: 'create',
		name: 'Hot drinks',
		additionalFields: { grp_id: group.id },
	});
	await run(emulator, { resource: 'department', operation: 'create', name: 'Elsewhere' });
	const out = await run(emulator, {
		resource: 'department',
		operation: 'getAll',
		returnAll: true,
		filters: { grp_id: group.id },
	});
	expect(out.map((d) => d.name)).toEqual(['Hot drinks']);
});
