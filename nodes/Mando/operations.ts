import { createHash, randomUUID } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import { buildBody, clearedFields, mergeData, stockOf, stockPatch, typedValues } from './fields';
import { dayBounds, toDate, toDecimal } from './values';
import { PARAMETER } from './parameters';
import {
	idHint,
	LOCATOR_MODE,
	LOCATOR_TARGETS,
	locatorValue,
	notFoundError,
	productIdByNumber,
} from './locators';
import type { ResourceSpec } from './resources/spec';
import {
	asNodeError,
	isAlreadyExists,
	isNotFound,
	mandoApiRequestBody,
	mandoFirstPage,
	mandoGetAll,
	mandoGetAllCursor,
	type MandoFirstPage,
	type MandoRequest,
	type MandoRetryOptions,
} from '../shared/transport';

/**
 * The Mando node's operation handlers: one function per operation kind, all through the shared
 * transport (`nodes/shared/transport.ts`), so every request has the same auth, retries and error
 * mapping. `router.ts` picks the handler of each resource's operation.
 */

/** What one operation call works on. */
export interface OperationCall {
	spec: ResourceSpec;
	itemIndex: number;
	retry: Partial<MandoRetryOptions>;
}

/**
 * Runs one operation for one item and returns its output records.
 *
 * @throws NodeApiError from Mando; NodeOperationError or Error for bad parameters
 */
export type OperationHandler = (
	ctx: IExecuteFunctions,
	call: OperationCall,
) => Promise<IDataObject[]>;

/** One request through the shared transport; the answer's body. */
async function send(ctx: IExecuteFunctions, request: MandoRequest): Promise<IDataObject> {
	return (await mandoApiRequestBody.call(ctx, request)) as IDataObject;
}

const recordPath = (spec: ResourceSpec, id: string) =>
	`/secure/${spec.path}/${encodeURIComponent(id)}`;

/** Texts that an expression yielding nothing turns into when it is written into a string. */
const NOTHING_TEXTS = new Set(['undefined', 'null', '[object object]', 'nan']);

/**
 * The record ID parameter as a path segment. A resource locator (see `locators.ts`) gives its
 * value; By Product Number is looked up in Mando (`productIdByNumber`); a plain text (a workflow
 * saved before the locators, an expression, an AI agent's `$fromAI()`) is the ID. An expression
 * that yields nothing (`undefined`, `null`, an object, blanks, or those written into text) is an
 * item error naming the field, so no request goes to `/secure/{e}/undefined`.
 *
 * @throws NodeOperationError naming the ID field; NodeApiError 404 when no product has the
 *   product number given, or from Mando
 */
async function recordId(ctx: IExecuteFunctions, call: OperationCall): Promise<string> {
	const { mode, value } = locatorValue(ctx.getNodeParameter(PARAMETER.id, call.itemIndex, ''));
	const label = call.spec.idLabel ?? `${call.spec.title} ID`;
	if (mode === LOCATOR_MODE.productNumber && call.spec.locator === 'product') {
		const number = checkRecordId(ctx, call, value, 'Product number');
		return await productIdByNumber(ctx, number, call.itemIndex, call.retry);
	}
	return checkRecordId(ctx, call, value, label);
}

/**
 * Runs `request` on the record `id`; Mando's 404 becomes a NodeApiError that names the record and
 * says where its ID comes from (the list, the product number, a Mando node before).
 */
async function onRecord<T>(
	ctx: IExecuteFunctions,
	call: OperationCall,
	id: string,
	request: () => Promise<T>,
): Promise<T> {
	try {
		return await request();
	} catch (error) {
		if (!isNotFound(error)) throw asNodeError(ctx, error);
		const what = `Mando has no ${call.spec.locator ? LOCATOR_TARGETS[call.spec.locator].singular : call.spec.singular} with ID "${id}"`;
		const hint = call.spec.locator
			? idHint(call.spec.locator)
			: `Give the ID (GUID) of the ${call.spec.singular}, e.g. {{ $json.id }} from a Mando node (${call.spec.title} → Get Many) or a Mando Trigger event.`;
		const said = error instanceof Error ? ` (Mando: ${error.message})` : '';
		throw notFoundError(ctx, what, `${hint}${said}`, call.itemIndex);
	}
}

/** {@link recordId} for a value already read (also Create's Custom ID). @throws NodeOperationError naming `label` */
function checkRecordId(
	ctx: IExecuteFunctions,
	call: OperationCall,
	raw: unknown,
	label: string,
): string {
	const id =
		typeof raw === 'string'
			? raw.trim()
			: typeof raw === 'number' && Number.isFinite(raw)
				? String(raw)
				: undefined;
	if (id === undefined || id === '' || NOTHING_TEXTS.has(id.toLowerCase())) {
		const got =
			raw === undefined
				? 'undefined'
				: raw === null
					? 'null'
					: typeof raw === 'object'
						? 'an object'
						: JSON.stringify(raw);
		throw new NodeOperationError(ctx.getNode(), `${label} is empty (got ${got})`, {
			itemIndex: call.itemIndex,
			description: `Give the ID (GUID) of the ${call.spec.singular}, e.g. from a previous node with an expression such as {{ $json.id }}; check that the expression yields a text in this item.`,
		});
	}
	return id;
}

async function readRecord(
	ctx: IExecuteFunctions,
	call: OperationCall,
	id: string,
): Promise<IDataObject> {
	return await send(ctx, {
		method: 'GET',
		path: recordPath(call.spec, id),
		retry: call.retry,
	});
}

async function putRecord(
	ctx: IExecuteFunctions,
	call: OperationCall,
	id: string,
	body: IDataObject,
): Promise<IDataObject> {
	return await send(ctx, {
		method: 'PUT',
		path: recordPath(call.spec, id),
		body,
		retry: call.retry,
	});
}

/**
 * The id a Create sends when the user gives none: a UUID (version 5 layout) derived from the
 * execution id, the node, its run index, the item index and the body. n8n's Retry On Fail re-runs
 * the node in the same execution and run with the same item, so the retry sends the same id and
 * cannot make a second record; another item, run (a loop) or execution gets another id. As an AI
 * tool, where n8n runs each try of a call as a new run, the run is left out: the same call with the
 * same fields in one execution is then one record (returned with `alreadyExisted: true`).
 */
function derivedId(ctx: IExecuteFunctions, itemIndex: number, body: IDataObject): string {
	const executionId = ctx.getExecutionId?.();
	if (!executionId) return randomUUID();
	// n8n gives each try of an AI tool call a run of its own; there only the body tells calls apart.
	const runIndex = isToolCall(ctx) ? 0 : (ctx as unknown as { runIndex?: unknown }).runIndex;
	const seed = JSON.stringify([
		executionId,
		ctx.getNode().id,
		typeof runIndex === 'number' ? runIndex : 0,
		itemIndex,
		body,
	]);
	const hex = createHash('sha256').update(seed).digest('hex');
	const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
	return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Create: sends the node's own `id` (the Custom ID, or {@link derivedId}) so that neither the
 * transport's retries nor n8n's Retry On Fail can make a duplicate. When Mando answers that this
 * id already exists (`ALREADY_EXISTS`, or a bare 409) the stored record is returned with
 * `alreadyExisted: true`; any other 409 is Mando's refusal and is thrown as it is (contract:
 * "`id` optional"; status 409). A new record has `alreadyExisted: false`.
 */
async function createRecord(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject> {
	const i = call.itemIndex;
	const values: IDataObject = {
		...(ctx.getNodeParameter(PARAMETER.additionalFields, i, {}) as IDataObject),
	};
	// Custom ID is optional: nothing (an expression such as {{ $json.customId }} on an item without
	// one) lets the node choose; an object or the text of nothing is a mistake worth an error.
	const customId = values[PARAMETER.id];
	if (
		customId === undefined ||
		customId === null ||
		(typeof customId === 'string' && customId.trim() === '')
	)
		delete values[PARAMETER.id];
	else values[PARAMETER.id] = checkRecordId(ctx, call, customId, 'Custom ID');
	for (const field of call.spec.required) values[field.name] = ctx.getNodeParameter(field.name, i);
	const body = buildBody(call.spec, values, timezoneOf(ctx));
	if (typeof body.id !== 'string' || body.id.trim() === '') body.id = derivedId(ctx, i, body);
	const id = String(body.id);
	try {
		const created = await send(ctx, {
			method: 'POST',
			path: `/secure/${call.spec.path}`,
			body,
			retry: call.retry,
		});
		return { ...created, alreadyExisted: false };
	} catch (error) {
		if (!isAlreadyExists(error)) throw asNodeError(ctx, error);
		let existing: IDataObject;
		try {
			existing = await readRecord(ctx, call, id);
		} catch (readError) {
			// "already exists" but not readable under that id: Mando's 409 is the answer to show.
			if (isNotFound(readError)) throw asNodeError(ctx, error);
			throw asNodeError(ctx, readError);
		}
		ctx.logger.debug(`Mando ${call.spec.path} ${id} already exists; returning the stored record`);
		return { ...existing, alreadyExisted: true };
	}
}

/** The workflow's time zone (n8n's workflow setting, else the instance's), UTC when unknown. */
const timezoneOf = (ctx: IExecuteFunctions): string => ctx.getTimezone?.() ?? 'UTC';

/** Update's Clear Fields as `{ field: null }`. @throws Error naming a field both set and cleared */
function clears(ctx: IExecuteFunctions, call: OperationCall, given: IDataObject): IDataObject {
	return clearedFields(
		call.spec,
		ctx.getNodeParameter(PARAMETER.clearFields, call.itemIndex, []),
		given,
	);
}

/**
 * Update: PUT of the fields given and of `null` for each field in Clear Fields; a `data` given is
 * merged into the stored `data` first.
 */
async function updateRecord(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject> {
	const id = await recordId(ctx, call);
	const values = ctx.getNodeParameter(PARAMETER.updateFields, call.itemIndex, {}) as IDataObject;
	const body = { ...buildBody(call.spec, values, timezoneOf(ctx)), ...clears(ctx, call, values) };
	if (Object.keys(body).length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Nothing to update', {
			itemIndex: call.itemIndex,
			description:
				'Add at least one field under Update Fields, or choose fields to empty under Clear Fields',
		});
	}
	return await onRecord(ctx, call, id, async () => {
		if (body.data !== undefined)
			body.data = mergeData((await readRecord(ctx, call, id)).data, body.data as IDataObject);
		return await putRecord(ctx, call, id, body);
	});
}

/**
 * Get Many's Limit: a whole number of records, at least 1 (an AI tool's 2.5 reads 2).
 *
 * @throws Error when it is not a finite number
 */
function limitOf(ctx: IExecuteFunctions, itemIndex: number): number {
	return Math.max(
		1,
		Math.floor(toDecimal(ctx.getNodeParameter(PARAMETER.limit, itemIndex, 50), 'Limit')),
	);
}

/**
 * The `date` filter of a resource without a day parameter (sales) as `created_from`/`created_to`
 * bounding that day in the workflow's time zone.
 *
 * @throws NodeOperationError when Created After or Created Before is given too
 */
function dayQuery(ctx: IExecuteFunctions, qs: IDataObject): IDataObject {
	if (qs.created_from !== undefined || qs.created_to !== undefined) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Day cannot be combined with Created After or Created Before',
			{
				description: 'Use Day for one calendar day, or Created After / Created Before for any span',
			},
		);
	}
	const [from, to] = dayBounds(String(qs.date), timezoneOf(ctx));
	delete qs.date;
	return { created_from: from, created_to: to };
}

/** Get Many: offset paging at 1000 per page, or cursor paging for sales; Limit or Return All. */
export const getMany: OperationHandler = async (ctx, call) => {
	const i = call.itemIndex;
	const returnAll = ctx.getNodeParameter(PARAMETER.returnAll, i, false) as boolean;
	const limit = returnAll ? undefined : limitOf(ctx, i);
	const qs: IDataObject = {};
	if (call.spec.filters.length) {
		const filters = typedValues(
			call.spec.filters,
			ctx.getNodeParameter(PARAMETER.filters, i, {}) as IDataObject,
			timezoneOf(ctx),
		);
		for (const [key, value] of Object.entries(filters)) {
			if (value !== '' && value !== undefined && value !== null) qs[key] = value;
		}
		if (call.spec.dateFilterAsRange && typeof qs.date === 'string')
			Object.assign(qs, dayQuery(ctx, qs));
	}
	const path = `/secure/${call.spec.path}`;
	if (isToolCall(ctx))
		return [await toolPage(ctx, call, path, qs, Math.min(limit ?? TOOL_MAX_ITEMS, TOOL_MAX_ITEMS))];
	const pager = call.spec.paging === 'cursor' ? mandoGetAllCursor : mandoGetAll;
	return (await pager.call(ctx, path, qs, limit, call.retry)) as IDataObject[];
};

/** Most records a list gives an AI agent in one tool call, whatever Return All or Limit say. */
const TOOL_MAX_ITEMS = 100;

/** True when the node runs as an AI agent's tool (n8n names the tool variant `<type>Tool`). */
export const isToolCall = (ctx: IExecuteFunctions): boolean => ctx.getNode().type.endsWith('Tool');

/** A record with only its top-level texts, numbers and booleans (an agent asks Get for the rest). */
function compact(record: IDataObject): IDataObject {
	return Object.fromEntries(
		Object.entries(record).filter(
			([, v]) => v === null || ['string', 'number', 'boolean'].includes(typeof v),
		),
	);
}

/**
 * Get Many as an AI tool: one item `{ total, returned, more, hint?, results }` with at most
 * {@link TOOL_MAX_ITEMS} compact records of the first page, so a tool call over 25,000 products
 * stays a few kilobytes instead of megabytes.
 */
async function toolPage(
	ctx: IExecuteFunctions,
	call: OperationCall,
	path: string,
	qs: IDataObject,
	size: number,
): Promise<IDataObject> {
	const page = (await mandoFirstPage.call(
		ctx,
		path,
		qs,
		size,
		call.spec.paging,
		call.retry,
	)) as MandoFirstPage<IDataObject>;
	const results = page.items.map((record) => compact(record));
	const out: IDataObject = { total: page.total ?? null, returned: results.length, more: page.more };
	if (page.more) {
		const of = page.total !== undefined ? `${page.total}` : 'more';
		const filters = call.spec.filters.map((f) => f.displayName).join(', ');
		out.hint = `Showing ${results.length} of ${of} ${call.spec.plural}, with top-level fields only. Narrow the list${filters ? ` with filters (${filters})` : ''}, or use Get with an id for one record in full.`;
	}
	out.results = results;
	return out;
}

/** Stock Update: reads the product, merges the stock settings into its `data`, writes it back. */
export const updateStock: OperationHandler = async (ctx, call) => {
	const id = await recordId(ctx, call);
	const values = ctx.getNodeParameter(PARAMETER.updateFields, call.itemIndex, {}) as IDataObject;
	const patch = stockPatch(call.spec, values, clears(ctx, call, values));
	return await onRecord(ctx, call, id, async () => {
		const product = await readRecord(ctx, call, id);
		return [stockOf(await putRecord(ctx, call, id, { data: mergeData(product.data, patch) }))];
	});
};

/** Business Day Rename: `POST /secure/businessday_rename/{id}/{date}`; answers the moved day. */
export const renameBusinessDay: OperationHandler = async (ctx, call) => {
	const id = await recordId(ctx, call);
	const date = toDate(
		ctx.getNodeParameter(PARAMETER.newDate, call.itemIndex),
		'New Date',
		timezoneOf(ctx),
	);
	const answer = await onRecord(ctx, call, id, async () => {
		return await send(ctx, {
			method: 'POST',
			path: `/secure/businessday_rename/${encodeURIComponent(id)}/${date}`,
			retry: call.retry,
		});
	});
	// The docs do not show the answer; when it is not the day itself, read the day.
	const day = answer as IDataObject | undefined;
	return [day && typeof day === 'object' && day.id === id ? day : await readRecord(ctx, call, id)];
};

/** Create (see {@link createRecord}). */
export const create: OperationHandler = async (ctx, call) => [await createRecord(ctx, call)];

/** Get: one record by its ID. */
export const get: OperationHandler = async (ctx, call) => {
	const id = await recordId(ctx, call);
	return [await onRecord(ctx, call, id, async () => await readRecord(ctx, call, id))];
};

/** Update (see {@link updateRecord}). */
export const update: OperationHandler = async (ctx, call) => [await updateRecord(ctx, call)];

/** Delete: Mando's soft delete, a PUT of `active: false`; answers the deactivated record. */
export const deactivate: OperationHandler = async (ctx, call) => {
	const id = await recordId(ctx, call);
	return [
		await onRecord(ctx, call, id, async () => await putRecord(ctx, call, id, { active: false })),
	];
};

/** Stock Get: the product's stock settings (see `stockOf`). */
export const getStock: OperationHandler = async (ctx, call) => {
	const id = await recordId(ctx, call);
	return [stockOf(await onRecord(ctx, call, id, async () => await readRecord(ctx, call, id)))];
};
