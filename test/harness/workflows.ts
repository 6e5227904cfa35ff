import { randomUUID } from 'crypto';
import type { N8n, PublicationStatus } from './n8n';

/**
 * Builders for the workflows and credentials the end-to-end tests and the demo create in n8n
 * through its public API.
 */

/** Node type prefix: `CUSTOM` when loaded from N8N_CUSTOM_EXTENSIONS, the package name when installed. */
export const NODE_PREFIX = process.env.MANDO_NODE_PREFIX ?? 'CUSTOM';

/** Creates a `mandoApi` credential and returns its id and name. */
export async function createMandoCredential(
	n8n: N8n,
	data: { apiKey: string; webhookSecret?: string; baseUrl: string },
	name = 'Mando (emulator)',
): Promise<{ id: string; name: string }> {
	const created = await n8n.api<{ id: string; name: string }>('POST', '/credentials', { name, type: 'mandoApi', data });
	return { id: created.id, name: created.name };
}

/** Parameters of the Mando Trigger node. */
export interface TriggerParameters {
	events: string[];
	registration?: 'automatic' | 'manual';
	acknowledge?: 'immediately' | 'afterSuccess';
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
 * Operation) or `fail` (Stop and Error, so every run fails).
 */
export async function createTriggerWorkflow(
	n8n: N8n,
	credential: { id: string; name: string },
	parameters: TriggerParameters,
	options: {
		name?: string;
		next?: 'noop' | 'fail';
		/** Node type prefix (default {@link NODE_PREFIX}): `n8n-nodes-mando` for a copy installed as a community package. */
		nodePrefix?: string;
	} = {},
): Promise<CreatedWorkflow> {
	const webhookId = randomUUID();
	const next =
		options.next === 'fail'
			? {
					id: randomUUID(),
					name: 'Fail',
					type: 'n8n-nodes-base.stopAndError',
					typeVersion: 1,
					position: [460, 300],
					parameters: { errorMessage: 'Failing on purpose (e2e)' },
				}
			: {
					id: randomUUID(),
					name: 'No Operation',
					type: 'n8n-nodes-base.noOp',
					typeVersion: 1,
					position: [460, 300],
					parameters: {},
				};
	const name = options.name ?? `Mando e2e ${webhookId.slice(0, 8)}`;
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name,
		nodes: [
			{
				id: randomUUID(),
				name: 'Mando Trigger',
				type: `${options.nodePrefix ?? NODE_PREFIX}.mandoTrigger`,
				typeVersion: 1,
				position: [240, 300],
				webhookId,
				parameters,
				credentials: { mandoApi: credential },
			},
			next,
		],
		connections: { 'Mando Trigger': { main: [[{ node: next.name, type: 'main', index: 0 }]] } },
		settings: { executionOrder: 'v1', saveDataSuccessExecution: 'all', saveDataErrorExecution: 'all' },
	});
	return { id: workflow.id, name, webhookId, webhookPath: `${webhookId}/webhook` };
}

/**
 * Publishes (activates) a workflow and waits until n8n has applied it.
 *
 * @throws Error with the triggers' activation errors when the publication failed
 */
export async function publish(n8n: N8n, workflowId: string): Promise<PublicationStatus> {
	await n8n.api('POST', `/workflows/${workflowId}/publish`, {});
	const status = await n8n.waitForPublication(workflowId);
	if (status.status !== 'published') {
		const errors = status.triggers.map((t) => t.errorMessage).filter(Boolean);
		throw new Error(`publication ${status.status}: ${errors.join('; ')}`);
	}
	return status;
}

/** Unpublishes (deactivates) a workflow and waits until n8n has applied it. */
export async function unpublish(n8n: N8n, workflowId: string): Promise<PublicationStatus> {
	await n8n.api('POST', `/workflows/${workflowId}/unpublish`, {});
	return await n8n.waitForPublication(workflowId);
}

/**
 * A Mando (action) node for a workflow built through the public API, at x position `x`, using
 * `credential`; `executeOnce` runs it once whatever the number of input items.
 */
export function mandoNode(
	name: string,
	x: number,
	parameters: Record<string, unknown>,
	credential: { id: string; name: string },
	executeOnce = false,
) {
	return {
		id: randomUUID(),
		name,
		type: `${NODE_PREFIX}.mando`,
		typeVersion: 1,
		position: [x, 300],
		parameters,
		credentials: { mandoApi: credential },
		...(executeOnce ? { executeOnce: true } : {}),
	};
}
