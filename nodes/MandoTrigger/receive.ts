import type { MandoEvent } from '../shared/events';
import { parseMandoDelivery } from './envelope';
import type { TriggerDedup } from './dedup';
import { verifyMandoSignature, type SignatureFailure } from '../shared/signature';

/**
 * What the trigger does with one webhook delivery, decided without any I/O: verify the
 * `X-Mando-Signature`, parse the envelope(s), drop event types not selected and event ids already
 * handled, and mark the rest in the de-duplication state.
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
}

/** The outcome: reject (401/400, no execution), acknowledge without a run, or run for `events`. */
export type DeliveryDecision =
	| { action: 'reject'; status: 401; reason: SignatureFailure; message: string }
	| { action: 'reject'; status: 400; reason: 'malformed'; message: string }
	| { action: 'acknowledge'; counts: DeliveryCounts }
	| { action: 'retry-later'; status: 409; counts: DeliveryCounts; message: string }
	| { action: 'run'; events: MandoEvent[]; counts: DeliveryCounts };

const SIGNATURE_MESSAGES: Record<SignatureFailure, string> = {
	'no-secret': 'No webhook signing secret is configured for this trigger, so the delivery cannot be verified',
	missing: 'Missing X-Mando-Signature header',
	malformed: 'Malformed X-Mando-Signature header (expected sha256=<64 hex digits>)',
	mismatch: 'X-Mando-Signature does not match the body',
};

/**
 * Decides what to do with a delivery. Never throws.
 *
 * Marks accepted event ids: under `immediately` as handled (persisted and in memory); under
 * `afterSuccess` as pending (persisted) and in-flight (in memory), so that a failed run's event is
 * not treated as handled when Mando re-delivers it; the caller turns in-flight into handled or
 * forgets it when the answer is known. A delivery whose events are all still in flight from an
 * earlier delivery gets `retry-later` (409), so Mando re-delivers it once the outcome is known.
 */
export function decideDelivery(input: DeliveryInput): DeliveryDecision {
	const check = verifyMandoSignature(input.rawBody, input.signature, input.secret);
	if (!check.valid) {
		return { action: 'reject', status: 401, reason: check.reason, message: SIGNATURE_MESSAGES[check.reason] };
	}
	const parsed = parseMandoDelivery(input.rawBody);
	if (!parsed.ok) return { action: 'reject', status: 400, reason: 'malformed', message: parsed.error };

	const counts: DeliveryCounts = { received: parsed.events.length, accepted: 0, duplicates: 0, ignored: 0, inFlight: 0 };
	const selected = parsed.events.filter((event) => input.selected === '*' || input.selected.has(event.type));
	counts.ignored = parsed.events.length - selected.length;
	const verdicts = input.dedup.accept(
		selected.map((event) => event.id),
		input.acknowledge,
		input.now,
	);
	const events: MandoEvent[] = [];
	selected.forEach((event, i) => {
		if (verdicts[i] === 'duplicate') counts.duplicates++;
		else if (verdicts[i] === 'in-flight') counts.inFlight++;
		else events.push(event);
	});
	counts.accepted = events.length;
	if (events.length > 0) return { action: 'run', events, counts };
	if (counts.inFlight > 0) {
		return {
			action: 'retry-later',
			status: 409,
			counts,
			message: 'An earlier delivery of this event is still running; deliver it again later',
		};
	}
	return { action: 'acknowledge', counts };
}
