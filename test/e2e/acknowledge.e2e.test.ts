import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
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
 * is in trigger.e2e.test.ts.)
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
	n8n = await N8n.start();
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
