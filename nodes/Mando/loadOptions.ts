import type { IDataObject, ILoadOptionsFunctions, INodePropertyOptions } from 'n8n-workflow';

import { asNodeError, isNotFound, mandoGetAll } from '../shared/transport';

/**
 * Dropdown lists of the Mando node (n8n "load options"): the tax rates, active ones sorted by name.
 * Records an owner picks by name (products, departments, …) are resource locators instead (see
 * `listSearch.ts`).
 */

/** A record as a dropdown option; taxes show their rate. */
function toOption(record: IDataObject): INodePropertyOptions {
	const name =
		typeof record.name === 'string' && record.name !== '' ? record.name : String(record.id);
	return {
		name,
		value: String(record.id),
		description: record.rate !== undefined ? `${String(record.rate)} %` : undefined,
	};
}

/**
 * The active records of `/secure/{path}` as options. A 404 (an account or API version without
 * that resource; the `tax` resource is ASSUMED) gives an empty list, so the user can still type an
 * ID or use an expression.
 */
async function listOptions(
	this: ILoadOptionsFunctions,
	path: string,
): Promise<INodePropertyOptions[]> {
	try {
		const records = (await mandoGetAll.call(this, `/secure/${path}`, {
			active: true,
		})) as IDataObject[];
		return records.map(toOption).sort((a, b) => a.name.localeCompare(b.name));
	} catch (error) {
		if (isNotFound(error)) return [];
		throw asNodeError(this, error);
	}
}

/** The `loadOptions` methods of the Mando node, by name. */
export const loadOptions = {
	async getTaxes(this: ILoadOptionsFunctions) {
		return await listOptions.call(this, 'tax');
	},
};
