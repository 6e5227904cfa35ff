import type { IDataObject } from 'n8n-workflow';
import { PARAMETER } from './parameters';
import type { ResourceSpec } from './resources/spec';
import type { MandoRetryOptions } from '../shared/transport';

/**
 * Pure helpers that turn the Mando node's parameters into request bodies and answers into
 * items. No I/O; errors are plain `Error`s the node wraps with the item index.
 */

/**
 * Parses a JSON parameter (n8n hands `json` parameters over as text, or as a value when set by
 * an expression). Empty text is `undefined`.
 *
 * @throws Error naming the parameter when the text is not JSON
 */
function parseJsonParameter(value: unknown, label: string): unknown {
	if (typeof value !== 'string') return value;
	if (value.trim() === '') return undefined;
	let parsed: { value: unknown } | undefined;
	try {
		parsed = { value: JSON.parse(value) as unknown };
	} catch {
		parsed = undefined;
	}
	if (!parsed) throw new Error(`${label} is not valid JSON`);
	return parsed.value;
}

const isObject = (v: unknown): v is IDataObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The request body for Create or Update from the form's values: API field names as they are,
 * `json` fields of the spec parsed, empty texts dropped (an unset dropdown is `''`).
 *
 * @throws Error when `data` is not a JSON object or another JSON field is not valid JSON
 */
export function buildBody(spec: ResourceSpec, values: IDataObject): IDataObject {
	const jsonFields = new Set([...spec.required, ...spec.optional].filter((f) => f.type === 'json').map((f) => f.name));
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(values)) {
		if (value === '' || value === undefined || value === null) continue;
		if (!jsonFields.has(key)) {
			body[key] = value;
			continue;
		}
		const parsed = parseJsonParameter(value, key === 'data' ? 'Data (JSON)' : key);
		if (parsed === undefined) continue;
		if (key === 'data' && !isObject(parsed)) throw new Error('Data (JSON) must be a JSON object, e.g. {"tags": ["coffee"]}');
		body[key] = parsed as IDataObject;
	}
	return body;
}

/** `existing` with the keys of `patch` replaced (one level deep; Mando's PUT replaces `data` whole). */
export function mergeData(existing: unknown, patch: IDataObject): IDataObject {
	return { ...(isObject(existing) ? existing : {}), ...patch };
}

/** The Stock resource's item: a product's stock settings (`plu.data.stock_units`, `stock_qty_warning`). */
export interface MandoStock extends IDataObject {
	plu_id: string;
	productid: string | null;
	name: string | null;
	/** The product's stock units as Mando keeps them (contract: `stock_units[]`). */
	stock_units: IDataObject[];
	/** Low-stock threshold, a number (Mando may send text); null when unset. */
	stock_qty_warning: number | null;
}

/** The stock view of a product record. */
export function stockOf(product: IDataObject): MandoStock {
	const data = isObject(product.data) ? product.data : {};
	const threshold = data.stock_qty_warning;
	const asNumber = threshold === undefined || threshold === null || threshold === '' ? null : Number(threshold);
	return {
		plu_id: String(product.id),
		productid: typeof product.productid === 'string' ? product.productid : null,
		name: typeof product.name === 'string' ? product.name : null,
		stock_units: Array.isArray(data.stock_units) ? (data.stock_units as IDataObject[]) : [],
		stock_qty_warning: asNumber !== null && Number.isFinite(asNumber) ? asNumber : null,
	};
}

/**
 * The `data` patch of a Stock Update from its form values.
 *
 * @throws Error when nothing is given, or Stock Units is not a JSON array
 */
export function stockPatch(values: IDataObject): IDataObject {
	const patch: IDataObject = {};
	if (values.stock_qty_warning !== undefined && values.stock_qty_warning !== '') patch.stock_qty_warning = Number(values.stock_qty_warning);
	if (values.stock_units !== undefined) {
		const units = parseJsonParameter(values.stock_units, 'Stock Units (JSON)');
		if (units !== undefined) {
			if (!Array.isArray(units)) throw new Error('Stock Units (JSON) must be a JSON array of stock units');
			patch.stock_units = units as IDataObject[];
		}
	}
	if (Object.keys(patch).length === 0) throw new Error('Nothing to update: add Low-Stock Threshold or Stock Units');
	return patch;
}

/**
 * A business-day date (`YYYY-MM-DD`, a real calendar date; contract: businessday_rename).
 *
 * @throws Error otherwise
 */
export function checkDate(value: unknown, label: string): string {
	const text = typeof value === 'string' ? value.trim().slice(0, 10) : '';
	const parsed = Date.parse(`${text}T00:00:00Z`);
	if (!/^\d{4}-\d{2}-\d{2}$/.test(text) || Number.isNaN(parsed) || new Date(parsed).toISOString().slice(0, 10) !== text) {
		throw new Error(`${label} must be a date as YYYY-MM-DD, e.g. 2025-03-14 (got "${String(value)}")`);
	}
	return text;
}

/**
 * Retry bounds from the node's Options (`maxAttempts`, `maxTotalWaitSeconds`); missing ones keep
 * the transport's defaults.
 */
export function retryFromOptions(options: IDataObject): Partial<MandoRetryOptions> {
	const retry: Partial<MandoRetryOptions> = {};
	const maxAttempts = options[PARAMETER.maxAttempts];
	const maxTotalWaitSeconds = options[PARAMETER.maxTotalWaitSeconds];
	if (typeof maxAttempts === 'number' && maxAttempts >= 1) retry.maxAttempts = Math.floor(maxAttempts);
	if (typeof maxTotalWaitSeconds === 'number' && maxTotalWaitSeconds >= 0) retry.maxTotalWaitMs = maxTotalWaitSeconds * 1000;
	return retry;
}
