import { createCipheriv, createDecipheriv, createHash, createHmac, randomBytes } from 'crypto';

/**
 * Per-webhook signing secrets at rest. n8n returns a workflow's static data through its public
 * API (`GET /api/v1/workflows/{id}`) and hands it to the Code-node runner, so a secret kept there
 * must be unreadable without the credential: it is sealed with AES-256-GCM under a key derived
 * from the credential's API key (HMAC-SHA256 of a fixed label). A credential whose key changed
 * cannot open the old seal; the trigger then registers a new webhook.
 */

const PREFIX = 'v1';
const LABEL = 'n8n-nodes-mando webhook secret v1';

function keyFor(apiKey: string): Buffer {
	return createHmac('sha256', apiKey).update(LABEL).digest();
}

/**
 * Seals `secret` for storage.
 *
 * @returns `v1.<iv>.<tag>.<ciphertext>`, each part base64url
 */
export function sealSecret(secret: string, apiKey: string): string {
	const iv = randomBytes(12);
	const cipher = createCipheriv('aes-256-gcm', keyFor(apiKey), iv);
	const data = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
	return [
		PREFIX,
		iv.toString('base64url'),
		cipher.getAuthTag().toString('base64url'),
		data.toString('base64url'),
	].join('.');
}

/**
 * Opens a value made by {@link sealSecret}.
 *
 * @returns the secret, or `undefined` when `sealed` is malformed or was sealed under another API key
 */
export function openSecret(sealed: string | undefined, apiKey: string): string | undefined {
	const parts = typeof sealed === 'string' ? sealed.split('.') : [];
	if (parts.length !== 4 || parts[0] !== PREFIX) return undefined;
	try {
		const [iv, tag, data] = parts.slice(1).map((p) => Buffer.from(p, 'base64url'));
		const decipher = createDecipheriv('aes-256-gcm', keyFor(apiKey), iv);
		decipher.setAuthTag(tag);
		return Buffer.concat([decipher.update(data), decipher.final()]).toString('utf8');
	} catch {
		return undefined;
	}
}

/**
 * Which Mando account a registration was made on: the normalised base URL and the first 16 hex
 * digits of the API key's SHA-256 (never the key itself).
 */
export function accountFingerprint(baseUrl: string, apiKey: string): string {
	return `${baseUrl.replace(/\/+$/, '').toLowerCase()}#${createHash('sha256').update(apiKey).digest('hex').slice(0, 16)}`;
}
