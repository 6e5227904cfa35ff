import { randomBytes } from 'crypto';

import { startEmulator, type Emulator } from '../emulator/server';
import { N8n, nodeOutput, type N8nExecution } from '../harness/n8n';
import {
	createMandoCredential,
	lastNodeWebhook,
	mandoNode,
	NODE_PREFIX,
	publish,
} from '../harness/workflows';

/**
 * The Mando action node end to end: a real n8n 2.40.7 with this package's dist/ loaded runs ONE
 * workflow — Webhook → Create Product → Get Product → List Products (Return All) → Update Product →
 * Delete Product — against the Mando emulator, and the emulator's state is asserted afterwards.
 * The product locator's three modes (From List, By Product Number, By ID) run against the
 * emulator's demo café, with the list filled by n8n's own resource-locator endpoint.
 */

jest.setTimeout(15 * 60 * 1000);

const API_KEY = 'e2e-action-key-' + randomBytes(6).toString('hex');
const CATALOGUE = 2500;
const PATH = `mando-action-${randomBytes(4).toString('hex')}`;

function log(line: string): void {
	process.stdout.write(`[e2e] ${line}\n`);
}

let emulator: Emulator;
let n8n: N8n;
let workflowId: string;
let credential: { id: string; name: string };
/** Products of the demo café the emulator starts with. */
let cafeProducts: number;

const createdId = "={{ $('Create Product').first().json.id }}";

beforeAll(async () => {
	emulator = await startEmulator({ apiKey: API_KEY });
	cafeProducts = emulator.entities('plu').length;
	// its own task-runner broker port, so it can run beside another n8n (e.g. the trigger's e2e)
	n8n = await N8n.start();
	log(`n8n ${n8n.baseUrl} (user folder ${n8n.userFolder}), emulator ${emulator.url}`);
	credential = await createMandoCredential(n8n, { apiKey: API_KEY, baseUrl: emulator.url });
	const nodes = [
		lastNodeWebhook(PATH),
		mandoNode(
			'Create Product',
			220,
			{
				resource: 'product',
				operation: 'create',
				name: '={{ $json.body.name }}',
				additionalFields: { productid: '={{ $json.body.productid }}', base_price: 4.5 },
			},
			credential,
		),
		mandoNode(
			'Get Product',
			440,
			{ resource: 'product', operation: 'get', id: '={{ $json.id }}' },
			credential,
		),
		mandoNode(
			'List Products',
			660,
			{ resource: 'product', operation: 'getAll', returnAll: true },
			credential,
		),
		mandoNode(
			'Update Product',
			880,
			{
				resource: 'product',
				operation: 'update',
				id: createdId,
				updateFields: {
					name: '={{ $("Create Product").first().json.name }} (updated)',
					base_price: 5.25,
				},
			},
			credential,
			true,
		),
		mandoNode(
			'Delete Product',
			1100,
			{ resource: 'product', operation: 'delete', id: createdId },
			credential,
			true,
		),
	];
	workflowId = await publishChain('Mando action e2e', nodes);
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
	if ((n8n?.logs() ?? '').includes(API_KEY)) throw new Error('the API key appeared in n8n log');
});

/** Creates a workflow running `nodes` one after another, publishes it, and returns its id. */
async function publishChain(name: string, nodes: Array<{ name: string }>): Promise<string> {
	const chain = nodes.map((n) => n.name);
	const connections = Object.fromEntries(
		chain
			.slice(0, -1)
			.map((from, i) => [from, { main: [[{ node: chain[i + 1], type: 'main', index: 0 }]] }]),
	);
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name,
		nodes,
		connections,
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
	});
	await publish(n8n, workflow.id);
	return workflow.id;
}

/** Calls the workflow's webhook and waits for its answer (the last node's first item). */
async function callWorkflow(
	body: Record<string, unknown>,
	path = PATH,
): Promise<{ status: number; json: Record<string, unknown> }> {
	let res: Response | undefined;
	for (let i = 0; i < 50; i++) {
		res = await fetch(n8n.webhookUrl(path), {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		if (res.status !== 404) break; // 404 until n8n has registered the published webhook
		await new Promise((r) => setTimeout(r, 200));
	}
	const text = await res!.text();
	return { status: res!.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

async function latestExecution(count: number, id = workflowId): Promise<N8nExecution> {
	const executions = await n8n.waitForExecutions(id, count, 60_000);
	expect(executions.length).toBeGreaterThanOrEqual(count);
	return executions[0];
}

/** The product locator's list as the editor fills it: n8n's resource-locator endpoint, `filter` typed. */
async function searchProducts(filter: string): Promise<Array<{ name: string; value: string }>> {
	const answer = await n8n.rest<{ results: Array<{ name: string; value: string }> }>(
		'POST',
		'/dynamic-node-parameters/resource-locator-results',
		{
			methodName: 'searchProducts',
			path: 'parameters.id',
			nodeTypeAndVersion: { name: `${NODE_PREFIX}.mando`, version: 1 },
			currentNodeParameters: { resource: 'product', operation: 'update' },
			credentials: { mandoApi: credential },
			filter,
		},
	);
	return answer.results;
}

describe('Mando action node in a real n8n', () => {
	test("the product locator's three modes against the demo café: From List (n8n's list search), By Product Number, By ID, and a plain ID text", async () => {
		const found = await searchProducts('capp');
		expect(found.map((r) => r.name)).toEqual(['Cappuccino']);
		const all = await searchProducts('');
		expect(all).toHaveLength(cafeProducts);
		log(
			`list search (n8n /rest/dynamic-node-parameters/resource-locator-results, searchProducts): "capp" → ${JSON.stringify(found)}; "" → ${all.length} products: ${all.map((r) => r.name).join(', ')}`,
		);
		const cappuccino = found[0].value;
		const espresso = all.find((r) => r.name === 'Espresso')!.value;
		const path = `mando-locators-${randomBytes(4).toString('hex')}`;
		const rl = (mode: string, value: string, cachedResultName?: string) => ({
			__rl: true,
			mode,
			value,
			...(cachedResultName ? { cachedResultName } : {}),
		});
		const nodes = [
			lastNodeWebhook(path),
			mandoNode(
				'By List',
				220,
				{ resource: 'product', operation: 'get', id: rl('list', cappuccino, 'Cappuccino') },
				credential,
			),
			mandoNode(
				'By Product Number',
				440,
				{
					resource: 'product',
					operation: 'get',
					id: rl('productNumber', "={{ $('Webhook').first().json.body.number }}"),
				},
				credential,
			),
			mandoNode(
				'By ID',
				660,
				{ resource: 'product', operation: 'get', id: rl('id', espresso) },
				credential,
			),
			mandoNode(
				'Plain ID Text',
				880,
				{ resource: 'product', operation: 'get', id: espresso },
				credential,
			),
			mandoNode(
				'Update From List',
				1100,
				{
					resource: 'product',
					operation: 'update',
					id: rl('list', cappuccino, 'Cappuccino'),
					updateFields: { base_price: 4.6 },
				},
				credential,
			),
		];
		const workflowId = await publishChain('Mando locators e2e', nodes);

		const answer = await callWorkflow({ number: '2040' }, path);
		expect(answer.status).toBe(200);
		const execution = await latestExecution(1, workflowId);
		expect(execution.status).toBe('success');
		const got = {
			list: nodeOutput(execution, 'By List').map((p) => p.name),
			number: nodeOutput(execution, 'By Product Number').map((p) => p.name),
			id: nodeOutput(execution, 'By ID').map((p) => p.name),
			plain: nodeOutput(execution, 'Plain ID Text').map((p) => p.name),
			updated: nodeOutput(execution, 'Update From List').map(
				(p) => `${String(p.name)} ${String(p.base_price)}`,
			),
		};
		expect(got).toEqual({
			list: ['Cappuccino'],
			number: ['Salmon soup'],
			id: ['Espresso'],
			plain: ['Espresso'],
			updated: ['Cappuccino 4.6'],
		});
		expect(emulator.entity('plu', cappuccino)).toMatchObject({ base_price: 4.6 });
		const numberLookups = emulator
			.requests()
			.filter((r) => r.method === 'GET' && r.path === '/api/secure/plu' && r.query.productid);
		expect(numberLookups.map((r) => r.query.productid)).toEqual(['2040']);
		log(
			`locator modes: From List → ${got.list[0]}, By Product Number 2040 → ${got.number[0]} (GET /api/secure/plu?productid=2040), By ID → ${got.id[0]}, plain ID text (a workflow saved before the locators) → ${got.plain[0]}, Update From List → ${got.updated[0]}`,
		);

		const missing = await callWorkflow({ number: '9999' }, path);
		const failed = await latestExecution(2, workflowId);
		expect(failed.status).toBe('error');
		const error = failed.data?.resultData.error as
			{ message?: string; description?: string; httpCode?: string } | undefined;
		expect(error).toMatchObject({
			message: 'Mando has no product with product number "9999"',
			description: expect.stringContaining('pick the product from the list'),
		});
		log(
			`By Product Number 9999 → HTTP ${missing.status}; execution ${failed.status}: "${error?.message}" — ${error?.description}`,
		);
	});

	test('one workflow creates, gets, lists (Return All), updates and deletes a product; 429 on Get is retried', async () => {
		emulator.seed('plu', CATALOGUE);
		emulator.injectFault({ method: 'GET', path: '/api/secure/plu/*', status: 429, retryAfter: 1 });
		const before = emulator.requests().length;
		const started = Date.now();
		const answer = await callWorkflow({ name: 'E2E Kahvi', productid: 'E2E-1' });
		const elapsed = Date.now() - started;
		expect(answer.status).toBe(200);
		const requests = emulator.requests().slice(before);

		const execution = await latestExecution(1);
		expect(execution.status).toBe('success');
		const [created] = nodeOutput(execution, 'Create Product');
		const id = created.id as string;
		expect(nodeOutput(execution, 'Get Product')).toEqual([
			expect.objectContaining({ id, name: 'E2E Kahvi' }),
		]);
		const listed = nodeOutput(execution, 'List Products');
		expect(listed).toHaveLength(CATALOGUE + 1 + cafeProducts);
		expect(answer.json).toMatchObject({ id, active: false, name: 'E2E Kahvi (updated)' });

		// the emulator's state
		const stored = emulator.entity('plu', id);
		expect(stored).toMatchObject({
			id,
			name: 'E2E Kahvi (updated)',
			productid: 'E2E-1',
			base_price: 5.25,
			active: false,
		});
		expect(emulator.entities('plu')).toHaveLength(CATALOGUE + 1 + cafeProducts);
		expect(
			emulator
				.entities('plu')
				.filter((p) => p.active === false)
				.map((p) => p.id),
		).toEqual([id]);

		// Return All: exactly ceil(N / 1000) list requests at pageSize 1000
		const lists = requests.filter((r) => r.method === 'GET' && r.path === '/api/secure/plu');
		const n = CATALOGUE + 1 + cafeProducts;
		expect(lists).toHaveLength(Math.ceil(n / 1000));
		expect(lists.every((r) => r.query.pageSize === '1000')).toBe(true);

		// 429 then success on Get Product, after Retry-After
		const gets = requests.filter((r) => r.method === 'GET' && r.path === `/api/secure/plu/${id}`);
		expect(gets.map((r) => r.status)).toEqual([429, 200]);
		const waited = Date.parse(gets[1].at) - Date.parse(gets[0].at);
		expect(waited).toBeGreaterThanOrEqual(950);

		const summary = requests.map(
			(r) =>
				`${r.method} ${r.path.replace(id, '{id}')}${r.query.page ? '?page=' + r.query.page : ''} ${r.status}`,
		);
		log(
			`workflow run in ${elapsed} ms; emulator saw ${requests.length} requests: ${summary.join(', ')}`,
		);
		log(
			`Return All over N=${n} products: ${lists.length} list requests (ceil(N/1000) = ${Math.ceil(n / 1000)}), pageSize ${lists[0].query.pageSize}, ${listed.length} items`,
		);
		log(`429 (Retry-After: 1) on Get Product → retried after ${waited} ms → ${gets[1].status}`);
		log(
			`emulator state: product ${id} name="${stored?.name}" base_price=${String(stored?.base_price)} active=${String(stored?.active)}; ${emulator.entities('plu').length} products, 1 inactive`,
		);
	});

	test("n8n serves the node's output schemas (the editor's preview before the first run)", async () => {
		const url = `${n8n.baseUrl}/schemas/${NODE_PREFIX}.mando/1.0.0/product/getAll.json`;
		const res = await fetch(url);
		expect(res.status).toBe(200);
		const schema = (await res.json()) as { type: string; properties: Record<string, unknown> };
		expect(schema.type).toBe('object');
		expect(Object.keys(schema.properties)).toEqual(
			expect.arrayContaining(['id', 'active', 'name', 'productid', 'base_price', 'dpt_id', 'data']),
		);
		const sale = await fetch(`${n8n.baseUrl}/schemas/${NODE_PREFIX}.mando/1.0.0/sale/getAll.json`);
		expect(sale.status).toBe(200);
		log(
			`schema preview: GET ${url.replace(n8n.baseUrl, '')} → ${res.status}, ${Object.keys(schema.properties).length} fields; sale/getAll → ${sale.status}`,
		);
	});

	test('a create whose answer is lost (connection dropped after Mando stored it) is retried without a duplicate', async () => {
		emulator.injectFault({ method: 'POST', path: '/api/secure/plu', kind: 'dropAfter' });
		const before = emulator.requests().length;
		const answer = await callWorkflow({ name: 'E2E Tee', productid: 'E2E-2' });
		expect(answer.status).toBe(200);
		const execution = await latestExecution(2);
		expect(execution.status).toBe('success');
		const posts = emulator
			.requests()
			.slice(before)
			.filter((r) => r.method === 'POST');
		expect(posts.map((r) => r.status)).toEqual([0, 409]);
		const tea = emulator.entities('plu').filter((p) => p.productid === 'E2E-2');
		expect(tea).toHaveLength(1);
		expect(tea[0]).toMatchObject({ name: 'E2E Tee (updated)', active: false });
		log(
			`dropped create: POST statuses ${posts.map((r) => r.status).join(' → ')} (0 = connection dropped after storing); products with productid E2E-2: ${tea.length}`,
		);
	});
});
