import { randomBytes } from 'crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'fs';
import path from 'path';
import { startEmulator, type Emulator } from '../emulator/server';
import {
	allowCustomRegistry,
	communityPackageEnv,
	installCommunityPackage,
	PACKAGE,
	publishToLocalRegistry,
	typeFile,
	type InstalledPackage,
} from '../harness/community-package';
import { N8n, nodeOutput, REPO_ROOT, type N8nExecution } from '../harness/n8n';
import type { LocalRegistry, PackResult } from '../harness/registry';
import { makeTempFolder } from '../harness/tempFolders';
import { TriggerChecks } from '../harness/trigger-checks';
import { createMandoCredential, publish, unpublish } from '../harness/workflows';

/**
 * The install path users take: `npm pack` this package, publish the tarball to a local npm
 * registry (verdaccio), and let a real n8n 2.40.7 install it through its own community-package
 * installer (`POST /rest/community-packages`, what Settings → Community Nodes → Install calls),
 * with nothing loaded from `dist/` (harness/community-package.ts). Then the trigger's essential
 * end-to-end checks run on the installed copy (`n8n-nodes-mando.mandoTrigger`). The test also
 * shows n8n refusing the local registry before the licence feature for it is on.
 */

jest.setTimeout(10 * 60 * 1000);

const API_KEY = 'e2e-api-key-' + randomBytes(6).toString('hex');
const WEBHOOK_SECRET = 'e2e-whsec-' + randomBytes(8).toString('hex');

/** One line per checked fact, on stdout (jest does not decorate it). */
function log(line: string): void {
	process.stdout.write(`[e2e] ${line}\n`);
}

let work: string;
let pack: PackResult;
let registry: LocalRegistry;
let emulator: Emulator;
let n8n: N8n;
let credential: { id: string; name: string };

beforeAll(async () => {
	work = makeTempFolder('mando-installed-');
	({ pack, registry } = await publishToLocalRegistry(work));
	log(
		`packed ${path.basename(pack.tarball)} (${pack.files.length} files) and published ${PACKAGE}@${pack.version} to verdaccio ${registry.url}`,
	);
	emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
		timeScale: 1 / 3000,
	});
	const noCustomNodes = path.join(work, 'no-custom-nodes');
	mkdirSync(noCustomNodes);
	n8n = await N8n.start({
		customExtensions: noCustomNodes,
		env: communityPackageEnv(registry, work),
	});
	log(
		`n8n ${n8n.baseUrl} (user folder ${n8n.userFolder}, no custom nodes), emulator ${emulator.url}`,
	);
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
	await registry?.stop();
	const logs = n8n?.logs() ?? '';
	for (const secret of [API_KEY, WEBHOOK_SECRET]) {
		if (logs.includes(secret)) throw new Error('a secret appeared in n8n log');
	}
});

describe("n8n-nodes-mando installed through n8n's community-package installer", () => {
	let checks: TriggerChecks;

	test('n8n installs the package from the local registry (and refuses that registry until the licence feature is on)', async () => {
		const refused = await n8n.rest('POST', '/community-packages', { name: PACKAGE }).then(
			() => '',
			(e: Error) => e.message,
		);
		expect(refused).toContain('feat:communityNodes:customRegistry');
		await allowCustomRegistry(n8n);
		const { installed, seconds } = await installCommunityPackage(n8n);
		expect(installed).toMatchObject({ packageName: PACKAGE, installedVersion: pack.version });
		expect(installed.installedNodes.map((n) => n.type).sort()).toEqual([
			`${PACKAGE}.mando`,
			`${PACKAGE}.mandoPollingTrigger`,
			`${PACKAGE}.mandoTrigger`,
		]);
		const dir = path.join(n8n.userFolder, '.n8n', 'nodes', 'node_modules', PACKAGE);
		const onDisk = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as {
			version: string;
		};
		expect(onDisk.version).toBe(pack.version);
		expect(
			existsSync(path.join(dir, 'dist', 'nodes', 'MandoTrigger', 'MandoTrigger.node.js')),
		).toBe(true);
		log(
			`custom registry before the licence feature: refused (${/Your license[^."\\]*/.exec(refused)?.[0] ?? refused.slice(0, 160)})`,
		);
		log(
			`package installed by n8n: ${installed.packageName}@${installed.installedVersion} from ${registry.url} into ${dir} in ${seconds.toFixed(1)} s; nodes ${installed.installedNodes.map((n) => `${n.name} (${n.type} v${n.latestVersion})`).join(', ')}`,
		);
	});

	test('n8n lists the installed package and its node and credential types (and nothing from dist/)', async () => {
		const packages = await n8n.rest<InstalledPackage[]>('GET', '/community-packages');
		expect(packages).toHaveLength(1);
		expect(packages[0]).toMatchObject({
			packageName: PACKAGE,
			installedVersion: pack.version,
			failedLoading: false,
		});
		const nodeTypes = (await typeFile(n8n, 'nodes'))
			.map((t) => t.name)
			.filter((n) => /mando/i.test(n));
		expect(nodeTypes).toEqual(
			expect.arrayContaining([`${PACKAGE}.mandoTrigger`, `${PACKAGE}.mando`]),
		);
		expect(nodeTypes.filter((n) => n.startsWith('CUSTOM.'))).toEqual([]);
		const credentialTypes = (await typeFile(n8n, 'credentials'))
			.map((t) => t.name)
			.filter((n) => /mando/i.test(n));
		expect(credentialTypes).toEqual(['mandoApi']);
		const described = await n8n.rest<Array<{ name: string; displayName: string; version: number }>>(
			'POST',
			'/node-types',
			{
				nodeInfos: [
					{ name: `${PACKAGE}.mandoTrigger`, version: 1 },
					{ name: `${PACKAGE}.mando`, version: 1 },
				],
			},
		);
		expect(described.map((d) => d.displayName)).toEqual(['Mando Trigger', 'Mando']);
		log(
			`node types listed: community packages ${packages.map((p) => `${p.packageName}@${p.installedVersion} (failedLoading=${p.failedLoading})`).join(', ')}; node types ${nodeTypes.join(', ')}; credential types ${credentialTypes.join(', ')}`,
		);
	});

	test('the installed credential type tests against the emulator', async () => {
		credential = await createMandoCredential(n8n, {
			apiKey: API_KEY,
			webhookSecret: WEBHOOK_SECRET,
			baseUrl: emulator.url,
		});
		const ok = await n8n.api<{ status: string }>('POST', `/credentials/${credential.id}/test`);
		expect(ok.status).toBe('OK');
		checks = new TriggerChecks({
			n8n,
			emulator,
			credential,
			webhookSecret: WEBHOOK_SECRET,
			nodePrefix: PACKAGE,
			log,
		});
		log(`installed credential type mandoApi: test → ${ok.status}`);
	});

	test('installed trigger: publishing registers one webhook for the production URL', async () => {
		await checks.publishRegistersProductionUrl();
	});

	test('installed trigger: a signed event yields exactly one typed execution', async () => {
		await checks.signedEventRunsOnce();
	});

	test('installed trigger: forged deliveries get 401, a signed one without a usable event 2xx', async () => {
		await checks.forgedDeliveriesRejected();
	});

	test('installed trigger: a duplicate event id yields no second execution', async () => {
		await checks.duplicateIgnored();
	});

	test('installed trigger: unpublishing deactivates the webhook', async () => {
		await checks.unpublishDeactivates();
		log(
			`trigger checks passed on the installed copy (${PACKAGE}.mandoTrigger): registration, signed event, forged 401, duplicate, unpublish`,
		);
	});
});

/** An n8n workflow file as exported (and as examples/ holds them). */
interface WorkflowFile {
	name: string;
	nodes: Array<{
		name: string;
		type: string;
		typeVersion: number;
		credentials?: Record<string, { id: string; name: string }>;
	}>;
	connections: Record<string, unknown>;
	settings: Record<string, unknown>;
}

/**
 * What each example in examples/ must do when its event arrives: the node that talks to the
 * outside service (disabled for the run, so nothing is sent), and what reaches it.
 */
const EXAMPLES: Array<{
	file: string;
	event: string;
	service: string;
	check: (execution: N8nExecution) => string;
}> = [
	{
		file: 'stock-low-to-slack.json',
		event: 'stock.low',
		service: 'Slack',
		check: (execution) => {
			const [message] = nodeOutput(execution, 'Message');
			expect(message.text).toBe(
				':warning: Low stock: *Cappuccino* (PLU 1001) is down to 18 pcs (alert level 20). Time to reorder.',
			);
			return `Slack would post "${String(message.text)}"`;
		},
	},
	{
		file: 'sale-lines-to-google-sheets.json',
		event: 'sale.created',
		service: 'Google Sheets',
		check: (execution) => {
			const rows = nodeOutput(execution, 'Row');
			const sale = {
				Date: '2026-11-28T11:42:17Z',
				Receipt: '000123',
				'Sale ID': 'c56a4180-65aa-42ec-a945-5fd21dec0538',
			};
			expect(rows).toEqual([
				{
					...sale,
					PLU: '1001',
					Product: 'Cappuccino',
					Quantity: 2,
					'Unit price': 4.5,
					'Line total': 9,
					'VAT %': 14,
				},
				{
					...sale,
					PLU: '2040',
					Product: 'Salmon soup',
					Quantity: 2,
					'Unit price': 18.25,
					'Line total': 36.5,
					'VAT %': 14,
				},
			]);
			return `Google Sheets would get ${rows.length} rows (${rows.map((r) => `${String(r.Product)} ×${String(r.Quantity)}`).join(', ')})`;
		},
	},
	{
		file: 'customer-to-mailchimp.json',
		event: 'customer.created',
		service: 'Mailchimp',
		check: (execution) => {
			const subscribed = nodeOutput(execution, 'Has email and marketing consent?');
			expect(subscribed.map((c) => c.email)).toEqual(['aino.virtanen@example.fi']);
			return `Mailchimp would subscribe ${String(subscribed[0].email)}`;
		},
	},
	{
		file: 'businessday-closed-summary.json',
		event: 'businessday.closed',
		service: 'Slack',
		check: (execution) => {
			expect(nodeOutput(execution, 'Get location')).toEqual([
				expect.objectContaining({ name: 'Kahvila Helsinki' }),
			]);
			const [summary] = nodeOutput(execution, 'Daily summary');
			expect(summary).toMatchObject({
				location: 'Kahvila Helsinki',
				date: '2026-11-28',
				sales: 214,
				total: 6128.4,
			});
			expect(summary.text).toBe(
				':bar_chart: *Kahvila Helsinki*, business day 2026-11-28 closed: 214 sales, 6128.40 EUR (card 5702.90, cash 425.50).',
			);
			return `the Mando node looked up the location; Slack would post "${String(summary.text)}"`;
		},
	},
];

/** Placeholder credentials (never used for a request) per outside node type, made once. */
const placeholders = new Map<string, Record<string, { id: string; name: string }>>();
const PLACEHOLDER_DATA: Record<string, { type: string; data: Record<string, string> }> = {
	'n8n-nodes-base.slack': { type: 'slackApi', data: { accessToken: 'xoxb-placeholder' } },
	'n8n-nodes-base.googleSheets': {
		type: 'googleSheetsOAuth2Api',
		data: { clientId: 'placeholder', clientSecret: 'placeholder' },
	},
	'n8n-nodes-base.mailchimp': { type: 'mailchimpApi', data: { apiKey: 'placeholder-us1' } },
};

async function placeholderCredential(
	nodeType: string,
): Promise<Record<string, { id: string; name: string }>> {
	const known = placeholders.get(nodeType);
	if (known) return known;
	const { type, data } = PLACEHOLDER_DATA[nodeType];
	const created = await n8n.api<{ id: string; name: string }>('POST', '/credentials', {
		name: `${type} (placeholder)`,
		type,
		data,
	});
	const reference = { [type]: { id: created.id, name: created.name } };
	placeholders.set(nodeType, reference);
	return reference;
}

describe('examples/ in n8n with the installed package', () => {
	test('examples/ holds exactly the documented examples', () => {
		// mando-webhook-health.json starts on a schedule, not on an event; trigger-healing.e2e.test.ts runs it.
		const documented = [...EXAMPLES.map((e) => e.file), 'mando-webhook-health.json'];
		expect(
			readdirSync(path.join(REPO_ROOT, 'examples'))
				.filter((f) => f.endsWith('.json'))
				.sort(),
		).toEqual(documented.sort());
	});

	test.each(EXAMPLES)(
		"$file: imports with the pinned n8n's current node versions, publishes and runs on $event up to $service",
		async (example) => {
			const workflow = JSON.parse(
				readFileSync(path.join(REPO_ROOT, 'examples', example.file), 'utf8'),
			) as WorkflowFile;
			// Every node type exists in this n8n, at its newest version (what the editor adds today).
			const types = await typeFile(n8n, 'nodes');
			for (const node of workflow.nodes) {
				const versions = types.filter((t) => t.name === node.type).flatMap((t) => t.version);
				expect({ node: node.name, type: node.type, typeVersion: node.typeVersion }).toEqual({
					node: node.name,
					type: node.type,
					typeVersion: Math.max(...versions),
				});
			}
			// Imported as a user would, then given credentials: the Mando one for the emulator, and
			// placeholders for the outside service (n8n refuses to publish a node without one).
			for (const node of workflow.nodes) {
				expect(node.credentials).toBeUndefined();
				if (node.type.startsWith(`${PACKAGE}.`)) node.credentials = { mandoApi: credential };
				if (node.name === example.service)
					node.credentials = await placeholderCredential(node.type);
			}
			const body = {
				name: workflow.name,
				nodes: workflow.nodes,
				connections: workflow.connections,
				settings: workflow.settings,
			};
			const created = await n8n.api<{ id: string; nodes: WorkflowFile['nodes'] }>(
				'POST',
				'/workflows',
				body,
			);
			expect(created.nodes.map((n) => `${n.type}@${n.typeVersion}`)).toEqual(
				workflow.nodes.map((n) => `${n.type}@${n.typeVersion}`),
			);
			// n8n checks every node's configuration when publishing (required parameters, credentials).
			await publish(n8n, created.id);
			await unpublish(n8n, created.id);
			// To run it without reaching the outside service, its node is disabled (n8n passes the
			// items through a disabled node); the run shows what that node would have been given.
			const service = workflow.nodes.find(
				(n) => n.name === example.service,
			) as WorkflowFile['nodes'][number] & { disabled?: boolean };
			service.disabled = true;
			await n8n.api('PUT', `/workflows/${created.id}`, body);
			await publish(n8n, created.id);
			try {
				await emulator.emit(example.event);
				const [execution] = await n8n.waitForExecutions(created.id, 1);
				expect(execution).toBeDefined();
				expect(execution.status).toBe('success');
				const found = example.check(execution);
				log(
					`example ${example.file}: imported (${workflow.nodes.length} nodes), publishes (n8n's node checks pass); ${example.event} → execution #${execution.id}: ${found} (${example.service} node disabled in this run)`,
				);
			} finally {
				await unpublish(n8n, created.id);
			}
		},
	);
});
