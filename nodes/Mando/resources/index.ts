import type { INodeProperties } from 'n8n-workflow';

import { PARAMETER } from '../parameters';
import { businessDaySpec } from './businessDay';
import { customerSpec } from './customer';
import { lookupResourceSpecs } from './lookup';
import { productSpec } from './product';
import { operationAction, resourceProperties } from './properties';
import { saleSpec } from './sale';
import type { ResourceSpec } from './spec';
import { stockSpec } from './stock';
import { webhookSpec } from './webhook';

/** Every resource spec of the Mando node, in the Resource dropdown's (alphabetical) order. */
export const MANDO_RESOURCES: ResourceSpec[] = [
	productSpec,
	customerSpec,
	saleSpec,
	businessDaySpec,
	stockSpec,
	webhookSpec,
	...lookupResourceSpecs,
].sort((a, b) => a.title.localeCompare(b.title) || a.value.localeCompare(b.value));

/** The spec of a resource value. @throws Error for an unknown one */
export function resourceSpec(value: string): ResourceSpec {
	const spec = MANDO_RESOURCES.find((r) => r.value === value);
	if (!spec) throw new Error(`Unknown Mando resource "${value}"`);
	return spec;
}

/** The Resource dropdown and every resource's parameters. */
export const MANDO_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: PARAMETER.resource,
		type: 'options',
		noDataExpression: true,
		options: MANDO_RESOURCES.map((r) => ({
			name: r.title,
			value: r.value,
			description: r.description,
		})).sort((a, b) => a.name.localeCompare(b.name)),
		default: 'product',
	},
	...MANDO_RESOURCES.flatMap(resourceProperties),
];

/**
 * The node's subtitle on the canvas in words, e.g. "Get many products": an n8n expression that
 * looks up `<resource>.<operation>` in the Operation dropdown's action texts.
 */
export const MANDO_SUBTITLE = `={{ ${JSON.stringify(
	Object.fromEntries(
		MANDO_RESOURCES.flatMap((spec) =>
			spec.operations.map((op) => [`${spec.value}.${op}`, operationAction(spec, op)]),
		),
	),
)}[$parameter["resource"] + "." + $parameter["operation"]] }}`;
