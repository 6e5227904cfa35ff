import type { MandoEvent } from '../shared/events';

/**
 * Parsing of a webhook delivery body into Mando event envelopes.
 *
 * Envelope (Mando webhook docs): `{ "id": "evt_…", "type": "sale.created", "created": "<ISO 8601>",
 * "data": {…} }`. A delivery normally holds one envelope; a JSON array of envelopes, or an object
 * `{ "events": [ … ] }`, is accepted as several events (one n8n item each). Unknown fields and
 * unknown event types pass through untouched.
 */

/** Most events one delivery may hold; a larger batch is rejected as malformed (400). */
export const MAX_EVENTS_PER_DELIVERY = 1000;

/** Result of {@link parseMandoDelivery}; `error` is a short, safe text for a 400 answer. */
export type ParsedDelivery = { ok: true; events: MandoEvent[] } | { ok: false; error: string };

function envelopeProblem(value: unknown): string | undefined {
	if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'is not a JSON object';
	const e = value as Record<string, unknown>;
	if (typeof e.id !== 'string' || e.id.length === 0 || e.id.length > 256) return 'has no string "id"';
	if (typeof e.type !== 'string' || e.type.length === 0 || e.type.length > 128) return 'has no string "type"';
	if (e.created !== undefined && typeof e.created !== 'string') return 'has a "created" that is not a string';
	if (typeof e.data !== 'object' || e.data === null) return 'has no "data" object';
	return undefined;
}

/**
 * Parses the raw body of a delivery. Never throws.
 *
 * @param rawBody the request body as received (UTF-8 JSON)
 * @returns the events in body order, or why the body is not a Mando event delivery
 */
export function parseMandoDelivery(rawBody: Buffer | string): ParsedDelivery {
	let parsed: unknown;
	try {
		parsed = JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8'));
	} catch {
		return { ok: false, error: 'Body is not JSON' };
	}
	let list: unknown[];
	if (Array.isArray(parsed)) list = parsed;
	else if (
		typeof parsed === 'object' &&
		parsed !== null &&
		Array.isArray((parsed as { events?: unknown }).events) &&
		(parsed as { type?: unknown }).type === undefined
	)
		list = (parsed as { events: unknown[] }).events;
	else list = [parsed];

	if (list.length === 0) return { ok: false, error: 'Body holds no events' };
	if (list.length > MAX_EVENTS_PER_DELIVERY)
		return { ok: false, error: `Body holds more than ${MAX_EVENTS_PER_DELIVERY} events` };
	for (let i = 0; i < list.length; i++) {
		const problem = envelopeProblem(list[i]);
		if (problem) {
			const which = list.length === 1 ? 'Body' : `Event ${i + 1}`;
			return { ok: false, error: `${which} ${problem}: not a Mando event envelope` };
		}
	}
	return { ok: true, events: list as MandoEvent[] };
}
