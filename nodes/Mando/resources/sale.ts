import { locatorField } from '../locators';
import type { ResourceSpec } from './spec';

/**
 * Sale (`sales`): read only, cursor-paged (contract: "Cursor style, used by sales"). Mando
 * documents no sales filters; the query parameters `created_from`, `created_to` (ISO 8601),
 * `location_id` and `businessday_id` are ASSUMED (the names of the sale's own fields; see README).
 */
export const saleSpec: ResourceSpec<'sale'> = {
	value: 'sale',
	title: 'Sale',
	singular: 'sale',
	plural: 'sales',
	path: 'sales',
	description: 'Sales (receipts) made at the tills; read only',
	operations: ['get', 'getAll'],
	paging: 'cursor',
	required: [],
	optional: [],
	filters: [
		locatorField(
			'businessDay',
			'Business Day',
			'businessday_id',
			'Only sales of this business day',
		),
		{
			displayName: 'Created After',
			name: 'created_from',
			type: 'dateTime',
			default: '',
			description: 'Only sales made at or after this moment',
		},
		{
			displayName: 'Created Before',
			name: 'created_to',
			type: 'dateTime',
			default: '',
			description: 'Only sales made before this moment',
		},
		{
			displayName: 'Day',
			name: 'date',
			type: 'string',
			default: '',
			placeholder: 'today',
			description:
				"Only sales of this calendar day in the workflow's time zone: YYYY-MM-DD, or today. Not together with Created After or Created Before.",
		},
		locatorField('location', 'Location', 'location_id', 'Only sales of this location (shop)'),
	],
	dateFilterAsRange: true,
};
