import type { ResourceSpec } from './spec';
import { ACTIVE_FIELD, ACTIVE_FILTER, DATA_FIELD, nameField } from './spec';

/** Customer (`customer`). Field names beyond id/active/name/data are ASSUMED (see `MandoCustomer`). */
export const customerSpec: ResourceSpec<'customer'> = {
	value: 'customer',
	title: 'Customer',
	locator: 'customer',
	singular: 'customer',
	plural: 'customers',
	path: 'customer',
	description: 'Customers of the shop',
	operations: ['create', 'get', 'getAll', 'update', 'delete'],
	paging: 'offset',
	required: [nameField({ singular: 'customer' })],
	optional: [
		ACTIVE_FIELD,
		{
			displayName: 'Customer Number',
			name: 'customer_number',
			type: 'string',
			default: '',
			description: "The shop's own customer number",
		},
		DATA_FIELD,
		{
			displayName: 'Email',
			name: 'email',
			type: 'string',
			placeholder: 'name@email.com',
			default: '',
			description: 'Email address of the customer',
		},
		{
			displayName: 'Phone',
			name: 'phone',
			type: 'string',
			default: '',
			description: 'Phone number, e.g. +358 40 123 4567',
		},
	],
	filters: [
		ACTIVE_FILTER,
		{
			displayName: 'Customer Number',
			name: 'customer_number',
			type: 'string',
			default: '',
			description: 'Only the customer with this number',
		},
	],
};
