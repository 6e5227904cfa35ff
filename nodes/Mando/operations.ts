import { randomUUID } from 'crypto';
import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { EntitySpec } from './descriptions/common';
import { buildBody, checkDate, mergeData, stockOf, stockPatch } from './fields';
import { asNodeError, isAlreadyExists, mandoApiRequestBody, mandoGetAll, mandoGetAllCursor, type MandoRequest, type MandoRetryOptions } from '../shared/transport';

/**
 * The Mando node's operations: one function per operation kind, all through the shared transport
 * (`nodes/shared/transport.ts`), so every request has the same auth, retries and error mapping.
 */

/** What one operation call works on. */
export interface OperationCall {
	spec: EntitySpec;
	operation: string;
	itemIndex: number;
	retry: Partial<MandoRetryOptions>;
}

/** One request through the shared transport; the answer's body. */
async function send(ctx: IExecuteFunctions, request: MandoRequest): Promise<IDataObject> {
	return (await mandoApiRequestBody.call(ctx, request)) as IDataObject;
}

const recordPath = (spec: EntitySpec, id: string) => `/secure/${spec.path}/${encodeURIComponent(id)}`;

function recordId(ctx: IExecuteFunctions, call: OperationCall): string {
	const id = String(ctx.getNodeParameter('id', call.itemIndex, '')).trim();
	if (!id) {
		throw new NodeOperationError(ctx.getNode(), `${call.spec.idLabel ?? call.spec.title + ' ID'} is empty`, {
			itemIndex: call.itemIndex,
			description: 'Give the ID (GUID) of the record, e.g. from a previous node with an expression',
		});
	}
	return id;
}

async function getRecord(ctx: IExecuteFunctions, call: OperationCall, id: string): Promise<IDataObject> {
	return await send(ctx, {
		method: 'GET',
		path: recordPath(call.spec, id),
		retry: call.retry,
	});
}

async function putRecord(ctx: IExecuteFunctions, call: OperationCall, id: string, body: IDataObject): Promise<IDataObject> {
	return await send(ctx, {
		method: 'PUT',
		path: recordPath(call.spec, id),
		body,
		retry: call.retry,
	});
}

/**
 * Create: sends the node's own `id` (the Custom ID, or a new UUID) so that a retried POST cannot
 * make a duplicate; when Mando answers 409 / `ALREADY_EXISTS` the existing record is fetched and
 * returned (contract: "`id` optional"; status 409).
 */
async function create(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject> {
	const i = call.itemIndex;
	const values: IDataObject = { ...(ctx.getNodeParameter('additionalFields', i, {}) as IDataObject) };
	for (const field of call.spec.required) values[field.name] = ctx.getNodeParameter(field.name, i);
	const body = buildBody(call.spec, values);
	if (typeof body.id !== 'string' || body.id.trim() === '') body.id = randomUUID();
	try {
		return await send(ctx, {
			method: 'POST',
			path: `/secure/${call.spec.path}`,
			body,
			retry: call.retry,
		});
	} catch (error) {
		if (!isAlreadyExists(error)) throw asNodeError(ctx, error);
		ctx.logger.debug(`Mando ${call.spec.path} ${String(body.id)} already exists; returning the stored record`);
		return await getRecord(ctx, call, String(body.id));
	}
}

/** Update: PUT of the fields given; a `data` given is merged into the stored `data` first. */
async function update(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject> {
	const id = recordId(ctx, call);
	const body = buildBody(call.spec, ctx.getNodeParameter('updateFields', call.itemIndex, {}) as IDataObject);
	if (Object.keys(body).length === 0) {
		throw new NodeOperationError(ctx.getNode(), 'Nothing to update', { itemIndex: call.itemIndex, description: 'Add at least one field under Update Fields' });
	}
	if (body.data !== undefined) body.data = mergeData((await getRecord(ctx, call, id)).data, body.data as IDataObject);
	return await putRecord(ctx, call, id, body);
}

/** Get Many: offset paging at 1000 per page, or cursor paging for sales; Limit or Return All. */
async function getMany(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject[]> {
	const i = call.itemIndex;
	const returnAll = ctx.getNodeParameter('returnAll', i, false) as boolean;
	const limit = returnAll ? undefined : (ctx.getNodeParameter('limit', i, 50) as number);
	const qs: IDataObject = {};
	if (call.spec.filters.length) {
		for (const [key, value] of Object.entries(ctx.getNodeParameter('filters', i, {}) as IDataObject)) {
			if (value !== '' && value !== undefined && value !== null) qs[key] = value;
		}
	}
	const path = `/secure/${call.spec.path}`;
	const pager = call.spec.paging === 'cursor' ? mandoGetAllCursor : mandoGetAll;
	return (await pager.call(ctx, path, qs, limit, call.retry)) as IDataObject[];
}

/** Stock Update: reads the product, merges the stock settings into its `data`, writes it back. */
async function updateStock(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject> {
	const id = recordId(ctx, call);
	const patch = stockPatch(ctx.getNodeParameter('updateFields', call.itemIndex, {}) as IDataObject);
	const product = await getRecord(ctx, call, id);
	return stockOf(await putRecord(ctx, call, id, { data: mergeData(product.data, patch) }));
}

/** Business Day Rename: `POST /secure/businessday_rename/{id}/{date}`; answers the moved day. */
async function renameBusinessDay(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject> {
	const id = recordId(ctx, call);
	const date = checkDate(ctx.getNodeParameter('newDate', call.itemIndex), 'New Date');
	const answer = await send(ctx, {
		method: 'POST',
		path: `/secure/businessday_rename/${encodeURIComponent(id)}/${date}`,
		retry: call.retry,
	});
	// The docs do not show the answer; when it is not the day itself, read the day.
	const day = answer as IDataObject | undefined;
	return day && typeof day === 'object' && day.id === id ? day : await getRecord(ctx, call, id);
}

/**
 * Runs one operation for one item and returns its output records.
 *
 * @throws NodeApiError from Mando; NodeOperationError or Error for bad parameters
 */
export async function runOperation(ctx: IExecuteFunctions, call: OperationCall): Promise<IDataObject[]> {
	const { spec, operation } = call;
	if (!spec.operations.includes(operation as EntitySpec['operations'][number])) {
		throw new NodeOperationError(ctx.getNode(), `The operation "${operation}" is not supported for ${spec.plural}`, { itemIndex: call.itemIndex });
	}
	if (spec.value === 'stock') {
		return [operation === 'get' ? stockOf(await getRecord(ctx, call, recordId(ctx, call))) : await updateStock(ctx, call)];
	}
	switch (operation) {
		case 'create':
			return [await create(ctx, call)];
		case 'get':
			return [await getRecord(ctx, call, recordId(ctx, call))];
		case 'getAll':
			return await getMany(ctx, call);
		case 'update':
			return [await update(ctx, call)];
		case 'delete':
			return [await putRecord(ctx, call, recordId(ctx, call), { active: false })];
		default:
			return [await renameBusinessDay(ctx, call)];
	}
}
