import type {
	IExecuteFunctions,
	INodeExecutionData,
	IHookFunctions,
	INodeType,
	ITriggerFunctions,
	ITriggerResponse,
	INodeTypeDescription,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { NodeConnectionTypes } from 'n8n-workflow';

import { EVENT_OUTPUT_OPTION } from '../shared/eventOutput';
import { MANDO_EVENT_OPTIONS } from '../shared/events';
import { answerWithoutRun, decide, nodeDedup, readRawBody, respond, startRun } from './delivery';
import { DEFAULT_CHECK_MINUTES, handOverTestDelivery, startHealthCheck } from './health';
import { carryRegistration, hookCheckExists, hookDelete, isAutomatic, register } from './lifecycle';
import type { AcknowledgeMode } from './receive';
import { acknowledgeResponseFields } from './webhookFields';
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
		version: 1,
		subtitle:
			'={{($parameter["events"] || []).includes("*") ? "All events" : ($parameter["events"] || []).join(", ")}}',
		description:
			'Starts the workflow when Mando sends a webhook event (sales, products, stock, customers, business days)',
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
		properties: [
			{
				displayName:
					'Mando sends events only to <b>HTTPS</b> addresses that it can reach over the internet. For n8n on your own computer, use a tunnel and set n8n\'s WEBHOOK_URL to its https address. Publish the workflow to receive events for real; "Listen for test event" uses the test URL only while the editor listens.',
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
				options: [
					{
						name: 'Immediately',
						value: 'immediately',
						description:
							"Answer Mando as soon as the delivery is verified (meets Mando's 5-second rule). A failed run is not re-delivered.",
					},
					{
						name: 'After the Workflow Succeeds',
						value: 'afterSuccess',
						description:
							'Answer only when the workflow has finished; a failed run answers with an error so Mando re-delivers the event (after 1 min, 5 min, 30 min, 2 h). The workflow must finish within 5 seconds.',
					},
				],
			},
			{
				displayName: 'Options',
				name: 'options',
				type: 'collection',
				placeholder: 'Add option',
				default: {},
				options: [
					{
						displayName: 'Check Registration Every (Minutes)',
						name: 'checkInterval',
						type: 'number',
						typeOptions: { minValue: 0, numberPrecision: 2 },
						default: DEFAULT_CHECK_MINUTES,
						description:
							'While published, how often the node checks that its Mando webhook exists, is active and has the selected events, and repairs it (1 API request per check when all is well). 0 turns the check off.',
					},
					EVENT_OUTPUT_OPTION,
				],
			},
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
		// With "Event Data Only" the items carry no event id; the in-process memory still has them.
		const envelopes = this.getNodeParameter('options.output', 0, 'envelope') === 'envelope';
		const ids = envelopes
			? items.map((item) => item.json.id).filter((id): id is string => typeof id === 'string')
			: [];
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
