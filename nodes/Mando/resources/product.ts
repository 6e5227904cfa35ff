import { locatorField } from '../locators';
import type { ResourceSpec } from './spec';
import { ACTIVE_FIELD, ACTIVE_FILTER, DATA_FIELD, dynamicOptions, nameField } from './spec';

/**
 * Product (`plu`). Fields as documented for the `plu` entity (contract: "Product (plu) example");
 * `data` holds tags, prices, barcodes, stock units and the rest.
 */
export const productSpec: ResourceSpec<'product'> = {
	value: 'product',
	title: 'Product',
	locator: 'product',
	singular: 'product',
	plural: 'products',
	path: 'plu',
	description: 'Products (PLUs) of the catalogue',
	operations: ['create', 'get', 'getAll', 'update', 'delete'],
	paging: 'offset',
	required: [nameField({ singular: 'product' })],
	optional: [
		ACTIVE_FIELD,
		{
			displayName: 'Base Price',
			name: 'base_price',
			type: 'number',
			typeOptions: { numberPrecision: 2 },
			default: 0,
			description: 'Price in euros, VAT included',
		},
		DATA_FIELD,
		locatorField('department', 'Department', 'dpt_id', 'The department the product belongs to'),
		{
			displayName: 'Image ID',
			name: 'image_id',
			type: 'string',
			default: '',
			description: 'ID of an image attachment',
		},
		{
			displayName: 'Memo',
			name: 'memo',
			type: 'string',
			typeOptions: { rows: 2 },
			default: '',
			description: 'Free-text note',
		},
		{
			displayName: 'Product Number',
			name: 'productid',
			type: 'string',
			default: '',
			description: "The shop's own product number (Mando's productid)",
		},
		{
			displayName: 'Receipt Name',
			name: 'receipt_name',
			type: 'string',
			default: '',
			description: 'Name printed on receipts, when different from the name',
		},
		dynamicOptions('Tax Name or ID', 'tax_id', 'getTaxes', 'The VAT rate of the product'),
		{
			displayName: 'Type',
			name: 'type',
			type: 'number',
			default: 0,
			description: "Mando's product type number",
		},
	],
	filters: [
		ACTIVE_FILTER,
		locatorField('department', 'Department', 'dpt_id', 'Only products of this department'),
		{
			displayName: 'Product Number',
			name: 'productid',
			type: 'string',
			default: '',
			description: 'Only the product with this product number',
		},
	],
};
