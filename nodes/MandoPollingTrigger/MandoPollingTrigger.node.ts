import type {
	INodeExecutionData,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import { EVENT_OUTPUT_OPTION, eventItems, type EventOutput } from '../shared/eventOutput';
import { MANDO_EVENT_OPTIONS, type MandoEvent } from '../shared/events';
import { asNodeError } from '../shared/transport';
import {
	BUSINESS_DAY_EVENT_TYPES,
	latestBusinessDayEvent,
	latestSaleEvent,
	pollEvents,
	POLLED_EVENT_TYPES,
	UNPOLLED_EVENTS_NOTICE,
} from './pollHelpers';
import { DEFAULT_MAX_SALES_PER_POLL } from './salesPoll';

/**
 * Mando Polling Trigger: starts a workflow with Mando events read from the Mando API at the
 * user's Poll Times, for n8n instances Mando's webhooks cannot reach. Emits the same
 * `{ id, type, created, data }` items as the Mando Trigger, with deterministic event ids.
 */
export class MandoPollingTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mando Polling Trigger',
		name: 'mandoPollingTrigger',
		icon: { light: 'file:mando.svg', dark: 'file:mando.dark.svg' },
		group: ['trigger'],
		version: 1,
		subtitle: '={{($parameter["events"] || []).join(", ")}}',
		description:
			'Starts the workflow with new Mando sales and business days, checked at set times; needs no public HTTPS address',
		defaults: { name: 'Mando Polling Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mandoApi', required: true }],
		properties: [
			{
				displayName:
					'This trigger asks Mando for new events at the Poll Times below, so it works on n8n without a public HTTPS address (a shop computer, a NAS, a Raspberry Pi) and catches up after n8n was off. For events within seconds, use the Mando Trigger (webhooks) instead.',
				name: 'pollingNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: ['sale.created'],
				description: 'The Mando events that start this workflow',
				options: MANDO_EVENT_OPTIONS.filter((option) => POLLED_EVENT_TYPES.includes(option.value)),
			},
			{
				displayName: UNPOLLED_EVENTS_NOTICE,
				name: 'unpolledNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Max Events per Poll',
						name: 'maxPerPoll',
						type: 'number',
						typeOptions: { minValue: 1, maxValue: 100000 },
						default: DEFAULT_MAX_SALES_PER_POLL,
						description:
							'Most events one poll starts the workflow with; the rest come at the next poll, none is skipped',
					},
					EVENT_OUTPUT_OPTION,
					{
						displayName: 'Start From',
						name: 'startFrom',
						type: 'dateTime',
						default: '',
						description:
							'On the first poll after publishing, also emit the sales made since this time (a deliberate backfill). Without it the trigger starts from the moment it is published.',
					},
				],
			},
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const selected = this.getNodeParameter('events', []) as string[];
		const wantsSales = selected.includes('sale.created');
		const dayTypes = BUSINESS_DAY_EVENT_TYPES.filter((t) => selected.includes(t));
		const output = this.getNodeParameter('options.output', 'envelope') as EventOutput;

		if (this.getMode() === 'manual') {
			// "Fetch Test Event": the latest real event, without moving the stored position.
			let latest: MandoEvent | undefined;
			try {
				latest = wantsSales ? await latestSaleEvent.call(this) : undefined;
				if (!latest && dayTypes.length > 0)
					latest = await latestBusinessDayEvent.call(this, dayTypes);
			} catch (error) {
				throw asNodeError(this, error);
			}
			if (!latest) {
				throw new NodeOperationError(
					this.getNode(),
					'Mando has no recent event of the selected types to show as a test event',
					{
						description:
							'Make a sale (or open a business day) at a Mando POS or in the emulator, then fetch the test event again.',
					},
				);
			}
			return [eventItems([latest], output)];
		}

		const events = await pollEvents.call(this, wantsSales, dayTypes);
		return events === null || events.length === 0 ? null : [eventItems(events, output)];
	}
}
