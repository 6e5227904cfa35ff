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

function signatureHex(header: string | string[] | undefined): string {
	const value = Array.isArray(header) ? header[0] : header;
	return SIGNATURE_PATTERN.exec((value ?? '').trim())?.[1] ?? '';
}

/**
 * Why `header` (the `X-Mando-Signature` value, as in {@link verifyMandoSignature}) cannot be a
 * valid signature whatever the secret, or `undefined` when it is well-formed. Needs no secret, so
 * a caller can refuse such a request before reading one.
 */
export function signatureHeaderProblem(
	header: string | string[] | undefined,
): 'missing' | 'malformed' | undefined {
	const value = Array.isArray(header) ? header[0] : header;
	if (value === undefined || value === '') return 'missing';
	return SIGNATURE_PATTERN.test(value.trim()) ? undefined : 'malformed';
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
	const problem = signatureHeaderProblem(header);
	if (problem) return { valid: false, reason: problem };
	const given = Buffer.from(signatureHex(header), 'hex');
	const expected = createHmac('sha256', secret).update(rawBody).digest();
	// Both are 32 bytes here: the pattern fixes the length, so timingSafeEqual cannot throw.
	return timingSafeEqual(given, expected) ? { valid: true } : { valid: false, reason: 'mismatch' };
}
