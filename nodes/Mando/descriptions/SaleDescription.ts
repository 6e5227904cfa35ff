import type { EntitySpec } from './common';

/** Sale (`sales`): read only, cursor-paged (contract: "Cursor style, used by sales"). */
export const saleSpec: EntitySpec = {
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

