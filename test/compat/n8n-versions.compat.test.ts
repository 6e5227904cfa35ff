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
import { TriggerChecks } from '../harness/trigger-checks';
import { createMandoCredential } from '../harness/workflows';
import { createProductThroughWorkflow } from './action-call';
import { compatVersions } from './matrix';

/**
 * The compatibility matrix (`npm run test:compat`): on each n8n version of test/compat/matrix.ts,
 * the packed package is installed the way users install it (verdaccio + n8n's community-package
 * installer, harness/community-package.ts), then: its node types load (trigger, action node and
 * the action node's AI-tool variant), the credential tests, the trigger's end-to-end checks
 * (harness/trigger-checks.ts: registration, signed event → one typed item, forged → 401,
 * duplicate → no second run, unpublish/deactivate → webhook inactive) and one action-node call.
 * Versions run one after another, each with its own n8n, user folder and emulator.
 */

jest.setTimeout(30 * 60 * 1000);

const API_KEY = 'compat-api-key-' + randomBytes(6).toString('hex');
const WEBHOOK_SECRET = 'compat-whsec-' + randomBytes(8).toString('hex');

const published = publishedForSuite('mando-compat-');

describe.each(compatVersions().filter((v) => !v.belowMinimum))('n8n $n8n', ({ n8n: version }) => {
	const log = (line: string) => process.stdout.write(`[compat n8n ${version}] ${line}\n`);
	let emulator: Emulator;
	let n8n: N8n;
	let credential: { id: string; name: string };
	let checks: TriggerChecks;

	beforeAll(async () => {
		emulator = await startEmulator({
			apiKey: API_KEY,
			webhookSecret: WEBHOOK_SECRET,
			allowHttp: true,
			timeScale: 1 / 3000,
		});
		const started = Date.now();
		n8n = await startForInstall(published, version);
		log(
			`started in ${((Date.now() - started) / 1000).toFixed(0)} s on ${n8n.baseUrl} (publication API: ${n8n.n8nVersion.publicationApi ? 'publish/unpublish' : 'activate/deactivate'})`,
		);
	});

	afterAll(async () => {
		await n8n?.stop();
		await emulator?.close();
		const logs = n8n?.logs() ?? '';
		for (const secret of [API_KEY, WEBHOOK_SECRET]) {
			if (logs.includes(secret)) throw new Error(`a secret appeared in n8n ${version}'s log`);
		}
	});

	test(`n8n ${version}: installs the packed package through its community-package installer`, async () => {
		expect(n8n.n8nVersion.version).toBe(version);
		const { installed, seconds, restarted } = await installFromLocalRegistry(n8n);
		expect(installed).toMatchObject({
			packageName: PACKAGE,
			installedVersion: published.pack.version,
		});
		expect(installed.installedNodes.map((n) => n.type)).toEqual(
			expect.arrayContaining([`${PACKAGE}.mando`, `${PACKAGE}.mandoTrigger`]),
		);
		const restart = restarted
			? '; restarted out of end-to-end mode (its public API is off there)'
			: '';
		log(
			`install: ${installed.packageName}@${installed.installedVersion} in ${seconds.toFixed(1)} s; nodes ${installed.installedNodes.map((n) => n.type).join(', ')}${restart}`,
		);
	});

	test(`n8n ${version}: loads the trigger, the action node and its AI-tool variant; the credential tests`, async () => {
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
		const data = { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, baseUrl: emulator.url };
		credential = await createMandoCredential(n8n, data);
		// the editor's Test button (the public API's credential test is newer than n8n 1.x)
		const tested = await n8n.rest<{ status: string }>('POST', '/credentials/test', {
			credentials: { ...credential, type: 'mandoApi', data },
		});
		expect(tested.status).toBe('OK');
		checks = new TriggerChecks({
			n8n,
			emulator,
			credential,
			webhookSecret: WEBHOOK_SECRET,
			nodePrefix: PACKAGE,
			log,
		});
		log(
			`node types: ${[...new Set(nodeTypes)].sort().join(', ')}; credential test → ${tested.status}`,
		);
	});

	test(`n8n ${version}: trigger registration on publish/activate`, async () => {
		await checks.publishRegistersProductionUrl();
	});

	test(`n8n ${version}: trigger signed event → one typed item`, async () => {
		await checks.signedEventRunsOnce();
	});

	test(`n8n ${version}: trigger forged delivery → 401`, async () => {
		await checks.forgedDeliveriesRejected();
	});

	test(`n8n ${version}: trigger duplicate event → no second run`, async () => {
		await checks.duplicateIgnored();
	});

	test(`n8n ${version}: trigger unpublish/deactivate → webhook inactive`, async () => {
		await checks.unpublishDeactivates();
	});

	test(`n8n ${version}: action node creates a product`, async () => {
		const { productId, status, execution } = await createProductThroughWorkflow(
			n8n,
			emulator,
			credential,
			`Compat ${version}`,
		);
		log(
			`action node: product create → ${status}, emulator stored ${productId}; execution #${execution.id} ${execution.status}`,
		);
	});
});
