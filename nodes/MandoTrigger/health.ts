import type {
	INodeExecutionData,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
} from 'n8n-workflow';
import type { NodeApiError, NodeOperationError } from 'n8n-workflow';
import { withBearerAuth } from './bearerAuth';
import { checkAndRepair } from './lifecycle';

/**
 * The trigger's `trigger()` method: the periodic registration health check and the editor's
 * test-run hand-over.
 *
 * Why a webhook trigger has a `trigger()` at all (n8n 2.40.7): a node type with `trigger()` counts
 * as an in-memory trigger, and the workflow publication reconciler re-publishes, at startup,
 * every published workflow whose in-memory trigger is missing — which runs the webhook phase
 * (`checkExists`, then `create`) again. Without it no webhook lifecycle method runs at startup.
 * `trigger()` also registers a cron (`this.helpers.registerCron`, leader only in queue mode) that
 * verifies and repairs the Mando webhook while the workflow is published.
 */

/** Default minutes between health checks. */
export const DEFAULT_CHECK_MINUTES = 15;

/**
 * A 6-field cron expression firing about every `minutes` (fractions allowed: 0.1 = 6 s).
 * Seconds below a minute use `*​/s`; minutes below an hour `0 *​/m`; longer intervals run hourly.
 */
export function checkCron(minutes: number): string {
	const seconds = Math.max(1, Math.round(minutes * 60));
	if (seconds < 60) return `*/${seconds} * * * * *`;
	const m = Math.round(seconds / 60);
	if (m < 60) return `0 */${m} * * * *`;
	return `0 0 */${Math.min(23, Math.round(m / 60))} * * *`;
}

/** Mando answers that no retry cures (auth, missing resource, refused URL). */
function isPermanent(error: unknown): boolean {
	const e = error as { httpCode?: unknown; name?: string };
	const code = String(e?.httpCode ?? '');
	return ['401', '403', '404', '422'].includes(code) || e?.name === 'NodeOperationError';
}

/** Items `webhook()` received in a manual (test) run, handed to `trigger()`'s manual function. */
const testDeliveries = new Map<string, INodeExecutionData[][]>();
/** Trigger nodes whose last health check failed permanently, with that error. */
const failures = new Map<string, Error>();

function nodeKey(ctx: ITriggerFunctions | IWebhookFunctions): string {
	return `${ctx.getWorkflow().id}:${ctx.getNode().id}`;
}

/**
 * Called by `webhook()` in manual mode: n8n runs the test execution's start node through
 * `trigger()` (it checks `trigger` before `webhook`), which must emit these items.
 */
export function handOverTestDelivery(
	ctx: IWebhookFunctions,
	workflowData: INodeExecutionData[][],
): void {
	if (ctx.getMode() === 'manual') testDeliveries.set(nodeKey(ctx), workflowData);
}

/**
 * The body of `trigger()`.
 *
 * @throws the error of the last failed check, when a re-activation after a failure still fails
 *   (n8n then keeps the activation error in the editor and runs the error workflow)
 */
export async function startHealthCheck(ctx: ITriggerFunctions): Promise<ITriggerResponse> {
	const key = nodeKey(ctx);
	if (ctx.getMode() === 'manual') {
		return {
			manualTriggerFunction: async () => {
				const data = testDeliveries.get(key);
				testDeliveries.delete(key);
				ctx.emit(data ?? [[{ json: {} }]]);
			},
		};
	}
	if (failures.has(key)) {
		// n8n re-activates trigger() after emitError: check once more before accepting.
		try {
			await checkAndRepair(withBearerAuth(ctx));
			failures.delete(key);
			ctx.logger.info('Mando Trigger health check passes again; the activation error is cleared.');
		} catch (error) {
			if (isPermanent(error)) throw error as NodeApiError | NodeOperationError;
		}
	}
	const minutes = Number(ctx.getNodeParameter('options.checkInterval', DEFAULT_CHECK_MINUTES));
	if (!(minutes > 0)) return {};
	let running = false;
	const tick = async () => {
		if (running) return;
		running = true;
		try {
			await checkAndRepair(withBearerAuth(ctx));
		} catch (error) {
			const message = (error as Error).message;
			if (isPermanent(error)) {
				ctx.logger.error(
					`Mando Trigger health check failed and cannot repair the webhook: ${message}`,
					{ workflowId: ctx.getWorkflow().id },
				);
				failures.set(key, error as Error);
				ctx.emitError(error as Error);
			} else {
				ctx.logger.warn(
					`Mando Trigger health check could not reach Mando (${message}); it runs again at the next interval.`,
					{
						workflowId: ctx.getWorkflow().id,
					},
				);
			}
		} finally {
			running = false;
		}
	};
	ctx.helpers.registerCron(
		{
			expression: checkCron(minutes) as Parameters<
				ITriggerFunctions['helpers']['registerCron']
			>[0]['expression'],
		},
		() => void tick(),
	);
	return {};
}
