import type { IDataObject, INodeExecutionData, INodeProperties } from 'n8n-workflow';

import type { MandoEvent } from './events';

/**
 * The triggers' **Output** option, in one place so that both triggers give the same items:
 * the full event envelope `{ id, type, created, data }`, or the event's `data` alone.
 */

/** The value of the Output option. */
export type EventOutput = 'envelope' | 'data';

/** The Output option, for a trigger's Options collection. */
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

/** One n8n item per event, shaped by the Output option. */
export function eventItems(events: MandoEvent[], output: EventOutput): INodeExecutionData[] {
	return events.map((event) => ({
		json: (output === 'data' ? event.data : event) as unknown as IDataObject,
	}));
}
