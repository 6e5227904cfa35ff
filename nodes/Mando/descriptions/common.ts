import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

/**
 * Builders for the Mando node's resource descriptions. Every resource file states its fields as
 * data (an {@link EntitySpec}) and {@link entityDescription} turns it into n8n parameters; the
 * node's execution reads the same spec, so the form and the requests cannot drift apart.
 */

/** Operations the Mando node offers (not every resource has every one). */
export type MandoOperation = 'create' | 'get' | 'getAll' | 'update' | 'delete' | 'rename';

/** How Get Many pages: offset (`page`, `pageSize`) or cursor (`cursor`, `limit`; sales). */
export type MandoPaging = 'offset' | 'cursor';

/** Everything the node knows about one resource. */
export interface EntitySpec {
	/** The `resource` parameter value, e.g. `product`. */
	value: string;
	/** Title for the Resource dropdown, e.g. `Product`. */
	title: string;
	/** Label of the record ID parameter; default `<title> ID`. */
	idLabel?: string;
	/** Lower-case singular and plural for descriptions, e.g. `product (PLU)`, `products`. */
	singular: string;
	plural: string;
	/** API path segment under `/secure/`, e.g. `plu` (contract: "Entities"). */
	path: string;
	/** One sentence for the Resource dropdown. */
	description: string;
	/** Its operations; every resource has `get` (the Operation dropdown's default). */
	operations: MandoOperation[];
	paging: MandoPaging;
	/** Top-level fields Create requires; their names are the API's field names. */
	required: INodeProperties[];
	/** Fields in Create's "Additional Fields" and (with `required`) in Update's "Update Fields". */
	optional: INodeProperties[];
	/** Get Many filters; their names are the API's query parameters. */
	filters: INodeProperties[];
	/** Extra top-level parameters (e.g. Rename's new date), with their own display options. */
	extra?: INodeProperties[];
}

/** Retry bounds in the node's Options (see `nodes/shared/transport.ts`, `DEFAULT_RETRY`). */
export const RETRY_OPTIONS: INodeProperties = {
	displayName: 'Options',
	name: 'options',
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Max Attempts',
			name: 'maxAttempts',
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 20 },
			default: 4,
			description:
				'Most attempts per request, the first included, when Mando answers 429 (rate limited), 502, 503 or 504, or the connection drops. Waits double from 0.5 s, or follow Mando\'s Retry-After header.',
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: 'maxTotalWaitSeconds',
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 600 },
			default: 30,
			description: 'Most time spent waiting between the attempts of one request; the node gives up earlier rather than wait longer',
		},
	],
};

/** The `active` field: false is Mando's soft delete. */
export const ACTIVE_FIELD: INodeProperties = {
	displayName: 'Active',
	name: 'active',
	type: 'boolean',
	default: true,
	description: 'Whether the record is active; Mando has no hard delete, inactive records are its deleted ones',
};

/** The `data` object of an entity, as JSON; merged into the stored `data` on Update. */
export const DATA_FIELD: INodeProperties = {
	displayName: 'Data (JSON)',
	name: 'data',
	type: 'json',
	default: '{}',
	description:
		"The record's entity-specific settings (Mando's data object). On Update the keys given are merged into the stored data; others are kept.",
};

/** Filter on `active`. */
export const ACTIVE_FILTER: INodeProperties = {
	displayName: 'Active',
	name: 'active',
	type: 'boolean',
	default: true,
	description: 'Whether to return only active records (true) or only deactivated, soft-deleted ones (false)',
};

/** A `name` field for Create. */
export function nameField(spec: Pick<EntitySpec, 'singular'>): INodeProperties {
	return { displayName: 'Name', name: 'name', type: 'string', default: '', required: true, description: `Name of the ${spec.singular}` };
}

/** A dropdown filled from Mando through one of the node's load-options methods. */
export function dynamicOptions(displayName: string, name: string, method: string, what: string): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: method },
		default: '',
		description: `${what}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}

const OPERATION_TEXT: Record<MandoOperation, (s: EntitySpec) => INodePropertyOptions> = {
	create: (s) => ({
		name: 'Create',
		value: 'create',
		description: `Create a ${s.singular}. Safe to retry: the node sends its own ID and returns the existing record if Mando already has it.`,
		action: `Create a ${s.singular}`,
	}),
	delete: (s) => ({
		name: 'Delete',
		value: 'delete',
		description: `Deactivate a ${s.singular} (soft delete: Mando sets active to false and keeps the record)`,
		action: `Delete a ${s.singular}`,
	}),
	get: (s) => ({ name: 'Get', value: 'get', description: `Get one ${s.singular} by its ID`, action: `Get a ${s.singular}` }),
	getAll: (s) => ({ name: 'Get Many', value: 'getAll', description: `List ${s.plural}, optionally filtered`, action: `Get many ${s.plural}` }),
	rename: (s) => ({
		name: 'Rename',
		value: 'rename',
		description: `Move a ${s.singular} to another date`,
		action: `Move a ${s.singular} to another date`,
	}),
	update: (s) => ({ name: 'Update', value: 'update', description: `Change fields of a ${s.singular}`, action: `Update a ${s.singular}` }),
};

/** The Operation dropdown entry of each of `spec.operations`, sorted by name. */
export function operationOptions(spec: EntitySpec): INodePropertyOptions[] {
	return spec.operations.map((op) => OPERATION_TEXT[op](spec)).sort((a, b) => a.name.localeCompare(b.name));
}

const show = (spec: EntitySpec, operation: string[]) => ({ show: { resource: [spec.value], operation } });

/** Fields sorted by display name (n8n's lint wants collections sorted). */
function sorted(fields: INodeProperties[]): INodeProperties[] {
	return [...fields].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/**
 * The parameters of one resource: Operation, the record ID, Create's required and additional
 * fields, Update's fields, Get Many's Return All / Limit / Filters, the spec's extras and Options.
 */
export function entityDescription(spec: EntitySpec): INodeProperties[] {
	const ops = spec.operations;
	const has = (op: MandoOperation) => ops.includes(op);
	const byId = ops.filter((op) => op !== 'create' && op !== 'getAll');
	const out: INodeProperties[] = [
		{
			displayName: 'Operation',
			name: 'operation',
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { resource: [spec.value] } },
			options: operationOptions(spec),
			default: 'get',
		},
	];
	if (byId.length) {
		out.push({
			displayName: spec.idLabel ?? `${spec.title} ID`,
			name: 'id',
			type: 'string',
			required: true,
			default: '',
			displayOptions: show(spec, byId),
			description: `The ID (GUID) of the ${spec.singular}`,
		});
	}
	if (has('create')) {
		out.push(...spec.required.map((field) => ({ ...field, displayOptions: show(spec, ['create']) })));
		out.push({
			displayName: 'Additional Fields',
			name: 'additionalFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			displayOptions: show(spec, ['create']),
			options: sorted([
				...spec.optional,
				{
					displayName: 'Custom ID',
					name: 'id',
					type: 'string',
					default: '',
					description: `Your own ID (GUID) for the new ${spec.singular}. Empty: the node makes one. Creating again with the same ID returns the existing record instead of a duplicate.`,
				},
			]),
		});
	}
	if (has('update')) {
		out.push({
			displayName: 'Update Fields',
			name: 'updateFields',
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			displayOptions: show(spec, ['update']),
			options: sorted([...spec.required.map((field) => ({ ...field, required: false })), ...spec.optional]),
		});
	}
	if (has('getAll')) {
		out.push(
			{
				displayName: 'Return All',
				name: 'returnAll',
				type: 'boolean',
				default: false,
				displayOptions: show(spec, ['getAll']),
				description: 'Whether to return all results or only up to a given limit',
			},
			{
				displayName: 'Limit',
				name: 'limit',
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				displayOptions: { show: { resource: [spec.value], operation: ['getAll'], returnAll: [false] } },
				description: 'Max number of results to return',
			},
		);
		if (spec.filters.length) {
			out.push({
				displayName: 'Filters',
				name: 'filters',
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				displayOptions: show(spec, ['getAll']),
				options: sorted(spec.filters),
			});
		}
	}
	out.push(...(spec.extra ?? []));
	out.push({ ...RETRY_OPTIONS, displayOptions: { show: { resource: [spec.value] } } });
	return out;
}
