import { randomBytes } from 'crypto';
import { startEmulator, type Emulator, type EmulatorFault } from '../emulator/server';
import { N8n, nodeOutput, type N8nExecution } from '../harness/n8n';
import { createMandoCredential, lastNodeWebhook, mandoNode, publish } from '../harness/workflows';
import { recordFigures } from './figures';
import { scanForSecrets } from './secrets';
import { allExecutions, log } from './setup';

/**
 * Scenario 8, the Mando action node under faults, in a real n8n: a workflow "Webhook → Create
 * Product → Get Product" runs once per round while the emulator injects 429 with `Retry-After`,
 * 503s and dropped connections (before, and after the product was stored). Operations succeed
 * within the transport's retry bound (4 attempts, 30 s of waiting), fail with Mando's error past
 * it, a 422 surfaces with Mando's code and message, and no product is created twice.
 */

jest.setTimeout(15 * 60 * 1000);

const API_KEY = 'rel-action-key-' + randomBytes(8).toString('hex');
const PATH = `mando-rel-action-${randomBytes(4).toString('hex')}`;

let emulator: Emulator;
let n8n: N8n;
let workflowId: string;

beforeAll(async () => {
	emulator = await startEmulator({ apiKey: API_KEY });
	n8n = await N8n.start();
	const credential = await createMandoCredential(n8n, { apiKey: API_KEY, baseUrl: emulator.url });
	const mando = (name: string, x: number, parameters: Record<string, unknown>) =>
		mandoNode(name, x, parameters, credential);
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name: 'Reliability 8 action under faults',
		nodes: [
			lastNodeWebhook(PATH),
			mando('Create Product', 220, {
				resource: 'product',
				operation: 'create',
				name: '={{ $json.body.name }}',
				additionalFields: { id: '={{ $json.body.customId }}', base_price: 2.5 },
			}),
			mando('Get Product', 440, { resource: 'product', operation: 'get', id: '={{ $json.id }}' }),
		],
		connections: {
			Webhook: { main: [[{ node: 'Create Product', type: 'main', index: 0 }]] },
			'Create Product': { main: [[{ node: 'Get Product', type: 'main', index: 0 }]] },
		},
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
	});
	workflowId = workflow.id;
	await publish(n8n, workflowId);
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
});

interface Round {
	name: string;
	faults: EmulatorFault[];
	/** `ok`: the run succeeds; otherwise the error text the execution must carry. */
	expect: 'ok' | string[];
	customId?: string;
}

const rounds: Round[] = [
	{
		name: '429 ×2 with Retry-After on create',
		faults: [{ method: 'POST', path: '/api/secure/plu', status: 429, retryAfter: 1, count: 2 }],
		expect: 'ok',
	},
	{
		name: '503 ×3 on get',
		faults: [{ method: 'GET', path: '/api/secure/plu/*', status: 503, count: 3 }],
		expect: 'ok',
	},
	{
		name: 'connection dropped before create',
		faults: [{ method: 'POST', path: '/api/secure/plu', kind: 'drop' }],
		expect: 'ok',
	},
	{
		name: 'connection dropped after the product was stored',
		faults: [{ method: 'POST', path: '/api/secure/plu', kind: 'dropAfter' }],
		expect: 'ok',
	},
	{
		name: '429, 503, drop, then success on create (4th attempt)',
		faults: [
			{ method: 'POST', path: '/api/secure/plu', status: 429, retryAfter: 1 },
			{ method: 'POST', path: '/api/secure/plu', status: 503 },
			{ method: 'POST', path: '/api/secure/plu', kind: 'dropAfter' },
		],
		expect: 'ok',
	},
	{
		name: '503 ×4 on get: past the retry bound',
		faults: [{ method: 'GET', path: '/api/secure/plu/*', status: 503, count: 4 }],
		expect: ['503', 'after 4 attempts'],
	},
	{
		name: '422 from Mando (Custom ID too long)',
		faults: [],
		customId: 'x'.repeat(200),
		expect: ['VALIDATION_FAILED', 'id must be a non-empty string'],
	},
];

function errorText(execution: N8nExecution): string {
	return JSON.stringify(execution.data?.resultData.error ?? {});
}

describe('reliability: the Mando action node under faults', () => {
	test("8 action node under faults: succeeds within the retry bound, 422 shows Mando's code and message, nothing created twice", async () => {
		const started = Date.now();
		const results: Array<{
			round: Round;
			ok: boolean;
			products: number;
			requests: number;
			text: string;
		}> = [];
		for (const [i, round] of rounds.entries()) {
			const name = `Reliability product ${i + 1} ${randomBytes(3).toString('hex')}`;
			for (const fault of round.faults) emulator.injectFault(fault);
			const before = emulator.requests().length;
			const res = await fetch(n8n.webhookUrl(PATH), {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ name, customId: round.customId ?? '' }),
			});
			await res.text();
			const [execution] = await n8n.waitForExecutions(workflowId, i + 1, 60_000);
			const products = emulator.entities('plu').filter((p) => p.name === name).length;
			const requests = emulator.requests().length - before;
			const ok = execution.status === 'success';
			const text = ok ? JSON.stringify(nodeOutput(execution, 'Get Product')) : errorText(execution);
			results.push({ round, ok, products, requests, text });
			log(
				`action: ${round.name}: HTTP ${res.status}, execution ${execution.status}, ${requests} API requests, products named so: ${products}${ok ? '' : `; error: ${text.slice(0, 260)}`}`,
			);
			expect(emulator.faults()).toEqual([]);
		}
		const scan = await scanForSecrets(
			n8n,
			[API_KEY],
			results.map((r) => r.text),
		);
		const executions = await allExecutions(n8n, workflowId, false);
		const shouldSucceed = results.filter((r) => r.round.expect === 'ok');
		recordFigures({
			scenario: '8 Action node under faults',
			eventsSent: rounds.length,
			executions: executions.length,
			lost: shouldSucceed.filter((r) => !r.ok).length,
			duplicated: results.filter((r) => r.products > 1).length,
			answers5xx: emulator.countRequests({ status: 503 }),
			forgedExecutions: 0,
			secretOccurrences: scan.total,
			durationS: (Date.now() - started) / 1000,
			note: `${rounds.length} runs; 5xx column: 503s injected by the emulator; ${emulator.countRequests({ status: 429 })} × 429, ${emulator.countRequests({ status: 0 })} dropped`,
		});
		for (const r of results) {
			if (r.round.expect === 'ok') {
				expect({ round: r.round.name, ok: r.ok, products: r.products }).toEqual({
					round: r.round.name,
					ok: true,
					products: 1,
				});
			} else {
				expect(r.ok).toBe(false);
				for (const fragment of r.round.expect) expect(r.text).toContain(fragment);
				expect(r.products).toBeLessThanOrEqual(1);
			}
		}
		expect(scan.total).toBe(0);
	});
});
