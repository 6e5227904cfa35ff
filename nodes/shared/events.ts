/**
 * The Mando webhook event catalogue: one entry per documented event type, with the display name,
 * a description for the n8n editor, and a realistic sample of its `data`.
 *
 * Everything that needs to know about events reads this file: the **Events** option of the trigger
 * and of the action node's Webhook resource, the README's event reference, the emulator's sample
 * generator and the tests.
 *
 * Sources: event names and the envelope are from Mando's webhook docs ("Webhooks" seed document,
 * summarised in `shared/mando-api.md`). Only `sale.created` has a documented `data` shape
 * (`{ id, total, items }`); the other shapes are this project's assumption, derived from the
 * documented entities (`plu`, `customer`, `businessday`). Unknown fields pass through untouched.
 */

/** Every event type Mando documents, in the docs' order. */
export const MANDO_EVENT_TYPES = [
	'sale.created',
	'sale.voided',
	'product.created',
	'product.updated',
	'product.deleted',
	'stock.updated',
	'stock.low',
	'customer.created',
	'customer.updated',
	'businessday.opened',
	'businessday.closed',
] as const;

/** A documented Mando event type, e.g. `'sale.created'`. */
export type MandoEventType = (typeof MANDO_EVENT_TYPES)[number];

/** Money and quantities: Mando documents numbers but sometimes sends them as strings. */
export type MandoNumber = number | string;

/** One line of a sale (documented only as `items: [...]`; fields assumed from the `plu` entity). */
export interface MandoSaleItem {
	/** GUID of the product (`plu.id`). */
	plu_id: string;
	/** Product number (`plu.productid`). */
	productid?: string;
	name: string;
	/** Quantity sold, in the product's unit. */
	qty: MandoNumber;
	/** Unit price in euros, VAT included. */
	price: MandoNumber;
	/** Line total in euros, VAT included, after discounts. */
	total: MandoNumber;
	/** VAT percentage, e.g. 14 or 25.5. */
	vat_rate?: MandoNumber;
	discount?: MandoNumber;
	[key: string]: unknown;
}

/** `data` of `sale.created`: documented as `{ id, total, items }`; the rest is assumed. */
export interface MandoSale {
	/** GUID of the sale. */
	id: string;
	/** Sale total in euros, VAT included. */
	total: MandoNumber;
	items: MandoSaleItem[];
	receipt_number?: string;
	location_id?: string;
	pos_id?: string;
	businessday_id?: string;
	customer_id?: string | null;
	payments?: Array<{ type: string; amount: MandoNumber; [key: string]: unknown }>;
	currency?: string;
	/** ISO 8601 time of the sale. */
	created_at?: string;
	[key: string]: unknown;
}

/** `data` of `sale.voided` (assumed): the sale id, why and when it was voided. */
export interface MandoSaleVoided {
	/** GUID of the voided sale. */
	id: string;
	reason: string;
	/** ISO 8601 time of the void. */
	voided_at: string;
	total?: MandoNumber;
	receipt_number?: string;
	location_id?: string;
	pos_id?: string;
	[key: string]: unknown;
}

/** A product (`plu` entity, documented fields; numbers may arrive as strings). */
export interface MandoProduct {
	id: string;
	active: boolean;
	/** Product number. */
	productid?: string;
	name: string;
	receipt_name?: string;
	type?: number;
	/** Price in euros, VAT included. */
	base_price?: MandoNumber;
	dpt_id?: string;
	tax_id?: string;
	image_id?: string | null;
	memo?: string;
	data?: {
		tags?: string[];
		barcodes?: string[];
		/** Low-stock threshold. */
		stock_qty_warning?: MandoNumber;
		cost_price?: MandoNumber;
		unit_type?: string;
		modified_at?: string;
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

/** `data` of `stock.updated` and `stock.low` (assumed): product, location, new quantity, threshold. */
export interface MandoStockChange {
	/** GUID of the product (`plu.id`). */
	plu_id: string;
	productid?: string;
	name?: string;
	/** GUID of the location whose stock changed. */
	location_id: string;
	/** Stock quantity after the change. */
	quantity: MandoNumber;
	previous_quantity?: MandoNumber;
	/** Low-stock threshold (`plu.data.stock_qty_warning`). */
	stock_qty_warning?: MandoNumber;
	unit?: string;
	/** Why the stock changed, e.g. `sale`, `delivery`, `inventory`, `wastage`. */
	reason?: string;
	[key: string]: unknown;
}

/** A customer (`customer` entity). */
export interface MandoCustomer {
	id: string;
	active: boolean;
	name: string;
	email?: string;
	phone?: string;
	customer_number?: string;
	data?: { [key: string]: unknown };
	[key: string]: unknown;
}

/** A business day (`businessday` entity); closed days carry totals. */
export interface MandoBusinessDay {
	id: string;
	active: boolean;
	/** The business day's date, `YYYY-MM-DD`. */
	date: string;
	location_id?: string;
	opened_at?: string;
	closed_at?: string | null;
	data?: {
		sales_count?: number;
		total?: MandoNumber;
		payments?: Record<string, MandoNumber>;
		[key: string]: unknown;
	};
	[key: string]: unknown;
}

/** The `data` type of each event. */
export interface MandoEventDataMap {
	'sale.created': MandoSale;
	'sale.voided': MandoSaleVoided;
	'product.created': MandoProduct;
	'product.updated': MandoProduct;
	'product.deleted': MandoProduct;
	'stock.updated': MandoStockChange;
	'stock.low': MandoStockChange;
	'customer.created': MandoCustomer;
	'customer.updated': MandoCustomer;
	'businessday.opened': MandoBusinessDay;
	'businessday.closed': MandoBusinessDay;
}

/**
 * The name of each event's `data` type above, for the README's event reference (TypeScript keeps
 * no type names at run time; `Record` makes sure every event type has one).
 */
export const MANDO_EVENT_DATA_TYPE_NAMES: Readonly<Record<MandoEventType, string>> = {
	'sale.created': 'MandoSale',
	'sale.voided': 'MandoSaleVoided',
	'product.created': 'MandoProduct',
	'product.updated': 'MandoProduct',
	'product.deleted': 'MandoProduct',
	'stock.updated': 'MandoStockChange',
	'stock.low': 'MandoStockChange',
	'customer.created': 'MandoCustomer',
	'customer.updated': 'MandoCustomer',
	'businessday.opened': 'MandoBusinessDay',
	'businessday.closed': 'MandoBusinessDay',
};

/**
 * The envelope Mando sends for every event (documented):
 * `{ id: "evt_…", type: "sale.created", created: "<ISO 8601>", data: {…} }`.
 * `id` is stable across Mando's retries, which is what de-duplication relies on.
 */
export interface MandoEvent<T extends MandoEventType = MandoEventType> {
	id: string;
	type: T;
	/** ISO 8601 time the event happened. */
	created: string;
	data: MandoEventDataMap[T];
	[key: string]: unknown;
}

/** A catalogue entry: what the editor, the docs and the emulator know about one event type. */
export interface MandoEventDefinition<T extends MandoEventType = MandoEventType> {
	type: T;
	/** Title-case name for the editor, e.g. "Sale Created". */
	name: string;
	/** One sentence for the editor and the README. */
	description: string;
	/** A realistic `data` for this event (used by the emulator and the README). */
	sample: MandoEventDataMap[T];
}

const LOCATION_ID = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const POS_ID = 'b3f1c2d4-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const BUSINESSDAY_ID = '2f1e0d9c-8b7a-4654-a3b2-c1d0e9f8a7b6';

const SAMPLE_PRODUCT: MandoProduct = {
	id: '3fa85f64-5717-4562-b3fc-2c963f66afa6',
	active: true,
	productid: '1001',
	name: 'Cappuccino',
	receipt_name: 'Cappuccino',
	type: 0,
	base_price: '4.50',
	dpt_id: '9b2d7f0e-1c3a-4e5b-8d6f-7a8b9c0d1e2f',
	tax_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d',
	image_id: null,
	memo: '',
	data: {
		tags: ['coffee', 'hot drinks'],
		barcodes: ['6411401015099'],
		stock_qty_warning: 20,
		cost_price: '0.95',
		unit_type: 'pcs',
		modified_at: '2026-11-27T08:14:03Z',
	},
};

const SAMPLE_CUSTOMER: MandoCustomer = {
	id: 'e7a1c3b5-9d2f-4e6a-8b0c-1d3e5f7a9b2c',
	active: true,
	name: 'Aino Virtanen',
	email: 'aino.virtanen@example.fi',
	phone: '+358401234567',
	customer_number: 'C-20451',
	data: { marketing_consent: true, loyalty_points: 120 },
};

/** The catalogue, in the docs' order; `MANDO_EVENTS[i].type === MANDO_EVENT_TYPES[i]`. */
export const MANDO_EVENTS: { [T in MandoEventType]: MandoEventDefinition<T> }[MandoEventType][] = [
	{
		type: 'sale.created',
		name: 'Sale Created',
		description: 'A sale was completed at a POS (receipt with its lines and payments)',
		sample: {
			id: 'c56a4180-65aa-42ec-a945-5fd21dec0538',
			total: 45.5,
			items: [
				{
					plu_id: SAMPLE_PRODUCT.id,
					productid: '1001',
					name: 'Cappuccino',
					qty: 2,
					price: 4.5,
					total: 9,
					vat_rate: 14,
				},
				{
					plu_id: '6ec0bd7f-11c0-43da-975e-2a8ad9ebae0b',
					productid: '2040',
					name: 'Salmon soup',
					qty: 2,
					price: 18.25,
					total: 36.5,
					vat_rate: 14,
				},
			],
			receipt_number: '000123',
			location_id: LOCATION_ID,
			pos_id: POS_ID,
			businessday_id: BUSINESSDAY_ID,
			customer_id: SAMPLE_CUSTOMER.id,
			payments: [{ type: 'card', amount: 45.5 }],
			currency: 'EUR',
			created_at: '2026-11-28T11:42:17Z',
		},
	},
	{
		type: 'sale.voided',
		name: 'Sale Voided',
		description: 'A completed sale was voided (cancelled) with a reason',
		sample: {
			id: 'c56a4180-65aa-42ec-a945-5fd21dec0538',
			reason: 'Customer returned the order',
			voided_at: '2026-11-28T11:55:02Z',
			total: 45.5,
			receipt_number: '000123',
			location_id: LOCATION_ID,
			pos_id: POS_ID,
		},
	},
	{
		type: 'product.created',
		name: 'Product Created',
		description: 'A product (PLU) was added to the catalogue',
		sample: SAMPLE_PRODUCT,
	},
	{
		type: 'product.updated',
		name: 'Product Updated',
		description: 'A product (PLU) was changed, e.g. its price or name',
		sample: {
			...SAMPLE_PRODUCT,
			base_price: '4.80',
			data: { ...SAMPLE_PRODUCT.data, modified_at: '2026-11-28T09:00:00Z' },
		},
	},
	{
		type: 'product.deleted',
		name: 'Product Deleted',
		description: 'A product (PLU) was removed (deactivated) from the catalogue',
		sample: { ...SAMPLE_PRODUCT, active: false },
	},
	{
		type: 'stock.updated',
		name: 'Stock Updated',
		description: "A product's stock quantity changed at a location",
		sample: {
			plu_id: SAMPLE_PRODUCT.id,
			productid: '1001',
			name: 'Cappuccino',
			location_id: LOCATION_ID,
			quantity: 42,
			previous_quantity: 44,
			stock_qty_warning: 20,
			unit: 'pcs',
			reason: 'sale',
		},
	},
	{
		type: 'stock.low',
		name: 'Stock Low',
		description: "A product's stock fell to or below its low-stock threshold",
		sample: {
			plu_id: SAMPLE_PRODUCT.id,
			productid: '1001',
			name: 'Cappuccino',
			location_id: LOCATION_ID,
			quantity: 18,
			previous_quantity: 21,
			stock_qty_warning: 20,
			unit: 'pcs',
			reason: 'sale',
		},
	},
	{
		type: 'customer.created',
		name: 'Customer Created',
		description: 'A customer was added to the register',
		sample: SAMPLE_CUSTOMER,
	},
	{
		type: 'customer.updated',
		name: 'Customer Updated',
		description: "A customer's details changed",
		sample: { ...SAMPLE_CUSTOMER, phone: '+358409876543' },
	},
	{
		type: 'businessday.opened',
		name: 'Business Day Opened',
		description: 'A business day was opened at a location',
		sample: {
			id: BUSINESSDAY_ID,
			active: true,
			date: '2026-11-28',
			location_id: LOCATION_ID,
			opened_at: '2026-11-28T07:58:40Z',
			closed_at: null,
			data: {},
		},
	},
	{
		type: 'businessday.closed',
		name: 'Business Day Closed',
		description: 'A business day was closed, with its sales totals',
		sample: {
			id: BUSINESSDAY_ID,
			active: true,
			date: '2026-11-28',
			location_id: LOCATION_ID,
			opened_at: '2026-11-28T07:58:40Z',
			closed_at: '2026-11-28T22:04:11Z',
			data: { sales_count: 214, total: '6128.40', payments: { card: '5702.90', cash: '425.50' } },
		},
	},
];

/**
 * The documented events as options of an n8n **Events** dropdown (the trigger's and the Webhook
 * resource's), sorted by name: `{ name: 'Sale Created', value: 'sale.created', description }`.
 */
export const MANDO_EVENT_OPTIONS: ReadonlyArray<{
	name: string;
	value: MandoEventType;
	description: string;
}> = [...MANDO_EVENTS]
	.sort((a, b) => a.name.localeCompare(b.name))
	.map((e) => ({ name: e.name, value: e.type, description: `${e.description} (${e.type})` }));

const BY_TYPE = new Map<string, MandoEventDefinition>(MANDO_EVENTS.map((e) => [e.type, e]));

/** The catalogue entry for `type`, or `undefined` for an event type Mando has not documented. */
export function getMandoEventDefinition(type: string): MandoEventDefinition | undefined {
	return BY_TYPE.get(type);
}

/** True when `type` is one of the 11 documented event types. */
export function isMandoEventType(type: string): type is MandoEventType {
	return BY_TYPE.has(type);
}
