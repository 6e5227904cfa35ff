import { randomBytes, randomUUID } from 'crypto';

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
 * The Mando action node on "real data" in a real n8n 2.40.7 (issue 12): n8n's Retry On Fail after
 * a create whose answer was lost makes exactly one record; the node's AI tool variant, invoked
 * through n8n's Tool Executor, answers at most 100 records with the total over 25,000 products.
 */

jest.setTimeout(15 * 60 * 1000);

const API_KEY = 'e2e-real-data-key-' + randomBytes(6).toString('hex');
const CATALOGUE = 25_000;

function log(line: string): void {
	process.stdout.write(`[e2e] ${line}\n`);
}

let emulator: Emulator;
let n8n: N8n;
let credential: { id: string; name: string };

beforeAll(async () => {
	emulator = await startEmulator({ apiKey: API_KEY, seed: 'empty' });
	n8n = await N8n.start({ env: { N8N_COMMUNITY_PACKAGES_ALLOW_TOOL_USAGE: 'true' } });
	log(`n8n ${n8n.baseUrl}, emulator ${emulator.url}`);
	credential = await createMandoCredential(n8n, { apiKey: API_KEY, baseUrl: emulator.url });
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
	if ((n8n?.logs() ?? '').includes(API_KEY)) throw new Error('the API key appeared in n8n log');
});

/** Creates and publishes a workflow; returns its id. */
async function createWorkflow(
	name: string,
	nodes: unknown[],
	connections: Record<string, unknown>,
): Promise<string> {
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

/** Calls a published webhook (retrying its 404 until n8n has registered it). */
async function call(path: string, body: Record<string, unknown> = {}): Promise<number> {
	let res: Response | undefined;
	for (let i = 0; i < 100; i++) {
		res = await fetch(n8n.webhookUrl(path), {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify(body),
		});
		if (res.status !== 404) break;
		await new Promise((r) => setTimeout(r, 200));
	}
	await res!.text();
	return res!.status;
}

async function latestExecution(workflowId: string): Promise<N8nExecution> {
	const executions = await n8n.waitForExecutions(workflowId, 1, 120_000);
	return executions[0];
}

test('Retry On Fail after a create whose answer was lost: exactly 1 customer, alreadyExisted: true', async () => {
	const path = `mando-retry-${randomBytes(4).toString('hex')}`;
	const create = {
		...mandoNode(
			'Create Customer',
			220,
			{
				resource: 'customer',
				operation: 'create',
				name: '={{ $json.body.name }}',
				options: { maxAttempts: 1 },
			},
			credential,
		),
		retryOnFail: true,
		maxTries: 2,
		waitBetweenTries: 100,
	};
	const workflowId = await createWorkflow(
		'Mando Retry On Fail e2e',
		[lastNodeWebhook(path), create],
		{ Webhook: { main: [[{ node: 'Create Customer', type: 'main', index: 0 }]] } },
	);
	// the node's own retries are off (Max Attempts 1): the second POST comes from n8n's Retry On Fail
	emulator.injectFault({ method: 'POST', path: '/api/secure/customer', kind: 'dropAfter' });
	expect(await call(path, { name: 'Aino Retry' })).toBe(200);
	const execution = await latestExecution(workflowId);
	expect(execution.status).toBe('success');
	const posts = emulator
		.requests()
		.filter((r) => r.method === 'POST' && r.path === '/api/secure/customer');
	const ids = posts.map((r) => (r.body as { id: string }).id);
	expect(posts.map((r) => r.status)).toEqual([0, 409]);
	expect(new Set(ids).size).toBe(1);
	expect(emulator.entities('customer')).toHaveLength(1);
	const [out] = nodeOutput(execution, 'Create Customer');
	expect(out).toMatchObject({ id: ids[0], name: 'Aino Retry', alreadyExisted: true });
	log(
		`Retry On Fail: POSTs ${posts.map((r) => `${r.status}`).join(', ')} with one id ${ids[0]}; ${emulator.entities('customer').length} customer stored; output alreadyExisted=${String(out.alreadyExisted)}`,
	);
});

/**
 * Runs one call of the Mando node's tool variant (node `toolNode`, parameters `parameters`) through
 * n8n's Tool Executor with the arguments `args`, and returns what the agent reads (the tool's JSON
 * answer, parsed), the execution status and the emulator requests it caused.
 */
async function toolCall(
	toolNode: string,
	parameters: Record<string, unknown>,
	args: Record<string, unknown> = {},
) {
	const path = `mando-tool-${randomBytes(4).toString('hex')}`;
	const tool = {
		id: randomUUID(),
		name: toolNode,
		type: `${NODE_PREFIX}.mandoTool`,
		typeVersion: 1,
		position: [220, 500],
		parameters,
		credentials: { mandoApi: credential },
	};
	const query = JSON.stringify({ [toolNode.replaceAll(' ', '_')]: args });
	const executor = {
		id: randomUUID(),
		name: 'Tool Executor',
		type: '@n8n/n8n-nodes-langchain.toolExecutor',
		typeVersion: 1,
		position: [220, 300],
		parameters: { query, toolName: '' },
	};
	const workflowId = await createWorkflow(
		`Mando tool e2e (${toolNode})`,
		[lastNodeWebhook(path), executor, tool],
		{
			Webhook: { main: [[{ node: 'Tool Executor', type: 'main', index: 0 }]] },
			[toolNode]: { ai_tool: [[{ node: 'Tool Executor', type: 'ai_tool', index: 0 }]] },
		},
	);
	const before = emulator.requests().length;
	expect(await call(path)).toBe(200);
	const execution = await latestExecution(workflowId);
	// The Tool Executor outputs what the tool answered the agent: the JSON text of the node's items.
	const [result] = nodeOutput(execution, 'Tool Executor') as unknown[];
	const text = typeof result === 'string' ? result : JSON.stringify(result);
	return {
		status: execution.status,
		text,
		answer: JSON.parse(text) as Array<Record<string, unknown>>,
		requests: emulator.requests().slice(before),
	};
}

test("the node's AI tool variant over 25,000 products: ≤ 100 compact records with the total, one request", async () => {
	emulator.seed('plu', CATALOGUE, { data: { supply: [{ ean: '6400000000000', sku: 'x' }] } });
	const { status, text, answer, requests } = await toolCall('Mando Products', {
		resource: 'product',
		operation: 'getAll',
		returnAll: true,
	});
	expect(status).toBe('success');
	log(`the agent reads: ${text.slice(0, 300)}…`);
	const page = answer[0] as {
		total: number;
		returned: number;
		more: boolean;
		hint: string;
		results: unknown[];
	};
	expect(answer).toHaveLength(1);
	expect(page).toMatchObject({
		total: CATALOGUE,
		returned: 100,
		more: true,
		hint: expect.stringContaining('Narrow the list'),
	});
	expect(page.results.length).toBeLessThanOrEqual(100);
	const lists = requests.filter((r) => r.path === '/api/secure/plu');
	expect(lists.map((r) => r.query)).toEqual([{ page: '1', pageSize: '100' }]);
	log(
		`tool call over ${CATALOGUE} products: ${page.returned} records, total ${page.total}, ${text.length} characters, ${lists.length} request(s); hint: ${page.hint}`,
	);
});

test('the tool variant called with an empty product id answers the agent a readable error, without a request', async () => {
	// (a call without the argument at all is refused by n8n's own tool schema: "Required → at productId")
	const id = "={{ $fromAI('productId', 'The product ID', 'string') }}";
	const { status, text, answer, requests } = await toolCall(
		'Mando Product',
		{ resource: 'product', operation: 'get', id },
		{ productId: '  ' },
	);
	log(`tool call with productId "  ": execution ${status}; the agent reads ${text}`);
	expect(status).toBe('success');
	expect(answer).toEqual([
		{
			error: 'Product ID is empty (got "  ")',
			description: expect.stringContaining('Give the ID (GUID) of the product'),
		},
	]);
	expect(requests).toEqual([]);
});

test("the credential's Test button reads the Base URL as the nodes do: spaces and a trailing slash pass, http:// to a remote host and a missing scheme fail with what to fix", async () => {
	const testWith = async (baseUrl: string, apiKey = API_KEY) =>
		await n8n.rest<{ status: string; message: string }>('POST', '/credentials/test', {
			credentials: {
				id: credential.id,
				name: credential.name,
				type: 'mandoApi',
				data: { apiKey, baseUrl, webhookSecret: '' },
			},
		});
	const spaced = await testWith(`  ${emulator.url}/  `);
	expect(spaced.status).toBe('OK');
	const remoteHttp = await testWith('http://www.mando.fi/api');
	expect(remoteHttp).toMatchObject({
		status: 'Error',
		message: expect.stringContaining('must use https://'),
	});
	const noScheme = await testWith('www.mando.fi/api');
	expect(noScheme).toMatchObject({
		status: 'Error',
		message: expect.stringContaining('must start with https://'),
	});
	const wrongKey = await testWith(emulator.url, 'wrong-key');
	expect(wrongKey).toMatchObject({ status: 'Error', message: expect.stringContaining('401') });
	const lists = emulator.requests().filter((r) => r.path === '/api/secure/location');
	// the spaced Base URL reached /secure/location; the wrong key got 401 (n8n's test may ask twice)
	expect(lists[0].status).toBe(200);
	expect(lists.slice(1).every((r) => r.status === 401)).toBe(true);
	log(
		`credential test: spaced → ${spaced.status}; http remote → ${remoteHttp.message}; no scheme → ${noScheme.message}; wrong key → ${wrongKey.message}`,
	);
});

test('the tool variant with the product locator as the editor sets it for an agent ($fromAI in By ID or By Product Number) finds the product', async () => {
	const id = randomUUID();
	emulator.seed('plu', [{ id, name: 'Agent Latte', productid: 'AG-7' }]);
	const byId = await toolCall(
		'Mando Product By ID',
		{
			resource: 'product',
			operation: 'get',
			id: {
				__rl: true,
				mode: 'id',
				value: "={{ $fromAI('productId', 'The product ID', 'string') }}",
			},
		},
		{ productId: id },
	);
	const byNumber = await toolCall(
		'Mando Product By Number',
		{
			resource: 'product',
			operation: 'get',
			id: {
				__rl: true,
				mode: 'productNumber',
				value: "={{ $fromAI('productNumber', 'The product number', 'string') }}",
			},
		},
		{ productNumber: 'AG-7' },
	);
	expect({ byId: byId.answer[0]?.name, byNumber: byNumber.answer[0]?.name }).toEqual({
		byId: 'Agent Latte',
		byNumber: 'Agent Latte',
	});
	expect(
		byNumber.requests.map((r) => `${r.method} ${r.path} ${r.query.productid ?? ''}`.trim()),
	).toEqual(['GET /api/secure/plu AG-7', `GET /api/secure/plu/${id}`]);
	log(
		`tool with locator {mode: id, $fromAI} → ${String(byId.answer[0]?.name)}; {mode: productNumber, $fromAI} → ${String(byNumber.answer[0]?.name)} via ${byNumber.requests.map((r) => r.path + (r.query.productid ? `?productid=${r.query.productid}` : '')).join(', ')}`,
	);
});
