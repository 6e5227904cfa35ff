import { startEmulator, type Emulator } from '../emulator/server';
import { assertNoSecretInLog, e2eLog as log, e2eSecrets } from '../harness/e2eLog';
import { delay, N8n, nodeOutput, waitUntil, type N8nExecution } from '../harness/n8n';
import {
	createMandoCredential,
	createPollingWorkflow,
	createTriggerWorkflow,
	pollEverySeconds,
	publish,
	unpublish,
} from '../harness/workflows';

/**
 * The Mando Polling Trigger end to end: a real n8n 2.40.7 with this package's dist/ loaded polls
 * the Mando emulator every 5 seconds (twelve Poll Times entries, one per fixed second: n8n refuses
 * a single cron that fires more than once a minute), while the emulator makes sales.
 */

jest.setTimeout(20 * 60 * 1000);

const { apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET } = e2eSecrets();
const POLL_TIMES = pollEverySeconds(5);
const POLLER = 'Mando Polling Trigger';

let emulator: Emulator;
let n8n: N8n;
let credential: { id: string; name: string };

beforeAll(async () => {
	emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
	});
	n8n = await N8n.start();
	log(`n8n ${n8n.baseUrl}, emulator ${emulator.url}`);
	credential = await createMandoCredential(n8n, {
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		baseUrl: emulator.url,
	});
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
	assertNoSecretInLog(n8n, [API_KEY, WEBHOOK_SECRET]);
});

/** Every finished execution of a workflow with its data (the public API pages by 250). */
async function allExecutions(workflowId: string): Promise<N8nExecution[]> {
	const out: N8nExecution[] = [];
	let cursor: string | undefined;
	do {
		const page = await n8n.api<{ data: N8nExecution[]; nextCursor?: string | null }>(
			'GET',
			`/executions?workflowId=${workflowId}&includeData=true&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		out.push(
			...page.data.filter((e) => e.finished || e.status === 'success' || e.status === 'error'),
		);
		cursor = page.nextCursor ?? undefined;
	} while (cursor);
	return out;
}

interface Item {
	id: string;
	type: string;
	created: string;
	data: Record<string, unknown> & { id: string };
}

/** The items a trigger node emitted over every execution of the workflow. */
async function itemsOf(
	workflowId: string,
	node: string,
): Promise<{ items: Item[]; executions: number }> {
	const executions = await allExecutions(workflowId);
	return {
		items: executions.flatMap((e) => nodeOutput(e, node) as unknown as Item[]),
		executions: executions.length,
	};
}

/** Waits until the workflow's trigger emitted at least `count` items; returns them. */
async function waitForItems(workflowId: string, node: string, count: number, timeoutMs: number) {
	let last = { items: [] as Item[], executions: 0 };
	await waitUntil(async () => {
		last = await itemsOf(workflowId, node);
		return last.items.length >= count;
	}, timeoutMs);
	return last;
}

/** How the items cover `ids`: each once, missing, repeated, and items for other sales. */
function coverage(items: Item[], ids: string[]) {
	const counts = new Map<string, number>();
	for (const item of items) counts.set(item.data.id, (counts.get(item.data.id) ?? 0) + 1);
	const wanted = new Set(ids);
	return {
		once: ids.filter((id) => counts.get(id) === 1).length,
		missing: ids.filter((id) => !counts.has(id)).length,
		repeated: ids.filter((id) => (counts.get(id) ?? 0) > 1).length,
		other: [...counts.keys()].filter((id) => !wanted.has(id)).length,
		distinctIds: new Set(items.filter((i) => wanted.has(i.data.id)).map((i) => i.id)).size,
	};
}

function salesRequests(): number {
	return emulator.countRequests({ method: 'GET', path: '/api/secure/sales' });
}

describe('Mando Polling Trigger in a real n8n', () => {
	test('first activation with 10,000 old sales: 0 items until a new sale', async () => {
		emulator.seedSales(10_000);
		const wf = await createPollingWorkflow(n8n, credential, {}, POLL_TIMES);
		const before = salesRequests();
		await publish(n8n, wf.id);
		await delay(16_000); // the poll on publishing and three scheduled polls
		const quiet = await itemsOf(wf.id, POLLER);
		const requests = salesRequests() - before;
		expect(quiet.items).toHaveLength(0);
		expect(requests).toBeGreaterThanOrEqual(3);
		const [newSale] = await emulator.createSales(1);
		const after = await waitForItems(wf.id, POLLER, 1, 30_000);
		expect(after.items.map((i) => i.data.id)).toEqual([newSale]);
		log(
			`first activation with 10,000 old sales: 0 items over 16 s (${requests} requests to /secure/sales, one per poll); then 1 new sale → 1 item (sale ${newSale}, event ${after.items[0].id})`,
		);
		await unpublish(n8n, wf.id);
	});

	test("node version 2: each sale's fields at the top of the item, the event under _event, as the webhook trigger 2 gives", async () => {
		const hook = await createTriggerWorkflow(
			n8n,
			credential,
			{ events: ['sale.created'] },
			{ name: 'Mando webhook twin 2', typeVersion: 2 },
		);
		await publish(n8n, hook.id);
		const wf = await createPollingWorkflow(n8n, credential, {}, POLL_TIMES, undefined, 2);
		await publish(n8n, wf.id);
		await delay(6_000); // the poll on publishing sets the start
		const ids = await emulator.createSales(2);
		const polled = await waitForItems(wf.id, POLLER, 2, 60_000);
		const pushed = await waitForItems(hook.id, 'Mando Trigger', 2, 60_000);
		const polledItems = polled.items as unknown as Array<Record<string, unknown>>;
		const pushedItems = pushed.items as unknown as Array<Record<string, unknown>>;
		expect(polledItems.map((i) => i.id)).toEqual(ids);
		for (const item of [...polledItems, ...pushedItems]) {
			expect(item).toMatchObject({
				id: expect.any(String),
				total: expect.anything(),
				items: expect.any(Array),
				_event: { id: expect.any(String), type: 'sale.created', created: expect.any(String) },
			});
			expect(item).not.toHaveProperty('data');
		}
		const keys = (i: Record<string, unknown>) => Object.keys(i).sort().join(',');
		expect(polledItems.map(keys)).toEqual(
			ids.map((id) => keys(pushedItems.find((i) => i.id === id) ?? {})),
		);
		log(
			`node version 2: 2 sales → polling items ${JSON.stringify(polledItems.map((i) => ({ id: i.id, total: i.total, _event: i._event })))}; webhook items have the same ${keys(pushedItems[0]).split(',').length} top-level keys`,
		);
		await unpublish(n8n, wf.id);
		await unpublish(n8n, hook.id);
	});

	let poller: { id: string; name: string };
	let firstIds: string[] = [];

	test('500 sales created while published → 500 items, each once, with the same type and data as the webhook trigger', async () => {
		const hook = await createTriggerWorkflow(
			n8n,
			credential,
			{ events: ['sale.created'] },
			{ name: 'Mando webhook twin' },
		);
		await publish(n8n, hook.id);
		poller = await createPollingWorkflow(n8n, credential, {}, POLL_TIMES);
		await publish(n8n, poller.id);
		const started = Date.now();
		firstIds = await emulator.createSales(500, { perSecond: 25 });
		const seconds = ((Date.now() - started) / 1000).toFixed(0);
		await waitForItems(poller.id, POLLER, 500, 180_000);
		const pushed = await waitForItems(hook.id, 'Mando Trigger', 500, 180_000);
		await delay(6_000); // one more poll: nothing may come twice
		const polledFinal = await itemsOf(poller.id, POLLER);
		const cover = coverage(polledFinal.items, firstIds);
		expect(cover).toEqual({ once: 500, missing: 0, repeated: 0, other: 0, distinctIds: 500 });

		const byWebhook = new Map(pushed.items.map((i) => [i.data.id, i]));
		let fields = 0;
		const differences: string[] = [];
		for (const item of polledFinal.items) {
			const twin = byWebhook.get(item.data.id);
			if (!twin) {
				differences.push(`${item.data.id}: no webhook item`);
				continue;
			}
			if (item.type !== twin.type)
				differences.push(`${item.data.id}: type ${item.type} ≠ ${twin.type}`);
			for (const key of new Set([...Object.keys(item.data), ...Object.keys(twin.data)])) {
				fields++;
				if (JSON.stringify(item.data[key]) !== JSON.stringify(twin.data[key]))
					differences.push(`${item.data.id}.${key}`);
			}
		}
		expect(differences).toEqual([]);
		log(
			`500 sales created while published (25/s over ${seconds} s): polling trigger → ${polledFinal.items.length} items in ${polledFinal.executions} executions, ${cover.once} sales once, ${cover.missing} missing, ${cover.repeated} repeated, ${cover.distinctIds} distinct event ids; webhook trigger → ${pushed.items.length} items; type and data equal field by field for ${polledFinal.items.length}/500 sales (${fields} fields compared, ${differences.length} differences)`,
		);
		await unpublish(n8n, hook.id);
	});

	test('n8n stopped, 300 sales made meanwhile, n8n started → all 300 arrive once', async () => {
		const { items: earlier, executions: runsBefore } = await itemsOf(poller.id, POLLER);
		const before = earlier.length;
		await n8n.stop();
		const requestsBefore = salesRequests();
		const ids = await emulator.createSales(300, { perSecond: 100 });
		const stoppedAt = Date.now();
		await n8n.restart();
		const restartSeconds = ((Date.now() - stoppedAt) / 1000).toFixed(0);
		await waitForItems(poller.id, POLLER, before + 300, 120_000);
		const catchUpRequests = salesRequests() - requestsBefore;
		await delay(6_000);
		const final = await itemsOf(poller.id, POLLER);
		const cover = coverage(final.items, ids);
		expect(cover).toEqual({ once: 300, missing: 0, repeated: 0, other: 500, distinctIds: 300 });
		expect(coverage(final.items, firstIds).once).toBe(500);
		log(
			`n8n stopped, 300 sales made meanwhile, n8n started (${restartSeconds} s to boot): ${cover.once} of 300 arrived once, ${cover.missing} missing, ${cover.repeated} repeated; ${final.executions - runsBefore} execution(s) after the restart (${catchUpRequests} request(s) to /secure/sales from the start until all 300 were in); the 500 earlier sales still once each (${final.items.length} items in all)`,
		);
		await unpublish(n8n, poller.id);
	});

	test('a cursor expired by the emulator → no sale lost or repeated', async () => {
		emulator.setConfig({ cursorTtlMs: 2_000 });
		const wf = await createPollingWorkflow(
			n8n,
			credential,
			{ options: { maxPerPoll: 100 } },
			POLL_TIMES,
		);
		await publish(n8n, wf.id);
		const expiredBefore = emulator.countRequests({
			method: 'GET',
			path: '/api/secure/sales',
			status: 400,
		});
		const traceFrom = emulator.requests().length;
		const ids = await emulator.createSales(350, { perSecond: 350 });
		const got = await waitForItems(wf.id, POLLER, 350, 120_000);
		await delay(6_000);
		const final = await itemsOf(wf.id, POLLER);
		const expired =
			emulator.countRequests({ method: 'GET', path: '/api/secure/sales', status: 400 }) -
			expiredBefore;
		const cover = coverage(final.items, ids);
		// Each sales request: C = with a cursor, T = from a time (created_from); then its status.
		const sales = emulator
			.requests()
			.slice(traceFrom)
			.filter((r) => r.path === '/api/secure/sales');
		const t0 = sales.length ? Date.parse(sales[0].at) : 0;
		const trace = sales
			.map(
				(r) =>
					`${r.query.cursor ? 'C' : 'T'}${r.status}@${((Date.parse(r.at) - t0) / 1000).toFixed(1)}s`,
			)
			.join(' ');
		const perRun = (await allExecutions(wf.id)).reverse().map((e) => nodeOutput(e, POLLER).length);
		expect(expired).toBeGreaterThanOrEqual(1);
		expect(cover).toEqual({ once: 350, missing: 0, repeated: 0, other: 0, distinctIds: 350 });
		log(
			`cursor expired by the emulator (cursors live 2 s, polls every 5 s, Max Events per Poll 100): ${expired} cursor(s) refused with 400 CURSOR_EXPIRED and read again from the last sale seen; 350 sales → ${final.items.length} items in ${got.executions} executions (${perRun.join(' + ')}), ${cover.once} once, ${cover.missing} lost, ${cover.repeated} repeated; sales requests (C cursor / T created_from, status@time): ${trace}`,
		);
		await unpublish(n8n, wf.id);
		emulator.setConfig({ cursorTtlMs: 0 });
	});
});
