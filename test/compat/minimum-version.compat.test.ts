import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
import {
	installFromLocalRegistry,
	PACKAGE,
	publishedForSuite,
	startForInstall,
	typeFile,
} from '../harness/community-package';
import { N8n } from '../harness/n8n';
import { createTriggerWorkflow, publish } from '../harness/workflows';
import { MINIMUM_N8N_VERSION } from '../../nodes/MandoTrigger/health';
import { compatVersions } from './matrix';

/**
 * The package on an n8n older than its minimum (test/compat/matrix.ts `belowMinimum`): it installs
 * through n8n's community-package installer and its node types load (the editor does not break),
 * and publishing (activating) a Mando Trigger fails with the error that names the minimum n8n
 * version, not with n8n's TypeError.
 */

jest.setTimeout(30 * 60 * 1000);

const API_KEY = 'compat-min-api-key-' + randomBytes(6).toString('hex');
const WEBHOOK_SECRET = 'compat-min-whsec-' + randomBytes(8).toString('hex');

const published = publishedForSuite('mando-compat-min-');

describe.each(compatVersions().filter((v) => v.belowMinimum))(
	'n8n $n8n (below the minimum)',
	({ n8n: version }) => {
		const log = (line: string) => process.stdout.write(`[compat n8n ${version}] ${line}\n`);
		let emulator: Emulator;
		let n8n: N8n;

		beforeAll(async () => {
			emulator = await startEmulator({
				apiKey: API_KEY,
				webhookSecret: WEBHOOK_SECRET,
				allowHttp: true,
				timeScale: 1 / 3000,
			});
			n8n = await startForInstall(published, version);
		});

		afterAll(async () => {
			await n8n?.stop();
			await emulator?.close();
		});

		test(`n8n ${version}: installs and loads the package; publishing the trigger says "needs n8n ${MINIMUM_N8N_VERSION}"`, async () => {
			expect(n8n.n8nVersion.version).toBe(version);
			const { installed } = await installFromLocalRegistry(n8n);
			const nodeTypes = (await typeFile(n8n, 'nodes'))
				.map((t) => t.name)
				.filter((n) => n.startsWith(`${PACKAGE}.`));
			expect(nodeTypes).toEqual(
				expect.arrayContaining([
					`${PACKAGE}.mandoTrigger`,
					`${PACKAGE}.mando`,
					`${PACKAGE}.mandoTool`,
				]),
			);
			// n8n 1.104 has no credential domain-restriction fields (createMandoCredential sets them).
			const credential = await n8n.api<{ id: string; name: string }>('POST', '/credentials', {
				name: 'Mando (emulator)',
				type: 'mandoApi',
				data: { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: emulator.url },
			});
			const wf = await createTriggerWorkflow(
				n8n,
				credential,
				{ events: ['sale.created'] },
				{ nodePrefix: PACKAGE },
			);
			let failure = '';
			await publish(n8n, wf.id).catch((error: Error) => {
				failure = error.message;
			});
			expect(failure).toContain(`Mando Trigger needs n8n ${MINIMUM_N8N_VERSION} or newer`);
			log(
				`install: ${installed.packageName}@${installed.installedVersion}; node types load: ${[...new Set(nodeTypes)].sort().join(', ')}`,
			);
			log(`publish (activate) the Mando Trigger → ${failure.slice(0, 400)}`);
		});
	},
);
