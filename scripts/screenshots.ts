/**
 * Takes the README's pictures of the nodes in the real n8n editor: starts the Mando emulator and
 * n8n 2.40.7 with this package's dist/ (the e2e harness), imports the example workflow
 * examples/businessday-closed-summary.json (Mando Trigger → Mando → Set → Slack), logs in as the
 * harness owner in headless Chromium (Debian's /usr/bin/chromium driven by playwright-core; no
 * browser download) and saves PNGs under docs/:
 *
 *   docs/workflow.png        the example workflow on the canvas
 *   docs/mando-trigger.png   the Mando Trigger's parameters
 *   docs/mando-node.png      the Mando action node (Location → Get), run once on the sample event
 *
 * Run with `npm run screenshots` (builds first) after the UI changed. Needs `apt-get install -y
 * chromium`; CHROMIUM_PATH overrides the browser path.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { chromium, type Page } from 'playwright-core';
import { getMandoEventDefinition } from '../nodes/shared/events';
import { startEmulator } from '../test/emulator/server';
import { CHROMIUM_ARGS, CHROMIUM_PATH, settle as settleAfter } from '../test/harness/chromium';
import { N8n, OWNER_EMAIL, OWNER_PASSWORD, REPO_ROOT } from '../test/harness/n8n';
import { cleanTempFolders } from '../test/harness/tempFolders';
import { createMandoCredential, NODE_PREFIX } from '../test/harness/workflows';

/** The screenshots' editor settles a little longer (transitions finish). */
const settle = (page: Page) => settleAfter(page, 800);
const DOCS = path.join(REPO_ROOT, 'docs');
const EXAMPLE = path.join(REPO_ROOT, 'examples', 'businessday-closed-summary.json');

function say(line: string): void {
	process.stdout.write(`[screenshots] ${line}\n`);
}

interface ExampleNode {
	id: string;
	name: string;
	type: string;
	credentials?: Record<string, { id: string; name: string }>;
}

/** Saves a screenshot of the page (or of one element) and reports its size. */
async function shoot(page: Page, file: string, selector?: string): Promise<void> {
	const target = path.join(DOCS, file);
	if (selector) await page.locator(selector).first().screenshot({ path: target });
	else await page.screenshot({ path: target });
	say(`saved docs/${file} (${Math.round(statSync(target).size / 1024)} KiB)`);
}

/** Opens a node's parameters (n8n's node view URL) and waits until they are shown. */
async function openNode(page: Page, url: string): Promise<void> {
	await page.goto(url);
	await page.locator('[data-test-id="ndv"]').first().waitFor({ timeout: 60_000 });
	await settle(page);
}

async function main(): Promise<void> {
	mkdirSync(DOCS, { recursive: true });
	const emulator = await startEmulator({
		apiKey: 'screenshots-api-key',
		webhookSecret: 'screenshots-secret',
		allowHttp: true,
	});
	const n8n = await N8n.start();
	say(`n8n ${n8n.baseUrl}, emulator ${emulator.url}`);
	const profile = mkdtempSync(path.join(tmpdir(), 'mando-chromium-'));
	let ok = false;
	try {
		const credential = await createMandoCredential(
			n8n,
			{ apiKey: 'screenshots-api-key', webhookSecret: 'screenshots-secret', baseUrl: emulator.url },
			'Mando account',
		);
		const slack = await n8n.api<{ id: string; name: string }>('POST', '/credentials', {
			name: 'Slack account',
			type: 'slackApi',
			data: { accessToken: 'xoxb-placeholder' },
		});
		const example = JSON.parse(readFileSync(EXAMPLE, 'utf8')) as {
			name: string;
			nodes: ExampleNode[];
			connections: unknown;
			settings: unknown;
		};
		for (const node of example.nodes) {
			// The example names the installed package's types; this n8n loads dist/ as custom nodes.
			node.type = node.type.replace(/^n8n-nodes-mando\./, `${NODE_PREFIX}.`);
			if (node.type.startsWith(`${NODE_PREFIX}.`)) node.credentials = { mandoApi: credential };
			if (node.type === 'n8n-nodes-base.slack')
				node.credentials = { slackApi: { id: slack.id, name: slack.name } };
		}
		const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
			name: example.name,
			nodes: example.nodes,
			connections: example.connections,
			settings: example.settings,
		});
		const nodeId = (name: string) => (example.nodes.find((n) => n.name === name) as ExampleNode).id;

		const context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM_PATH,
			headless: true,
			args: CHROMIUM_ARGS,
			viewport: { width: 1440, height: 900 },
			deviceScaleFactor: 1,
		});
		try {
			const page = context.pages()[0] ?? (await context.newPage());
			const login = await page.request.post(`${n8n.baseUrl}/rest/login`, {
				data: { emailOrLdapLoginId: OWNER_EMAIL, password: OWNER_PASSWORD },
			});
			if (!login.ok()) throw new Error(`login failed: ${login.status()}`);
			say(`logged in as ${OWNER_EMAIL}`);

			await page.goto(`${n8n.baseUrl}/workflow/${workflow.id}`);
			await page.locator('[data-test-id="canvas-node"]').first().waitFor({ timeout: 60_000 });
			await settle(page);
			await page.keyboard.press('Shift+1'); // zoom to fit
			await settle(page);
			await shoot(page, 'workflow.png');

			await openNode(page, `${n8n.baseUrl}/workflow/${workflow.id}/${nodeId('Mando Trigger')}`);
			await shoot(page, 'mando-trigger.png');

			// The action node, run once in the editor against the emulator on the trigger's sample
			// event (pinned now, after the trigger's picture): input and output shown.
			const saved = await n8n.rest<{ versionId: string }>('GET', `/workflows/${workflow.id}`);
			await n8n.rest('PATCH', `/workflows/${workflow.id}`, {
				versionId: saved.versionId,
				pinData: {
					'Mando Trigger': [{ json: getMandoEventDefinition('businessday.closed')?.sample }],
				},
			});
			await openNode(page, `${n8n.baseUrl}/workflow/${workflow.id}/${nodeId('Get location')}`);
			await page
				.locator('[data-test-id="ndv"] [data-test-id="node-execute-button"]')
				.first()
				.click();
			await page
				.locator('[data-test-id="output-panel"] [data-test-id="ndv-data-container"]')
				.getByText('Kahvila Helsinki')
				.first()
				.waitFor({ timeout: 60_000 });
			await settle(page);
			await page.addStyleTag({ content: '.el-notification { display: none !important; }' }); // "Node executed successfully"
			await shoot(page, 'mando-node.png');
		} finally {
			await context.close();
		}
		ok = true;
	} finally {
		await n8n.stop();
		await emulator.close();
		rmSync(profile, { recursive: true, force: true });
		cleanTempFolders(!ok); // n8n's user folder; kept (path printed) when a screenshot failed
	}
}

main().catch((error: unknown) => {
	process.stderr.write(
		`[screenshots] failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
	);
	process.exit(1);
});
