import type { Emulator } from '../../../emulator/server';
import { run, useEmulator } from '../../../harness/mandoContext';

/** Business Day operations (incl. Rename) against the emulator. */

let emulator: Emulator;
useEmulator('day-key', (e) => (emulator = e));

const LOCATION = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const day = (operation: string, extra: Record<string, unknown> = {}) => ({
	resource: 'businessDay',
	operation,
	...extra,
});

describe('Business Day', () => {
	test('Create (open), Get, Update (close), Get Many by location', async () => {
		const [opened] = await run(
			emulator,
			day('create', {
				date: '2025-03-14',
				location_id: LOCATION,
				additionalFields: { opened_at: '2025-03-14T07:00:00Z' },
			}),
		);
		const id = opened.id as string;
		expect(emulator.entity('businessday', id)).toMatchObject({
			date: '2025-03-14',
			location_id: LOCATION,
			opened_at: '2025-03-14T07:00:00Z',
		});
		expect(await run(emulator, day('get', { id }))).toEqual([
			{ ...opened, alreadyExisted: undefined },
		]); // Get has no alreadyExisted;
		const [closed] = await run(
			emulator,
			day('update', { id, updateFields: { closed_at: '2025-03-14T21:00:00Z' } }),
		);
		expect(closed).toMatchObject({ id, closed_at: '2025-03-14T21:00:00Z' });
		emulator.seed('businessday', [{ id: 'elsewhere', date: '2025-03-14', location_id: 'other' }]);
		const mine = await run(
			emulator,
			day('getAll', { returnAll: true, filters: { location_id: LOCATION } }),
		);
		expect(mine.map((d) => d.id)).toEqual([id]);
	});

	test('Rename moves the day to another date', async () => {
		emulator.seed('businessday', [{ id: 'd1', date: '2025-03-14', location_id: LOCATION }]);
		const [moved] = await run(emulator, day('rename', { id: 'd1', newDate: '2025-03-15' }));
		expect(moved).toMatchObject({ id: 'd1', date: '2025-03-15' });
		expect(emulator.entity('businessday', 'd1')?.date).toBe('2025-03-15');
		expect(emulator.requests()[0]).toMatchObject({
			method: 'POST',
			path: '/api/secure/businessday_rename/d1/2025-03-15',
		});
	});

	test('Rename refuses a non-date before calling Mando', async () => {
		emulator.seed('businessday', [{ id: 'd2', date: '2025-03-14' }]);
		await expect(run(emulator, day('rename', { id: 'd2', newDate: '2025-02-30' }))).rejects.toThrow(
			'YYYY-MM-DD',
		);
		await expect(run(emulator, day('rename', { id: 'd2', newDate: 'tomorrow' }))).rejects.toThrow(
			'YYYY-MM-DD',
		);
		expect(emulator.requests()).toHaveLength(0);
	});
});
