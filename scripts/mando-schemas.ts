import { mkdirSync, writeFileSync } from 'fs';
import path from 'path';

import { MANDO_RESOURCES } from '../nodes/Mando/resources';

/**
 * The Mando node's output schemas (`nodes/Mando/__schema__/v1.0.0/{resource}/{operation}.json`),
 * which n8n's editor shows as the output's fields before the first run. One JSON Schema per item
 * shape, generated from the node's own resource list so that every operation has one.
 *
 *   npx ts-node --transpile-only scripts/mando-schemas.ts     (re)writes the files
 *
 * Field lists follow the contract's entities (`shared/mando-api.md`) and the typed shapes in
 * `nodes/shared/events.ts`; the unit test `nodes/Mando/schema.test.ts` checks the files are current and that
 * the emulator's answers fit them.
 */

/** A JSON Schema (the subset n8n's schema preview reads). */
export type JsonSchema = {
	type: string;
	properties?: Record<string, JsonSchema>;
	items?: JsonSchema;
};

const str: JsonSchema = { type: 'string' };
const num: JsonSchema = { type: 'number' };
const bool: JsonSchema = { type: 'boolean' };
const obj = (properties: Record<string, JsonSchema> = {}): JsonSchema => ({
	type: 'object',
	properties,
});
const arr = (items: JsonSchema): JsonSchema => ({ type: 'array', items });
const entity = (
	properties: Record<string, JsonSchema>,
	data: Record<string, JsonSchema> = {},
): JsonSchema => obj({ id: str, active: bool, name: str, ...properties, data: obj(data) });

const STOCK_UNIT = obj({
	name: str,
	value: num,
	multiplier: num,
	balance_unit: bool,
	wastage_unit: bool,
	inventory_unit: bool,
});

/** The item schema of each resource (Stock and Sale have their own shapes; the rest are entities). */
export const ITEM_SCHEMAS: Record<string, JsonSchema> = {
	product: entity(
		{
			productid: str,
			receipt_name: str,
			type: num,
			base_price: num,
			dpt_id: str,
			tax_id: str,
			image_id: str,
			memo: str,
			sales_history: obj({ month_sales: arr(obj({ date: str, qty: num, total: num })) }),
		},
		{
			tags: arr(str),
			barcodes: arr(str),
			stock_units: arr(STOCK_UNIT),
			stock_qty_warning: num,
			cost_price: num,
			unit_type: str,
			modified_at: str,
		},
	),
	customer: entity({ email: str, phone: str, customer_number: str }),
	sale: obj({
		id: str,
		total: num,
		items: arr(
			obj({
				plu_id: str,
				productid: str,
				name: str,
				qty: num,
				price: num,
				total: num,
				vat_rate: num,
			}),
		),
		receipt_number: str,
		location_id: str,
		pos_id: str,
		businessday_id: str,
		customer_id: str,
		payments: arr(obj({ type: str, amount: num })),
		currency: str,
		created_at: str,
	}),
	businessDay: obj({
		id: str,
		active: bool,
		date: str,
		location_id: str,
		opened_at: str,
		closed_at: str,
		data: obj({ sales_count: num, total: num }),
	}),
	stock: obj({
		plu_id: str,
		productid: str,
		name: str,
		stock_units: arr(STOCK_UNIT),
		stock_qty_warning: num,
	}),
	webhook: obj({
		id: str,
		active: bool,
		url: str,
		events: arr(str),
		description: str,
		data: obj(),
	}),
	department: entity({ grp_id: str }),
	group: entity({}),
	location: entity({}, { address: str }),
	discount: entity({}),
	campaign: entity({}),
};

/** Every schema file: relative path (`{resource}/{operation}.json`) → schema. */
export function mandoSchemaFiles(): Map<string, JsonSchema> {
	const files = new Map<string, JsonSchema>();
	for (const spec of MANDO_RESOURCES) {
		const schema = ITEM_SCHEMAS[spec.value];
		if (!schema) throw new Error(`No output schema for resource "${spec.value}"`);
		for (const operation of spec.operations) {
			// Create marks a record it did not make but found under its own id (a retried create).
			const out =
				operation === 'create'
					? { ...schema, properties: { ...schema.properties, alreadyExisted: { type: 'boolean' } } }
					: schema;
			files.set(`${spec.value}/${operation}.json`, out as JsonSchema);
		}
	}
	return files;
}

/** Where the files live. */
export const SCHEMA_DIR = path.resolve(__dirname, '..', 'nodes', 'Mando', '__schema__', 'v1.0.0');

/** The file text of a schema (tab-indented JSON, trailing newline). */
export const schemaText = (schema: JsonSchema): string => JSON.stringify(schema, null, '\t') + '\n';

if (require.main === module) {
	for (const [file, schema] of mandoSchemaFiles()) {
		mkdirSync(path.dirname(path.join(SCHEMA_DIR, file)), { recursive: true });
		writeFileSync(path.join(SCHEMA_DIR, file), schemaText(schema));
	}
	console.log(
		`wrote ${mandoSchemaFiles().size} schema files under ${path.relative(process.cwd(), SCHEMA_DIR)}`,
	);
}
