import type { INodeProperties } from 'n8n-workflow';

import type { MandoOperationOf, MandoResource } from '../node.type';
import type { LocatorTarget } from '../locators';
import { PARAMETER } from '../parameters';

/**
 * The resource spec: every resource file states its fields as data (a {@link ResourceSpec}),
 * `properties.ts` turns it into n8n parameters, and the node's execution reads the same spec, so
 * the form and the requests cannot drift apart. Also the fields several resources share.
 */

/** How Get Many pages: offset (`page`, `pageSize`) or cursor (`cursor`, `limit`; sales). */
export type MandoPaging = 'offset' | 'cursor';

/** Everything the node knows about one resource (`R`: its `resource` parameter value). */
export interface ResourceSpec<R extends MandoResource = MandoResource> {
	/** The `resource` parameter value, e.g. `product`. */
	value: R;
	/** Title for the Resource dropdown, e.g. `Product`. */
	title: string;
	/** Label of the record ID parameter; default `<title> ID`. */
	idLabel?: string;
	/** The record the ID parameter points at, when it is a resource locator (see `locators.ts`). */
	locator?: LocatorTarget;
	/** Lower-case singular and plural for descriptions, e.g. `product (PLU)`, `products`. */
	singular: string;
	plural: string;
	/** API path segment under `/secure/`, e.g. `plu` (contract: "Entities"). */
	path: string;
	/** One sentence for the Resource dropdown. */
	description: string;
	/** Its operations; every resource has `get` (the Operation dropdown's default). */
	operations: Array<MandoOperationOf<R>>;
	paging: MandoPaging;
	/** Top-level fields Create requires; their names are the API's field names. */
	required: INodeProperties[];
	/** Fields in Create's "Additional Fields" and (with `required`) in Update's "Update Fields". */
	optional: INodeProperties[];
	/** Get Many filters; their names are the API's query parameters. */
	filters: INodeProperties[];
	/**
	 * When true, the `date` filter (a day) is sent as `created_from`/`created_to` bounding that day
	 * in the workflow's time zone (sales have no day parameter; ASSUMED parameter names).
	 */
	dateFilterAsRange?: boolean;
	/** Extra top-level parameters (e.g. Rename's new date), with their own display options. */
	extra?: INodeProperties[];
}

/** Retry and time bounds in the node's Options (see `nodes/shared/transport.ts`, `DEFAULT_RETRY`). */
export const RETRY_OPTIONS: INodeProperties = {
	displayName: 'Options',
	name: PARAMETER.options,
	type: 'collection',
	placeholder: 'Add Option',
	default: {},
	options: [
		{
			displayName: 'Max Attempts',
			name: PARAMETER.maxAttempts,
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 20 },
			default: 4,
			description:
				"Most attempts per request, the first included, when Mando answers 429 (rate limited), 502, 503 or 504, or the connection drops. Waits double from 0.5 s, or follow Mando's Retry-After header.",
		},
		{
			displayName: 'Max Total Wait (Seconds)',
			name: PARAMETER.maxTotalWaitSeconds,
			type: 'number',
			typeOptions: { minValue: 0, maxValue: 600 },
			default: 30,
			description:
				'Most time spent waiting between the attempts of one request; the node gives up earlier rather than wait longer',
		},
		{
			displayName: 'Max Total Time (Seconds)',
			name: PARAMETER.totalTimeSeconds,
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 3600 },
			default: 120,
			description:
				'Most time one request may take in all, every attempt and wait included; then the node stops with an error',
		},
		{
			displayName: 'Request Timeout (Seconds)',
			name: PARAMETER.requestTimeoutSeconds,
			type: 'number',
			typeOptions: { minValue: 1, maxValue: 300 },
			default: 30,
			description:
				'Most time one attempt may wait for Mando to answer; a slower answer counts as a failed attempt and is retried',
		},
	],
};

/** The `active` field: false is Mando's soft delete. */
export const ACTIVE_FIELD: INodeProperties = {
	displayName: 'Active',
	name: 'active',
	type: 'boolean',
	default: true,
	description:
		'Whether the record is active; Mando has no hard delete, inactive records are its deleted ones',
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
	description:
		'Whether to return only active records (true) or only deactivated, soft-deleted ones (false)',
};

/** A `name` field for Create. */
export function nameField(spec: Pick<ResourceSpec, 'singular'>): INodeProperties {
	return {
		displayName: 'Name',
		name: 'name',
		type: 'string',
		default: '',
		required: true,
		description: `Name of the ${spec.singular}`,
	};
}

/** A dropdown filled from Mando through one of the node's load-options methods. */
export function dynamicOptions(
	displayName: string,
	name: string,
	method: string,
	what: string,
): INodeProperties {
	return {
		displayName,
		name,
		type: 'options',
		typeOptions: { loadOptionsMethod: method },
		default: '',
		description: `${what}. Choose from the list, or specify an ID using an <a href="https://docs.n8n.io/code/expressions/">expression</a>.`,
	};
}
