import type {
	IExecuteFunctions,
	INodeExecutionData,
	IHookFunctions,
	INodeType,
	ITriggerFunctions,
	ITriggerResponse,
	INodeTypeDescription,
	INodeProperties,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import {
	EVENT_OUTPUT_OPTION,
	EVENT_OUTPUT_PARAMETER,
	EVENTS_SUBTITLE,
	eventIdOf,
	eventOutputParameter,
	versionedOptions,
	type EventOutput,
} from '../shared/eventOutput';
import { MANDO_EVENT_OPTIONS } from '../shared/events';
import { answerWithoutRun, decide, nodeDedup, readRawBody, respond, startRun } from './delivery';
import { DEFAULT_CHECK_MINUTES, handOverTestDelivery, startHealthCheck } from './health';
import { carryRegistration, hookCheckExists, hookDelete, isAutomatic, register } from './lifecycle';
import type { AcknowledgeMode } from './receive';
import { isRegistrationSync, receiveRegistrationSync } from './registrationSync';
import { acknowledgeResponseFields } from './webhookFields';

/** This node's page in the package's docs (no #fragment: n8n appends `?utm_source=…`). */
const TRIGGER_DOCS_URL =
	'https://github.com/n8n-nodes-mando/n8n-nodes-mando/blob/main/docs/mando-trigger.md';

/** The Options collection; version 1 keeps Output in it, later versions show Output on its own. */
function triggerOptions(v1Output: INodeProperties): INodeProperties[] {
	const checkInterval: INodeProperties = {
		displayName: 'Check Registration Every (Minutes)',
		name: 'checkInterval',
		type: 'number',
		typeOptions: { minValue: 0, numberPrecision: 2 },
		default: DEFAULT_CHECK_MINUTES,
		description:
			'While published, how often the node checks that its Mando webhook exists, is active and has the selected events, and repairs it (1 API request per check when all is well). 0 turns the check off.',
	};
	return versionedOptions([checkInterval, v1Output], [checkInterval]);
}
/**
 * Mando Trigger: starts a workflow on Mando webhook events. Registers its webhook through the
 * Mando API on activation (or is registered by hand), verifies every delivery's
 * `X-Mando-Signature`, de-duplicates by event `id` and emits one item per event.
 */
export class MandoTrigger implements INodeType {
	description: INodeTypeDescription = {
		displayName: 'Mando Trigger',
		name: 'mandoTrigger',
		icon: { light: 'file:mando.svg', dark: 'file:mando.dark.svg' },
		group: ['trigger'],
		// Version 2: the Output choice is visible and puts the record's fields at the top of each item.
		// Whole numbers only: n8n saves a community node's latest version in an integer column
		// (installed_nodes.latestVersion), and on PostgreSQL n8n 2.3.6 refuses to install a 1.1.
		version: [1, 2],
		defaultVersion: 2,
		subtitle: EVENTS_SUBTITLE,
		// n8n's node panel shows this under the one "Mando" entry it makes of the trigger and the
		// action node, in both "What triggers this workflow?" and "What happens next?".
		description:
			'Mando, the Finnish point of sale: sales, products, stock, customers and business days',
		documentationUrl: TRIGGER_DOCS_URL,
		defaults: { name: 'Mando Trigger' },
		inputs: [],
		outputs: [NodeConnectionTypes.Main],
		credentials: [{ name: 'mandoApi', required: true }],
		webhooks: [
			{
				name: 'default',
				httpMethod: 'POST',
				// Follow Acknowledge: answer at once with the node's counts, or after the run with no body.
				...acknowledgeResponseFields(),
				path: 'webhook',
			},
		],
		// The canvas shows this under the node while it listens for a test event (instead of n8n's
		// "Waiting for you to create an event in Mando").
		eventTriggerDescription: 'Waiting for a test sale from Mando',
		triggerPanel: {
			header: 'Ring up a test sale',
			executionsHelp: {
				inactive:
					'<b>While you build:</b> press <b>Execute step</b>, then ring up a sale at your Mando till (or make the event you picked happen). It shows up here within seconds. Trying the Mando emulator? Run <code>npm run emulator -- emit sale.created</code> in a clone of the n8n-nodes-mando repository.<br /><br /><b>When it works:</b> press <b>Publish</b>. From then on every matching Mando event runs the workflow by itself; those runs are listed under <b>Executions</b>, not here.',
				active:
					'<b>While you build:</b> press <b>Execute step</b>, then ring up a sale at your Mando till (or make the event you picked happen). It shows up here within seconds.<br /><br /><b>This workflow is published:</b> every matching Mando event runs it by itself; those runs are listed in the <a data-key="executions">executions list</a>, not here.',
			},
			activationHint: {
				inactive:
					'When the test works, publish the workflow: then every matching Mando event runs it, with no button to press.',
				active:
					'The workflow is published: every matching Mando event runs it (those runs are listed under Executions, not here).',
			},
		},
		properties: [
			{
				displayName: `Press <b>Execute step</b>, then ring up a test sale in Mando: it shows up here. <b>Publish</b> the workflow to run it on every sale. On n8n Cloud that is all. n8n on your own computer must be reachable over HTTPS: <a href="${TRIGGER_DOCS_URL}" target="_blank">how to set that up</a>.`,
				name: 'httpsNotice',
				type: 'notice',
				default: '',
			},
			{
				displayName: 'Events',
				name: 'events',
				type: 'multiOptions',
				required: true,
				default: [],
				description: 'The Mando events that start this workflow',
				options: [
					{
						name: 'All Events',
						value: '*',
						description:
							'Every event type this node knows; types added to Mando later are registered once the package knows them (the health check updates the webhook)',
					},
					...MANDO_EVENT_OPTIONS,
				],
			},
			{ ...EVENT_OUTPUT_PARAMETER },
			{
				displayName: 'Registration',
				name: 'registration',
				type: 'options',
				default: 'automatic',
				options: [
					{
						name: 'Automatic (Through the Mando API)',
						value: 'automatic',
						description:
							'The node adds its webhook in Mando when the workflow is published and removes it when unpublished',
					},
					{
						name: 'Manual',
						value: 'manual',
						description: "You add the webhook in Mando's admin panel yourself",
					},
				],
			},
			{
				displayName:
					'In Mando open Settings → Webhooks → Add Webhook, paste this node\'s <b>Production URL</b> (under "Webhook URLs" above), pick the same events and save. Mando accepts only HTTPS URLs. Put the secret Mando shows into the credential\'s Webhook Signing Secret.',
				name: 'manualNotice',
				type: 'notice',
				default: '',
				displayOptions: { show: { registration: ['manual'] } },
			},
			{
				displayName: 'Acknowledge',
				name: 'acknowledge',
				type: 'options',
				default: 'immediately',
				description: 'Mando waits 5 seconds for an answer: when the node gives it',
				options: [
					{
						name: 'Immediately',
						value: 'immediately',
						description: 'Answers once the run is stored; a failed run is not re-sent',
					},
					{
						name: 'After Success',
						value: 'afterSuccess',
						description: 'Run must end within 5 s; a failed run is re-delivered',
					},
				],
			},
			...triggerOptions(EVENT_OUTPUT_OPTION),
		],
	};

	webhookMethods = {
		default: {
			async checkExists(this: IHookFunctions): Promise<boolean> {
				return await hookCheckExists(this);
			},
			async create(this: IHookFunctions): Promise<boolean> {
				if (isAutomatic(this)) await register(this, this.getNodeWebhookUrl('default') as string);
				return true;
			},
			async delete(this: IHookFunctions): Promise<boolean> {
				return await hookDelete(this);
			},
		},
	};

	/**
	 * Makes n8n treat the node as an in-memory trigger as well: n8n then re-runs the webhook
	 * methods at startup, and the node checks and repairs its Mando webhook periodically
	 * (see health.ts). In a test run it emits the delivery `webhook()` received.
	 */
	async trigger(this: ITriggerFunctions): Promise<ITriggerResponse> {
		return await startHealthCheck(this);
	}

	/**
	 * The first step of every run this trigger starts: passes the events through unchanged and
	 * records their ids in the run's static data, which n8n saves when the run ends (see
	 * `persistRunMarks` for why the webhook method's own marks are not enough on n8n 2.x).
	 */
	async execute(this: IExecuteFunctions): Promise<INodeExecutionData[][]> {
		const items = this.getInputData();
		carryRegistration(this);
		const acknowledge = this.getNodeParameter('acknowledge', 0, 'immediately') as AcknowledgeMode;
		// Items of "Record Fields Only" carry no event id; the in-process memory still has them.
		const { name, fallback } = eventOutputParameter(this.getNode().typeVersion);
		const output = this.getNodeParameter(name, 0, fallback) as EventOutput;
		const ids = items
			.map((item) => eventIdOf(item.json, output))
			.filter((id): id is string => id !== undefined);
		nodeDedup(this).persist(ids, acknowledge === 'immediately' ? 'handled' : 'pending', Date.now());
		return [items];
	}

	async webhook(this: IWebhookFunctions): Promise<IWebhookResponseData> {
		try {
			const rawBody = await readRawBody(this);
			if (rawBody === undefined) {
				// A 4xx, not a 5xx that would make a sender retry bytes that cannot be read. Mando sends application/json.
				return respond(
					this,
					400,
					'BAD_REQUEST',
					'The request body could not be read as sent; Mando deliveries are application/json',
				);
			}
			if (isRegistrationSync(this)) return await receiveRegistrationSync(this, rawBody);
			const decision = await decide(this, rawBody);
			if (decision.action !== 'run') return answerWithoutRun(this, decision);
			const started = startRun(this, decision);
			handOverTestDelivery(this, started.workflowData ?? []);
			return started;
		} catch (error) {
			// A throwing webhook method would make n8n answer 500 *and* record a failed execution.
			this.logger.error(`Mando Trigger could not process a delivery: ${(error as Error).message}`, {
				workflowId: this.getWorkflow().id,
				node: this.getNode().name,
			});
			return respond(
				this,
				500,
				'INTERNAL_ERROR',
				'The delivery could not be processed; deliver it again later',
			);
		}
	}
}
