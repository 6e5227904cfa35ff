import { existsSync, readFileSync, readdirSync } from 'fs';
import path from 'path';

import {
	ITEM_SCHEMAS,
	mandoSchemaFiles,
	SCHEMA_DIR,
	schemaText,
	type JsonSchema,
} from '../../../../scripts/mando-schemas';
import { Mando } from '../../../../nodes/Mando/Mando.node';
import { MANDO_RESOURCES } from '../../../../nodes/Mando/resources';
import { startEmulator, type Emulator } from '../../../emulator/server';
import { run } from '../../../harness/mandoContext';

/**
 * The node's description (AI-tool use, operations) and its output schemas: one file per operation,
 * current with scripts/mando-schemas.ts, and real answers of the emulator fit them.
 */

/** Problems of `value` against `schema` (numbers may arrive as text; null is allowed anywhere). */
function problems(value: unknown, schema: JsonSchema, at = '$'): string[] {
	if (value === null || value === undefined) return [];
	switch (schema.type) {
		case 'string':
			return typeof value === 'string' ? [] : [`${at} is not a string`];
		case 'number':
			return typeof value === 'number' ||
				(typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
				? []
				: [`${at} is not a number`];
		case 'boolean':
			return typeof value === 'boolean' ? [] : [`${at} is not a boolean`];
		case 'array':
			return Array.isArray(value)
				? value.flatMap((v, i) => problems(v, schema.items!, `${at}[${i}]`))
				: [`${at} is not an array`];
		default: {
			if (typeof value !== 'object' || Array.isArray(value)) return [`${at} is not an object`];
			const props = schema.properties ?? {};
			const top = at === '$';
			return Object.entries(value as Record<string, unknown>).flatMap(([key, v]) => {
				if (props[key]) return problems(v, props[key], `${at}.${key}`);
				// every top-level field an answer has must be in the schema; nested `data` may hold more
				return top ? [`${at}.${key} is not in the schema`] : [];
			});
		}
	}
}

describe('description', () => {
	const { description } = new Mando();

	test('is usable as an AI tool; every operation has an action and a description', () => {
		expect(description.usableAsTool).toBe(true);
		const operations = description.properties.filter((p) => p.name === 'operation');
		expect(operations).toHaveLength(MANDO_RESOURCES.length);
		for (const op of operations.flatMap(
			(p) => p.options as Array<{ action?: string; description?: string }>,
		)) {
			expect(op.action).toMatch(/^[A-Z][a-z]+ /);
			expect(op.description?.length).toBeGreaterThan(10);
		}
		const deletes = operations
			.flatMap((p) => p.options as Array<{ value: string; description: string }>)
			.filter((o) => o.value === 'delete');
		expect(deletes.every((d) => d.description.includes('soft delete'))).toBe(true);
	});

	test("lists the issue's resources with their operations", () => {
		const ops = Object.fromEntries(MANDO_RESOURCES.map((r) => [r.value, [...r.operations].sort()]));
		expect(ops).toEqual({
			product: ['create', 'delete', 'get', 'getAll', 'update'],
			customer: ['create', 'delete', 'get', 'getAll', 'update'],
			sale: ['get', 'getAll'],
			businessDay: ['create', 'get', 'getAll', 'rename', 'update'],
			stock: ['get', 'update'],
			webhook: ['create', 'delete', 'get', 'getAll', 'update'],
			department: ['create', 'get', 'getAll', 'update'],
			group: ['create', 'get', 'getAll', 'update'],
			location: ['create', 'get', 'getAll', 'update'],
			discount: ['create', 'get', 'getAll', 'update'],
			campaign: ['create', 'get', 'getAll', 'update'],
		});
	});
});

describe('output schemas', () => {
	test('one file per operation, current with scripts/mando-schemas.ts, no strays', () => {
		const files = mandoSchemaFiles();
		for (const [file, schema] of files) {
			const full = path.join(SCHEMA_DIR, file);
			expect(existsSync(full)).toBe(true);
			expect(readFileSync(full, 'utf8')).toBe(schemaText(schema));
		}
		const onDisk = readdirSync(SCHEMA_DIR).flatMap((dir) =>
			readdirSync(path.join(SCHEMA_DIR, dir)).map((f) => `${dir}/${f}`),
		);
		expect(onDisk.sort()).toEqual([...files.keys()].sort());
	});

	describe('answers of the emulator fit them', () => {
		let emulator: Emulator;
		beforeAll(async () => {
			emulator = await startEmulator({ apiKey: 'schema-key' });
		});
		afterAll(async () => emulator.close());

		test.each([
			[
				'product',
				{
					operation: 'create',
					name: 'Kahvi',
					additionalFields: {
						base_price: 3.5,
						productid: '1',
						data: '{"tags":["a"],"stock_qty_warning":"3"}',
					},
				},
			],
			[
				'customer',
				{
					operation: 'create',
					name: 'Aino',
					additionalFields: { email: 'a@example.fi', phone: '1', customer_number: '7' },
				},
			],
			[
				'businessDay',
				{
					operation: 'create',
					date: '2025-01-02',
					location_id: 'l',
					additionalFields: { opened_at: '2025-01-02T07:00:00Z' },
				},
			],
			[
				'webhook',
				{
					operation: 'create',
					url: 'https://x.example/h',
					events: ['stock.low'],
					additionalFields: { description: 'd' },
				},
			],
			['department', { operation: 'create', name: 'D', additionalFields: { grp_id: 'g' } }],
			['location', { operation: 'getAll', returnAll: true }],
			['group', { operation: 'create', name: 'G' }],
			['discount', { operation: 'create', name: 'Ale' }],
			['campaign', { operation: 'create', name: 'Kampanja' }],
		])('%s', async (resource, params) => {
			const out = await run(emulator, { resource, ...params });
			expect(out.length).toBeGreaterThan(0);
			const schema = mandoSchemaFiles().get(`${resource}/${params.operation}.json`)!;
			for (const item of out) expect(problems(item, schema)).toEqual([]);
		});

		test('sale and stock', async () => {
			const [saleId] = emulator.seedSales(1);
			for (const item of await run(emulator, { resource: 'sale', operation: 'get', id: saleId }))
				expect(problems(item, ITEM_SCHEMAS.sale)).toEqual([]);
			emulator.seed('plu', [
				{
					id: 'p',
					name: 'P',
					data: { stock_units: [{ name: 'pcs', value: 1, multiplier: 1 }], stock_qty_warning: 2 },
				},
			]);
			for (const item of await run(emulator, { resource: 'stock', operation: 'get', id: 'p' }))
				expect(problems(item, ITEM_SCHEMAS.stock)).toEqual([]);
		});

		test('the checker itself rejects a misfit', () => {
			expect(problems({ id: 1, extra: true }, ITEM_SCHEMAS.group)).toEqual([
				'$.id is not a string',
				'$.extra is not in the schema',
			]);
		});
	});
});
