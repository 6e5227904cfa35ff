import type { MandoEvent } from '../shared/events';
import { parseMandoDelivery, type MalformedMember } from './envelope';
import type { TriggerDedup } from './dedup';
import { verifyMandoSignature, type SignatureFailure } from '../shared/signature';

/**
 * What the trigger does with one webhook delivery, decided without any I/O: verify the
 * `X-Mando-Signature`, parse the envelope(s), drop event types not selected and event ids already
 * handled, and mark the rest in the de-duplication state.
 *
 * The rule: once the signature verifies, the answer is 2xx (Mando disables a webhook after its
 * retries fail, so an answer a retry cannot cure loses every later event), except a short
 * `409` while an earlier delivery of the same events is still running under "After the workflow
 * succeeds" (at most `IN_FLIGHT_MS`).
 */

/** When the trigger answers Mando: at once, or after the workflow has succeeded. */
export type AcknowledgeMode = 'immediately' | 'afterSuccess';

/** Input of {@link decideDelivery}. */
export interface DeliveryInput {
	/** Request body exactly as received. */
	rawBody: Buffer;
	/** `X-Mando-Signature` header value(s), if any. */
	signature: string | string[] | undefined;
	/** Secret to verify with (the webhook's own, else the credential's); may be empty. */
	secret: string | undefined;
	/** Event types to run for, or `'*'` for every type (unknown ones included). */
	selected: ReadonlySet<string> | '*';
	acknowledge: AcknowledgeMode;
	/** The node's de-duplication (persisted state and in-process memory). */
	dedup: TriggerDedup;
	/** False when the sender has hung up already: no in-flight mark is set (default true). */
	connectionOpen?: boolean;
	/** Current time, ms since epoch. */
	now: number;
}

/** Counts for the acknowledgement body and the logs. */
export interface DeliveryCounts {
	received: number;
	accepted: number;
	duplicates: number;
	ignored: number;
	/** Events whose earlier delivery is still running (Acknowledge "After the workflow succeeds"). */
	inFlight: number;
	/** Members that are not usable event envelopes (see `parseMandoDelivery`); logged, not run. */
	malformed: number;
}

/**
 * The outcome: reject (401, no execution), acknowledge without a run, answer 409 for now, or run
 * for `events`. A verified delivery's `malformed` members are listed for the log.
 */
export type DeliveryDecision =
	| {
			action: 'reject';
			status: 401;
			reason: SignatureFailure | 'secret-unavailable';
			message: string;
	  }
	| { action: 'acknowledge'; counts: DeliveryCounts; malformed: MalformedMember[] }
	| {
			action: 'retry-later';
			status: 409;
			counts: DeliveryCounts;
			malformed: MalformedMember[];
			message: string;
	  }
	| { action: 'run'; events: MandoEvent[]; counts: DeliveryCounts; malformed: MalformedMember[] };

const SIGNATURE_MESSAGES: Record<SignatureFailure, string> = {
	'no-secret':
		'No webhook signing secret is configured for this trigger, so the delivery cannot be verified',
	missing: 'Missing X-Mando-Signature header',
	malformed: 'Malformed X-Mando-Signature header (expected sha256=<64 hex digits>)',
	mismatch: 'X-Mando-Signature does not match the body',
};

/** The 401 answer for a delivery whose signature failed for `reason`. */
export function signatureRejection(reason: SignatureFailure): DeliveryDecision {
	return { action: 'reject', status: 401, reason, message: SIGNATURE_MESSAGES[reason] };
}

/**
 * Decides what to do with a delivery. Never throws.
 *
 * Marks accepted event ids: under `immediately` as handled (persisted and in memory); under
 * `afterSuccess` as in flight (in memory, at most `IN_FLIGHT_MS`; not when the sender has hung
 * up), so that a failed run's event is not treated as handled when Mando re-delivers it; the
 * caller settles the mark when the run's outcome is known. A delivery whose events are all still
 * in flight from an earlier delivery gets `retry-later` (409), so Mando re-delivers it later.
 */
export function decideDelivery(input: DeliveryInput): DeliveryDecision {
	const check = verifyMandoSignature(input.rawBody, input.signature, input.secret);
	if (!check.valid) return signatureRejection(check.reason);
	const { received, events: usable, malformed } = parseMandoDelivery(input.rawBody);
	const counts: DeliveryCounts = {
		received,
		accepted: 0,
		duplicates: 0,
		ignored: 0,
		inFlight: 0,
		malformed: malformed.length,
	};
	const selected = usable.filter(
		(event) => input.selected === '*' || input.selected.has(event.type),
	);
	counts.ignored = usable.length - selected.length;
	const verdicts = input.dedup.accept(
		selected.map((event) => event.id),
		input.acknowledge,
		input.now,
		input.connectionOpen ?? true,
	);
	const events: MandoEvent[] = [];
	selected.forEach((event, i) => {
		if (verdicts[i] === 'duplicate') counts.duplicates++;
		else if (verdicts[i] === 'in-flight') counts.inFlight++;
		else events.push(event);
	});
	counts.accepted = events.length;
	if (events.length > 0) return { action: 'run', events, counts, malformed };
	if (counts.inFlight > 0) {
		return {
			action: 'retry-later',
			status: 409,
			counts,
			malformed,
			message: 'An earlier delivery of this event is still running; deliver it again later',
		};
	}
	return { action: 'acknowledge', counts, malformed };
}
