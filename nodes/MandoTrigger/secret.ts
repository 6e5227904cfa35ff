/**
 * In-process reuse of the credential's webhook signing secret between deliveries.
 *
 * Reading a credential in n8n 2.x decrypts it and resolves its expressions in an expression
 * isolate that n8n creates for the purpose (n8n 2.40 `CredentialsHelper.applyDefaultsAndOverwrites`):
 * per delivery that was the trigger's largest cost. The secret is read at most once per
 * {@link SECRET_REUSE_MS} per trigger node and credential, and again at once when a delivery does
 * not verify with the reused one (so a changed secret applies to the next delivery). The secret
 * stays in memory only; it is never logged or stored.
 */

/** How long a secret read from the credential is reused, in milliseconds. */
export const SECRET_REUSE_MS = 60_000;

/** Most trigger nodes remembered; older entries are dropped first. */
const MAX_ENTRIES = 500;

const secrets = new Map<string, { secret: string | undefined; at: number }>();

/** A secret and whether it came from the in-process memory (`reused`) or from `load` just now. */
export interface SecretLookup {
	secret: string | undefined;
	reused: boolean;
}

/**
 * The webhook secret for `key` (e.g. `workflowId:nodeId:credentialId`): the one read within the
 * last {@link SECRET_REUSE_MS}, else `load()`'s answer, remembered from now.
 *
 * @param fresh skip the memory and call `load` (after a signature mismatch with a reused secret)
 * @param now ms since epoch
 * @throws whatever `load` throws (nothing is remembered then)
 */
export async function credentialSecret(key: string, load: () => Promise<string | undefined>, now: number, fresh = false): Promise<SecretLookup> {
	const entry = secrets.get(key);
	if (!fresh && entry && now - entry.at < SECRET_REUSE_MS) return { secret: entry.secret, reused: true };
	const secret = await load();
	secrets.delete(key);
	secrets.set(key, { secret, at: now });
	if (secrets.size > MAX_ENTRIES) secrets.delete(secrets.keys().next().value as string);
	return { secret, reused: false };
}

/** Forgets every remembered secret (tests). */
export function forgetCredentialSecrets(): void {
	secrets.clear();
}
