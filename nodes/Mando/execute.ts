import type { IDataObject, IExecuteFunctions, INodeExecutionData } from 'n8n-workflow';
import { NodeApiError, NodeOperationError } from 'n8n-workflow';

import { retryFromOptions } from './fields';
import { PARAMETER } from './parameters';
import { resourceSpec } from './resources';
import { route } from './router';
import { isToolCall } from './operations';
import { asNodeError } from '../shared/transport';

/**
 * The Mando node's `execute`: runs the chosen operation (through `router.ts`) once per input item. Every output item is
 * paired with its input item. With "Continue On Fail" (n8n's On Error setting) a failed item gives
 * one item `{ error, description?, httpCode? }` and the rest go on, and so does every failure when
 * the node runs as an AI agent's tool; otherwise the first failure stops the node with the item's
 * index on the error.
 */
export async function executeMando(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
	const items = this.getInputData();
	const out: INodeExecutionData[] = [];
	for (let itemIndex = 0; itemIndex < items.length; itemIndex++) {
		try {
			const spec = resourceSpec(this.getNodeParameter(PARAMETER.resource, itemIndex) as string);
			const operation = this.getNodeParameter(PARAMETER.operation, itemIndex) as string;
			const retry = retryFromOptions(
				this.getNodeParameter(PARAMETER.options, itemIndex, {}) as IDataObject,
			);
			const records = await route(this, operation, { spec, itemIndex, retry });
			for (const json of records) out.push({ json, pairedItem: { item: itemIndex } });
		} catch (caught) {
			const error =
				caught instanceof NodeApiError || caught instanceof NodeOperationError
					? caught
					: asNodeError(this, caught);
			// As an AI agent's tool the error is the answer the agent reads and acts on (e.g. asks for
			// the missing ID), as with Continue On Fail.
			if (this.continueOnFail() || isToolCall(this)) {
				const json: IDataObject = { error: error.message };
				if (error.description) json.description = error.description;
				if (error instanceof NodeApiError && error.httpCode) json.httpCode = error.httpCode;
				out.push({ json, pairedItem: { item: itemIndex } });
				continue;
			}
			error.context.itemIndex = itemIndex;
			throw error;
		}
	}
	return [out];
}
