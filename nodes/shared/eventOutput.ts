import type {
	IDataObject,
	IDisplayOptions,
	INode,
	INodeExecutionData,
	INodeProperties,
} from 'n8n-workflow';

import { MANDO_EVENT_OPTIONS, type MandoEvent } from './events';

/**
 * The triggers' **Output** parameter, in one place so that both triggers give the same items.
 *
 * - `simplified` (the default from node version 2): the record's fields at the top of the item
 *   (`{{ $json.total }}` for a sale) and the event's `{ id, type, created }` under
 *   {@link EVENT_DETAILS_KEY}, n8n's "Simplify" idea applied to an event envelope;
 * - `envelope`: the event as Mando sends it, `{ id, type, created, data }` (version 1's default);
 * - `data`: the record alone.
 *
 * Version 1 nodes keep the option under Options with `envelope` as default: n8n stores only
 * parameters that differ from their default, so changing a default would change saved workflows.
 */

/** The value of the Output parameter. */
export type EventOutput = 'simplified' | 'envelope' | 'data';

/**
 * Key of the event's details in a `simplified` item. Mando's records use lower-case names
 * (`id`, `total`, `plu_id`, `created_at`); a leading underscore keeps the details apart from them.
 */
export const EVENT_DETAILS_KEY = '_event';

/** The event's details a `simplified` item carries under {@link EVENT_DETAILS_KEY}. */
export interface EventDetails {
	/** The event `id` Mando de-duplicates by. */
	id: string;
	/** The event type, e.g. `sale.created`. */
	type: string;
	/** ISO 8601 time Mando created the event. */
	created: string;
}

/** Shows a property on node versions from 2 on. */
export const FROM_VERSION_2 = { '@version': [{ _cnd: { gte: 2 } }] };
/** Shows a property on node version 1 only. */
export const VERSION_1_ONLY = { '@version': [1] };

/** The visible Output parameter of node versions 2 and later (default `simplified`). */
export const EVENT_OUTPUT_PARAMETER: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'simplified',
	description: 'What each item holds',
	displayOptions: { show: FROM_VERSION_2 },
	options: [
		{
			name: 'Record Fields + Event Details',
			value: 'simplified',
			description:
				"The sale's (product's, customer's …) fields at the top; the event's ID, type and time under _event",
		},
		{
			name: 'Full Event',
			value: 'envelope',
			description: 'The event as Mando sends it: { ID, type, created, data }',
		},
		{
			name: 'Record Fields Only',
			value: 'data',
			description: "Only the event's data (e.g. the sale); no event ID, type or time",
		},
	],
};

/** Version 1's Output, an entry of the trigger's Options collection (default `envelope`). */
export const EVENT_OUTPUT_OPTION: INodeProperties = {
	displayName: 'Output',
	name: 'output',
	type: 'options',
	default: 'envelope',
	options: [
		{
			name: 'Full Event',
			value: 'envelope',
			description: 'One item per event: { ID, type, created, data }',
		},
		{
			name: 'Event Data Only',
			value: 'data',
			description: "One item per event holding only the event's data (e.g. the sale)",
		},
	],
};

/**
 * Where a node of `typeVersion` keeps its Output and what an unset one means: the top-level
 * `output` (default `simplified`) from version 2 on, `options.output` (default `envelope`) in 1.
 */
export function eventOutputParameter(typeVersion: number): {
	name: string;
	fallback: EventOutput;
} {
	return typeVersion >= 2
		? { name: 'output', fallback: 'simplified' }
		: { name: 'options.output', fallback: 'envelope' };
}

/**
 * The Output a webhook or poll context's node asks for ({@link eventOutputParameter}).
 *
 * @param ctx an `IWebhookFunctions` or `IPollFunctions` (parameters read without an item index)
 */
export function readEventOutput(ctx: {
	getNode(): INode;
	getNodeParameter(name: string, fallback?: unknown): unknown;
}): EventOutput {
	const { name, fallback } = eventOutputParameter(ctx.getNode().typeVersion);
	return ctx.getNodeParameter(name, fallback) as EventOutput;
}

/** One n8n item per event, shaped by the Output parameter. */
export function eventItems(events: MandoEvent[], output: EventOutput): INodeExecutionData[] {
	return events.map((event) => ({ json: eventJson(event, output) }));
}

function eventJson(event: MandoEvent, output: EventOutput): IDataObject {
	if (output === 'data') return event.data as unknown as IDataObject;
	if (output === 'envelope') return event as unknown as IDataObject;
	const details: EventDetails = { id: event.id, type: event.type, created: event.created };
	const data = event.data as unknown;
	const fields: IDataObject =
		typeof data === 'object' && data !== null && !Array.isArray(data)
			? (data as IDataObject)
			: { data: data as IDataObject };
	return { ...fields, [EVENT_DETAILS_KEY]: details as unknown as IDataObject };
}

/**
 * The event id an item carries, in any Output shape: `id` of a full event, `_event.id` of a
 * simplified one, `undefined` for record fields only (they hold no event id).
 */
export function eventIdOf(json: IDataObject, output: EventOutput): string | undefined {
	const source =
		output === 'envelope' ? json : output === 'simplified' ? json[EVENT_DETAILS_KEY] : undefined;
	const id = (source as IDataObject | undefined)?.id;
	return typeof id === 'string' ? id : undefined;
}

/**
 * A trigger's Options collection per node version: `v1Options` (which hold version 1's Output
 * option) on version 1, `laterOptions` from 2 on. Two properties of one name, each shown for its
 * versions, is how n8n versions a collection.
 */
export function versionedOptions(
	v1Options: INodeProperties[],
	laterOptions: INodeProperties[],
): INodeProperties[] {
	const collection = (show: IDisplayOptions['show'], options: INodeProperties[]) =>
		({
			displayName: 'Options',
			name: 'options',
			type: 'collection',
			placeholder: 'Add option',
			default: {},
			displayOptions: { show },
			options,
		}) as INodeProperties;
	return [collection(VERSION_1_ONLY, v1Options), collection(FROM_VERSION_2, laterOptions)];
}

/**
 * A trigger's subtitle: the chosen events by name ("Sale Created, Stock Low"), not by type
 * (`sale.created`); "All events" for `*`.
 */
export const EVENTS_SUBTITLE = `={{ (() => { const names = ${JSON.stringify(
	Object.fromEntries(MANDO_EVENT_OPTIONS.map((o) => [o.value, o.name])),
)}; const events = $parameter["events"] || []; return events.includes("*") ? "All events" : events.map((e) => names[e] || e).join(", "); })() }}`;
