import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
import { N8n } from './n8n';
import { createMandoCredential } from './workflows';

/**
 * What an end-to-end test file of the trigger starts from: the Mando emulator (Mando's retry
 * schedule scaled so 1 min = 20 ms), a real n8n with this package's dist/ loaded, and a `mandoApi`
 * credential pointing at the emulator. Secrets are random per file.
 */

/** One line per checked fact, on stdout (jest does not decorate it). */
export function e2eLog(line: string): void {
	process.stdout.write(`[e2e] ${line}\n`);
}

/** The running pieces; `stop()` ends n8n and the emulator and fails if a secret reached n8n's log. */
export interface E2eStage {
	emulator: Emulator;
	n8n: N8n;
	credential: { id: string; name: string };
	apiKey: string;
	webhookSecret: string;
	stop(): Promise<void>;
}

/** Starts the emulator and n8n and creates the credential; `prefix` names the secrets (e.g. `e2e`). */
export async function startE2eStage(prefix: string): Promise<E2eStage> {
	const apiKey = `${prefix}-api-key-` + randomBytes(6).toString('hex');
	const webhookSecret = `${prefix}-whsec-` + randomBytes(8).toString('hex');
	// 1 min of Mando's retry schedule = 20 ms; the 2 h step = 2.4 s.
	const emulator = await startEmulator({ apiKey, webhookSecret, allowHttp: true, timeScale: 1 / 3000 });
	const n8n = await N8n.start();
	e2eLog(`n8n ${n8n.baseUrl} (user folder ${n8n.userFolder}), emulator ${emulator.url}`);
	const credential = await createMandoCredential(n8n, { apiKey, webhookSecret, baseUrl: emulator.url });
	return {
		emulator,
		n8n,
		credential,
		apiKey,
		webhookSecret,
		async stop() {
			await n8n.stop();
			await emulator.close();
			const logs = n8n.logs();
			for (const secret of [apiKey, webhookSecret]) if (logs.includes(secret)) throw new Error('a secret appeared in n8n log');
		},
	};
}
