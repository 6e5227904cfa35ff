import {
	toCount,
	toDate,
	toDateTime,
	toDecimal,
	toMoney,
	todayIn,
} from '../../../../nodes/Mando/values';

/** Typed parameter values (values.ts): money, counts, dates, date-times, today in a time zone. */

describe('numbers', () => {
	test('a decimal comma (a Finnish sheet) is read as a decimal point, never as thousands', () => {
		expect(toDecimal('12,50', 'Base Price')).toBe(12.5);
		expect(toDecimal(' 12.50 ', 'Base Price')).toBe(12.5);
		expect(toDecimal(7, 'Base Price')).toBe(7);
	});

	test.each(['1.234,50', '1 234', '12 €', 'twenty', '', '0x10', '1e3', 'Infinity'])(
		'"%s" is refused with the field name',
		(text) => {
			expect(() => toDecimal(text, 'Base Price')).toThrow(
				/^Base Price must be a number such as 12.50 or 12,50/,
			);
		},
	);

	test('non-finite numbers and non-numbers are refused', () => {
		for (const value of [NaN, Infinity, null, undefined, {}, true])
			expect(() => toDecimal(value, 'X')).toThrow('X must be a number');
	});

	test('money is rounded to whole cents; negatives are refused', () => {
		expect(toMoney(18.09 * 1.1, 'Base Price')).toBe(19.9);
		expect(toMoney('12,505', 'Base Price')).toBe(12.51);
		expect(toMoney(1.005, 'Base Price')).toBe(1.01);
		expect(() => toMoney(-1, 'Base Price')).toThrow('Base Price must not be negative');
	});

	test('counts are whole numbers, 0 or more', () => {
		expect(toCount('20', 'Low-Stock Threshold')).toBe(20);
		expect(toCount(0, 'Low-Stock Threshold')).toBe(0);
		for (const bad of ['twenty', -1, 2.5, '2,5', Infinity])
			expect(() => toCount(bad, 'Low-Stock Threshold')).toThrow(/^Low-Stock Threshold must be/);
	});
});

describe('dates', () => {
	test('YYYY-MM-DD exactly, or an ISO date-time with its offset, or a Date / Luxon DateTime', () => {
		expect(toDate('2025-03-14', 'Date')).toBe('2025-03-14');
		expect(toDate('2025-03-14T23:30:00+02:00', 'Date')).toBe('2025-03-14');
		expect(toDate(new Date('2025-03-14T10:00:00Z'), 'Date')).toBe('2025-03-14');
		expect(toDate({ isValid: true, toISODate: () => '2025-03-14', toISO: () => 'x' }, 'Date')).toBe(
			'2025-03-14',
		);
	});

	test.each([
		'2025-03-14; DROP',
		'2025-02-30',
		'14.3.2025',
		'2025-3-14',
		'tomorrow',
		'2025-03-14T10:00',
	])('"%s" is refused', (text) => {
		expect(() => toDate(text, 'Date')).toThrow('Date must be a date as YYYY-MM-DD');
	});

	test('date-times need a zone, or are read in the workflow time zone (Europe/Helsinki across DST)', () => {
		expect(toDateTime('2025-03-14T07:00:00Z', 'Opened At')).toBe('2025-03-14T07:00:00Z');
		expect(toDateTime('2025-03-14T07:00:00', 'Opened At', 'Europe/Helsinki')).toBe(
			'2025-03-14T07:00:00+02:00',
		);
		expect(toDateTime('2025-07-14T07:00:00', 'Opened At', 'Europe/Helsinki')).toBe(
			'2025-07-14T07:00:00+03:00',
		);
		for (const bad of [
			'2025-03-14 07:00',
			'now',
			'2025-03-14T25:00:00Z',
			'2025-03-14T07:00:00Z; DROP',
		])
			expect(() => toDateTime(bad, 'Opened At')).toThrow('Opened At must be a date and time');
	});

	test("today is the workflow time zone's date, across DST", () => {
		// 2025-03-29 22:30 UTC is 00:30 on the 30th in Helsinki (winter time, +02:00), the day DST starts
		expect(todayIn('Europe/Helsinki', new Date('2025-03-29T22:30:00Z'))).toBe('2025-03-30');
		// 2025-10-25 21:30 UTC is 00:30 on the 26th in Helsinki (summer time, +03:00)
		expect(todayIn('Europe/Helsinki', new Date('2025-10-25T21:30:00Z'))).toBe('2025-10-26');
		expect(todayIn('UTC', new Date('2025-10-25T21:30:00Z'))).toBe('2025-10-25');
	});
});
