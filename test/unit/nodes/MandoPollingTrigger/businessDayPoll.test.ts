import type { MandoBusinessDay } from '../../../../nodes/shared/events';
import {
	BUSINESS_DAY_MEMORY_MS,
	diffBusinessDays,
	isBusinessDayPollState,
} from '../../../../nodes/MandoPollingTrigger/businessDayPoll';
import { polledEventId } from '../../../../nodes/MandoPollingTrigger/salesPoll';

/** Business-day events as state changes between two reads of the business-day list. */

const NOW = Date.parse('2026-11-29T12:00:00Z');

function day(
	id: string,
	date: string,
	opened?: string,
	closed?: string,
	active = true,
): MandoBusinessDay {
	return {
		id,
		active,
		date,
		location_id: 'loc',
		opened_at: opened,
		closed_at: closed ?? null,
		data: {},
	};
}

describe('diffBusinessDays', () => {
	test('the first read only records the days', () => {
		const days = [
			day('a', '2026-11-28', '2026-11-28T08:00:00Z', '2026-11-28T22:00:00Z'),
			day('b', '2026-11-29', '2026-11-29T08:00:00Z'),
		];
		const first = diffBusinessDays(undefined, days, NOW);
		expect(first.events).toEqual([]);
		expect(first.state).toEqual({
			open: { b: '2026-11-29T08:00:00Z' },
			closed: { a: '2026-11-28T22:00:00Z' },
		});
	});

	test('opening and closing give one event each, with deterministic ids and the day as data', () => {
		const s0 = diffBusinessDays(undefined, [], NOW).state;
		const opened = day('b', '2026-11-29', '2026-11-29T08:00:00Z');
		const s1 = diffBusinessDays(s0, [opened], NOW);
		expect(s1.events).toEqual([
			{
				id: polledEventId('businessday.opened', 'b', '2026-11-29T08:00:00Z'),
				type: 'businessday.opened',
				created: '2026-11-29T08:00:00Z',
				data: opened,
			},
		]);
		expect(diffBusinessDays(s1.state, [opened], NOW).events).toEqual([]);
		const closed = day('b', '2026-11-29', '2026-11-29T08:00:00Z', '2026-11-29T22:00:00Z');
		const s2 = diffBusinessDays(s1.state, [closed], NOW);
		expect(s2.events.map((e) => [e.type, e.created])).toEqual([
			['businessday.closed', '2026-11-29T22:00:00Z'],
		]);
		expect(diffBusinessDays(s2.state, [closed], NOW).events).toEqual([]);
	});

	test('a day opened and closed between two polls gives opened, then closed', () => {
		const s0 = diffBusinessDays(undefined, [], NOW).state;
		const both = diffBusinessDays(
			s0,
			[day('c', '2026-11-29', '2026-11-29T08:00:00Z', '2026-11-29T09:00:00Z')],
			NOW,
		);
		expect(both.events.map((e) => e.type)).toEqual(['businessday.opened', 'businessday.closed']);
	});

	test('inactive days and days older than the memory are skipped', () => {
		const s0 = diffBusinessDays(undefined, [], NOW).state;
		const old = new Date(NOW - BUSINESS_DAY_MEMORY_MS - 86_400_000).toISOString().slice(0, 10);
		const result = diffBusinessDays(
			s0,
			[
				day('d', old, `${old}T08:00:00Z`),
				day('e', '2026-11-29', '2026-11-29T08:00:00Z', undefined, false),
			],
			NOW,
		);
		expect(result.events).toEqual([]);
		expect(result.state).toEqual({ open: {}, closed: {} });
	});

	test('stored state is checked before use', () => {
		expect(isBusinessDayPollState({ open: {}, closed: {} })).toBe(true);
		expect(isBusinessDayPollState({ open: {} })).toBe(false);
		expect(isBusinessDayPollState(null)).toBe(false);
	});
});
