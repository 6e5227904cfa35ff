import {
	accountFingerprint,
	openSecret,
	sealSecret,
} from '../../../../nodes/MandoTrigger/sealedSecret';

/** Per-webhook secrets at rest: sealed with AES-256-GCM under the credential's API key. */
describe('sealSecret / openSecret', () => {
	const secret = 'a'.repeat(64);

	it('round-trips, and the sealed form reveals neither the secret nor the key', () => {
		const sealed = sealSecret(secret, 'api-key-1');
		expect(sealed).toMatch(/^v1\./);
		expect(sealed).not.toContain(secret);
		expect(sealed).not.toContain('api-key-1');
		expect(Buffer.from(sealed.split('.')[3], 'base64url').includes(Buffer.from(secret))).toBe(
			false,
		);
		expect(openSecret(sealed, 'api-key-1')).toBe(secret);
		expect(sealSecret(secret, 'api-key-1')).not.toBe(sealed);
	});

	it('gives undefined under another API key, for a tampered value and for junk', () => {
		const sealed = sealSecret(secret, 'api-key-1');
		expect(openSecret(sealed, 'api-key-2')).toBeUndefined();
		const parts = sealed.split('.');
		const data = Buffer.from(parts[3], 'base64url');
		data[0] ^= 1;
		expect(
			openSecret([...parts.slice(0, 3), data.toString('base64url')].join('.'), 'api-key-1'),
		).toBeUndefined();
		expect(openSecret('plain-secret', 'api-key-1')).toBeUndefined();
		expect(openSecret(undefined, 'api-key-1')).toBeUndefined();
	});

	it('fingerprints an account by base URL and a hash of the key, never the key', () => {
		const a = accountFingerprint('https://www.mando.fi/api/', 'key-1');
		expect(a).toMatch(/^https:\/\/www\.mando\.fi\/api#[0-9a-f]{16}$/);
		expect(a).not.toContain('key-1');
		expect(accountFingerprint('https://www.mando.fi/api', 'key-2')).not.toBe(a);
		expect(accountFingerprint('https://other.example/api', 'key-1')).not.toBe(a);
	});
});
