import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
import {
	expectEarlyAckChangedNothing,
	postDelivery,
	proveEarlyAckChangesNothing,
} from '../harness/early-ack';
import { ACK_FALLBACK_MS } from '../../nodes/MandoTrigger/delivery';
import { delay, N8n, nodeOutput } from '../harness/n8n';
import {
	createMandoCredential,
	createTriggerWorkflow,
	publish,
	unpublish,
} from '../harness/workflows';

/**
 * "Acknowledge: After the workflow succeeds" when the workflow succeeds: Mando gets its 2xx only
 * after the run, the event counts as handled, and a re-delivery starts nothing. (The failing case
 * is in trigger.e2e.test.ts.) "Immediately": n8n answers once it has stored the run, the trigger
 * itself within ACK_FALLBACK_MS while the run waits for a concurrency slot; neither changes the runs.
 */

jest.setTimeout(10 * 60 * 1000);

const API_KEY = 'ack-api-key-' + randomBytes(6).toString('hex');
const SECRET = 'ack-whsec-' + randomBytes(8).toString('hex');
const log = (line: string) => process.stdout.write(`[e2e] ${line}\n`);

let emulator: Emulator;
let n8n: N8n;

beforeAll(async () => {
	emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: SECRET,
		allowHttp: true,
		timeScale: 1 / 3000,
	});
	// every n8n Cloud plan has a production concurrency limit; 1 makes each run wait for the previous
	n8n = await N8n.start({ env: { N8N_CONCURRENCY_PRODUCTION_LIMIT: '1' } });
});

afterAll(async () => {
	await n8n?.stop();
	await emulator?.close();
});

test('a successful run is acknowledged with 2xx after it finished, and a re-delivery is a duplicate', async () => {
	const credential = await createMandoCredential(n8n, {
		apiKey: API_KEY,
		webhookSecret: SECRET,
		baseUrl: emulator.url,
	});
	const wf = await createTriggerWorkflow(n8n, credential, {
		events: ['sale.created'],
		acknowledge: 'afterSuccess',
	});
	await publish(n8n, wf.id);
	const { event } = await emulator.emit('sale.created');
	const [first] = emulator.deliveries().filter((d) => d.eventIds.includes(event.id));
	expect(first.status).toBe(200);
	// the answer came after the run: the execution is already stored when emit() resolves
	const executions = await n8n.executions(wf.id);
	expect(executions).toHaveLength(1);
	expect(executions[0].status).toBe('success');
	expect(nodeOutput(executions[0], 'Mando Trigger')).toEqual([event]);

	await emulator.emit('sale.created', { id: event.id });
	await delay(1500);
	const statuses = emulator
		.deliveries()
		.filter((d) => d.eventIds.includes(event.id))
		.map((d) => d.status);
	expect(statuses).toEqual([200, 200]);
	expect(await n8n.executions(wf.id)).toHaveLength(1);
	log(
		`afterSuccess + succeeding workflow: ${event.id} answered ${first.status} in ${first.durationMs} ms (after the run), execution #${executions[0].id}; re-delivered → ${statuses[1]}, still 1 execution`,
	);
	await unpublish(n8n, wf.id);
});

/**
 * Acknowledge "Immediately": n8n answers once it has stored the run (the trigger, if n8n has not
 * within ACK_FALLBACK_MS). The same deliveries through an "Immediately" and an "After the workflow
 * succeeds" workflow (whose answer waits for the run) give the same executions and items; under
 * `N8N_CONCURRENCY_PRODUCTION_LIMIT=1` (this n8n's setting) an event that waits for a run slot is
 * still acknowledged within a second.
 */
test('Immediately (n8n answers once the run is stored) changes no execution or item: the same deliveries as After the workflow succeeds', async () => {
	const credential = await createMandoCredential(n8n, {
		apiKey: API_KEY,
		webhookSecret: SECRET,
		baseUrl: emulator.url,
	});
	const proof = await proveEarlyAckChangesNothing(n8n, emulator, credential, SECRET);
	log(`early ack, regular mode (concurrency limit 1): ${proof.summary}`);
	expectEarlyAckChangedNothing(proof, n8n.logs());
});

test('concurrency limit 1, trigger → Wait 20 s, two events 2 s apart: the first answered by n8n once stored, the second by the trigger within 1 s while its run waits for the slot, both runs happen', async () => {
	const credential = await createMandoCredential(n8n, {
		apiKey: API_KEY,
		webhookSecret: SECRET,
		baseUrl: emulator.url,
	});
	const wf = await createTriggerWorkflow(
		n8n,
		credential,
		{ events: ['sale.created'], acknowledge: 'immediately' },
		{ next: { waitSeconds: 20 } },
	);
	await publish(n8n, wf.id);
	const url = n8n.webhookUrl(wf.webhookPath);
	const tag = randomBytes(4).toString('hex');
	const body = (n: number) =>
		JSON.stringify({
			id: `evt_slot_${tag}_${n}`,
			type: 'sale.created',
			created: new Date().toISOString(),
			data: { id: `sale-${n}`, total: 1, items: [] },
		});
	const first = await postDelivery(url, body(1), SECRET);
	await delay(2000);
	const second = await postDelivery(url, body(2), SECRET);
	const executions = await n8n.waitForExecutions(wf.id, 2, 120_000);
	const ran = executions.flatMap((e) => nodeOutput(e, 'Mando Trigger').map((i) => i.id)).sort();
	log(
		`early ack, N8N_CONCURRENCY_PRODUCTION_LIMIT=1, trigger → Wait 20 s, two events 2 s apart: acknowledged ${first.status} in ${first.ms.toFixed(0)} ms and ${second.status} in ${second.ms.toFixed(0)} ms (the second while the first run held the only slot; early: ${JSON.stringify([first.body, second.body].map((b) => (b as { early?: boolean }).early === true))}); ${executions.length} executions (${executions.map((e) => e.status).join(', ')}), items ${JSON.stringify(ran)}`,
	);
	expect([first.status, second.status]).toEqual([200, 200]);
	// the slot was free for the first: n8n answered (no "early"); the second's run waited for the
	// slot, so the trigger answered after ACK_FALLBACK_MS (n8n alone took ~18 s, past Mando's 5 s)
	expect((first.body as { early?: boolean }).early).toBeUndefined();
	expect((second.body as { early?: boolean }).early).toBe(true);
	expect(second.ms).toBeGreaterThanOrEqual(ACK_FALLBACK_MS - 5);
	expect(second.ms).toBeLessThan(5000);
	expect(executions.map((e) => e.status)).toEqual(['success', 'success']);
	expect(ran).toEqual([`evt_slot_${tag}_1`, `evt_slot_${tag}_2`]);
	expect(n8n.logs()).not.toMatch(/headers already sent|ERR_HTTP_HEADERS_SENT/i);
	await unpublish(n8n, wf.id);
});
