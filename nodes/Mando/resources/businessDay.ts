import { PARAMETER } from '../parameters';
import type { ResourceSpec } from './spec';
import { locatorField } from '../locators';
import { ACTIVE_FIELD, ACTIVE_FILTER, DATA_FIELD } from './spec';

const DATE_HINT = "Date as YYYY-MM-DD, e.g. 2025-03-14, or today (in the workflow's time zone)";

/**
 * Business day (`businessday`), plus Rename (`POST /secure/businessday_rename/{id}/{date}`).
 * Fields beyond id/active/data (date, location, opening and closing times) are ASSUMED (see
 * `MandoBusinessDay`).
 */
export const businessDaySpec: ResourceSpec<'businessDay'> = {
	value: 'businessDay',
	title: 'Business Day',
	locator: 'businessDay',
	singular: 'business day',
	plural: 'business days',
	path: 'businessday',
	description: 'Business days of a location: open, close, move to another date',
	operations: ['create', 'get', 'getAll', 'update', 'rename'],
	paging: 'offset',
	required: [
		{
			displayName: 'Date',
			name: 'date',
			type: 'string',
			required: true,
			default: '',
			placeholder: '2025-03-14',
			description: DATE_HINT,
		},
		{
			...locatorField(
				'location',
				'Location',
				'location_id',
				'The location (shop) of the business day',
			),
			required: true,
		},
	],
	optional: [
		ACTIVE_FIELD,
		{
			displayName: 'Closed At',
			name: 'closed_at',
			type: 'dateTime',
			default: '',
			description: 'When the day was closed; set it to close the day',
		},
		DATA_FIELD,
		{
			displayName: 'Opened At',
			name: 'opened_at',
			type: 'dateTime',
			default: '',
			description: 'When the day was opened',
		},
	],
	filters: [
		ACTIVE_FILTER,
		{
			displayName: 'Date',
			name: 'date',
			type: 'string',
			default: '',
			placeholder: '2025-03-14',
			description: `Only the day of this date. ${DATE_HINT}.`,
		},
		locatorField('location', 'Location', 'location_id', 'Only days of this location'),
	],
	extra: [
		{
			displayName: 'New Date',
			name: PARAMETER.newDate,
			type: 'string',
			required: true,
			default: '',
			placeholder: '2025-03-15',
			displayOptions: {
				show: { [PARAMETER.resource]: ['businessDay'], [PARAMETER.operation]: ['rename'] },
			},
			description: `The date to move the business day to. ${DATE_HINT}.`,
		},
	],
};
