import {
	sleep,
	type IExecuteFunctions,
	type IHookFunctions,
	type IWebhookFunctions,
	type IWebhookResponseData,
} from 'n8n-workflow';

import { eventItems, readEventOutput } from '../shared/eventOutput';
import { MANDO_SIGNATURE_HEADER, signatureHeaderProblem } from '../shared/signature';
import { recentEventIdsFor, triggerDedup, type TriggerDedup } from './dedup';
import type { MalformedMember } from './envelope';
import {
	decideDelivery,
	signatureRejection,
	type AcknowledgeMode,
	type DeliveryCounts,
	type DeliveryDecision,
} from './receive';
import { registeredSecret } from './lifecycle';
import { credentialSecret, SecretUnavailableError } from './secret';

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
export function registrationKey(
	ctx: IHookFunctions | IWebhookFunctions | IExecuteFunctions,
): 'test' | 'production' {
	return ctx.getMode() === 'manual' ? 'test' : 'production';
}

/**
 * This trigger node's de-duplication over its static data (in a run: the execution's) and its
 * in-process memory. The test and production registrations de-duplicate independently: Mando
 * delivers every event to both while the editor listens for a test event.
 */
export function nodeDedup(ctx: IWebhookFunctions | IExecuteFunctions): TriggerDedup {
	const recent = recentEventIdsFor(
		`${ctx.getWorkflow().id}:${ctx.getNode().id}:${registrationKey(ctx)}`,
	);
	return triggerDedup(ctx.getWorkflowStaticData('node'), recent);
}

/** Answers `{ code, message }` with `status` unless an answer went out already; n8n sends nothing more. */
export function respond(
	ctx: IWebhookFunctions,
	status: number,
	code: string,
	message: string,
): IWebhookResponseData {
	answer(ctx, status, { code, message });
	return { noWebhookResponse: true };
}

/** Writes `body` as JSON with `status` unless an answer went out already. */
function answer(ctx: IWebhookFunctions, status: number, body: object): void {
	const res = ctx.getResponseObject();
	if (!res.headersSent) res.status(status).json(body);
}

/**
 * Acknowledges a verified delivery that starts no run (every event a duplicate or not selected)
 * with 200 `{ ok: true, ...counts }` at once: nothing is left to store.
 */
function acknowledgeNow(ctx: IWebhookFunctions, counts: DeliveryCounts): void {
	answer(ctx, 200, { ok: true, ...counts });
}

/**
 * How long, in ms, the trigger waits for n8n's own answer under "Immediately" before it may answer
 * itself. n8n 2.x answers an `onReceived` webhook when `WorkflowRunner.run` returns (webhook-helpers.js
 * `executeWebhook`, `shouldDeferOnReceivedResponse`): the execution is stored by then, so a restart
 * resumes or finishes it. Under a production concurrency limit that answer also waits for a free
 * slot (`ActiveExecutions.add` reserves it after storing the execution; n8n-io/n8n#29726), which
 * can take longer than the 5 s Mando waits (receiver duties: Mando webhook docs).
 */
export const ACK_FALLBACK_MS = 300;

/** How often, in ms, the trigger looks again while n8n's process is busy. */
const ACK_RECHECK_MS = 100;

/**
 * Event-loop utilisation (0–1, Node's `performance.eventLoopUtilization`) of n8n's process over the
 * last wait at or below which n8n counts as idle: it is then waiting for a concurrency slot with the
 * run stored, not working toward storing it, and the trigger answers. A busy process is still
 * storing runs (a burst of deliveries): the trigger keeps waiting for n8n's answer, whose delay
 * then slows the sender instead of acknowledging runs that are not stored yet. The bar is low
 * because a database that works outside the event loop (SQLite's thread pool, PostgreSQL across the
 * network) leaves a loop that stores runs partly idle: on a patched n8n without the webhook-phase
 * isolate, a 20-connection burst had 5 of 160 answers at 0.5; at 0.25 a run holding the only slot
 * behind a Wait still lets the trigger answer (bench "Concurrency limit").
 */
export const IDLE_UTILISATION = 0.25;

/** Mando gives up on an answer after this many ms (Mando webhook docs); the trigger stops waiting then. */
const MANDO_ANSWER_LIMIT_MS = 5_000;

/**
 * Under "Immediately": lets n8n answer with `{ ok: true, ...counts }` once it has stored the run.
 * If n8n has not answered after {@link ACK_FALLBACK_MS} and its process was idle meanwhile (see
 * {@link IDLE_UTILISATION}), the trigger answers the same itself, plus `early: true`. n8n writes its
 * own answer later without checking whether one went out (webhook-request-handler.js
 * `sendStaticResponse`), so the response then ignores further writes; an error status among them
 * means n8n could not store the run after all, which the trigger logs with the event ids (Mando
 * has its 200 and will not re-send them).
 */
function acknowledgeOnceStored(
	ctx: IWebhookFunctions,
	counts: DeliveryCounts,
	ids: readonly string[],
): object {
	const res = ctx.getResponseObject();
	const answered = () => res.headersSent || res.writableEnded || res.destroyed;
	void (async () => {
		const started = Date.now();
		for (
			let wait = ACK_FALLBACK_MS;
			Date.now() - started < MANDO_ANSWER_LIMIT_MS;
			wait = ACK_RECHECK_MS
		) {
			const before = performance.eventLoopUtilization();
			await sleep(wait);
			if (answered()) return;
			if (performance.eventLoopUtilization(before).utilization <= IDLE_UTILISATION) {
				answer(ctx, 200, { ok: true, ...counts, early: true });
				ignoreLaterWrites(res, (status) => {
					if (status < 400) return;
					ctx.logger.error(
						`Mando Trigger answered Mando 200 while the run waited for a slot, but n8n then failed to start it (${status}): events ${ids.join(', ')} did not run and Mando will not re-send them; re-send them from Mando or run them by hand`,
						logContext(ctx),
					);
				});
				return;
			}
		}
	})();
	return { ok: true, ...counts };
}

/**
 * Makes the write methods n8n and express use no-ops on a response that has been answered;
 * `onStatus` hears each status n8n still tries to set.
 */
function ignoreLaterWrites(
	res: ReturnType<IWebhookFunctions['getResponseObject']>,
	onStatus: (status: number) => void,
): void {
	const ignored = function (this: typeof res) {
		return this;
	};
	for (const method of [
		'set',
		'header',
		'setHeader',
		'writeHead',
		'send',
		'json',
		'end',
	] as const) {
		Object.defineProperty(res, method, { value: ignored, configurable: true, writable: true });
	}
	Object.defineProperty(res, 'status', {
		value: function (this: typeof res, status: number) {
			onStatus(status);
			return this;
		},
		configurable: true,
		writable: true,
	});
}

function logContext(ctx: IWebhookFunctions) {
	return { workflowId: ctx.getWorkflow().id, node: ctx.getNode().name };
}

/**
 * The request body exactly as sent (the bytes the signature covers), or `undefined` after logging
 * why when it cannot be read.
 */
export async function readRawBody(ctx: IWebhookFunctions): Promise<Buffer | undefined> {
	const req = ctx.getRequestObject() as ReturnType<IWebhookFunctions['getRequestObject']> &
		RawRequest;
	if (req.rawBody === undefined && typeof req.readRawBody === 'function') {
		try {
			await req.readRawBody();
		} catch (error) {
			// n8n consumed the body already (it parses multipart/form-data before the node runs) or
			// the sender went away: the bytes the signature covers are gone.
			ctx.logger.warn(
				`Mando Trigger rejected a delivery (400): the body could not be read (${(error as Error).message})`,
				logContext(ctx),
			);
			return undefined;
		}
	}
	return Buffer.isBuffer(req.rawBody) ? req.rawBody : Buffer.alloc(0);
}

/** True while the sender still waits for the answer (it has not hung up). */
function senderWaiting(ctx: IWebhookFunctions): boolean {
	const res = ctx.getResponseObject();
	return !res.destroyed && !res.writableEnded && res.socket?.destroyed !== true;
}

/** The credential field that holds the webhook signing secret, as the editor names it. */
const SECRET_FIELD = 'Webhook Signing Secret (webhookSecret)';

/**
 * Decides on a delivery: verifies it with the webhook's own secret when the registration stored
 * one, else with the credential's (see `credentialSecret`: reused between deliveries, read again
 * after a mismatch at most once per few seconds), then de-duplicates. A missing or malformed
 * `X-Mando-Signature` is refused before any secret is read; a credential secret that cannot be
 * read is a 401 that names the credential field.
 */
export async function decide(ctx: IWebhookFunctions, rawBody: Buffer): Promise<DeliveryDecision> {
	const signature = ctx.getRequestObject().headers[MANDO_SIGNATURE_HEADER];
	// Refused before any secret is looked up: the cheapest request must not cost a credential read.
	const headerProblem = signatureHeaderProblem(signature);
	if (headerProblem) return signatureRejection(headerProblem);
	const events = ctx.getNodeParameter('events', []) as string[];
	const input = {
		rawBody,
		signature,
		secret: await registeredSecret(ctx),
		selected: events.includes('*') ? ('*' as const) : new Set(events),
		acknowledge: ctx.getNodeParameter('acknowledge', 'immediately') as AcknowledgeMode,
		dedup: nodeDedup(ctx),
		connectionOpen: senderWaiting(ctx),
		now: Date.now(),
	};
	if (input.secret) return decideDelivery(input);
	const secretKey = `${ctx.getWorkflow().id}:${ctx.getNode().id}:${ctx.getNode().credentials?.mandoApi?.id ?? ''}`;
	const load = async () => {
		const credentials = await ctx.getCredentials('mandoApi');
		return typeof credentials.webhookSecret === 'string' ? credentials.webhookSecret : undefined;
	};
	try {
		const first = await credentialSecret(secretKey, load, input.now);
		const decision = decideDelivery({ ...input, secret: first.secret });
		if (!first.reused || decision.action !== 'reject' || decision.reason !== 'mismatch')
			return decision;
		const fresh = await credentialSecret(secretKey, load, input.now, true);
		return fresh.reused ? decision : decideDelivery({ ...input, secret: fresh.secret });
	} catch (error) {
		// credentialSecret turns every failure to read the credential into a SecretUnavailableError
		const cause = error instanceof SecretUnavailableError ? error.message : String(error);
		ctx.logger.warn(
			`Mando Trigger could not read the credential's ${SECRET_FIELD}: ${cause}`,
			logContext(ctx),
		);
		return {
			action: 'reject',
			status: 401,
			reason: 'secret-unavailable',
			message: `The Mando credential's ${SECRET_FIELD} could not be resolved, so the delivery cannot be verified; fix that field in the credential`,
		};
	}
}

/** Most malformed members logged one by one per delivery; the rest are counted in one line. */
const MALFORMED_LOGGED = 20;

/** Logs a verified delivery's malformed members by position (counted from 1) and id, never their data. */
function logMalformed(
	ctx: IWebhookFunctions,
	malformed: MalformedMember[],
	received: number,
): void {
	for (const m of malformed.slice(0, MALFORMED_LOGGED)) {
		ctx.logger.warn(
			`Mando Trigger skipped member ${m.index + 1} of ${received}${m.id === undefined ? '' : ` (id "${m.id}")`} of a signed delivery: it ${m.problem}`,
			logContext(ctx),
		);
	}
	if (malformed.length > MALFORMED_LOGGED) {
		ctx.logger.warn(
			`Mando Trigger skipped ${malformed.length - MALFORMED_LOGGED} more malformed members of the same delivery`,
			logContext(ctx),
		);
	}
}

/** Answers a delivery that starts no run: rejected, still running elsewhere, or nothing new. */
export function answerWithoutRun(
	ctx: IWebhookFunctions,
	decision: Exclude<DeliveryDecision, RunDecision>,
): IWebhookResponseData {
	switch (decision.action) {
		case 'reject':
			ctx.logger.warn(
				`Mando Trigger rejected a delivery (${decision.status}): ${decision.message}`,
				logContext(ctx),
			);
			return respond(
				ctx,
				decision.status,
				decision.reason === 'secret-unavailable' ? 'SECRET_UNAVAILABLE' : 'INVALID_SIGNATURE',
				decision.message,
			);
		case 'retry-later':
			logMalformed(ctx, decision.malformed, decision.counts.received);
			return respond(ctx, decision.status, 'IN_PROGRESS', decision.message);
		case 'acknowledge':
			logMalformed(ctx, decision.malformed, decision.counts.received);
			acknowledgeNow(ctx, decision.counts);
			return { noWebhookResponse: true };
	}
}

/**
 * Starts the run for a delivery's new events: one item per event, shaped by the node's Output
 * (see `readEventOutput`). Under "Immediately" n8n answers 200 with the counts once it has stored the
 * run, or the trigger does while the run waits for a concurrency slot (see {@link acknowledgeOnceStored}); under
 * "After the workflow succeeds" n8n answers when the run ends (2xx on success, an error status on
 * failure). The answer settles the de-duplication: a duplicate is skipped after a 2xx, and runs
 * again after an error answer (n8n could not store the run, or the run failed). n8n writes the
 * answer even when the sender has hung up meanwhile, so the outcome is taken from the answer as it
 * ends, not from the connection; an answer that never comes leaves only the bounded in-flight mark.
 */
export function startRun(ctx: IWebhookFunctions, decision: RunDecision): IWebhookResponseData {
	logMalformed(ctx, decision.malformed, decision.counts.received);
	const workflowData = [eventItems(decision.events, readEventOutput(ctx))];
	const acknowledge = ctx.getNodeParameter('acknowledge', 'immediately') as AcknowledgeMode;
	const ids = decision.events.map((e) => e.id);
	settleOnAnswer(ctx, nodeDedup(ctx), ids);
	if (acknowledge === 'afterSuccess') return { workflowData };
	return { workflowData, webhookResponse: acknowledgeOnceStored(ctx, decision.counts, ids) };
}

/** Settles `ids` once n8n ends the answer: success for a 2xx status, failure otherwise. */
function settleOnAnswer(ctx: IWebhookFunctions, dedup: TriggerDedup, ids: string[]): void {
	const res = ctx.getResponseObject();
	const end = res.end;
	res.end = function (this: typeof res, ...args: unknown[]) {
		res.end = end;
		dedup.settle(ids, res.statusCode >= 200 && res.statusCode < 300, Date.now());
		return (end as (...a: unknown[]) => typeof res).apply(this, args);
	} as typeof res.end;
}
