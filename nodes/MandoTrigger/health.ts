import type {
	INodeExecutionData,
	ITriggerFunctions,
	ITriggerResponse,
	IWebhookFunctions,
} from 'n8n-workflow';
import type { NodeApiError } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import { withBearerAuth } from './bearerAuth';
import {
	carriedAt,
	checkAndRepair,
	loadRegistration,
	readAccount,
	type HealthResult,
	type PersistedRegistration,
} from './lifecycle';
import { pushRegistration } from './registrationSync';

/**
 * The trigger's `trigger()` method: the periodic registration health check and the editor's
 * test-run hand-over.
 *
 * Why a webhook trigger has a `trigger()` at all (n8n 2.40.7): a node type with `trigger()` counts
 * as an in-memory trigger, and the workflow publication reconciler re-publishes, at startup,
 * every published workflow whose in-memory trigger is missing — which runs the webhook phase
 * (`checkExists`, then `create`) again. Without it no webhook lifecycle method runs at startup.
 * `trigger()` also registers a cron (`this.helpers.registerCron`, leader only in queue mode) that
 * verifies and repairs the Mando webhook while the workflow is published, and checks, when it
 * starts and at every tick, that the secret deliveries are verified with can be opened or read.
 */

/**
 * The oldest n8n the trigger runs on: n8n 1.105.0 is the first release whose
 * `helpers.registerCron` takes a `{ expression }` object (it ships n8n-workflow 1.102.2). n8n
 * 1.104.2 ships n8n-workflow 1.101.0, whose `registerCron` takes a cron string, and n8n-core
 * 1.103.2, which hands the object to `new CronJob(...)`: a TypeError. Source: the
 * `SchedulingFunctions` type in the n8n-workflow packages and n8n's dependencies on the npm
 * registry.
 */
export const MINIMUM_N8N_VERSION = '1.105.0';

/**
 * Registers the health check's cron with n8n.
 *
 * @throws NodeOperationError naming {@link MINIMUM_N8N_VERSION} when this n8n has no
 *   `registerCron` or one that refuses a `{ expression }` object (n8n before 1.105), instead of the
 *   TypeError n8n would show as the activation error
 */
export function registerCheckCron(
	ctx: ITriggerFunctions,
	expression: string,
	onTick: () => void,
): void {
	const tooOld = (detail: string) =>
		new NodeOperationError(
			ctx.getNode(),
			`Mando Trigger needs n8n ${MINIMUM_N8N_VERSION} or newer; this n8n is older (${detail}). Update n8n, then publish this workflow again.`,
			{
				description:
					"The trigger registers a periodic health check of its Mando webhook through n8n's scheduling helper, which takes its current form from n8n 1.105.0 on.",
			},
		);
	const register = (ctx.helpers as Partial<ITriggerFunctions['helpers']>).registerCron;
	if (typeof register !== 'function') throw tooOld('it has no helpers.registerCron');
	try {
		register.call(
			ctx.helpers,
			{ expression } as Parameters<ITriggerFunctions['helpers']['registerCron']>[0],
			onTick,
		);
	} catch (error) {
		if (error instanceof TypeError)
			throw tooOld(`its helpers.registerCron takes a cron string: ${error.message}`);
		throw new NodeOperationError(ctx.getNode(), error as Error);
	}
}

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
/** Per trigger node: the registration a health check changed that no n8n process has saved yet. */
const unsaved = new Map<string, PersistedRegistration>();

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
			await checkRepairAndSave(ctx, key);
			failures.delete(key);
			ctx.logger.info('Mando Trigger health check passes again; the activation error is cleared.');
		} catch (error) {
			if (isPermanent(error)) throw error as NodeApiError | NodeOperationError;
		}
	}
	const minutes = Number(ctx.getNodeParameter('options.checkInterval', DEFAULT_CHECK_MINUTES));
	if (!(minutes > 0)) return {};
	let running = false;
	const tick = async (secretOnly = false) => {
		if (running) return;
		running = true;
		try {
			const result = await checkRepairAndSave(ctx, key, secretOnly);
			if (result.status === 'key-changed' || result.status === 'secret-lost')
				ctx.logger.info(
					`Mando Trigger health check: the API key change is handled (${result.status}${result.repairedAs ? `, webhook ${result.repairedAs}` : ''}); deliveries verify again.`,
					{ workflowId: ctx.getWorkflow().id },
				);
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
	registerCheckCron(ctx, checkCron(minutes), () => void tick());
	// At activation: can the secret the deliveries need be opened or read? (no API request unless the API key changed)
	void tick(true);
	return {};
}

/**
 * One health check ({@link checkAndRepair}), then a registration sync through the trigger's own
 * webhook URL (see registrationSync.ts), so that the saved static data holds the registration:
 * after a repair, which n8n does not save, and at every periodic check, because in queue mode a
 * worker's run saves static data without it (see `carryRegistration`). A sync that fails after a
 * repair is logged as a warning and tried again at the next check; otherwise a failure is logged
 * at debug level only (the saved registration is then most likely current).
 *
 * @throws what {@link checkAndRepair} or reading the credential throws
 */
async function checkRepairAndSave(
	ctx: ITriggerFunctions,
	key: string,
	secretOnly = false,
): Promise<HealthResult> {
	const authed = withBearerAuth(ctx);
	const before = loadRegistration(authed, 'production');
	const result = await checkAndRepair(authed, { secretOnly });
	const after = loadRegistration(authed, 'production');
	if (after && after !== before) unsaved.set(key, after);
	const repaired = unsaved.get(key);
	if (repaired && (carriedAt(authed, 'production') ?? 0) >= repaired.at) {
		// A delivery in this process (regular mode) saved it with its static data.
		unsaved.delete(key);
		ctx.logger.info(
			`Mando Trigger: the registration of webhook ${repaired.webhookId} was saved with a delivery.`,
			{ workflowId: ctx.getWorkflow().id, node: ctx.getNode().name },
		);
	}
	// The check when trigger() starts follows an activation, which n8n saves itself.
	const pending = unsaved.get(key) ?? (secretOnly ? undefined : after);
	if (!pending) return result;
	const outcome = await pushRegistration(authed, pending, await readAccount(authed));
	const meta = { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name };
	const repair = unsaved.get(key) === pending;
	if (outcome.ok) {
		if (repair) unsaved.delete(key);
		if (repair || outcome.saved)
			ctx.logger.info(
				`Mando Trigger saved the registration of webhook ${pending.webhookId} through its own webhook URL${repair ? '' : " (the saved static data had lost it: in queue mode a worker saves a run's static data without it)"}; it holds across restarts and in every n8n process.`,
				meta,
			);
	} else if (repair) {
		ctx.logger.warn(
			`Mando Trigger could not save the registration of webhook ${pending.webhookId} through its own webhook URL ${pending.url}: ${outcome.why}. Until it is saved, n8n after a restart, and queue-mode webhook processors, cannot verify that webhook's deliveries; the trigger tries again at every health check, and a delivery this process runs saves it too.`,
			meta,
		);
	} else {
		ctx.logger.debug(
			`Mando Trigger's periodic registration sync did not reach its own webhook URL (${outcome.why}).`,
			meta,
		);
	}
	return result;
}
