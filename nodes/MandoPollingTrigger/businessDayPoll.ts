import type { MandoBusinessDay, MandoEvent } from '../shared/events';
import { polledEventId } from './salesPoll';

/**
 * `businessday.opened` / `businessday.closed` from the business-day list, decided without n8n:
 * each poll reads every business day (an offset list with no "changed since" filter, so
 * ceil(D / 1000) requests for D days; one request until a location has ~2.7 years of days) and
 * compares each day's state with the one stored.
 *
 * A day is **closed** when it has a `closed_at`, **open** when it has an `opened_at` and no
 * `closed_at`; an inactive day (`active: false`, Mando's soft delete) is neither.
 */

/** Days older than this (by `date`) are neither reported nor remembered: 35 days, in ms. */
export const BUSINESS_DAY_MEMORY_MS = 35 * 86_400_000;

/** Last state seen per business day id, kept in the node's static data. */
export interface BusinessDayPollState {
	/** `opened_at` of each open day and `closed_at` of each closed day, by id (the change time). */
	open: Record<string, string>;
	closed: Record<string, string>;
}

/** Result of {@link diffBusinessDays}. */
export interface BusinessDayDiff {
	events: Array<MandoEvent<'businessday.opened'> | MandoEvent<'businessday.closed'>>;
	state: BusinessDayPollState;
}

function nonEmpty(value: unknown): value is string {
	return typeof value === 'string' && value !== '';
}

function tooOld(day: MandoBusinessDay, now: number): boolean {
	const date = nonEmpty(day.date) ? Date.parse(day.date + 'T00:00:00Z') : NaN;
	return !Number.isNaN(date) && date < now - BUSINESS_DAY_MEMORY_MS;
}

/** True when `value` is a usable stored state. */
export function isBusinessDayPollState(value: unknown): value is BusinessDayPollState {
	const s = value as BusinessDayPollState | undefined;
	return (
		typeof s === 'object' &&
		s !== null &&
		typeof s.open === 'object' &&
		s.open !== null &&
		typeof s.closed === 'object' &&
		s.closed !== null
	);
}

/**
 * Compares the business days read now with the stored state. Without a stored state (first
 * activation) it only records the days, emitting nothing. Otherwise a day newly open gives
 * `businessday.opened`; a day newly closed gives `businessday.closed`, preceded by
 * `businessday.opened` when the poll never saw it open. Ids are {@link polledEventId} of the type,
 * the day's id and its `opened_at` / `closed_at`, so a day re-opened later is a new event and a
 * re-poll never repeats one. `created` is that time; `data` is the day as listed. Events come
 * oldest first. Never mutates `previous`.
 *
 * @param now ms since epoch; days dated more than {@link BUSINESS_DAY_MEMORY_MS} before it are skipped
 */
export function diffBusinessDays(
	previous: BusinessDayPollState | undefined,
	days: MandoBusinessDay[],
	now = Date.now(),
): BusinessDayDiff {
	const state: BusinessDayPollState = { open: {}, closed: {} };
	const events: BusinessDayDiff['events'] = [];
	for (const day of days) {
		if (typeof day?.id !== 'string' || day.active === false || tooOld(day, now)) continue;
		if (nonEmpty(day.closed_at)) {
			state.closed[day.id] = day.closed_at;
			if (!previous || previous.closed[day.id] === day.closed_at) continue;
			if (nonEmpty(day.opened_at) && previous.open[day.id] !== day.opened_at) {
				events.push({
					id: polledEventId('businessday.opened', day.id, day.opened_at),
					type: 'businessday.opened',
					created: day.opened_at,
					data: day,
				});
			}
			events.push({
				id: polledEventId('businessday.closed', day.id, day.closed_at),
				type: 'businessday.closed',
				created: day.closed_at,
				data: day,
			});
		} else if (nonEmpty(day.opened_at)) {
			state.open[day.id] = day.opened_at;
			if (!previous || previous.open[day.id] === day.opened_at) continue;
			events.push({
				id: polledEventId('businessday.opened', day.id, day.opened_at),
				type: 'businessday.opened',
				created: day.opened_at,
				data: day,
			});
		}
	}
	events.sort((a, b) => Date.parse(a.created) - Date.parse(b.created));
	return { events, state };
}
