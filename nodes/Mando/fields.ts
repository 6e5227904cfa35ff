import type { IDataObject, INodeProperties } from 'n8n-workflow';
import { locatorValue } from './locators';
import { PARAMETER } from './parameters';
import { toCount, toDate, toDateTime, toMoney } from './values';
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

const isObject = (v: unknown): v is IDataObject =>
	typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The converter of a typed field: number fields with two decimals are money ({@link toMoney}),
 * other number fields counts ({@link toCount}), `dateTime` fields ISO date-times, and the
 * `date` text field a `YYYY-MM-DD` date (or `today` in the workflow's time zone). Undefined for
 * fields sent as they are.
 */
function converterFor(
	field: INodeProperties,
	timezone: string,
): ((value: unknown, label: string) => unknown) | undefined {
	if (field.type === 'number') return field.typeOptions?.numberPrecision === 2 ? toMoney : toCount;
	if (field.type === 'dateTime') return (value, label) => toDateTime(value, label, timezone);
	if (field.type === 'string' && field.name === 'date')
		return (value, label) => toDate(value, label, timezone);
	return undefined;
}

/**
 * `values` with every typed field of `fields` converted (see {@link converterFor}); other keys as
 * they are. A typed field given as `null` or `''` (an expression that yielded nothing) is an
 * error: Clear Fields is the way to empty a field.
 *
 * @param timezone the workflow's time zone, for date-times without an offset
 * @throws Error naming the field
 */
export function typedValues(
	fields: INodeProperties[],
	values: IDataObject,
	timezone = 'UTC',
): IDataObject {
	const out: IDataObject = { ...values };
	for (const field of fields) {
		const value = values[field.name];
		// A locator (or the plain ID text of an older workflow) gives its ID; empty means not set.
		if (field.type === 'resourceLocator' && value !== undefined) {
			const id = locatorValue(value).value;
			out[field.name] = id === null || id === undefined ? '' : (id as IDataObject[string]);
			continue;
		}
		const convert = converterFor(field, timezone);
		if (!convert || value === undefined) continue;
		if (value === null || value === '') {
			throw new Error(
				`${field.displayName} is empty (got ${value === null ? 'null' : '""'}); remove the field, or on Update use Clear Fields to empty it in Mando`,
			);
		}
		out[field.name] = convert(value, field.displayName) as IDataObject[string];
	}
	return out;
}

/**
 * The request body for Create or Update from the form's values: API field names as they are,
 * typed fields converted ({@link typedValues}), `json` fields of the spec parsed, other empty
 * texts dropped (an unset dropdown is `''`).
 *
 * @throws Error naming the field when a typed value is not valid, `data` is not a JSON object or
 *   another JSON field is not valid JSON
 */
export function buildBody(spec: ResourceSpec, values: IDataObject, timezone = 'UTC'): IDataObject {
	const fields = [...spec.required, ...spec.optional];
	const jsonFields = new Set(fields.filter((f) => f.type === 'json').map((f) => f.name));
	const body: IDataObject = {};
	for (const [key, value] of Object.entries(typedValues(fields, values, timezone))) {
		if (value === '' || value === undefined || value === null) continue;
		if (!jsonFields.has(key)) {
			body[key] = value;
			continue;
		}
		const parsed = parseJsonParameter(value, key === 'data' ? 'Data (JSON)' : key);
		if (parsed === undefined) continue;
		if (key === 'data' && !isObject(parsed))
			throw new Error('Data (JSON) must be a JSON object, e.g. {"tags": ["coffee"]}');
		body[key] = parsed as IDataObject;
	}
	return body;
}

/**
 * The fields Update's Clear Fields offers: optional fields that are not booleans or JSON (those
 * are set, not emptied). Mando is sent `null` for each (ASSUMED: the contract documents no way
 * to empty a field; a PUT of `null` is the generic pattern's).
 */
export function clearableFields(spec: ResourceSpec): INodeProperties[] {
	return spec.optional.filter(
		(f) => f.type !== 'boolean' && (f.type !== 'json' || spec.value === 'stock'),
	);
}

/**
 * The `null`s of Update's Clear Fields, keyed by field name.
 *
 * @throws Error when a field is both given and cleared, or is not clearable
 */
export function clearedFields(spec: ResourceSpec, names: unknown, given: IDataObject): IDataObject {
	const list = Array.isArray(names)
		? names
		: typeof names === 'string' && names !== ''
			? names.split(',').map((n) => n.trim())
			: [];
	const clearable = new Map(clearableFields(spec).map((f) => [f.name, f.displayName]));
	const out: IDataObject = {};
	for (const name of list) {
		const label = clearable.get(String(name));
		if (!label)
			throw new Error(
				`Clear Fields: "${String(name)}" is not a field of ${spec.plural} that can be emptied`,
			);
		if (given[String(name)] !== undefined)
			throw new Error(`${label} is both set and cleared; choose one`);
		out[String(name)] = null;
	}
	return out;
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
	const asNumber =
		threshold === undefined || threshold === null || threshold === '' ? null : Number(threshold);
	return {
		plu_id: String(product.id),
		productid: typeof product.productid === 'string' ? product.productid : null,
		name: typeof product.name === 'string' ? product.name : null,
		stock_units: Array.isArray(data.stock_units) ? (data.stock_units as IDataObject[]) : [],
		stock_qty_warning: asNumber !== null && Number.isFinite(asNumber) ? asNumber : null,
	};
}

/**
 * The `data` patch of a Stock Update from its form values and the fields cleared (`null`).
 *
 * @throws Error when nothing is given, the threshold is not a whole number 0 or more, or Stock
 *   Units is not a JSON array
 */
export function stockPatch(
	spec: ResourceSpec,
	values: IDataObject,
	cleared: IDataObject = {},
): IDataObject {
	const typed = typedValues(spec.optional, values);
	const patch: IDataObject = { ...cleared };
	if (typed.stock_qty_warning !== undefined) patch.stock_qty_warning = typed.stock_qty_warning;
	if (values.stock_units !== undefined) {
		const units = parseJsonParameter(values.stock_units, 'Stock Units (JSON)');
		if (units !== undefined) {
			if (!Array.isArray(units))
				throw new Error('Stock Units (JSON) must be a JSON array of stock units');
			patch.stock_units = units as IDataObject[];
		}
	}
	if (Object.keys(patch).length === 0)
		throw new Error('Nothing to update: add Low-Stock Threshold or Stock Units, or clear one');
	return patch;
}

/**
 * Retry and time bounds from the node's Options (`maxAttempts`, `maxTotalWaitSeconds`,
 * `requestTimeoutSeconds`, `totalTimeSeconds`); missing or unusable ones keep the transport's defaults.
 */
export function retryFromOptions(options: IDataObject): Partial<MandoRetryOptions> {
	const retry: Partial<MandoRetryOptions> = {};
	const seconds = (name: string, min: number) => {
		const value = options[name];
		return typeof value === 'number' && Number.isFinite(value) && value >= min ? value : undefined;
	};
	const maxAttempts = seconds(PARAMETER.maxAttempts, 1);
	const maxTotalWait = seconds(PARAMETER.maxTotalWaitSeconds, 0);
	const requestTimeout = seconds(PARAMETER.requestTimeoutSeconds, 1);
	const totalTime = seconds(PARAMETER.totalTimeSeconds, 1);
	if (maxAttempts !== undefined) retry.maxAttempts = Math.floor(maxAttempts);
	if (maxTotalWait !== undefined) retry.maxTotalWaitMs = maxTotalWait * 1000;
	if (requestTimeout !== undefined) retry.requestTimeoutMs = requestTimeout * 1000;
	if (totalTime !== undefined) retry.totalBudgetMs = totalTime * 1000;
	return retry;
}
