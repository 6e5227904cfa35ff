import type { EntitySpec } from './common';
import { businessDaySpec } from './BusinessDayDescription';
import { catalogueSpecs } from './CatalogueDescriptions';
import { customerSpec } from './CustomerDescription';
import { productSpec } from './ProductDescription';
import { saleSpec } from './SaleDescription';
import { stockSpec } from './StockDescription';
import { webhookSpec } from './WebhookDescription';
import { entityDescription } from './common';
import type { INodeProperties } from 'n8n-workflow';

/** Every resource of the Mando node, in the Resource dropdown's (alphabetical) order. */
export const MANDO_RESOURCES: EntitySpec[] = [productSpec, customerSpec, saleSpec, businessDaySpec, stockSpec, webhookSpec, ...catalogueSpecs].sort(
	(a, b) => a.title.localeCompare(b.title) || a.value.localeCompare(b.value),
);

/** The spec of a resource value. @throws Error for an unknown one */
export function resourceSpec(value: string): EntitySpec {
	const spec = MANDO_RESOURCES.find((r) => r.value === value);
	if (!spec) throw new Error(`Unknown Mando resource "${value}"`);
	return spec;
}

/** The Resource dropdown and every resource's parameters. */
export const MANDO_PROPERTIES: INodeProperties[] = [
	{
		displayName: 'Resource',
		name: 'resource',
		type: 'options',
		noDataExpression: true,
		options: MANDO_RESOURCES.map((r) => ({ name: r.title, value: r.value, description: r.description })).sort((a, b) =>
			a.name.localeCompare(b.name),
		),
		default: 'product',
	},
	...MANDO_RESOURCES.flatMap(entityDescription),
];
