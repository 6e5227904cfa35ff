import { randomUUID } from 'crypto';
import { delay, type N8n, type PublicationStatus } from './n8n';

/**
 * Builders for the workflows and credentials the end-to-end tests and the demo create in n8n
 * through its public API.
 */

/** Node type prefix: `CUSTOM` when loaded from N8N_CUSTOM_EXTENSIONS, the package name when installed. */
export const NODE_PREFIX = process.env.MANDO_NODE_PREFIX ?? 'CUSTOM';

/**
 * n8n's Webhook node at `path` (POST) that answers with the last node's first item, for workflows
 * a test starts by calling its production URL.
 */
export function lastNodeWebhook(path: string) {
	return {
		id: randomUUID(),
		name: 'Webhook',
		type: 'n8n-nodes-base.webhook',
		typeVersion: 2,
		position: [0, 300],
		webhookId: randomUUID(),
		parameters: { httpMethod: 'POST', path, responseMode: 'lastNode', options: {} },
	};
}

/** Creates a `mandoApi` credential and returns its id and name. */
export async function createMandoCredential(
	n8n: N8n,
	data: { apiKey: string; webhookSecret?: string; baseUrl: string },
	name = 'Mando (emulator)',
): Promise<{ id: string; name: string }> {
	// n8n adds domain-restriction fields to every credential type; the public API of n8n 1.x and
	// early 2.x requires them to be set (their default, "all", is what the editor saves).
	const created = await n8n.api<{ id: string; name: string }>('POST', '/credentials', {
		name,
		type: 'mandoApi',
		data: { ...data, allowedHttpRequestDomains: 'all' },
	});
	return { id: created.id, name: created.name };
}

/** Parameters of the Mando Trigger node. */
export interface TriggerParameters {
	events: string[];
	registration?: 'automatic' | 'manual';
	acknowledge?: 'immediately' | 'afterSuccess';
	/** Version 2's Output (visible, default `simplified`). */
	output?: 'simplified' | 'envelope' | 'data';
	/** `checkInterval`: minutes between registration health checks (fractions allowed; tests use 0.1 = 6 s). */
	options?: { output?: 'envelope' | 'data'; checkInterval?: number };
}

/** A workflow as created: its id, the trigger's webhook id and production webhook path. */
export interface CreatedWorkflow {
	id: string;
	name: string;
	webhookId: string;
	/** Path under `/webhook/` (production) or `/webhook-test/` (test). */
	webhookPath: string;
}

/**
 * Creates (does not publish) a workflow "Mando Trigger → <next node>". `next` is `noop` (No
 * Operation), `fail` (Stop and Error, so every run fails) or `{ waitSeconds }` (a Wait node, so
 * every run takes that long).
 */
export async function createTriggerWorkflow(
	n8n: N8n,
	credential: { id: string; name: string },
	parameters: TriggerParameters,
	options: {
		name?: string;
		next?: 'noop' | 'fail' | { waitSeconds: number };
		/** Node type prefix (default {@link NODE_PREFIX}): `n8n-nodes-mando` for a copy installed as a community package. */
		nodePrefix?: string;
		/** The trigger's node version (default 1: the items are the full event unless Options → Output says otherwise). */
		typeVersion?: number;
	} = {},
): Promise<CreatedWorkflow> {
	const webhookId = randomUUID();
	const wait = typeof options.next === 'object' ? options.next.waitSeconds : undefined;
	const next =
		wait !== undefined
			? {
					id: randomUUID(),
					name: 'Wait',
					type: 'n8n-nodes-base.wait',
					typeVersion: 1.1,
					position: [460, 300],
					webhookId: randomUUID(),
					parameters: { resume: 'timeInterval', amount: wait, unit: 'seconds' },
				}
			: options.next === 'fail'
				? {
						id: randomUUID(),
						name: 'Fail',
						type: 'n8n-nodes-base.stopAndError',
						typeVersion: 1,
						position: [460, 300],
						parameters: { errorMessage: 'Failing on purpose (e2e)' },
					}
				: noOpNode();
	const name = options.name ?? `Mando e2e ${webhookId.slice(0, 8)}`;
	const trigger = {
		name: 'Mando Trigger',
		type: `${options.nodePrefix ?? NODE_PREFIX}.mandoTrigger`,
		typeVersion: options.typeVersion ?? 1,
		webhookId,
		parameters,
	};
	const id = await createTwoNodeWorkflow(n8n, name, credential, trigger, next);
	return { id, name, webhookId, webhookPath: `${webhookId}/webhook` };
}

/** A No Operation node at the second position. */
function noOpNode() {
	return {
		id: randomUUID(),
		name: 'No Operation',
		type: 'n8n-nodes-base.noOp',
		typeVersion: 1,
		position: [460, 300],
		parameters: {},
	};
}

/**
 * Creates the workflow "<trigger> → <next>" with `credential` on the trigger, saving every
 * execution's data; returns its id.
 */
async function createTwoNodeWorkflow(
	n8n: N8n,
	name: string,
	credential: { id: string; name: string },
	trigger: {
		name: string;
		type: string;
		typeVersion?: number;
		parameters: object;
		webhookId?: string;
	},
	next: { name: string },
): Promise<string> {
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name,
		nodes: [
			{
				id: randomUUID(),
				typeVersion: 1,
				position: [240, 300],
				...trigger,
				credentials: { mandoApi: credential },
			},
			next,
		],
		connections: { [trigger.name]: { main: [[{ node: next.name, type: 'main', index: 0 }]] } },
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
	});
	return workflow.id;
}

/** How long {@link publish} waits for a requested publication to settle, ms. */
const PUBLISH_SETTLE_MS = 30_000;

/**
 * Publishes (activates) a workflow and waits (up to 30 s) until n8n has applied it. The one
 * place where n8n's two ways differ: with the publication API (n8n 2.x of late) `POST /publish` returns at once
 * and the publication status tells the outcome; without it (n8n 1.x, early 2.x) `POST /activate`
 * answers once the workflow is active, or with the triggers' activation error.
 *
 * @throws Error with the triggers' activation errors when the publication failed
 */
export async function publish(n8n: N8n, workflowId: string): Promise<PublicationStatus> {
	if (!n8n.n8nVersion.publicationApi) {
		await n8n.api('POST', `/workflows/${workflowId}/activate`, {});
		return { status: 'published', triggers: [] };
	}
	await n8n.api('POST', `/workflows/${workflowId}/publish`, {});
	const deadline = Date.now() + PUBLISH_SETTLE_MS;
	let status = await n8n.waitForPublication(workflowId);
	// A publication that was asked for never settles as `not_published` (no outbox row in flight
	// and no trigger status row): n8n 2.40.7 in queue mode answers it for a moment after
	// `POST /publish`, before the trigger status rows are written. Only `published`, `partial` and
	// `failed` are outcomes.
	while (status.status === 'not_published' && Date.now() < deadline) {
		await delay(200);
		status = await n8n.waitForPublication(workflowId, Math.max(0, deadline - Date.now()));
	}
	if (status.status !== 'published') {
		const errors = status.triggers.map((t) => t.errorMessage).filter(Boolean);
		throw new Error(`publication ${status.status}: ${errors.join('; ')}`);
	}
	return status;
}

/** Unpublishes (deactivates) a workflow and waits until n8n has applied it (see {@link publish}). */
export async function unpublish(n8n: N8n, workflowId: string): Promise<PublicationStatus> {
	if (!n8n.n8nVersion.publicationApi) {
		await n8n.api('POST', `/workflows/${workflowId}/deactivate`, {});
		return { status: 'not_published', triggers: [] };
	}
	await n8n.api('POST', `/workflows/${workflowId}/unpublish`, {});
	return await n8n.waitForPublication(workflowId);
}

/**
 * A Mando (action) node for a workflow built through the public API, at x position `x`, using
 * `credential`; `executeOnce` runs it once whatever the number of input items; `nodePrefix` as in
 * {@link createTriggerWorkflow}.
 */
export function mandoNode(
	name: string,
	x: number,
	parameters: Record<string, unknown>,
	credential: { id: string; name: string },
	executeOnce = false,
	nodePrefix = NODE_PREFIX,
) {
	return {
		id: randomUUID(),
		name,
		type: `${nodePrefix}.mando`,
		typeVersion: 1,
		position: [x, 300],
		parameters,
		credentials: { mandoApi: credential },
		...(executeOnce ? { executeOnce: true } : {}),
	};
}

/** Parameters of the Mando Polling Trigger node (Poll Times apart). */
export interface PollingTriggerParameters {
	events?: string[];
	/** Version 2's Output (visible, default `simplified`). */
	output?: 'simplified' | 'envelope' | 'data';
	options?: { output?: 'envelope' | 'data'; maxPerPoll?: number; startFrom?: string };
}

/**
 * n8n's Poll Times for a poll every `everySeconds` seconds (a divisor of 60): n8n refuses a cron
 * that fires more than once a minute (`isSubMinuteCron`: anything but one fixed second), so this
 * is one custom cron entry per second of the minute to poll at (`0 * * * * *`, `5 * * * * *`, …).
 */
export function pollEverySeconds(everySeconds: number) {
	const item = [];
	for (let second = 0; second < 60; second += everySeconds)
		item.push({ mode: 'custom', cronExpression: `${second} * * * * *` });
	return { item };
}

/** Creates (does not publish) a workflow "Mando Polling Trigger → No Operation". */
export async function createPollingWorkflow(
	n8n: N8n,
	credential: { id: string; name: string },
	parameters: PollingTriggerParameters,
	pollTimes: { item: Array<Record<string, unknown>> },
	name = `Mando polling e2e ${randomUUID().slice(0, 8)}`,
	typeVersion = 1,
): Promise<{ id: string; name: string }> {
	const trigger = {
		name: 'Mando Polling Trigger',
		type: `${NODE_PREFIX}.mandoPollingTrigger`,
		typeVersion,
		parameters: { pollTimes, events: ['sale.created'], ...parameters },
	};
	return { id: await createTwoNodeWorkflow(n8n, name, credential, trigger, noOpNode()), name };
}
