import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { MANDO_PROPERTIES } from './resources';
import { executeMando } from './execute';
import { loadOptions } from './loadOptions';

/**
 * Mando: reads and writes the Mando point-of-sale API — products (PLUs), customers, sales,
 * business days, stock, departments, groups, locations, discounts, campaigns and webhooks.
 * Parameters come from the resource specs in `resources/`; `execute.ts` runs each item through
 * `router.ts`, which picks the handler in `operations.ts`.
 */
export class Mando implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mando',
		name: 'mando',
		icon: { light: 'file:mando.svg', dark: 'file:mando.dark.svg' },
		group: ['transform'],
		version: 1,
		subtitle: '={{$parameter["operation"] + ": " + $parameter["resource"]}}',
		description:
			'Read and write products, customers, sales, business days and stock in Mando, the Finnish point-of-sale system',
		defaults: { name: 'Mando' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mandoApi', required: true }],
		properties: MANDO_PROPERTIES,
	};

	methods = { loadOptions };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeMando.call(this);
	}
}
