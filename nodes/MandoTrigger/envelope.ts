import type { MandoEvent } from '../shared/events';

/**
 * Parsing of a webhook delivery body into Mando event envelopes.
 *
 * Envelope (Mando webhook docs): `{ "id": "evt_…", "type": "sale.created", "created": "<ISO 8601>",
 * "data": {…} }`. A delivery normally holds one envelope; a JSON array of envelopes, or an object
 * `{ "events": [ … ] }`, is accepted as several events (one n8n item each). Unknown fields and
 * unknown event types pass through untouched.
 *
 * The body is signed, so it is Mando's and Mando replays the same bytes on every retry: a member
 * that cannot be used is reported, never a reason to refuse the rest. Where the meaning is clear
 * the member is used (Mando documents only `sale.created`'s shape; the others are assumed):
 * - a UTF-8 byte order mark before the JSON is skipped;
 * - a numeric `id` becomes its decimal string (`12345` → `"12345"`);
 * - `data` absent or `null` (e.g. on a delete) becomes `{}`;
 * - `created` is kept as sent, whatever its form (e.g. epoch seconds).
 * A member without a usable `id` (absent, blank, not a string or number) or `type`, with a `data`
 * that is not an object (an array, a string), or that is not an object at all is malformed.
 */

/** A member of a delivery that is not a usable event envelope. */
export interface MalformedMember {
	/** 0-based position in the body (0 for a body that holds one envelope or is not JSON). */
	index: number;
	/** The member's `id` as sent, if it has a string or number one (truncated to 100 characters). */
	id?: string;
	/** Why, e.g. `has no "type"`; never the member's data. */
	problem: string;
}

/** Result of {@link parseMandoDelivery}: the usable events in body order and the malformed members. */
export interface ParsedDelivery {
	/** Members in the body (1 for a body that is not JSON or a single envelope). */
	received: number;
	events: MandoEvent[];
	malformed: MalformedMember[];
}

function isObject(value: unknown): value is Record<string, unknown> {
	return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The member at `index` as an event, or why it is malformed. */
function toEvent(
	value: unknown,
	index: number,
): { event: MandoEvent } | { malformed: MalformedMember } {
	const bad = (problem: string, id?: string) => ({
		malformed: { index, ...(id === undefined ? {} : { id: id.slice(0, 100) }), problem },
	});
	if (!isObject(value)) return bad('is not a JSON object');
	const raw = value.id;
	const id = typeof raw === 'number' && Number.isFinite(raw) ? String(raw) : raw;
	if (typeof id !== 'string')
		return bad(raw === undefined ? 'has no "id"' : 'has an "id" that is not a string or number');
	if (id.trim() === '') return bad('has a blank "id"', id);
	if (typeof value.type !== 'string' || value.type.trim() === '') return bad('has no "type"', id);
	const data = value.data ?? {};
	if (!isObject(data))
		return bad(`has a "data" that is ${Array.isArray(data) ? 'an array' : 'not an object'}`, id);
	return { event: { ...value, id, data } as MandoEvent };
}

/**
 * Parses the raw body of a delivery. Never throws, and never refuses the body as a whole: a body
 * that is not JSON is one malformed member.
 *
 * @param rawBody the request body as received (UTF-8 JSON, optionally after a byte order mark)
 */
export function parseMandoDelivery(rawBody: Buffer | string): ParsedDelivery {
	let text = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
	if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
	let parsed: unknown;
	try {
		parsed = JSON.parse(text);
	} catch {
		return { received: 1, events: [], malformed: [{ index: 0, problem: 'is not JSON' }] };
	}
	let list: unknown[];
	if (Array.isArray(parsed)) list = parsed;
	else if (isObject(parsed) && Array.isArray(parsed.events) && parsed.type === undefined)
		list = parsed.events;
	else list = [parsed];

	const result: ParsedDelivery = { received: list.length, events: [], malformed: [] };
	list.forEach((member, index) => {
		const outcome = toEvent(member, index);
		if ('event' in outcome) result.events.push(outcome.event);
		else result.malformed.push(outcome.malformed);
	});
	return result;
}
