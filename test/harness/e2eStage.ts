import { startEmulator, type Emulator } from '../emulator/server';
import { assertNoSecretInLog, e2eLog, e2eSecrets } from './e2eLog';
import { N8n } from './n8n';
import { createMandoCredential } from './workflows';

/**
 * What an end-to-end test file of the trigger starts from: the Mando emulator (Mando's retry
 * schedule scaled so 1 min = 20 ms), a real n8n with this package's dist/ loaded, and a `mandoApi`
 * credential pointing at the emulator. Secrets are fresh per file.
 */

/** The running pieces; `stop()` ends n8n and the emulator and fails if a secret reached n8n's log. */
export interface E2eStage {
	emulator: Emulator;
	n8n: N8n;
	credential: { id: string; name: string };
	apiKey: string;
	webhookSecret: string;
	stop(): Promise<void>;
}

/** Starts the emulator and n8n and creates the credential. */
export async function startE2eStage(): Promise<E2eStage> {
	const { apiKey, webhookSecret } = e2eSecrets();
	// 1 min of Mando's retry schedule = 20 ms; the 2 h step = 2.4 s.
	const emulator = await startEmulator({
		apiKey,
		webhookSecret,
		allowHttp: true,
		timeScale: 1 / 3000,
	});
	const n8n = await N8n.start();
	e2eLog(`n8n ${n8n.baseUrl} (user folder ${n8n.userFolder}), emulator ${emulator.url}`);
	const credential = await createMandoCredential(n8n, {
		apiKey,
		webhookSecret,
		baseUrl: emulator.url,
	});
	return {
		emulator,
		n8n,
		credential,
		apiKey,
		webhookSecret,
		async stop() {
			await n8n.stop();
			await emulator.close();
			assertNoSecretInLog(n8n, [apiKey, webhookSecret]);
		},
	};
}
