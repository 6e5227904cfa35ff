import type { IDataObject, IExecuteFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type {
	LookupOperation,
	MandoOperationOf,
	MandoResource,
	MandoResourceOperations,
} from './node.type';
import {
	create,
	deactivate,
	get,
	getMany,
	getStock,
	renameBusinessDay,
	update,
	updateStock,
} from './operations';
import type { OperationCall, OperationHandler } from './operations';

/**
 * The Mando node's dispatch: a handler for every resource's every operation (the shape of n8n's
 * Airtable v2 `actions/router.ts`). The table's type is built from {@link MandoResourceOperations},
 * so TypeScript rejects a missing or extra entry; Stock and Business Day Rename are entries like
 * any other.
 */

/** One handler per operation of resource `R`. */
type ResourceHandlers<R extends MandoResource> = { [O in MandoOperationOf<R>]: OperationHandler };

/** Create, Get, Get Many and Update, the operations the lookup resources share. */
const LOOKUP_HANDLERS: { [O in LookupOperation]: OperationHandler } = {
	create,
	get,
	getAll: getMany,
	update,
};

/** Resource → operation → handler. */
const MANDO_HANDLERS: { [R in MandoResource]: ResourceHandlers<R> } = {
	businessDay: { ...LOOKUP_HANDLERS, rename: renameBusinessDay },
	campaign: LOOKUP_HANDLERS,
	customer: { ...LOOKUP_HANDLERS, delete: deactivate },
	department: LOOKUP_HANDLERS,
	discount: LOOKUP_HANDLERS,
	group: LOOKUP_HANDLERS,
	location: LOOKUP_HANDLERS,
	product: { ...LOOKUP_HANDLERS, delete: deactivate },
	sale: { get, getAll: getMany },
	stock: { get: getStock, update: updateStock },
	webhook: { ...LOOKUP_HANDLERS, delete: deactivate },
};

/**
 * Runs `operation` of `call.spec`'s resource for one item and returns its output records.
 *
 * @throws NodeOperationError when the resource has no such operation; NodeApiError from Mando;
 *   NodeOperationError or Error for bad parameters
 */
export async function route(
	ctx: IExecuteFunctions,
	operation: string,
	call: OperationCall,
): Promise<IDataObject[]> {
	const handlers: Partial<Record<string, OperationHandler>> = MANDO_HANDLERS[call.spec.value];
	const handler = (call.spec.operations as string[]).includes(operation)
		? handlers[operation]
		: undefined;
	if (!handler) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The operation "${operation}" is not supported for ${call.spec.plural}`,
			{ itemIndex: call.itemIndex },
		);
	}
	return await handler(ctx, call);
}
