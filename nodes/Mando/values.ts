/**
 * Typed parameter values of the Mando node: money, counts, dates and date-times as they arrive
 * from the form, expressions, sheets and AI tool calls. Pure functions; each throws an `Error`
 * whose message names the field (`label`), which the node turns into an item error.
 */

/** How a value that is not there reads in a message. */
function shown(value: unknown): string {
	if (value === undefined) return 'undefined';
	if (value === null) return 'null';
	if (typeof value === 'object') return 'an object';
	if (typeof value === 'number') return String(value);
	return JSON.stringify(value);
}

/**
 * A decimal number from a number or a text. Text may use a decimal comma, as Finnish sheets do:
 * `"12,50"` is 12.5. Text with both separators, thousands groups or anything else (`"1.234,50"`,
 * `"1 234"`, `"12 €"`) is refused rather than guessed, so `"12,50"` can never become 1250.
 *
 * @throws Error naming `label` for anything that is not a finite number
 */
export function toDecimal(value: unknown, label: string): number {
	let number: number | undefined;
	if (typeof value === 'number') number = value;
	else if (typeof value === 'string' && /^\s*[-+]?\d+([.,]\d+)?\s*$/.test(value))
		number = Number(value.trim().replace(',', '.'));
	if (number === undefined || !Number.isFinite(number)) {
		throw new Error(`${label} must be a number such as 12.50 or 12,50 (got ${shown(value)})`);
	}
	return number;
}

/**
 * Money in euros, rounded to whole cents and sent as a JSON number (contract: `base_price` is
 * documented as a number; `18.09 * 1.1` is sent as 19.9, not 19.899).
 *
 * @throws Error naming `label` when not a number (see {@link toDecimal}) or negative
 */
export function toMoney(value: unknown, label: string): number {
	const euros = toDecimal(value, label);
	if (euros < 0) throw new Error(`${label} must not be negative (got ${shown(value)})`);
	return Math.round((euros + Number.EPSILON) * 100) / 100;
}

/**
 * A count (a whole number, 0 or more), e.g. the low-stock threshold (contract: `stock_qty_warning`
 * is an int) or Mando's product type number.
 *
 * @throws Error naming `label` for text that is not a number, a fraction, a negative or non-finite number
 */
export function toCount(value: unknown, label: string): number {
	const count = toDecimal(value, label);
	if (count < 0 || !Number.isInteger(count))
		throw new Error(`${label} must be a whole number, 0 or more (got ${shown(value)})`);
	return count;
}

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;

/** True for a real calendar date `YYYY-MM-DD`. */
function isCalendarDate(text: string): boolean {
	const match = DATE.exec(text);
	if (!match) return false;
	const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
	return date.toISOString().slice(0, 10) === text;
}

/** A Luxon DateTime (what n8n's `$now`, `$today` and date expressions give) or a JS Date, as ISO text. */
function dateObjectText(value: unknown, dateOnly: boolean): string | undefined {
	if (value instanceof Date)
		return Number.isNaN(value.getTime())
			? undefined
			: dateOnly
				? value.toISOString().slice(0, 10)
				: value.toISOString();
	const luxon = value as { isValid?: unknown; toISODate?: unknown; toISO?: unknown } | null;
	if (
		luxon &&
		typeof luxon === 'object' &&
		luxon.isValid === true &&
		typeof luxon.toISODate === 'function' &&
		typeof luxon.toISO === 'function'
	) {
		return String(dateOnly ? (luxon.toISODate as () => string)() : (luxon.toISO as () => string)());
	}
	return undefined;
}

/**
 * A date as `YYYY-MM-DD` (a real calendar date; contract: `businessday_rename/{id}/{date}`). Takes
 * that text exactly, or a date-time in ISO 8601 with its offset (the date part as written), or a
 * Luxon DateTime / JS Date. Anything after the date (`"2025-03-14; DROP"`) is refused. With a
 * `timezone`, `today` is today's date there ({@link todayIn}).
 *
 * @throws Error naming `label`
 */
export function toDate(value: unknown, label: string, timezone?: string): string {
	if (timezone !== undefined && typeof value === 'string' && value.trim().toLowerCase() === 'today')
		return todayIn(timezone);
	const fromObject = dateObjectText(value, true);
	if (fromObject !== undefined) return fromObject;
	const text = typeof value === 'string' ? value.trim() : '';
	const date = DATE_TIME.test(text) ? text.slice(0, 10) : text;
	if (!isCalendarDate(date))
		throw new Error(`${label} must be a date as YYYY-MM-DD, e.g. 2025-03-14 (got ${shown(value)})`);
	return date;
}

/**
 * A date-time in ISO 8601 with a time zone (`2025-03-14T07:00:00Z`, `…+02:00`), or a Luxon
 * DateTime / JS Date, as ISO text. n8n's date-time picker gives text without a zone
 * (`2025-03-14T07:00:00`); that is read in `timezone` (the workflow's) and sent with its offset.
 *
 * @throws Error naming `label`
 */
export function toDateTime(value: unknown, label: string, timezone = 'UTC'): string {
	const fromObject = dateObjectText(value, false);
	if (fromObject !== undefined) return fromObject;
	const text = typeof value === 'string' ? value.trim() : '';
	if (DATE_TIME.test(text) && isCalendarDate(text.slice(0, 10)) && !Number.isNaN(Date.parse(text)))
		return text;
	const local = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?$/.exec(text);
	if (local && isCalendarDate(local[1]))
		return `${text}${offsetAt(Date.parse(`${text}Z`), timezone)}`;
	throw new Error(
		`${label} must be a date and time in ISO 8601, e.g. 2025-03-14T07:00:00Z (got ${shown(value)})`,
	);
}

/**
 * The UTC offset (`+02:00`) that `timezone` has at the wall-clock time `wallAsUtcMs` (a local time
 * read as if it were UTC). Uses `Intl` only; across a DST change the offset after it is taken.
 */
function offsetAt(wallAsUtcMs: number, timezone: string): string {
	const offsetMinutes = (utcMs: number) => {
		const parts = Object.fromEntries(
			new Intl.DateTimeFormat('en-US', {
				timeZone: timezone,
				hourCycle: 'h23',
				year: 'numeric',
				month: '2-digit',
				day: '2-digit',
				hour: '2-digit',
				minute: '2-digit',
				second: '2-digit',
			})
				.formatToParts(new Date(utcMs))
				.map((p) => [p.type, p.value]),
		);
		const asUtc = Date.UTC(
			Number(parts.year),
			Number(parts.month) - 1,
			Number(parts.day),
			Number(parts.hour),
			Number(parts.minute),
			Number(parts.second),
		);
		return Math.round((asUtc - utcMs) / 60000);
	};
	const guess = offsetMinutes(wallAsUtcMs);
	const minutes = offsetMinutes(wallAsUtcMs - guess * 60000);
	const sign = minutes < 0 ? '-' : '+';
	const abs = Math.abs(minutes);
	return `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * Today's date (`YYYY-MM-DD`) in `timezone` (an IANA name, e.g. the workflow's Europe/Helsinki).
 *
 * @param now the moment, default the current time
 */
export function todayIn(timezone: string, now = new Date()): string {
	const parts = Object.fromEntries(
		new Intl.DateTimeFormat('en-US', {
			timeZone: timezone,
			year: 'numeric',
			month: '2-digit',
			day: '2-digit',
		})
			.formatToParts(now)
			.map((p) => [p.type, p.value]),
	);
	return `${parts.year}-${parts.month}-${parts.day}`;
}

/**
 * The moments that bound a calendar day in `timezone`: `[start, end)` as ISO 8601 with the offset
 * of each (so a day on which DST starts or ends is 23 or 25 hours long).
 */
export function dayBounds(date: string, timezone: string): [string, string] {
	const next = new Date(Date.parse(`${date}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);
	return [
		toDateTime(`${date}T00:00:00`, 'Date', timezone),
		toDateTime(`${next}T00:00:00`, 'Date', timezone),
	];
}
