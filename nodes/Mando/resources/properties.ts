import type { INodeProperties, INodePropertyOptions } from 'n8n-workflow';

import type { MandoOperation } from '../node.type';
import { PARAMETER } from '../parameters';
import { RETRY_OPTIONS } from './spec';
import { clearableFields } from '../fields';
import { LOCATOR_TARGETS, locatorField } from '../locators';
import type { ResourceSpec } from './spec';

/** Turns a {@link ResourceSpec} into the n8n parameters of that resource. */

const OPERATION_TEXT: Record<MandoOperation, (s: ResourceSpec) => INodePropertyOptions> = {
	create: (s) => ({
		name: 'Create',
		value: 'create',
		description: `Create a ${s.singular}. Safe to retry: the node sends its own ID; when a record with that ID already exists it is returned unchanged with alreadyExisted: true instead of a new one.`,
		action: `Create a ${s.singular}`,
	}),
	delete: (s) => ({
		name: 'Delete',
		value: 'delete',
		description: `Deactivate a ${s.singular} (soft delete: Mando sets active to false and keeps the record)`,
		action: `Delete a ${s.singular}`,
	}),
	get: (s) => ({
		name: 'Get',
		value: 'get',
		description: `Get one ${s.singular} by its ID`,
		action: `Get a ${s.singular}`,
	}),
	getAll: (s) => ({
		name: 'Get Many',
		value: 'getAll',
		description: `List ${s.plural}, optionally filtered`,
		action: `Get many ${s.plural}`,
	}),
	rename: (s) => ({
		name: 'Rename',
		value: 'rename',
		description: `Move a ${s.singular} to another date`,
		action: `Move a ${s.singular} to another date`,
	}),
	update: (s) => ({
		name: 'Update',
		value: 'update',
		description: `Change fields of a ${s.singular}`,
		action: `Update a ${s.singular}`,
	}),
};

/** The action text of `operation` on `spec`'s resource, e.g. "Get many products". */
export function operationAction(spec: ResourceSpec, operation: MandoOperation): string {
	return OPERATION_TEXT[operation](spec).action ?? operation;
}

/** The Operation dropdown entry of each of `spec.operations`, sorted by name. */
function operationOptions(spec: ResourceSpec): INodePropertyOptions[] {
	return spec.operations
		.map((op) => OPERATION_TEXT[op](spec))
		.sort((a, b) => a.name.localeCompare(b.name));
}

const show = (spec: ResourceSpec, operation: MandoOperation[]) => ({
	show: { [PARAMETER.resource]: [spec.value], [PARAMETER.operation]: operation },
});

/** Fields sorted by display name (n8n's lint wants collections sorted). */
function sorted(fields: INodeProperties[]): INodeProperties[] {
	return [...fields].sort((a, b) => a.displayName.localeCompare(b.displayName));
}

/**
 * The parameters of one resource: Operation, the record ID, Create's required and additional
 * fields, Update's fields, Get Many's Return All / Limit / Filters, the spec's extras and Options.
 */
export function resourceProperties(spec: ResourceSpec): INodeProperties[] {
	const ops = spec.operations;
	const has = (op: MandoOperation) => ops.includes(op);
	const byId = ops.filter((op) => op !== 'create' && op !== 'getAll');
	const out: INodeProperties[] = [
		{
			displayName: 'Operation',
			name: PARAMETER.operation,
			type: 'options',
			noDataExpression: true,
			displayOptions: { show: { [PARAMETER.resource]: [spec.value] } },
			options: operationOptions(spec),
			default: 'get',
		},
	];
	if (byId.length) {
		out.push(
			spec.locator
				? {
						...locatorField(
							spec.locator,
							LOCATOR_TARGETS[spec.locator].title,
							PARAMETER.id,
							`The ${LOCATOR_TARGETS[spec.locator].singular}: pick it from the list${spec.locator === 'product' ? ', give its product number' : ''} or give its ID`,
						),
						required: true,
						displayOptions: show(spec, byId),
					}
				: {
						displayName: spec.idLabel ?? `${spec.title} ID`,
						name: PARAMETER.id,
						type: 'string',
						required: true,
						default: '',
						displayOptions: show(spec, byId),
						description: `The ID (GUID) of the ${spec.singular}`,
					},
		);
	}
	if (has('create')) {
		out.push(
			...spec.required.map((field) => ({ ...field, displayOptions: show(spec, ['create']) })),
		);
		out.push({
			displayName: 'Additional Fields',
			name: PARAMETER.additionalFields,
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			displayOptions: show(spec, ['create']),
			options: sorted([
				...spec.optional,
				{
					displayName: 'Custom ID',
					name: PARAMETER.id,
					type: 'string',
					default: '',
					description: `Your own ID (GUID) for the new ${spec.singular}. Empty: the node makes one. Creating again with the same ID returns the existing record, unchanged, with alreadyExisted: true instead of a duplicate.`,
				},
			]),
		});
	}
	if (has('update')) {
		out.push({
			displayName: 'Update Fields',
			name: PARAMETER.updateFields,
			type: 'collection',
			placeholder: 'Add Field',
			default: {},
			displayOptions: show(spec, ['update']),
			options: sorted([
				...spec.required.map((field) => ({ ...field, required: false })),
				...spec.optional,
			]),
		});
		const clearable = clearableFields(spec);
		if (clearable.length) {
			out.push({
				displayName: 'Clear Fields',
				name: PARAMETER.clearFields,
				type: 'multiOptions',
				default: [],
				displayOptions: show(spec, ['update']),
				options: sorted(clearable).map((f) => ({ name: f.displayName, value: f.name })),
				description:
					'Fields to empty in Mando (sent as null). A field cannot be both set under Update Fields and cleared.',
			});
		}
	}
	if (has('getAll')) {
		out.push(
			{
				displayName: 'Return All',
				name: PARAMETER.returnAll,
				type: 'boolean',
				default: false,
				displayOptions: show(spec, ['getAll']),
				description: 'Whether to return all results or only up to a given limit',
			},
			{
				displayName: 'Limit',
				name: PARAMETER.limit,
				type: 'number',
				typeOptions: { minValue: 1 },
				default: 50,
				displayOptions: {
					show: {
						[PARAMETER.resource]: [spec.value],
						[PARAMETER.operation]: ['getAll'],
						[PARAMETER.returnAll]: [false],
					},
				},
				description: 'Max number of results to return',
			},
		);
		if (spec.filters.length) {
			out.push({
				displayName: 'Filters',
				name: PARAMETER.filters,
				type: 'collection',
				placeholder: 'Add Filter',
				default: {},
				displayOptions: show(spec, ['getAll']),
				options: sorted(spec.filters),
			});
		}
	}
	out.push(...(spec.extra ?? []));
	out.push({ ...RETRY_OPTIONS, displayOptions: { show: { [PARAMETER.resource]: [spec.value] } } });
	return out;
}
