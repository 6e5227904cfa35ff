import type { ResourceSpec } from './spec';

/**
 * Stock: a product's stock units and low-stock threshold, kept in the `plu` entity's
 * `data.stock_units` and `data.stock_qty_warning` (contract: "Product (plu) example"). No separate
 * stock endpoint is documented, so Get reads the product and Update writes it back.
 */
export const stockSpec: ResourceSpec<'stock'> = {
	value: 'stock',
	title: 'Stock',
	locator: 'product',
	idLabel: 'Product ID',
	singular: "product's stock settings",
	plural: "products' stock settings",
	path: 'plu',
	description: "A product's stock units and low-stock threshold",
	operations: ['get', 'update'],
	paging: 'offset',
	required: [],
	optional: [
		{
			displayName: 'Low-Stock Threshold',
			name: 'stock_qty_warning',
			type: 'number',
			default: 0,
			description: 'Stock quantity at or below which Mando warns (and sends stock.low)',
		},
		{
			displayName: 'Stock Units (JSON)',
			name: 'stock_units',
			type: 'json',
			default: '[]',
			description:
				'The whole list of stock units, replacing the stored one: [{"name", "value", "multiplier", "balance_unit", "wastage_unit", "inventory_unit"}]',
		},
	],
	filters: [],
};
