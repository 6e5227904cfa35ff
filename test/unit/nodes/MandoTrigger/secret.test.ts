import {
	credentialSecret,
	forgetCredentialSecrets,
	SECRET_REREAD_MIN_MS,
	SECRET_REUSE_MS,
	SecretUnavailableError,
} from '../../../../nodes/MandoTrigger/secret';

/** The trigger's reuse of the credential's signing secret between deliveries. */

describe('credentialSecret', () => {
	beforeEach(() => forgetCredentialSecrets());

	it(`reads the credential once per ${SECRET_REUSE_MS / 1000} s per key, and again when asked for a fresh one`, async () => {
		const load = jest.fn(async () => 'whsec_1');
		expect(await credentialSecret('k', load, 0)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS - 1)).toEqual({
			secret: 'whsec_1',
			reused: true,
		});
		expect(await credentialSecret('other', load, 1)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS)).toEqual({
			secret: 'whsec_1',
			reused: false,
		});
		expect(await credentialSecret('k', load, SECRET_REUSE_MS + 1, true)).toEqual({
			secret: 'whsec_1',
			reused: false,
		});
		// a second fresh read within SECRET_REREAD_MIN_MS gives the remembered answer
		expect(await credentialSecret('k', load, SECRET_REUSE_MS + 2, true)).toEqual({
			secret: 'whsec_1',
			reused: true,
		});
		expect(
			await credentialSecret('k', load, SECRET_REUSE_MS + 1 + SECRET_REREAD_MIN_MS, true),
		).toEqual({ secret: 'whsec_1', reused: false });
		expect(load).toHaveBeenCalledTimes(5);
	});

	it(`remembers a failed read for ${SECRET_REREAD_MIN_MS / 1000} s, then reads again`, async () => {
		const failing = jest.fn(async () => Promise.reject(new Error('access to env vars denied')));
		await expect(credentialSecret('k', failing, 0)).rejects.toThrow(SecretUnavailableError);
		await expect(credentialSecret('k', failing, SECRET_REREAD_MIN_MS - 1)).rejects.toThrow(
			'access to env vars denied',
		);
		await expect(credentialSecret('k', failing, 1, true)).rejects.toThrow(
			'access to env vars denied',
		);
		expect(failing).toHaveBeenCalledTimes(1);
		expect(await credentialSecret('k', async () => 'whsec_2', SECRET_REREAD_MIN_MS)).toEqual({
			secret: 'whsec_2',
			reused: false,
		});
	});
});
