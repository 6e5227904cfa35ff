import type {
	IExecuteFunctions,
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { MANDO_PROPERTIES, MANDO_SUBTITLE } from './resources';
import { executeMando } from './execute';
import { listSearch } from './listSearch';
import { loadOptions } from './loadOptions';

/** This node's docs page (one page; n8n appends its own query to the link, so no #fragment). */
export const MANDO_DOCS_URL =
	'https://github.com/n8n-nodes-mando/n8n-nodes-mando/blob/main/docs/mando.md';

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
		subtitle: MANDO_SUBTITLE,
		description:
			'Read and update products, customers, sales and stock in Mando, the Finnish point-of-sale system, or start a workflow on its events',
		documentationUrl: MANDO_DOCS_URL,
		defaults: { name: 'Mando' },
		usableAsTool: true,
		inputs: [NodeConnectionTypes.Main],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mandoApi', required: true }],
		properties: MANDO_PROPERTIES,
	};

	methods = { loadOptions, listSearch };

	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		return await executeMando.call(this);
	}
}
