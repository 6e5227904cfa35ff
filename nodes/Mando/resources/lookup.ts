import type { LookupResource } from '../node.type';
import type { ResourceSpec } from './spec';
import { locatorField } from '../locators';
import { ACTIVE_FIELD, ACTIVE_FILTER, DATA_FIELD, nameField } from './spec';

/**
 * The five look-alike resources (contract: documented entities with the generic fields only):
 * Department (`dpt`), Group (`grp`), Location, Discount, Campaign. One row each; the product
 * hierarchy is group → department → product, so departments name their group (`grp_id`,
 * ASSUMED field name).
 */
const LOOK_ALIKES: Array<
	Pick<
		ResourceSpec<LookupResource>,
		'value' | 'title' | 'singular' | 'plural' | 'path' | 'description' | 'locator'
	> & { extra?: ResourceSpec['optional'] }
> = [
	{
		value: 'department',
		locator: 'department',
		title: 'Department',
		singular: 'department',
		plural: 'departments',
		path: 'dpt',
		description: 'Product departments (a group holds departments, a department holds products)',
		extra: [locatorField('group', 'Group', 'grp_id', 'The group the department belongs to')],
	},
	{
		value: 'group',
		locator: 'group',
		title: 'Group',
		singular: 'group',
		plural: 'groups',
		path: 'grp',
		description: 'Product groups, the top of the product hierarchy',
	},
	{
		value: 'location',
		locator: 'location',
		title: 'Location',
		singular: 'location',
		plural: 'locations',
		path: 'location',
		description: 'Locations (shops) of the company',
	},
	{
		value: 'discount',
		title: 'Discount',
		singular: 'discount',
		plural: 'discounts',
		path: 'discount',
		description: 'Discounts',
	},
	{
		value: 'campaign',
		title: 'Campaign',
		singular: 'campaign',
		plural: 'campaigns',
		path: 'campaign',
		description: 'Campaigns (time-limited prices and offers)',
	},
];

/** Resource specs of Department, Group, Location, Discount and Campaign (the lookup resources). */
export const lookupResourceSpecs: Array<ResourceSpec<LookupResource>> = LOOK_ALIKES.map(
	({ extra = [], ...row }) => ({
		...row,
		operations: ['create', 'get', 'getAll', 'update'],
		paging: 'offset',
		required: [nameField(row)],
		optional: [ACTIVE_FIELD, DATA_FIELD, ...extra],
		filters: [
			ACTIVE_FILTER,
			...extra.map((field) => ({
				...field,
				description: `Only ${row.plural} with this value. ${field.description}`,
			})),
		],
	}),
);
