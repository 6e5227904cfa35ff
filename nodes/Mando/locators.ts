import type { IDataObject, IExecuteFunctions, INodeProperties } from 'n8n-workflow';
import { NodeApiError } from 'n8n-workflow';

import { mandoGetAll, type MandoRetryOptions } from '../shared/transport';

/**
 * Resource locators: the records an owner knows by name (product, customer, business day,
 * location, department, group) are picked with n8n's `resourceLocator` parameter — "From List"
 * (searched through `listSearch.ts`), "By Product Number" (products) or "By ID" — in the shape of
 * n8n's own nodes (Airtable v2's `base`/`table`, Notion's `pageId`). Every reader of a locator
 * value goes through {@link locatorValue}, which also accepts the plain text an older workflow,
 * an expression or an AI agent's `$fromAI()` stores.
 */

/** What a locator can point at. */
export type LocatorTarget =
	'product' | 'customer' | 'businessDay' | 'location' | 'department' | 'group';

/** The locator modes' names (stable: saved workflows store them). */
export const LOCATOR_MODE = {
	list: 'list',
	productNumber: 'productNumber',
	id: 'id',
} as const;

/** How one target is listed and named. */
export interface LocatorTargetInfo {
	/** API path segment under `/secure/`. */
	path: string;
	/** The parameter's label, e.g. `Product`. */
	title: string;
	/** Lower-case name for messages, e.g. `product`. */
	singular: string;
	/** The `listSearch` method of the node that lists it. */
	searchMethod: string;
	/** Where an owner finds the record in Mando, for the "not found" hint. */
	where: string;
}

/** Each target's path, words and search method. */
export const LOCATOR_TARGETS: Record<LocatorTarget, LocatorTargetInfo> = {
	product: {
		title: 'Product',
		path: 'plu',
		singular: 'product',
		searchMethod: 'searchProducts',
		where: 'Pick the product from the list, or use its product number (By Product Number)',
	},
	customer: {
		title: 'Customer',
		path: 'customer',
		singular: 'customer',
		searchMethod: 'searchCustomers',
		where: 'Pick the customer from the list',
	},
	businessDay: {
		title: 'Business Day',
		path: 'businessday',
		singular: 'business day',
		searchMethod: 'searchBusinessDays',
		where: 'Pick the business day from the list (by date)',
	},
	location: {
		title: 'Location',
		path: 'location',
		singular: 'location',
		searchMethod: 'searchLocations',
		where: 'Pick the location (shop) from the list',
	},
	department: {
		title: 'Department',
		path: 'dpt',
		singular: 'department',
		searchMethod: 'searchDepartments',
		where: 'Pick the department from the list',
	},
	group: {
		title: 'Group',
		path: 'grp',
		singular: 'group',
		searchMethod: 'searchGroups',
		where: 'Pick the group from the list',
	},
};

/** A Mando record id: a GUID (contract: "Entities: every entity has `id` (GUID)"). */
export const MANDO_ID_REGEX =
	'^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

/**
 * A `resourceLocator` parameter for a record of `target`, defaulting to "From List"; products
 * also have "By Product Number".
 *
 * @param name the parameter name (the API's field name, or the node's `id`)
 */
export function locatorField(
	target: LocatorTarget,
	displayName: string,
	name: string,
	description: string,
): INodeProperties {
	const info = LOCATOR_TARGETS[target];
	return {
		displayName,
		name,
		type: 'resourceLocator',
		default: { mode: LOCATOR_MODE.list, value: '' },
		description,
		modes: [
			{
				displayName: 'From List',
				name: LOCATOR_MODE.list,
				type: 'list',
				placeholder: `Select a ${info.singular}...`,
				typeOptions: { searchListMethod: info.searchMethod, searchable: true },
			},
			...(target === 'product'
				? [
						{
							displayName: 'By Product Number',
							name: LOCATOR_MODE.productNumber,
							type: 'string' as const,
							placeholder: 'e.g. 1001',
						},
					]
				: []),
			{
				displayName: 'By ID',
				name: LOCATOR_MODE.id,
				type: 'string',
				placeholder: 'e.g. 3fa85f64-5717-4562-b3fc-2c963f66afa6',
				validation: [
					{
						type: 'regex',
						properties: {
							regex: MANDO_ID_REGEX,
							errorMessage: `Not a Mando ID (a GUID). ${info.where}.`,
						},
					},
				],
			},
		],
	};
}

/** A locator value read from the node: its mode and its value. */
export interface LocatorValue {
	mode: string;
	value: unknown;
}

/**
 * A parameter value as a locator value: n8n's `{ __rl: true, mode, value }` as it is, anything else
 * (the plain text of a workflow saved before the locators, an expression's result, `$fromAI()`)
 * as mode `id`.
 */
export function locatorValue(raw: unknown): LocatorValue {
	if (typeof raw === 'object' && raw !== null && !Array.isArray(raw) && 'mode' in raw) {
		const rl = raw as { mode?: unknown; value?: unknown };
		return {
			mode: typeof rl.mode === 'string' && rl.mode !== '' ? rl.mode : LOCATOR_MODE.id,
			value: rl.value,
		};
	}
	return { mode: LOCATOR_MODE.id, value: raw };
}

/** A not-found `NodeApiError` (404) naming what was looked for and where its id comes from. */
export function notFoundError(
	ctx: Pick<IExecuteFunctions, 'getNode'>,
	what: string,
	hint: string,
	itemIndex?: number,
): NodeApiError {
	const error = new NodeApiError(
		ctx.getNode(),
		{ code: 'NOT_FOUND', message: what, httpCode: '404' },
		{ message: what, description: hint, httpCode: '404', itemIndex },
	);
	error.message = what;
	return error;
}

/** What By ID takes, for a record of `target`. */
function byIdSentence(target: LocatorTarget): string {
	return `By ID takes Mando's ID of the ${LOCATOR_TARGETS[target].singular} (a GUID such as 3fa85f64-5717-4562-b3fc-2c963f66afa6), e.g. {{ $json.id }} from a Mando node before this one.`;
}

/** The "where does this id come from" sentences for a record of `target`. */
export function idHint(target: LocatorTarget): string {
	return `${LOCATOR_TARGETS[target].where}. ${byIdSentence(target)}`;
}

/**
 * The id of the product with product number `productNumber` (Mando's `productid`): one list
 * request filtered with `productid` (ASSUMED filter; the records answered are matched again, so a
 * Mando that ignores the filter is paged through and matched here). An active product wins over
 * inactive ones with the same number.
 *
 * @throws NodeApiError 404 when no product has that number, 409 when several active ones do;
 *   NodeApiError from Mando
 */
export async function productIdByNumber(
	ctx: IExecuteFunctions,
	productNumber: string,
	itemIndex: number,
	retry?: Partial<MandoRetryOptions>,
): Promise<string> {
	const wanted = productNumber.trim();
	const listed = (await mandoGetAll.call(
		ctx,
		`/secure/${LOCATOR_TARGETS.product.path}`,
		{ productid: wanted },
		undefined,
		retry,
	)) as IDataObject[];
	const matches = listed.filter(
		(p) =>
			p.productid !== undefined && p.productid !== null && String(p.productid).trim() === wanted,
	);
	const active = matches.filter((p) => p.active !== false);
	const pick = active.length ? active : matches;
	if (pick.length === 0) {
		throw notFoundError(
			ctx,
			`Mando has no product with product number "${wanted}"`,
			`Check the product number in Mando (the product's "productid"), or pick the product from the list. ${byIdSentence('product')}`,
			itemIndex,
		);
	}
	if (pick.length > 1) {
		const error = new NodeApiError(
			ctx.getNode(),
			{ code: 'CONFLICT', message: `several products have number ${wanted}`, httpCode: '409' },
			{
				message: `${pick.length} products have product number "${wanted}"`,
				description: `Pick the product from the list, or use By ID with one of: ${pick
					.map((p) => `${String(p.name)} (${String(p.id)})`)
					.join(', ')}`,
				httpCode: '409',
				itemIndex,
			},
		);
		error.message = `${pick.length} products have product number "${wanted}"`;
		throw error;
	}
	return String(pick[0].id);
}
