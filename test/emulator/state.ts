import { randomUUID } from 'crypto';
import type http from 'http';

import { getMandoEventDefinition } from '../../nodes/shared/events';
import type {
	MandoBusinessDay,
	MandoCustomer,
	MandoProduct,
	MandoSale,
} from '../../nodes/shared/events';
import { clone, isObject, pathMatches } from './common';
import { EMULATOR_RESOURCES } from './types';
import type {
	EmulatorConfig,
	EmulatorDelivery,
	EmulatorEntity,
	EmulatorFault,
	EmulatorRequest,
	EmulatorResource,
	EmulatorWebhook,
	EmulatorWebhookChange,
} from './types';

/** The store: everything one emulator holds, in one object that every module reads and changes. */

/** A fault as stored: its remaining `count` and its `kind` always set, `method` upper-case. */
export type PendingFault = Required<Pick<EmulatorFault, 'count' | 'kind'>> & EmulatorFault;

/** The whole state of one emulator. */
export interface EmulatorState {
	config: EmulatorConfig;
	/** The config the emulator started with; `reset` restores it. */
	startConfig: Readonly<EmulatorConfig>;
	/** Entities per resource (every {@link EMULATOR_RESOURCES} entry has a map), in insertion order. */
	stores: Map<string, Map<string, EmulatorEntity>>;
	/** `/secure/sales`, oldest first. */
	sales: Record<string, unknown>[];
	deliveries: EmulatorDelivery[];
	/** Webhook active-state and URL changes, oldest first (see `noteWebhookChange`). */
	webhookHistory: EmulatorWebhookChange[];
	requests: EmulatorRequest[];
	pendingFaults: PendingFault[];
	/** Bumped by reset and close; a delivery started under an older generation is forgotten. */
	generation: number;
	closed: boolean;
	/** Retry timers not fired yet. */
	timers: Set<NodeJS.Timeout>;
	/** Delivery requests still open. */
	inFlight: Set<http.ClientRequest>;
	/** `onDelivery` listeners. */
	listeners: Set<(d: EmulatorDelivery) => void>;
	/** The reject functions of pending `waitForDeliveries` calls. */
	waiters: Set<(error: Error) => void>;
}

const RESOURCE_SET = new Set<string>(EMULATOR_RESOURCES);

/** The two locations every fresh emulator holds; the first is the one the event samples use. */
function sampleLocations(): EmulatorEntity[] {
	const saleSample = getMandoEventDefinition('sale.created')?.sample as
		{ location_id?: string } | undefined;
	return [
		{
			id: saleSample?.location_id ?? '7c9e6679-7425-40de-944b-e07fc1f90ae7',
			active: true,
			name: 'Kahvila Helsinki',
			data: { address: 'Mannerheimintie 1, 00100 Helsinki', ext_id: [] },
		},
		{
			id: '1b4e28ba-2fa1-4d3b-a3f5-ef19b5a7633b',
			active: true,
			name: 'Kahvila Tampere',
			data: { address: 'Hämeenkatu 10, 33100 Tampere', ext_id: [] },
		},
	];
}

/**
 * The tax rates every fresh emulator holds (ASSUMED `tax` resource: `plu.tax_id` refers to it, no
 * page documents it). Rates are Finland's VAT percentages since 1 Sept 2024 (vero.fi); the 14 %
 * rate (food and restaurant services) has the id the event samples' products carry.
 */
function sampleTaxes(): EmulatorEntity[] {
	return [
		{
			id: 'c0a80121-7ac0-4e1c-9a3b-000000002550',
			active: true,
			name: 'ALV 25,5 %',
			rate: 25.5,
			data: {},
		},
		{
			id: sampleProduct().tax_id ?? 'c0a80121-7ac0-4e1c-9a3b-000000001400',
			active: true,
			name: 'ALV 14 %',
			rate: 14,
			data: {},
		},
		{
			id: 'c0a80121-7ac0-4e1c-9a3b-000000001000',
			active: true,
			name: 'ALV 10 %',
			rate: 10,
			data: {},
		},
		{
			id: 'c0a80121-7ac0-4e1c-9a3b-000000000000',
			active: true,
			name: 'ALV 0 %',
			rate: 0,
			data: {},
		},
	];
}

/** The event catalogue's sample product (Cappuccino), whose ids the café's records share. */
function sampleProduct(): MandoProduct {
	return clone(getMandoEventDefinition('product.created')!.sample as MandoProduct);
}

/** Ids of the café's groups and departments beyond the sample's department. */
const CAFE = {
	drinks: '5d0c1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a2b',
	food: '6e1d2b3c-4d5e-4f6a-9b7c-8d9e0f1a2b3c',
	soups: '7f2e3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d',
	pastries: '803f4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d6e',
} as const;

/**
 * The demo café every emulator starts with unless `seed` is `empty`: the event samples' records
 * made real — the products the sample sale sells (Cappuccino `1001`, Salmon soup `2040`, with the
 * sample's `plu_id`s) and a few more, their departments and groups, the sample customer, and the
 * sample's business day, open. Ids, product numbers, department and tax ids agree with
 * `nodes/shared/events.ts`, so a sample event's ids can be looked up in the emulator.
 */
export function cafeRecords(): Partial<Record<EmulatorResource, EmulatorEntity[]>> {
	const sale = getMandoEventDefinition('sale.created')!.sample as MandoSale;
	const cappuccino = sampleProduct();
	const coffee = cappuccino.dpt_id!;
	const tax = cappuccino.tax_id!;
	const soupLine = sale.items.find((i) => i.name === 'Salmon soup')!;
	const product = (
		id: string,
		productid: string,
		name: string,
		base_price: string,
		dpt_id: string,
		tags: string[],
	): EmulatorEntity => ({
		id,
		active: true,
		productid,
		name,
		receipt_name: name,
		type: 0,
		base_price,
		dpt_id,
		tax_id: tax,
		image_id: null,
		memo: '',
		data: { tags, unit_type: 'pcs', stock_qty_warning: 10 },
	});
	const customer = getMandoEventDefinition('customer.created')!.sample as MandoCustomer;
	const day = getMandoEventDefinition('businessday.opened')!.sample as MandoBusinessDay;
	return {
		grp: [
			{ id: CAFE.drinks, active: true, name: 'Drinks', data: {} },
			{ id: CAFE.food, active: true, name: 'Food', data: {} },
		],
		dpt: [
			{ id: coffee, active: true, name: 'Coffee & tea', grp_id: CAFE.drinks, data: {} },
			{ id: CAFE.soups, active: true, name: 'Soups & lunch', grp_id: CAFE.food, data: {} },
			{ id: CAFE.pastries, active: true, name: 'Pastries', grp_id: CAFE.food, data: {} },
		],
		plu: [
			{ ...(cappuccino as EmulatorEntity), data: { ...cappuccino.data } },
			product('a4c1e7d2-0b3f-4e8a-9c6d-2f5b8e1a4c70', '1002', 'Espresso', '3.20', coffee, [
				'coffee',
				'hot drinks',
			]),
			product('b5d2f8e3-1c4a-4f9b-8d7e-3a6c9f2b5d81', '1003', 'Caffè latte', '4.80', coffee, [
				'coffee',
				'hot drinks',
			]),
			product(
				soupLine.plu_id,
				soupLine.productid ?? '2040',
				soupLine.name,
				Number(soupLine.price).toFixed(2),
				CAFE.soups,
				['lunch'],
			),
			product(
				'c6e3a9f4-2d5b-4a0c-9e8f-4b7d0a3c6e92',
				'3010',
				'Cinnamon bun',
				'3.90',
				CAFE.pastries,
				['pastry'],
			),
			product(
				'd7f4b0a5-3e6c-4b1d-8f9a-5c8e1b4d7fa3',
				'3020',
				'Karelian pie',
				'2.50',
				CAFE.pastries,
				['pastry'],
			),
		],
		customer: [clone(customer) as EmulatorEntity],
		businessday: [{ ...(clone(day) as EmulatorEntity), closed_at: null }],
	};
}

/** True for one of {@link EMULATOR_RESOURCES}. */
export const isEmulatorResource = (resource: string): resource is EmulatorResource =>
	RESOURCE_SET.has(resource);

/** A fresh state with `config` and the records of {@link seedSamples}. */
export function createState(config: EmulatorConfig): EmulatorState {
	const state: EmulatorState = {
		config,
		startConfig: Object.freeze({ ...config }),
		stores: new Map(),
		sales: [],
		deliveries: [],
		webhookHistory: [],
		requests: [],
		pendingFaults: [],
		generation: 0,
		closed: false,
		timers: new Set(),
		inFlight: new Set(),
		listeners: new Set(),
		waiters: new Set(),
	};
	seedSamples(state);
	return state;
}

/**
 * Empties every entity store and the sales, then stores the sample locations and taxes and, unless
 * `config.seed` is `empty`, the demo café ({@link cafeRecords}).
 */
export function seedSamples(state: EmulatorState): void {
	state.stores = new Map(EMULATOR_RESOURCES.map((r) => [r, new Map<string, EmulatorEntity>()]));
	for (const location of sampleLocations())
		state.stores.get('location')!.set(location.id, location);
	for (const tax of sampleTaxes()) state.stores.get('tax')!.set(tax.id, tax);
	if (state.config.seed !== 'empty') {
		for (const [resource, records] of Object.entries(cafeRecords()))
			for (const record of records ?? []) state.stores.get(resource)!.set(record.id, record);
	}
	state.sales = [];
}

/** The entity map of a known resource. */
export const store = (state: EmulatorState, resource: string): Map<string, EmulatorEntity> =>
	state.stores.get(resource)!;

/** The stored webhook (not a copy), or undefined. */
export const webhookById = (state: EmulatorState, id: string): EmulatorWebhook | undefined =>
	store(state, 'webhook').get(id) as EmulatorWebhook | undefined;

/** Same entity as stored, minus the webhook secret (shown only in the create answer). */
export function present(resource: string, entity: EmulatorEntity): EmulatorEntity {
	const out = clone(entity);
	if (resource === 'webhook') delete out.secret;
	return out;
}

/** Appends a delivery record, tells the listeners, and returns a copy. */
export function record(state: EmulatorState, delivery: EmulatorDelivery): EmulatorDelivery {
	state.deliveries.push(delivery);
	for (const listener of [...state.listeners]) listener(clone(delivery));
	return clone(delivery);
}

/** Cancels every retry timer and in-flight delivery; deliveries already running are forgotten. */
export function cancelPending(state: EmulatorState): void {
	state.generation++;
	for (const timer of state.timers) clearTimeout(timer);
	state.timers.clear();
	for (const req of state.inFlight) req.destroy();
	state.inFlight.clear();
}

/**
 * Checks a fault.
 *
 * @throws TypeError naming the bad field
 */
export function checkFault(input: unknown): PendingFault {
	if (!isObject(input)) throw new TypeError('A fault must be a JSON object');
	const fault = input as EmulatorFault;
	const count = fault.count ?? 1;
	const kind = fault.kind ?? 'status';
	if (!Number.isInteger(count) || count < 1)
		throw new TypeError('count must be a positive integer');
	if (!['status', 'drop', 'dropAfter', 'slow'].includes(kind))
		throw new TypeError('kind must be status, drop, dropAfter or slow');
	if (
		fault.delayMs !== undefined &&
		(!Number.isFinite(fault.delayMs) || fault.delayMs < 0 || fault.delayMs > 600_000)
	)
		throw new TypeError('delayMs must be 0 to 600000');
	if (
		fault.status !== undefined &&
		(!Number.isInteger(fault.status) || fault.status < 400 || fault.status > 599)
	) {
		throw new TypeError('status must be an integer from 400 to 599');
	}
	if (fault.method !== undefined && typeof fault.method !== 'string')
		throw new TypeError('method must be a string');
	if (fault.path !== undefined && typeof fault.path !== 'string')
		throw new TypeError('path must be a string');
	if (fault.retryAfter !== undefined && !['string', 'number'].includes(typeof fault.retryAfter))
		throw new TypeError('retryAfter must be a number or string');
	if (fault.code !== undefined && typeof fault.code !== 'string')
		throw new TypeError('code must be a string');
	if (fault.message !== undefined && typeof fault.message !== 'string')
		throw new TypeError('message must be a string');
	return { ...fault, count, kind, method: fault.method?.toUpperCase() };
}

/** Uses up one count of the first pending fault matching the request, if any; returns a copy. */
export function takeFault(
	state: EmulatorState,
	method: string,
	path: string,
): EmulatorFault | undefined {
	const fault = state.pendingFaults.find(
		(f) => (f.method === undefined || f.method === method) && pathMatches(f.path, path),
	);
	if (!fault) return undefined;
	fault.count--;
	if (fault.count <= 0) state.pendingFaults = state.pendingFaults.filter((f) => f !== fault);
	return { ...fault };
}

/** How many API requests match `filter` (all when empty); see {@link EmulatorRequestFilter}. */
export function countRequests(
	state: EmulatorState,
	filter: { method?: string; path?: string; status?: number } = {},
): number {
	return state.requests.filter(
		(r) =>
			(filter.method === undefined || r.method === filter.method.toUpperCase()) &&
			pathMatches(filter.path, r.path) &&
			(filter.status === undefined || r.status === filter.status),
	).length;
}

/**
 * Stores entities directly; see `Emulator.seed`.
 *
 * @throws Error for an unknown resource or an entity without a string `id`
 */
export function seedEntities(
	state: EmulatorState,
	resource: EmulatorResource,
	entities: number | Array<Partial<EmulatorEntity>>,
	template: Partial<EmulatorEntity> = {},
): string[] {
	if (!RESOURCE_SET.has(resource)) throw new Error(`Unknown resource "${String(resource)}"`);
	const list: Array<Partial<EmulatorEntity>> =
		typeof entities === 'number'
			? Array.from({ length: entities }, (_, i) => ({
					id: randomUUID(),
					active: true,
					name: `Product ${i + 1}`,
					productid: String(i + 1),
					base_price: `${i + 1}.00`,
					data: {},
				}))
			: entities;
	const ids: string[] = [];
	for (const input of list) {
		const merged = { ...clone(template), ...clone(input) } as Partial<EmulatorEntity>;
		if (typeof merged.id !== 'string' || !merged.id)
			throw new Error('Every seeded entity needs a string id');
		const entity: EmulatorEntity = {
			...merged,
			id: merged.id,
			active: merged.active ?? true,
			data: merged.data ?? {},
		};
		store(state, resource).set(entity.id, entity);
		ids.push(entity.id);
	}
	return ids;
}

/** Appends sales directly; see `Emulator.seedSales`. */
export function seedSales(
	state: EmulatorState,
	input: number | Array<Record<string, unknown>>,
): string[] {
	const sample = getMandoEventDefinition('sale.created')?.sample as Record<string, unknown>;
	const list =
		typeof input === 'number'
			? Array.from({ length: input }, (_, i) => ({
					...clone(sample),
					id: randomUUID(),
					receipt_number: String(state.sales.length + i + 1),
				}))
			: input.map((sale) => ({
					...clone(sale),
					id: typeof sale.id === 'string' ? sale.id : randomUUID(),
				}));
	state.sales.push(...list);
	return list.map((sale) => sale.id as string);
}
