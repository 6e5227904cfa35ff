import type { IDataObject, IExecuteFunctions, IHookFunctions, IWebhookFunctions, IWebhookResponseData } from 'n8n-workflow';

import { MANDO_SIGNATURE_HEADER } from '../shared/signature';
import { recentEventIdsFor, triggerDedup, type TriggerDedup } from './dedup';
import { decideDelivery, type AcknowledgeMode, type DeliveryDecision } from './receive';
import type { StoredRegistration } from './registration';
import { credentialSecret } from './secret';

/**
 * The Mando Trigger's delivery path between n8n and the pure decision ({@link decideDelivery}):
 * reading the raw body, finding the secret, answering, and starting the run.
 */

type RawRequest = { rawBody?: Buffer; readRawBody?: () => Promise<void> };

/** The run-starting outcome of {@link decideDelivery}. */
export type RunDecision = Extract<DeliveryDecision, { action: 'run' }>;

/**
 * `test` while the editor listens for a test event (n8n runs test webhooks in `manual` mode),
 * `production` otherwise. The two registrations never share state.
 */
export function registrationKey(ctx: IHookFunctions | IWebhookFunctions | IExecuteFunctions): 'test' | 'production' {
	return ctx.getMode() === 'manual' ? 'test' : 'production';
}

/**
 * This trigger node's de-duplication over its static data (in a run: the execution's) and its
 * in-process memory. The test and production registrations de-duplicate independently: Mando
 * delivers every event to both while the editor listens for a test event.
 */
export function nodeDedup(ctx: IWebhookFunctions | IExecuteFunctions): TriggerDedup {
	const recent = recentEventIdsFor(`${ctx.getWorkflow().id}:${ctx.getNode().id}:${registrationKey(ctx)}`);
	return triggerDedup(ctx.getWorkflowStaticData('node'), recent);
}

/** Answers `{ code, message }` with `status` unless an answer went out already; n8n sends nothing more. */
export function respond(ctx: IWebhookFunctions, status: number, code: string, message: string): IWebhookResponseData {
	const res = ctx.getResponseObject();
	if (!res.headersSent) res.status(status).json({ code, message });
	return { noWebhookResponse: true };
}

function logContext(ctx: IWebhookFunctions) {
	return { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name };
}

/**
 * The request body exactly as sent (the bytes the signature covers), or `undefined` after logging
 * why when it cannot be read.
 */
export async function readRawBody(ctx: IWebhookFunctions): Promise<Buffer | undefined> {
	const req = ctx.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> & RawRequest;
	if (req.rawBody === undefined && typeof req.readRawBody === 'function') {
		try {
			await req.readRawBody();
		} catch (error) {
			// n8n consumed the body already (it parses multipart/form-data before the node runs) or
			// the sender went away: the bytes the signature covers are gone.
			ctx.logger.warn(`Mando Trigger rejected a delivery (400): the body could not be read (${(error as Error).message})`, logContext(ctx));
			return undefined;
		}
	}
	return Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0);
}

/**
 * Decides on a delivery: verifies it with the webhook's own secret when the registration stored
 * one, else with the credential's (reused between deliveries, read again at once when a delivery
 * does not verify with the reused one), then de-duplicates.
 */
export async function decide(ctx: IWebhookFunctions, rawBody: Buffer): Promise<DeliveryDecision> {
	const registrations = ctx.getWorkflowStaticData('node').registrations as Record<string, StoredRegistration> | undefined;
	const events = ctx.getNodeParameter('events', []) as string[];
	const input = {
		rawBody,
		signature: ctx.getRequestObject().headers[MANDO_SIGNATURE_HEADER],
		secret: registrations?.[registrationKey(ctx)]?.secret,
		selected: events.includes('*') ? ('*' as const) : new Set(events),
		acknowledge: ctx.getNodeParameter('acknowledge', 'immediately') as AcknowledgeMode,
		dedup: nodeDedup(ctx),
		now: Date.now(),
	};
	if (input.secret) return decideDelivery(input);
	const secretKey = `${ctx.getWorkflow().id}:${ctx.getNode().id}:${ctx.getNode().credentials?.mandoApi?.id ?? ''}`;
	const load = async () => {
		const credentials = await ctx.getCredentials('mandoApi');
		return typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret : undefined;
	};
	const first = await credentialSecret(secretKey, load, input.now);
	const decision = decideDelivery({ ...input, secret: first.secret });
	if (first.reused && decision.action === 'reject' && decision.status === 401) {
		return decideDelivery({ ...input, secret: (await credentialSecret(secretKey, load, input.now, true)).secret });
	}
	return decision;
}

/** Answers a delivery that starts no run: rejected, still running elsewhere, or nothing new. */
export function answerWithoutRun(ctx: IWebhookFunctions, decision: Exclude<DeliveryDecision, RunDecision>): IWebhookResponseData {
	switch (decision.action) {
		case 'reject':
			ctx.logger.warn(`Mando Trigger rejected a delivery (${decision.status}): ${decision.message}`, logContext(ctx));
			return respond(ctx, decision.status, decision.status === 401 ? 'INVALID_SIGNATURE' : 'BAD_REQUEST', decision.message);
		case 'retry-later':
			return respond(ctx, decision.status, 'IN_PROGRESS', decision.message);
		case 'acknowledge':
			return { webhookResponse: { ok: true, ...decision.counts } };
	}
}

/**
 * Starts the run for a delivery's new events: one item per event (the envelope, or its `data`
 * under "Event Data Only"). Under "After the workflow succeeds" n8n answers when the run ends
 * (2xx on success, an error status on failure); the outcome settles the de-duplication, so a
 * duplicate is skipped after success and re-runs after failure.
 */
export function startRun(ctx: IWebhookFunctions, decision: RunDecision): IWebhookResponseData {
	const acknowledge = ctx.getNodeParameter('acknowledge', 'immediately') as AcknowledgeMode;
	if (acknowledge === 'afterSuccess') {
		const res = ctx.getResponseObject();
		const ids = decision.events.map((e) => e.id);
		const dedup = nodeDedup(ctx);
		res.once('close', () => dedup.settle(ids, res.writableFinished && res.statusCode >= 200 && res.statusCode < 300, Date.now()));
	}
	const output = ctx.getNodeParameter('options.output', 'envelope') as 'envelope' | 'data';
	const items = decision.events.map((event) => ({
		json: (output === 'data' ? event.data : event) as unknown as IDataObject,
	}));
	return {
		workflowData: [items],
		...(acknowledge === 'immediately' ? { webhookResponse: { ok: true, ...decision.counts } } : {}),
	};
}
