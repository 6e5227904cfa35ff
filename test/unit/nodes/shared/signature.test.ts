import { createHmac } from 'crypto';
import { signMandoPayload, verifyMandoSignature } from '../../../../nodes/shared/signature';

const secret = 'whsec_test_secret';
const body = Buffer.from(
	'{"id":"evt_1","type":"sale.created","created":"2026-11-28T10:00:00Z","data":{"id":"s1","total":45.5,"items":[]}}',
);

describe('X-Mando-Signature', () => {
	it('signs as sha256= + lower-case hex HMAC-SHA256 of the raw bytes (Mando webhook docs)', () => {
		const expected = createHmac('sha256', secret).update(body).digest('hex');
		expect(signMandoPayload(body, secret)).toBe(`sha256=${expected}`);
		expect(expected).toMatch(/^[0-9a-f]{64}$/);
	});

	it('accepts a correct signature, also in upper-case hex and with surrounding spaces', () => {
		const sig = signMandoPayload(body, secret);
		expect(verifyMandoSignature(body, sig, secret)).toEqual({ valid: true });
		expect(verifyMandoSignature(body, 'sha256=' + sig.slice(7).toUpperCase(), secret)).toEqual({
			valid: true,
		});
		expect(verifyMandoSignature(body, ` ${sig} `, secret)).toEqual({ valid: true });
		expect(verifyMandoSignature(body, [sig, 'junk'], secret)).toEqual({ valid: true });
	});

	it('verifies the bytes, not re-serialised JSON', () => {
		const spaced = Buffer.from(body.toString().replace('"total":45.5', '"total": 45.5'));
		const sig = signMandoPayload(body, secret);
		expect(JSON.parse(spaced.toString())).toEqual(JSON.parse(body.toString()));
		expect(verifyMandoSignature(spaced, sig, secret)).toEqual({ valid: false, reason: 'mismatch' });
	});

	it.each([
		['missing', undefined],
		['missing', ''],
		['malformed', 'sha256='],
		['malformed', 'sha256=abc'],
		['malformed', 'sha256=' + 'a'.repeat(63)],
		['malformed', 'sha256=' + 'a'.repeat(65)],
		['malformed', 'sha256=' + 'g'.repeat(64)],
		['malformed', 'sha1=' + 'a'.repeat(40)],
		['malformed', 'a'.repeat(64)],
		['malformed', 'sha256=' + 'é'.repeat(64)],
		['mismatch', 'sha256=' + 'a'.repeat(64)],
	])('answers %s, never throws, for %p', (reason, header) => {
		expect(verifyMandoSignature(body, header, secret)).toEqual({ valid: false, reason });
	});

	it('rejects a signature made with another secret, and everything when no secret is set', () => {
		expect(verifyMandoSignature(body, signMandoPayload(body, 'other'), secret)).toEqual({
			valid: false,
			reason: 'mismatch',
		});
		expect(verifyMandoSignature(body, signMandoPayload(body, secret), '')).toEqual({
			valid: false,
			reason: 'no-secret',
		});
		expect(verifyMandoSignature(body, signMandoPayload(body, secret), undefined)).toEqual({
			valid: false,
			reason: 'no-secret',
		});
	});
});
