import { credentialSecret, forgetCredentialSecrets, SECRET_REUSE_MS } from '../../../../nodes/MandoTrigger/secret';

/** The trigger's reuse of the credential's signing secret between deliveries. */

describe('credentialSecret', () => {
	beforeEach(() => forgetCredentialSecrets());

	it(`reads the credential once per ${SECRET_REUSE_MS / 1000} s per key, and again when asked for a fresh one`, async () => {
		const load = jest.fn(async () => 'whsec_1');
		expect(await credentialSecret('k', load, 0)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS - 1)).toEqual({ secret: 'whsec_1', reused: true });
		expect(await credentialSecret('other', load, 1)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS + 1, true)).toEqual({ secret: 'whsec_1', reused: false });
		expect(load).toHaveBeenCalledTimes(4);
	});

	it('remembers nothing when reading the credential fails', async () => {
		await expect(credentialSecret('k', async () => Promise.reject(new Error('no credential')), 0)).rejects.toThrow('no credential');
		expect(await credentialSecret('k', async () => 'whsec_2', 1)).toEqual({ secret: 'whsec_2', reused: false });
	});
});
