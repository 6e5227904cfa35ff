/**
 * The café owner's path through the real n8n 2.40.7 editor, in headless Chromium (Debian's
 * /usr/bin/chromium driven by playwright-core): log in → new workflow → add the Mando Trigger by
 * searching → create the Mando credential in its form → the credential test → Execute step → the
 * emulator sends a sale → the output shows `total` at the top of the item → add Mando "Update
 * product" → pick the product from the list → run it → publish.
 *
 * Every step is a check; each prints one line (`[ui] ok 5/12 …` or `[ui] FAILED …`) and saves a
 * screenshot under docs/ (`ui-NN-<step>.png`). The run ends with `N passed, N failed` (steps
 * after a failed one are counted failed: they cannot run). Every wait is bounded.
 *
 * Run with `npm run test:ui` (installs chromium with apt-get when missing, builds, installs n8n).
 * CHROMIUM_PATH overrides the browser path.
 */
import { mkdtempSync, readFileSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

import { startEmulator, type Emulator } from '../emulator/server';
import { CHROMIUM_ARGS, CHROMIUM_PATH, settle } from '../harness/chromium';
import { N8n, OWNER_EMAIL, OWNER_PASSWORD, REPO_ROOT, waitUntil } from '../harness/n8n';
import { userFolderWithPackage } from '../harness/packageByName';
import { cleanTempFolders } from '../harness/tempFolders';

const DOCS = path.join(REPO_ROOT, 'docs');
const API_KEY = 'cafe-api-key';
const WEBHOOK_SECRET = 'cafe-webhook-secret';
/** What the owner writes into the product's memo. */
const MEMO = 'Oat milk available';
/** The longest any one wait may take (n8n's editor on a loaded 2-core machine). */
const WAIT_MS = 60_000;

function say(line: string): void {
	process.stdout.write(`[ui] ${line}\n`);
}

interface World {
	n8n: N8n;
	emulator: Emulator;
	page: Page;
	/** Filled in as the steps go. */
	workflowId?: string;
	productId?: string;
	saleTotal?: unknown;
}

interface Step {
	/** File name part of the step's screenshot, e.g. `credential`. */
	shot: string;
	title: string;
	/** Does the step; returns what the log line adds (figures, names). */
	run: (world: World) => Promise<string>;
}

/** The node details view (NDV) that is open. */
const ndv = (page: Page): Locator => page.locator('[data-test-id="ndv"]').first();

/** The parameter input named `name` inside the open NDV. */
function parameter(page: Page, name: string): Locator {
	return ndv(page).locator(`[data-test-id="parameter-input-${name}"]`).first();
}

const STEPS: Step[] = [
	{
		shot: 'login',
		title: 'log in with the owner account',
		run: async ({ n8n, page }) => {
			await page.goto(`${n8n.baseUrl}/signin`);
			const form = page.locator('[data-test-id="signin-form"]');
			await form.waitFor({ timeout: WAIT_MS });
			await form
				.locator('input[type="email"], input[name="emailOrLdapLoginId"]')
				.first()
				.fill(OWNER_EMAIL);
			await form.locator('input[type="password"]').first().fill(OWNER_PASSWORD);
			await page.locator('[data-test-id="form-submit-button"]').first().click();
			await page.waitForURL((url) => !url.pathname.startsWith('/signin'), { timeout: WAIT_MS });
			await settle(page);
			return `signed in as ${OWNER_EMAIL}, at ${new URL(page.url()).pathname}`;
		},
	},
	{
		shot: 'new-workflow',
		title: 'open a new workflow',
		run: async ({ n8n, page }) => {
			await page.goto(`${n8n.baseUrl}/workflow/new`);
			await page
				.locator('[data-test-id="canvas-add-button"]')
				.first()
				.waitFor({ timeout: WAIT_MS });
			await settle(page);
			return 'empty canvas with "Add first step"';
		},
	},
	{
		shot: 'search-trigger',
		title: 'add the Mando Trigger through the node search',
		run: async ({ page }) => {
			await page.locator('[data-test-id="canvas-add-button"]').first().click();
			const search = page.getByPlaceholder('Search nodes...').first();
			await search.fill('Mando');
			// n8n shows the package's trigger and action node as one entry, "Mando".
			const entry = page
				.locator('[data-test-id="node-creator-item-name"]')
				.getByText('Mando', { exact: true })
				.first();
			await entry.waitFor();
			await settle(page);
			await shot(page, 'search');
			await entry.click();
			await settle(page);
			await shot(page, 'entry');
			// The entry lists one trigger per event (from the Events option) and the actions.
			await page.getByText('On sale created', { exact: true }).first().click();
			await ndv(page).waitFor();
			await settle(page);
			return 'searched "Mando", opened the "Mando" entry, picked "On sale created"; the Mando Trigger\'s parameters are open';
		},
	},
	{
		shot: 'credential',
		title: 'create the Mando credential in its form; n8n tests it',
		run: async ({ page, emulator }) => {
			// No credential exists yet: the node offers "Connect to Mando", which opens the form.
			await ndv(page)
				.getByRole('button', { name: /Connect to Mando/ })
				.first()
				.click();
			const modal = page
				.locator('[data-test-id="credential-edit-dialog"], .el-dialog:visible')
				.first();
			await modal.waitFor();
			const field = (label: string) =>
				modal.locator(`[data-test-id="parameter-input-${label}"] input`).first();
			await field('apiKey').fill(API_KEY);
			await field('webhookSecret').fill(WEBHOOK_SECRET);
			await field('baseUrl').fill(emulator.url);
			await settle(page);
			await shot(page, 'form');
			// Save runs n8n's credential test (the credential's GET /secure/location request).
			const testAnswer = page.waitForResponse((r) => r.url().includes('/rest/credentials/test'), {
				timeout: WAIT_MS,
			});
			await modal.locator('[data-test-id="credential-save-button"]').first().click();
			const answer = (await (await testAnswer).json()) as {
				data?: { status?: string; message?: string };
			};
			if (answer.data?.status !== 'OK')
				throw new Error(`credential test: ${JSON.stringify(answer)}`);
			const message = answer.data.message ?? '';
			await shot(page, 'tested');
			const requests = emulator.countRequests({ method: 'GET', path: '/api/secure/location' });
			if (requests < 1) throw new Error('the credential test sent no request to the emulator');
			await settle(page);
			return `filled API Key, Webhook Signing Secret, Base URL ${emulator.url}; Save → credential test "${message}" (${requests} GET /secure/location on the emulator)`;
		},
	},
	{
		shot: 'parameters',
		title: 'back in the trigger: Sale Created, the Output choice, plain words',
		run: async ({ page }) => {
			// A credential that tests well closes its form by itself.
			await page
				.locator('[data-test-id="credential-edit-dialog"]')
				.first()
				.waitFor({ state: 'hidden' });
			await settle(page);
			const text = await ndv(page).innerText();
			for (const expected of ['Sale Created', 'Execute step', 'Ring up a test sale'])
				if (!text.includes(expected)) throw new Error(`the node view does not show "${expected}"`);
			const output = await parameter(page, 'output').locator('input').first().inputValue();
			if (output !== 'Record Fields + Event Details') throw new Error(`Output shows "${output}"`);
			return 'credential "Mando account" picked; Events: Sale Created; Output: Record Fields + Event Details; the notice says "Press Execute step, then ring up a test sale", the panel "Ring up a test sale"';
		},
	},
	{
		shot: 'listening',
		title: 'press Execute step; the trigger listens for a test event',
		run: async ({ page, emulator }) => {
			await ndv(page).getByRole('button', { name: 'Execute step' }).first().click();
			await waitUntil(
				() => emulator.webhooks().some((w) => w.url.includes('/webhook-test/') && w.active),
				WAIT_MS,
			);
			await settle(page);
			const test = emulator.webhooks().find((w) => w.url.includes('/webhook-test/'));
			return `the trigger registered its test URL with Mando: ${test?.url ?? '?'} (events ${test?.events.join(', ')})`;
		},
	},
	{
		shot: 'sale-output',
		title: 'the emulator sends a sale; the output shows total at the top of the item',
		run: async (world) => {
			const { page, emulator } = world;
			const { event } = await emulator.emit('sale.created');
			const sale = event.data as { id: string; total: unknown };
			world.saleTotal = sale.total;
			const output = page.locator('[data-test-id="output-panel"]').first();
			await output
				.getByText(/1 item/)
				.first()
				.waitFor();
			await output.getByText('JSON', { exact: true }).first().click();
			await settle(page);
			const json = await output.innerText();
			if (!new RegExp(`"total":\\s*${String(sale.total)}`).test(json.replace(/\n/g, ' ')))
				throw new Error(`the output does not show "total": ${String(sale.total)} at the top`);
			if (/"data":\s*\{/.test(json))
				throw new Error('the output still nests the sale under "data"');
			return `sale ${sale.id} arrived: the JSON view shows "total": ${String(sale.total)} at the top level and "_event" with ${event.id}`;
		},
	},
	{
		shot: 'next-step',
		title: 'add the Mando node\'s "Update a product" after the trigger',
		run: async ({ page }) => {
			await page.keyboard.press('Escape'); // back to the canvas
			await ndv(page).waitFor({ state: 'hidden' });
			await page.locator('[data-test-id="canvas-handle-plus"]').first().click();
			const search = page.getByPlaceholder('Search nodes...').first();
			await search.fill('Mando');
			await page
				.locator('[data-test-id="node-creator-item-name"]')
				.getByText('Mando', { exact: true })
				.first()
				.click();
			const action = page.getByText('Update a product', { exact: true }).first();
			await action.waitFor();
			await settle(page);
			await shot(page, 'actions');
			await action.click();
			await ndv(page).waitFor();
			await settle(page);
			const credentialPicked = await ndv(page).evaluate((el) =>
				[...el.querySelectorAll('input')].some((input) => input.value === 'Mando account'),
			);
			if (!credentialPicked) throw new Error('the Mando node did not pick the credential');
			return 'searched "Mando" under "What happens next?", picked "Update a product"; the node took the credential "Mando account"';
		},
	},
	{
		shot: 'pick-product',
		title: 'pick the product from the list',
		run: async (world) => {
			const { page, emulator } = world;
			await ndv(page).locator('[data-test-id="rlc-input"]').first().click();
			const items = page.locator('[data-test-id="rlc-item"]:visible');
			await items.first().waitFor();
			const offered = await items.count();
			await settle(page);
			await shot(page, 'list');
			// The owner types part of the name into the list's search.
			await page.getByPlaceholder('Search...').last().fill('capp');
			const item = items.filter({ hasText: 'Cappuccino' }).first();
			await item.waitFor();
			await settle(page);
			const found = await items.count();
			await item.click();
			const product = emulator
				.entities('plu')
				.find((p) => (p as { name?: string }).name === 'Cappuccino') as { id: string } | undefined;
			if (!product) throw new Error('the emulator has no Cappuccino');
			world.productId = product.id;
			// Update Fields → Memo: what the owner changes.
			await ndv(page).getByPlaceholder('Add Field').first().click();
			await page.keyboard.type('Memo');
			await page
				.locator('li:visible, [role="option"]:visible, [role="menuitem"]:visible')
				.filter({ hasText: /^\s*Memo\s*$/ })
				.first()
				.click({ timeout: 10_000 })
				.catch(async () => await page.keyboard.press('Enter'));
			const memo = parameter(page, 'memo').locator('textarea, input').first();
			await memo.waitFor();
			await memo.fill(MEMO);
			await page.keyboard.press('Tab');
			await settle(page);
			return `the list offered ${offered} products, searching "capp" left ${found}; picked "Cappuccino" (${product.id}); Update Fields → Memo "${MEMO}"`;
		},
	},
	{
		shot: 'run-update',
		title: 'run the step: Mando updates the product',
		run: async ({ page, emulator, productId }) => {
			await ndv(page).getByRole('button', { name: 'Execute step' }).first().click();
			const output = page.locator('[data-test-id="output-panel"]').first();
			await output.getByText(MEMO).first().waitFor();
			await settle(page);
			let stored: { memo?: unknown } | undefined;
			await waitUntil(() => {
				stored = emulator.entities('plu').find((p) => p.id === productId) as typeof stored;
				return stored?.memo === MEMO;
			}, WAIT_MS);
			return `output shows the updated product; the emulator's Cappuccino (${productId}) now has memo "${String(stored?.memo)}"`;
		},
	},
	{
		shot: 'published',
		title: 'publish the workflow; a sale now runs it by itself',
		run: async (world) => {
			const { page, emulator, n8n } = world;
			await page.keyboard.press('Escape');
			await ndv(page).waitFor({ state: 'hidden' });
			await page.locator('[data-test-id="workflow-open-publish-modal-button"]').first().click();
			const confirm = page.locator('[data-test-id="workflow-publish-button"]').first();
			await confirm.waitFor();
			await settle(page);
			await shot(page, 'modal');
			await confirm.click();
			await waitUntil(
				() => emulator.webhooks().some((w) => w.active && /\/webhook\/[^/]+\/webhook$/.test(w.url)),
				WAIT_MS,
			);
			const production = emulator
				.webhooks()
				.find((w) => w.active && /\/webhook\/[^/]+\/webhook$/.test(w.url));
			const workflowId = /\/workflow\/([^/?#]+)/.exec(page.url())?.[1];
			if (!workflowId) throw new Error(`no workflow id in ${page.url()}`);
			world.workflowId = workflowId;
			const { event } = await emulator.emit('sale.created');
			const [execution] = await n8n.waitForExecutions(workflowId, 1, WAIT_MS);
			await settle(page);
			return `Publish → Mando webhook for ${production?.url ?? '?'}; the emulator's next sale (${event.id}) → execution #${execution.id} ${execution.status}`;
		},
	},
	{
		shot: 'example',
		title: 'an example from examples/ opens with working nodes',
		run: async ({ page, n8n }) => {
			const file = 'sale-lines-to-google-sheets.json';
			const example = JSON.parse(readFileSync(path.join(REPO_ROOT, 'examples', file), 'utf8')) as {
				name: string;
				nodes: Array<{ id: string; name: string; type: string }>;
				connections: unknown;
				settings?: unknown;
			};
			const created = await n8n.api<{ id: string }>('POST', '/workflows', {
				name: example.name,
				nodes: example.nodes,
				connections: example.connections,
				settings: example.settings ?? {},
			});
			const trigger = example.nodes.find((n) => n.type === 'n8n-nodes-mando.mandoTrigger');
			if (!trigger) throw new Error(`${file} has no n8n-nodes-mando.mandoTrigger`);
			await page.goto(`${n8n.baseUrl}/workflow/${created.id}/${trigger.id}`);
			await ndv(page).waitFor();
			await settle(page);
			const text = await ndv(page).innerText();
			if (/install this node/i.test(text) || !text.includes('Events'))
				throw new Error(`the example's ${trigger.name} does not open as a Mando Trigger`);
			await page.keyboard.press('Escape');
			await ndv(page).waitFor({ state: 'hidden' });
			await page.keyboard.press('Shift+1'); // zoom to fit
			await settle(page);
			const shown = await page.locator('[data-test-id="canvas-node"]').count();
			return `imported ${file} as it is (types n8n-nodes-mando.*): ${shown} nodes on the canvas; its "${trigger.name}" opens with its Events, no "Install this node"`;
		},
	},
];

/** Screenshot file of a step: docs/ui-NN-<shot>.png. */
function shotFile(index: number, name: string): string {
	return `ui-${String(index + 1).padStart(2, '0')}-${name}.png`;
}

let currentShot = '';
/** Saves the page as the current step's screenshot (or as `name` within a step). */
async function shot(page: Page, name?: string): Promise<string> {
	const file = name ? currentShot.replace(/-[^-]+\.png$/, `-${name}.png`) : currentShot;
	await page.screenshot({ path: path.join(DOCS, file) });
	return file;
}

async function main(): Promise<number> {
	const emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
	});
	const n8n = await N8n.start(userFolderWithPackage());
	say(`n8n at ${n8n.baseUrl} (package loaded as n8n-nodes-mando), emulator at ${emulator.url}`);
	const profile = mkdtempSync(path.join(tmpdir(), 'mando-chromium-'));
	let context: BrowserContext | undefined;
	let passed = 0;
	let failed = 0;
	try {
		context = await chromium.launchPersistentContext(profile, {
			executablePath: CHROMIUM_PATH,
			headless: true,
			args: CHROMIUM_ARGS, // the fresh profile folder is the --user-data-dir
			viewport: { width: 1440, height: 900 },
			deviceScaleFactor: 1,
			timeout: WAIT_MS,
		});
		context.setDefaultTimeout(WAIT_MS);
		const page = context.pages()[0] ?? (await context.newPage());
		const world: World = { n8n, emulator, page };
		for (const [index, step] of STEPS.entries()) {
			const label = `${index + 1}/${STEPS.length} ${step.title}`;
			if (failed > 0) {
				failed++;
				say(`not run ${label}`);
				continue;
			}
			currentShot = shotFile(index, step.shot);
			const started = Date.now();
			try {
				const detail = await step.run(world);
				await shot(page);
				passed++;
				say(
					`ok ${label}: ${detail} (${((Date.now() - started) / 1000).toFixed(1)} s, docs/${currentShot})`,
				);
			} catch (error) {
				failed++;
				const file = await shot(page, 'FAILED').catch(() => '(no screenshot)');
				say(`FAILED ${label}: ${(error as Error).message.split('\n')[0]} (screenshot ${file})`);
			}
		}
	} finally {
		await context?.close().catch(() => undefined);
		await n8n.stop();
		await emulator.close();
		rmSync(profile, { recursive: true, force: true });
		cleanTempFolders(failed > 0);
	}
	process.stdout.write(`${passed} passed, ${failed} failed\n`);
	return failed;
}

main().then(
	(failed) => process.exit(failed > 0 ? 1 : 0),
	(error: unknown) => {
		process.stderr.write(`[ui] could not run: ${(error as Error).stack ?? String(error)}\n`);
		process.stdout.write('0 passed, 1 failed\n');
		process.exit(1);
	},
);
