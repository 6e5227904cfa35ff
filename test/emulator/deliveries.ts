import http from 'http';
import https from 'https';

import { getMandoEventDefinition, MANDO_EVENTS } from '../../nodes/shared/events';
import type { MandoEvent } from '../../nodes/shared/events';
import { signMandoPayload } from '../../nodes/shared/signature';
import { clone, hex, isObject } from './common';
import { record, store, webhookById } from './state';
import type { EmulatorState } from './state';
import type { EmitOptions, EmitResult, EmulatorDelivery, EmulatorWebhook } from './types';
import { disableWebhook } from './webhooks';

/** Mando's webhook sender: signed deliveries, the retry schedule, disabling after the last failure. */

/**
 * Delay before each delivery attempt, in milliseconds, counted from the end of the previous
 * failed attempt: attempt 1 immediately, 2 after 1 minute, 3 after 5 minutes, 4 after 30 minutes,
 * 5 after 2 hours (Mando webhook docs, "Retry policy"; about 2 h 36 min from first to last).
 * The emulator multiplies these by `timeScale`.
 */
export const MANDO_RETRY_DELAYS_MS: readonly number[] = [0, 60_000, 300_000, 1_800_000, 7_200_000];

/** Attempts per delivery before Mando gives up and disables the webhook (Mando webhook docs). */
export const MANDO_MAX_DELIVERY_ATTEMPTS = MANDO_RETRY_DELAYS_MS.length;

/** `data.disabled_reason` of a webhook disabled by failed deliveries (wording is the emulator's). */
export const MANDO_DISABLED_REASON = 'Disabled after 5 failed delivery attempts';

/** The `User-Agent` of every delivery the emulator makes. */
export const EMULATOR_USER_AGENT = 'Mando-Webhooks/1.0 (emulator)';

/** Most envelopes one emitted body may hold (emulator extension). */
const MAX_BATCH = 1000;

/** One delivery: the same body posted on every attempt. */
interface DeliveryJob {
	deliveryId: string;
	webhookId: string;
	body: Buffer;
	eventIds: string[];
	eventType: string;
}

/** The outcome of one POST. */
interface PostResult {
	/** HTTP status, or null when none arrived. */
	status: number | null;
	error?: string;
	durationMs: number;
}

/** Posts one delivery; never rejects. Tracks the request in `inFlight` so `close()` can abort it. */
function postDelivery(
	target: string,
	body: Buffer,
	headers: Record<string, string>,
	timeoutMs: number,
	inFlight: Set<http.ClientRequest>,
): Promise<PostResult> {
	const started = Date.now();
	return new Promise<PostResult>((resolve) => {
		let settled = false;
		let timer: NodeJS.Timeout | undefined;
		const finish = (status: number | null, error?: string): void => {
			if (settled) return;
			settled = true;
			clearTimeout(timer);
			resolve({ status, error, durationMs: Date.now() - started });
		};
		let url: URL;
		try {
			url = new URL(target);
		} catch {
			finish(null, 'Invalid webhook URL');
			return;
		}
		const transport = url.protocol === 'https:' ? https : http;
		const req = transport.request(url, {
			method: 'POST',
			agent: false,
			headers: { ...headers, 'content-length': String(body.length), connection: 'close' },
		});
		inFlight.add(req);
		timer = setTimeout(() => {
			finish(null, `No answer within ${timeoutMs} ms`);
			req.destroy();
		}, timeoutMs);
		req.on('response', (res) => {
			finish(res.statusCode ?? null);
			res.on('error', () => undefined);
			res.on('close', () => inFlight.delete(req));
			res.resume();
		});
		req.on('error', (error: NodeJS.ErrnoException) =>
			finish(null, error.code ? `${error.code}: ${error.message}` : error.message),
		);
		req.on('close', () => {
			inFlight.delete(req);
			finish(null, 'Connection closed without an answer');
		});
		req.end(body);
	});
}

/** Runs `fn` after `delayMs`; `cancelPending` clears the timer. */
function schedule(state: EmulatorState, fn: () => void, delayMs: number): void {
	const timer = setTimeout(() => {
		state.timers.delete(timer);
		fn();
	}, delayMs);
	state.timers.add(timer);
}

/** The headers of a delivery: JSON, the emulator's user agent, `X-Mando-Signature` of `body`. */
function deliveryHeaders(
	state: EmulatorState,
	body: Buffer,
	hook: EmulatorWebhook,
): Record<string, string> {
	return {
		'content-type': 'application/json',
		'user-agent': EMULATOR_USER_AGENT,
		'x-mando-signature': signMandoPayload(body, hook.secret ?? state.config.webhookSecret),
	};
}

/** Makes attempt `n` of `job`, then schedules the next one or disables the webhook. */
async function attempt(state: EmulatorState, job: DeliveryJob, n: number): Promise<void> {
	const gen = state.generation;
	const hook = webhookById(state, job.webhookId);
	const base = {
		deliveryId: job.deliveryId,
		webhookId: job.webhookId,
		eventIds: [...job.eventIds],
		eventType: job.eventType,
		attempt: n,
	};
	if (!hook || !hook.active) {
		record(state, {
			...base,
			url: hook?.url ?? '',
			at: new Date().toISOString(),
			status: null,
			error: 'Webhook is inactive',
			durationMs: 0,
			outcome: 'skipped',
		});
		return;
	}
	const at = new Date().toISOString();
	const url = hook.url;
	const result = await postDelivery(
		url,
		job.body,
		deliveryHeaders(state, job.body, hook),
		state.config.deliveryTimeoutMs,
		state.inFlight,
	);
	if (state.closed || gen !== state.generation) return; // reset or closed meanwhile: forget it
	const ok = result.status !== null && result.status >= 200 && result.status < 300;
	const delivery: EmulatorDelivery = {
		...base,
		url,
		at,
		status: result.status,
		durationMs: result.durationMs,
		outcome: ok ? 'ok' : 'failed',
	};
	if (!ok) delivery.error = result.error ?? `HTTP ${result.status}`;
	if (!ok && n >= MANDO_MAX_DELIVERY_ATTEMPTS) disableWebhook(hook, MANDO_DISABLED_REASON, state); // before recording, so waiters see it
	record(state, delivery);
	if (!ok && n < MANDO_MAX_DELIVERY_ATTEMPTS) {
		schedule(
			state,
			() => void attempt(state, job, n + 1),
			MANDO_RETRY_DELAYS_MS[n] * state.config.timeScale,
		);
	}
}

/**
 * Emits an event to every active webhook subscribed to `type`; see `Emulator.emit`.
 *
 * @throws Error for an undocumented type or invalid options
 */
export async function emit(
	state: EmulatorState,
	type: string,
	emitOptions: EmitOptions = {},
): Promise<EmitResult> {
	if (state.closed) throw new Error('Emulator is closed');
	const definition = getMandoEventDefinition(type);
	if (!definition)
		throw new Error(
			`Unknown event type "${type}"; documented: ${MANDO_EVENTS.map((e) => e.type).join(', ')}`,
		);
	const { id, data, batch = 1 } = emitOptions;
	if (id !== undefined && (typeof id !== 'string' || id.length === 0))
		throw new Error('id must be a non-empty string');
	if (data !== undefined && !isObject(data)) throw new Error('data must be a JSON object');
	if (!Number.isInteger(batch) || batch < 1 || batch > MAX_BATCH)
		throw new Error(`batch must be an integer from 1 to ${MAX_BATCH}`);

	const events: MandoEvent[] = [];
	for (let i = 0; i < batch; i++) {
		events.push({
			id: i === 0 && id !== undefined ? id : 'evt_' + hex(12),
			type: definition.type,
			created: new Date().toISOString(),
			data: clone((data ?? definition.sample) as MandoEvent['data']),
		});
	}
	if (type === 'sale.created') {
		for (const event of events) {
			const sale = clone(event.data) as Record<string, unknown>;
			const at = typeof sale.id === 'string' ? state.sales.findIndex((s) => s.id === sale.id) : -1;
			if (at >= 0) state.sales[at] = sale;
			else state.sales.push(sale);
		}
	}
	const body = Buffer.from(JSON.stringify(batch === 1 ? events[0] : events), 'utf8');
	const targets = [...store(state, 'webhook').values()].filter(
		(h) => h.active && (h as EmulatorWebhook).events.includes(type),
	);
	await Promise.all(
		targets.map((hook) =>
			attempt(
				state,
				{
					deliveryId: 'dlv_' + hex(12),
					webhookId: hook.id,
					body,
					eventIds: events.map((e) => e.id),
					eventType: type,
				},
				1,
			),
		),
	);
	return { event: clone(events[0]), events: clone(events), webhookIds: targets.map((h) => h.id) };
}

/** The string ids and the first type of the envelopes in `body`, as far as it is JSON. */
function describeBody(body: Buffer): { eventIds: string[]; eventType: string } {
	try {
		const parsed: unknown = JSON.parse(body.toString('utf8').replace(/^\uFEFF/, ''));
		const list = Array.isArray(parsed) ? parsed : [parsed];
		const first = list.find(isObject);
		return {
			eventIds: list
				.filter(isObject)
				.map((e) => e.id)
				.filter((v): v is string => typeof v === 'string'),
			eventType: first && typeof first.type === 'string' ? first.type : '',
		};
	} catch {
		return { eventIds: [], eventType: '' }; // not JSON: recorded without ids
	}
}

/**
 * Delivers `rawBody` exactly as given to an active webhook on Mando's retry schedule; see
 * `Emulator.deliver`.
 *
 * @returns the delivery id
 * @throws Error when no active webhook has that id
 */
export async function deliver(
	state: EmulatorState,
	webhookId: string,
	rawBody: string | Buffer,
): Promise<string> {
	if (state.closed) throw new Error('Emulator is closed');
	const hook = webhookById(state, webhookId);
	if (!hook || !hook.active) throw new Error(`No active webhook with id "${webhookId}"`);
	const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
	const deliveryId = 'dlv_' + hex(12);
	await attempt(state, { deliveryId, webhookId, body, ...describeBody(body) }, 1);
	return deliveryId;
}

/**
 * Posts `rawBody` exactly as given to the webhook's URL, once; see `Emulator.send`.
 *
 * @throws Error when no webhook has that id
 */
export async function send(
	state: EmulatorState,
	webhookId: string,
	rawBody: string | Buffer,
	headers: Record<string, string | null> = {},
): Promise<EmulatorDelivery> {
	if (state.closed) throw new Error('Emulator is closed');
	const hook = webhookById(state, webhookId);
	if (!hook) throw new Error(`No webhook with id "${webhookId}"`);
	const body = Buffer.isBuffer(rawBody) ? rawBody : Buffer.from(rawBody, 'utf8');
	const merged: Record<string, string> = deliveryHeaders(state, body, hook);
	for (const [name, value] of Object.entries(headers)) {
		if (value === null) delete merged[name.toLowerCase()];
		else merged[name.toLowerCase()] = value;
	}
	const { eventIds, eventType } = describeBody(body);
	const at = new Date().toISOString();
	const gen = state.generation;
	const result = await postDelivery(
		hook.url,
		body,
		merged,
		state.config.deliveryTimeoutMs,
		state.inFlight,
	);
	const ok = result.status !== null && result.status >= 200 && result.status < 300;
	const delivery: EmulatorDelivery = {
		deliveryId: 'dlv_' + hex(12),
		webhookId,
		url: hook.url,
		eventIds,
		eventType,
		attempt: 1,
		at,
		status: result.status,
		durationMs: result.durationMs,
		outcome: ok ? 'ok' : 'failed',
	};
	if (!ok) delivery.error = result.error ?? `HTTP ${result.status}`;
	return state.closed || gen !== state.generation ? delivery : record(state, delivery);
}

/** Calls `listener` with each delivery record as it is made; returns an unsubscribe function. */
export function onDelivery(
	state: EmulatorState,
	listener: (delivery: EmulatorDelivery) => void,
): () => void {
	state.listeners.add(listener);
	return () => void state.listeners.delete(listener);
}

/**
 * Resolves with all delivery records once `predicate(records)` is true; see
 * `Emulator.waitForDeliveries`.
 *
 * @throws Error after `timeoutMs`, or when the emulator closes first
 */
export function waitForDeliveries(
	state: EmulatorState,
	predicate: (deliveries: EmulatorDelivery[]) => boolean,
	timeoutMs = 5000,
): Promise<EmulatorDelivery[]> {
	return new Promise<EmulatorDelivery[]>((resolve, reject) => {
		if (state.closed) return reject(new Error('Emulator is closed'));
		const now = clone(state.deliveries);
		if (predicate(now)) return resolve(now);
		const done = (): void => {
			clearTimeout(timer);
			off();
			state.waiters.delete(fail);
		};
		const fail = (error: Error): void => {
			done();
			reject(error);
		};
		const off = onDelivery(state, () => {
			const snapshot = clone(state.deliveries);
			if (!predicate(snapshot)) return;
			done();
			resolve(snapshot);
		});
		const timer = setTimeout(
			() =>
				fail(
					new Error(
						`waitForDeliveries: condition not met within ${timeoutMs} ms (${state.deliveries.length} deliveries recorded)`,
					),
				),
			timeoutMs,
		);
		state.waiters.add(fail);
	});
}
