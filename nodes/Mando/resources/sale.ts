import type { ResourceSpec } from './spec';

/** Sale (`sales`): read only, cursor-paged (contract: "Cursor style, used by sales"). */
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
	filters: [],
};

