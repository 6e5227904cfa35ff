/**
 * In-process reuse of the credential's webhook signing secret between deliveries.
 *
 * Reading a credential in n8n 2.x decrypts it and resolves its expressions in an expression
 * isolate that n8n creates for the purpose (n8n 2.40 `CredentialsHelper.applyDefaultsAndOverwrites`):
 * per delivery that was the trigger's largest cost. So:
 * - the secret is read at most once per {@link SECRET_REUSE_MS} per trigger node and credential:
 *   a secret replaced in the credential stops verifying within that window;
 * - a delivery whose signature does not match the reused secret makes the caller ask for a fresh
 *   read (a new secret verifies at once), at most once per {@link SECRET_REREAD_MIN_MS}, so forged
 *   traffic costs a few reads, not one each;
 * - a read that fails (e.g. the field is an expression that fails, such as `$env` access denied)
 *   is remembered as failed for {@link SECRET_REREAD_MIN_MS}, as a {@link SecretUnavailableError}.
 * The secret stays in memory only; it is never logged or stored.
 */

/** How long a secret read from the credential is reused, in milliseconds. */
export const SECRET_REUSE_MS = 60_000;

/** Least time between two fresh reads after a signature mismatch, and how long a failed read stands, in milliseconds. */
export const SECRET_REREAD_MIN_MS = 5_000;

/** Most trigger nodes remembered; older entries are dropped first. */
const MAX_ENTRIES = 500;

/** The credential's webhook signing secret could not be read; `message` is the cause (no secret in it). */
export class SecretUnavailableError extends Error {
	constructor(cause: string) {
		super(cause);
		this.name = 'SecretUnavailableError';
	}
}

interface Entry {
	secret: string | undefined;
	/** Why the last read failed (then `secret` is undefined). */
	error?: string;
	/** When the credential was last read (ms since epoch). */
	at: number;
	/** When a fresh read after a mismatch was last made. */
	rereadAt: number;
}

const secrets = new Map<string, Entry>();

/** A secret and whether it came from the in-process memory (`reused`) or from `load` just now. */
export interface SecretLookup {
	secret: string | undefined;
	reused: boolean;
}

function remembered(entry: Entry): SecretLookup {
	if (entry.error !== undefined) throw new SecretUnavailableError(entry.error);
	return { secret: entry.secret, reused: true };
}

/**
 * The webhook secret for `key` (e.g. `workflowId:nodeId:credentialId`): the one read within the
 * last {@link SECRET_REUSE_MS}, else `load()`'s answer, remembered from now.
 *
 * @param fresh a delivery did not verify with the reused secret: read again, unless a fresh read
 *   was made within {@link SECRET_REREAD_MIN_MS} (then the remembered answer, `reused: true`)
 * @param now ms since epoch
 * @throws SecretUnavailableError when `load` throws now, or threw within {@link SECRET_REREAD_MIN_MS}
 */
export async function credentialSecret(
	key: string,
	load: () => Promise<string | undefined>,
	now: number,
	fresh = false,
): Promise<SecretLookup> {
	const entry = secrets.get(key);
	if (entry) {
		if (
			entry.error !== undefined
				? now - entry.at < SECRET_REREAD_MIN_MS
				: !fresh && now - entry.at < SECRET_REUSE_MS
		)
			return remembered(entry);
		if (fresh && now - entry.rereadAt < SECRET_REREAD_MIN_MS) return remembered(entry);
	}
	const next: Entry = {
		secret: undefined,
		at: now,
		rereadAt: fresh ? now : (entry?.rereadAt ?? -Infinity),
	};
	try {
		next.secret = await load();
	} catch (error) {
		next.error = (error as Error).message;
	}
	secrets.delete(key);
	secrets.set(key, next);
	if (secrets.size > MAX_ENTRIES) secrets.delete(secrets.keys().next().value as string);
	return next.error === undefined ? { secret: next.secret, reused: false } : remembered(next);
}

/** Forgets every remembered secret (tests). */
export function forgetCredentialSecrets(): void {
	secrets.clear();
}
