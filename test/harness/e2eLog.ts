import { randomBytes } from 'crypto';
import type { N8n } from './n8n';

/** What every end-to-end file needs around n8n: its fact log, fresh secrets, and the secrets check. */

/** Prints one checked fact on stdout, as `[e2e] <line>` (jest does not decorate stdout). */
export function e2eLog(line: string): void {
	process.stdout.write(`[e2e] ${line}\n`);
}

/** A fresh API key and webhook secret for one test file, recognisable in logs. */
export function e2eSecrets(): { apiKey: string; webhookSecret: string } {
	return {
		apiKey: 'e2e-api-key-' + randomBytes(6).toString('hex'),
		webhookSecret: 'e2e-whsec-' + randomBytes(8).toString('hex'),
	};
}

/**
 * @throws Error when any of `secrets` appears in n8n's log
 */
export function assertNoSecretInLog(n8n: N8n | undefined, secrets: string[]): void {
	const logs = n8n?.logs() ?? '';
	if (secrets.some((secret) => logs.includes(secret)))
		throw new Error('a secret appeared in n8n log');
}
