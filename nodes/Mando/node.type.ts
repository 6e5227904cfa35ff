/**
 * The Mando node's resources and the operations each one has, as types (the shape of n8n's
 * Airtable v2 `actions/node.type.ts`). The resource specs (`resources/`) and the handler table
 * (`router.ts`) are both checked against {@link MandoResourceOperations}, so a resource cannot
 * offer an operation without a handler, nor a handler exist for an operation no form offers.
 */

/** Every operation of the node (not every resource has every one). */
export type MandoOperation = 'create' | 'get' | 'getAll' | 'update' | 'delete' | 'rename';

/** The operations the five look-alike resources share (see `resources/lookup.ts`). */
export type LookupOperation = 'create' | 'get' | 'getAll' | 'update';

/** Resource (`resource` parameter value) → its operations (`operation` parameter values). */
export interface MandoResourceOperations {
	businessDay: 'create' | 'get' | 'getAll' | 'update' | 'rename';
	campaign: LookupOperation;
	customer: 'create' | 'get' | 'getAll' | 'update' | 'delete';
	department: LookupOperation;
	discount: LookupOperation;
	group: LookupOperation;
	location: LookupOperation;
	product: 'create' | 'get' | 'getAll' | 'update' | 'delete';
	sale: 'get' | 'getAll';
	stock: 'get' | 'update';
	webhook: 'create' | 'get' | 'getAll' | 'update' | 'delete';
}

/** A `resource` parameter value. */
export type MandoResource = keyof MandoResourceOperations;

/** The operations of resource `R`. */
export type MandoOperationOf<R extends MandoResource> = MandoResourceOperations[R];

/** The resources that share the look-alike operations (Department, Group, Location, Discount, Campaign). */
export type LookupResource = 'department' | 'group' | 'location' | 'discount' | 'campaign';
