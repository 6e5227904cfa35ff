import autocannon from 'autocannon';
import { randomBytes } from 'crypto';

import { signMandoPayload } from '../nodes/shared/signature';
import { makeBody } from './inprocess';

/**
 * The bench's load: signed Mando deliveries (1 KiB `sale.created` bodies, each with its own event
 * id and `X-Mando-Signature`, made before they are sent) and the ways they are sent — autocannon
 * at a number of connections, autocannon at a fixed overall rate, and a small bounded sender for
 * replays, duplicate pairs and forged requests.
 */

/** One signed delivery. */
export interface Delivery {
	id: string;
	body: Buffer;
	signature: string;
}

/** Signed deliveries made on demand from one template; every id is new. */
export class Deliveries {
	private readonly template: Buffer;
	private readonly idOffset: number;
	private readonly prefix = randomBytes(3).toString('hex');
	private made = 0;
	/** Ids handed out by {@link take}, in order. */
	readonly taken: string[] = [];

	constructor(
		private readonly secret: string,
		bodyBytes = 1024,
	) {
		const { body, idOffset } = makeBody(bodyBytes);
		this.template = body;
		this.idOffset = idOffset;
	}

	/** A new signed delivery (not recorded in {@link taken}). */
	make(): Delivery {
		const body = Buffer.from(this.template);
		const digits = (this.prefix + (++this.made).toString(16)).padStart(24, '0');
		body.write(digits, this.idOffset, 'latin1');
		return { id: 'evt_' + digits, body, signature: signMandoPayload(body, this.secret) };
	}

	/** A new signed delivery, recorded in {@link taken}. */
	take(): Delivery {
		const d = this.make();
		this.taken.push(d.id);
		return d;
	}

	/** The delivery of an id made earlier (same bytes, same signature). */
	again(id: string): Delivery {
		const body = Buffer.from(this.template);
		body.write(id.slice(4), this.idOffset, 'latin1');
		return { id, body, signature: signMandoPayload(body, this.secret) };
	}
}

/** What one autocannon run measured. */
export interface LoadStats {
	durationS: number;
	requests: number;
	ok2xx: number;
	non2xx: number;
	errors: number;
	timeouts: number;
	/** 2xx answers per second. */
	rps: number;
	p50Ms: number;
	p99Ms: number;
	maxMs: number;
	/** 2xx answers the Mando Trigger wrote itself because n8n had not answered within its fallback delay (`"early":true`). */
	early: number;
}

/**
 * Sends signed deliveries to `url` for `durationS` seconds: `connections` connections back to
 * back, or, with `ratePerS`, that many requests per second overall (autocannon's `overallRate`).
 * A request unanswered after `timeoutS` counts as a timeout (Mando gives up at 5 s).
 */
export async function autocannonLoad(
	url: string,
	deliveries: Deliveries,
	options: { connections: number; durationS: number; ratePerS?: number; timeoutS?: number },
): Promise<LoadStats> {
	let early = 0;
	const result = await autocannon({
		url,
		method: 'POST',
		connections: options.connections,
		duration: options.durationS,
		timeout: options.timeoutS ?? 10,
		...(options.ratePerS ? { overallRate: options.ratePerS } : {}),
		requests: [
			{
				method: 'POST',
				setupRequest: (request) => {
					const { body, signature } = deliveries.take();
					return {
						...request,
						body,
						headers: { 'content-type': 'application/json', 'x-mando-signature': signature },
					} as unknown as autocannon.Request;
				},
				onResponse: (status: number, body: string) => {
					if (status === 200 && body.includes('"early":true')) early++;
				},
			},
		],
	});
	return {
		durationS: options.durationS,
		requests: result.requests.total,
		ok2xx: result['2xx'],
		non2xx: result.non2xx,
		errors: result.errors,
		timeouts: result.timeouts,
		rps: result['2xx'] / options.durationS,
		p50Ms: result.latency.p50,
		p99Ms: result.latency.p99,
		maxMs: result.latency.max,
		early,
	};
}

/** One request's outcome from {@link send}. */
export interface Answer {
	status: number;
	ms: number;
	/** The Mando Trigger wrote this answer itself after its fallback delay (`"early":true`). */
	early: boolean;
}

/**
 * POSTs one delivery (or a forged one: `signature` replaced) and returns its status (0 on a
 * network error or after `timeoutMs`) and time.
 */
export async function send(
	url: string,
	delivery: Delivery,
	timeoutMs = 30_000,
	signature = delivery.signature,
): Promise<Answer> {
	const started = performance.now();
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers: { 'content-type': 'application/json', 'x-mando-signature': signature },
			body: delivery.body,
			signal: AbortSignal.timeout(timeoutMs),
		});
		const text = await res.text();
		return {
			status: res.status,
			ms: performance.now() - started,
			early: text.includes('"early":true'),
		};
	} catch {
		return { status: 0, ms: performance.now() - started, early: false };
	}
}

/** Runs `jobs` with at most `concurrency` at once; results in job order. */
export async function pool<T>(jobs: Array<() => Promise<T>>, concurrency: number): Promise<T[]> {
	const results: T[] = new Array(jobs.length);
	let next = 0;
	const lane = async () => {
		while (next < jobs.length) {
			const i = next++;
			results[i] = await jobs[i]();
		}
	};
	await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, lane));
	return results;
}

/** A well-formed `X-Mando-Signature` made with another secret. */
export const forgedSignature = () => 'sha256=' + randomBytes(32).toString('hex');

/** Percentile (nearest rank) of `values`, 0 when empty. */
export function percentile(values: number[], p: number): number {
	if (!values.length) return 0;
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/**
 * Open-loop load, as Mando sends: one new signed delivery every 1000/`ratePerS` ms for
 * `durationS` seconds whatever the answers, each with its own connection as needed and a
 * `timeoutMs` client timeout (Mando's 5 s); waits for the last answers.
 */
export async function fixedRateLoad(
	url: string,
	deliveries: Deliveries,
	ratePerS: number,
	durationS: number,
	timeoutMs = 5000,
): Promise<LoadStats> {
	const count = Math.round(ratePerS * durationS);
	const started = performance.now();
	const pending: Array<Promise<Answer>> = [];
	for (let i = 0; i < count; i++) {
		const due = started + (i * 1000) / ratePerS;
		const wait = due - performance.now();
		if (wait > 0) await new Promise((r) => setTimeout(r, wait));
		pending.push(send(url, deliveries.take(), timeoutMs));
	}
	const answers = await Promise.all(pending);
	const ok = answers.filter((a) => a.status >= 200 && a.status < 300);
	const ms = answers.map((a) => a.ms);
	return {
		durationS,
		requests: answers.length,
		ok2xx: ok.length,
		non2xx: answers.filter((a) => a.status !== 0 && (a.status < 200 || a.status >= 300)).length,
		errors: 0,
		early: answers.filter((a) => a.early).length,
		timeouts: answers.filter((a) => a.status === 0).length,
		rps: ok.length / durationS,
		p50Ms: Math.round(percentile(ms, 50)),
		p99Ms: Math.round(percentile(ms, 99)),
		maxMs: Math.round(Math.max(0, ...ms)),
	};
}
