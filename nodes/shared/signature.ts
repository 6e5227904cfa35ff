import { createHmac, timingSafeEqual } from 'crypto';

/**
 * `X-Mando-Signature` signing and verification.
 *
 * Format (Mando webhook docs): `sha256=<lower-case hex HMAC-SHA256 of the raw request body>`,
 * keyed with the webhook secret. Verification runs on the raw bytes as received, never on
 * re-serialised JSON. Unlike the docs' sample, a short, long or non-hex signature is reported as
 * invalid instead of making `timingSafeEqual` throw.
 */

/** The header Mando signs deliveries with (as Node lower-cases it). */
export const MANDO_SIGNATURE_HEADER = 'x-mando-signature';

const SIGNATURE_PATTERN = /^sha256=([0-9a-fA-F]{64})$/;

/** Why a delivery's signature was not accepted; never contains the secret or the expected value. */
export type SignatureFailure =
	| 'no-secret' // no webhook secret configured to check against
	| 'missing' // no X-Mando-Signature header
	| 'malformed' // header is not `sha256=` + 64 hex digits
	| 'mismatch'; // well-formed, but not the HMAC of this body with this secret

/** Result of {@link verifyMandoSignature}. */
export type SignatureCheck = { valid: true } | { valid: false; reason: SignatureFailure };

/**
 * The `X-Mando-Signature` value for `body` signed with `secret`: `sha256=` + 64 lower-case hex
 * digits. `body` is the exact bytes sent (a string is taken as UTF-8).
 */
export function signMandoPayload(body: Buffer | string, secret: string): string {
	return 'sha256=' + createHmac('sha256', secret).update(body).digest('hex');
}

/**
 * Checks `header` (the `X-Mando-Signature` value; an array takes its first entry, as when the
 * header was sent twice) against the HMAC-SHA256 of `rawBody` keyed with `secret`.
 *
 * Constant-time on the digest; never throws, whatever the header holds. Upper-case hex is accepted.
 *
 * @param rawBody the request body exactly as received
 * @param header the header's value, or `undefined` when absent
 * @param secret the webhook secret; empty or `undefined` fails with `no-secret`
 */
export function verifyMandoSignature(
	rawBody: Buffer | string,
	header: string | string[] | undefined,
	secret: string | undefined,
): SignatureCheck {
	if (!secret) return { valid: false, reason: 'no-secret' };
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value === '') return { valid: false, reason: 'missing' };
	const match = SIGNATURE_PATTERN.exec(value.trim());
	if (!match) return { valid: false, reason: 'malformed' };
	const given = Buffer.from(match[1], 'hex');
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	// Both are 32 bytes here: the pattern fixes the length, so timingSafeEqual cannot throw.
	return timingSafeEqual(given, expected) ? { valid: true } : { valid: false, reason: 'mismatch' };
}
