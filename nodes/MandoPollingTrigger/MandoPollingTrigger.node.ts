import type {
	INodeExecutionData,
	INodeProperties,
	INodeType,
	INodeTypeDescription,
	IPollFunctions,
} from 'n8n-workflow';
import { NodeConnectionTypes, NodeOperationError } from 'n8n-workflow';

import {
	EVENT_OUTPUT_OPTION,
	EVENT_OUTPUT_PARAMETER,
	EVENTS_SUBTITLE,
	eventItems,
	readEventOutput,
	versionedOptions,
} from '../shared/eventOutput';
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

/** This node's page in the package's docs (no #fragment: n8n appends `?utm_source=…`). */
const POLLING_DOCS_URL =
	'https://github.com/n8n-nodes-mando/n8n-nodes-mando/blob/main/docs/mando-polling-trigger.md';

/** The Options collection; version 1 keeps Output in it, later versions show Output on its own. */
function pollingOptions(): INodeProperties[] {
	const maxPerPoll: INodeProperties = {
		displayName: 'Max Events per Poll',
		name: 'maxPerPoll',
		type: 'number',
		typeOptions: { minValue: 1, maxValue: 100000 },
		default: DEFAULT_MAX_SALES_PER_POLL,
		description:
			'Most events one poll starts the workflow with; the rest come at the next poll, none is skipped',
	};
	const startFrom: INodeProperties = {
		displayName: 'Start From',
		name: 'startFrom',
		type: 'dateTime',
		default: '',
		description:
			'On the first poll after publishing, also emit the sales made since this time (a deliberate backfill). Without it the trigger starts from the moment it is published.',
	};
	return versionedOptions([maxPerPoll, EVENT_OUTPUT_OPTION, startFrom], [maxPerPoll, startFrom]);
}

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
		// Version 2: the Output choice is visible and puts the record's fields at the top of each item.
		// Whole numbers only: n8n saves a community node's latest version in an integer column
		// (installed_nodes.latestVersion), and on PostgreSQL n8n 2.3.6 refuses to install a 1.1.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: EVENTS_SUBTITLE,
		description:
			'Starts the workflow with new Mando sales and business days, checked at set times; needs no public HTTPS address',
		documentationUrl: POLLING_DOCS_URL,
		defaults: { name: 'Mando Polling Trigger' },
		polling: true,
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mandoApi', required: true }],
		triggerPanel: {
			header: 'Fetch your latest sale',
			executionsHelp: {
				inactive:
					'<b>While you build:</b> press <b>Fetch Test Event</b> to bring in the latest sale (or business day) from Mando. No sale yet? Ring one up at your Mando till, or with the Mando emulator run <code>npm run emulator -- emit sale.created</code>, then fetch again.<br /><br /><b>When it works:</b> press <b>Publish</b>. n8n then asks Mando for new events at the Poll Times and runs the workflow for each; those runs are listed under <b>Executions</b>, not here.',
				active:
					'<b>While you build:</b> press <b>Fetch Test Event</b> to bring in the latest sale (or business day) from Mando.<br /><br /><b>This workflow is published:</b> n8n asks Mando for new events at the Poll Times and runs it for each; those runs are listed in the <a data-key="executions">executions list</a>, not here.',
			},
			activationHint: {
				inactive:
					'When the test works, publish the workflow: then n8n checks Mando at the Poll Times and runs it for every new event.',
				active:
					'The workflow is published: n8n checks Mando at the Poll Times (those runs are listed under Executions, not here).',
			},
		},
		properties: [
			{
				displayName:
					'Checks Mando for new sales at the Poll Times below: works on any n8n, even one the internet cannot reach (a shop computer, a NAS), and catches up after n8n was off. Press <b>Fetch Test Event</b> to see your latest sale. For events within seconds, use the Mando Trigger instead.',
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
			{ ...EVENT_OUTPUT_PARAMETER },
			{
				displayName: UNPOLLED_EVENTS_NOTICE,
				name: 'unpolledNotice',
				type: 'notice',
				default: '',
			},
			...pollingOptions(),
		],
	};

	async poll(this: IPollFunctions): Promise<INodeExecutionData[][] | null> {
		const selected = this.getNodeParameter('events', []) as string[];
		const wantsSales = selected.includes('sale.created');
		const dayTypes = BUSINESS_DAY_EVENT_TYPES.filter((t) => selected.includes(t));
		const output = readEventOutput(this);

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
