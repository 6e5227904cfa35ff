/**
 * The main job on one machine: the Mando emulator (with its demo café: products, departments, a
 * customer, an open business day), a real n8n 2.40.7 with this package loaded under its real name
 * (`n8n-nodes-mando.*`, as in examples/ and users' workflows), a published workflow
 * "Mando Trigger (all events) → Format message", a few events sent through it, the workflows of
 * examples/ imported with the demo credential, and where to look in the editor. Runs until Ctrl-C
 * (or exits at once with --exit).
 *
 * Run with `npm run demo` (which installs and builds first).
 */
import { EMULATOR_DEFAULT_CONFIG } from '../test/emulator/config';
import { startEmulator } from '../test/emulator/server';
import { N8n, nodeOutput, waitUntil } from '../test/harness/n8n';
import { cleanTempFolders } from '../test/harness/tempFolders';
import { PACKAGE_NODE_PREFIX, userFolderWithPackage } from '../test/harness/packageByName';
import { createMandoCredential, publish } from '../test/harness/workflows';
import { randomUUID } from 'crypto';
import { readdirSync, readFileSync } from 'fs';
import path from 'path';

const EXAMPLES = path.resolve(__dirname, '..', 'examples');

/** A port from the environment variable `name`, or `fallback`; exits with a one-line message on a bad value. */
function portFromEnv(name: string, fallback: number): number {
	const raw = process.env[name];
	if (raw === undefined || raw === '') return fallback;
	const port = Number(raw);
	if (!Number.isInteger(port) || port < 1 || port > 65535) {
		process.stderr.write(`demo failed: ${name} must be a port number (1-65535), got "${raw}"\n`);
		process.exit(1);
	}
	return port;
}

const N8N_PORT = portFromEnv('N8N_PORT', 5678);
const EMULATOR_PORT = portFromEnv('MANDO_EMULATOR_PORT', 8787);
// The emulator's defaults, so that the README's curl commands work against the demo as well.
const API_KEY = EMULATOR_DEFAULT_CONFIG.apiKey;
const WEBHOOK_SECRET = EMULATOR_DEFAULT_CONFIG.webhookSecret;
const options = process.argv.slice(2);
const unknown = options.filter((o) => o !== '--exit');
if (unknown.length > 0) {
	process.stderr.write(
		`demo failed: unknown option ${unknown.join(' ')}; the demo takes only --exit (stop once the events ran)\n`,
	);
	process.exit(2);
}
const exitWhenDone = options.includes('--exit');

function say(line = ''): void {
	process.stdout.write(line + '\n');
}

async function main(): Promise<void> {
	say('Starting the Mando emulator …');
	const emulator = await startEmulator({
		port: EMULATOR_PORT,
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		allowHttp: true,
		timeScale: 1 / 60, // Mando's retry schedule, 60× faster: 1 min → 1 s
	}).catch((error: NodeJS.ErrnoException) => {
		if (error.code !== 'EADDRINUSE') throw error;
		throw new Error(
			`port ${EMULATOR_PORT} on 127.0.0.1 is in use (another \`npm run demo\`?); stop what listens there or set MANDO_EMULATOR_PORT`,
		);
	});
	say(`  Mando emulator: ${emulator.url}`);
	say('Starting n8n 2.40.7 with n8n-nodes-mando …');
	let n8n: N8n | undefined;
	let ok = false;
	try {
		n8n = await N8n.start({
			port: N8N_PORT,
			...userFolderWithPackage(),
			// info, not the tests' debug: the trigger's warnings (a refused delivery) stay readable
			env: { N8N_LOG_LEVEL: 'info' },
		}).catch((error: Error) => {
			throw /in use/.test(error.message) ? new Error(`${error.message} (or set N8N_PORT)`) : error;
		});
		say(`  n8n: ${n8n.baseUrl}   (log: ${n8n.logFile})`);
		await runDemo(n8n, emulator);
		ok = true;
	} finally {
		await n8n?.stop();
		await emulator.close();
		// n8n's user folder: removed, or kept (path printed) when the demo failed after n8n started
		cleanTempFolders(!ok && n8n !== undefined);
		if (ok) say('Stopped n8n and the emulator; removed their temporary folders.');
	}
}

async function runDemo(
	n8n: N8n,
	emulator: Awaited<ReturnType<typeof startEmulator>>,
): Promise<void> {
	const credential = await createMandoCredential(n8n, {
		apiKey: API_KEY,
		webhookSecret: WEBHOOK_SECRET,
		baseUrl: emulator.url,
	});
	const webhookId = randomUUID();
	const workflow = await n8n.api<{ id: string; name: string }>('POST', '/workflows', {
		name: 'Mando events → message (demo)',
		nodes: [
			{
				id: randomUUID(),
				name: 'Mando Trigger',
				type: `${PACKAGE_NODE_PREFIX}.mandoTrigger`,
				typeVersion: 2,
				position: [240, 300],
				webhookId,
				parameters: { events: ['*'], registration: 'automatic', acknowledge: 'immediately' },
				credentials: { mandoApi: credential },
			},
			{
				id: randomUUID(),
				name: 'Format message',
				type: 'n8n-nodes-base.set',
				typeVersion: 3.4,
				position: [480, 300],
				parameters: {
					mode: 'manual',
					assignments: {
						assignments: [
							{
								id: randomUUID(),
								name: 'message',
								type: 'string',
								value:
									'={{ $json._event.type }} at {{ $json._event.created }}{{ $json._event.type.startsWith("sale.") ? ": " + $json.total + " EUR" : "" }}{{ $json._event.type.startsWith("stock.") ? ": " + $json.name + " " + $json.quantity + " left" : "" }}{{ $json._event.type.startsWith("customer.") ? ": " + $json.name : "" }}{{ $json._event.type.startsWith("businessday.") ? ": " + $json.date + ", " + $json.data.sales_count + " sales, " + $json.data.total + " EUR" : "" }}',
							},
						],
					},
				},
			},
		],
		connections: {
			'Mando Trigger': { main: [[{ node: 'Format message', type: 'main', index: 0 }]] },
		},
		settings: { executionOrder: 'v1' },
	});
	await publish(n8n, workflow.id);
	await waitUntil(() => emulator.webhooks().some((w) => w.active));
	const [registration] = emulator.webhooks();
	if (!registration)
		throw new Error(`the trigger did not register its webhook; see ${n8n.logFile}`);
	say(
		`Published "${workflow.name}"; the trigger registered Mando webhook ${registration.id} for ${registration.url}`,
	);

	const types = ['sale.created', 'stock.low', 'customer.created', 'businessday.closed'] as const;
	for (const type of types) {
		const { event } = await emulator.emit(type);
		say(`  emulator sent ${type} (${event.id})`);
	}
	const executions = await n8n.waitForExecutions(workflow.id, types.length, 30_000);
	say();
	say(`${executions.length} executions:`);
	for (const execution of [...executions].reverse()) {
		const [out] = nodeOutput(execution, 'Format message');
		say(`  #${execution.id} ${execution.status}: ${String(out?.message ?? '')}`);
	}
	const examples = await importExamples(n8n, credential);
	say();
	say('Where to look:');
	say(
		`  Editor:     ${n8n.baseUrl}/workflow/${workflow.id}   (Executions tab: one execution per event)`,
	);
	say(
		`  Examples:   imported from examples/ (Overview → Workflows), with the Mando credential set:`,
	);
	for (const example of examples) say(`              ${example.url}   ${example.name}`);
	say('  Log in as:  owner@mando-e2e.test / Mando-e2e-Passw0rd');
	say(
		`  Mando API:  ${emulator.url}   API key ${API_KEY}, webhook signing secret ${WEBHOOK_SECRET}`,
	);
	say(
		`  Send more:  curl -X POST ${emulator.url.replace(/\/api$/, '')}/_emulator/events -H 'Content-Type: application/json' -d '{"type":"sale.created"}'`,
	);
	say(
		`         or:  npm run emulator -- emit stock.low --emulator ${emulator.url.replace(/\/api$/, '')}`,
	);
	if (exitWhenDone) {
		say(
			'Demo finished (--exit): n8n and the emulator stop now, so the addresses above no longer answer. Run `npm run demo` without --exit to explore them.',
		);
		return;
	}
	say('Press Ctrl-C to stop n8n and the emulator.');
	await new Promise<void>((resolve) => {
		process.once('SIGINT', resolve);
		process.once('SIGTERM', resolve);
		// `npm run` starts this through /bin/sh, which does not pass a SIGTERM on: when whoever
		// started the demo is gone (this process was re-parented), stop as on Ctrl-C.
		const parent = process.ppid;
		setInterval(() => {
			if (process.ppid !== parent) resolve();
		}, 1000).unref();
	});
}

interface ExampleWorkflow {
	name: string;
	nodes: Array<{ type: string; credentials?: Record<string, unknown> }>;
	connections: unknown;
	settings?: unknown;
}

/**
 * Imports every workflow of examples/ (unpublished) with the demo's Mando credential on its Mando
 * nodes; other services' nodes keep their empty credentials for the user to fill in.
 *
 * @returns each example's name and editor URL
 */
async function importExamples(
	n8n: N8n,
	credential: { id: string; name: string },
): Promise<Array<{ name: string; url: string }>> {
	const imported = [];
	for (const file of readdirSync(EXAMPLES)
		.filter((f) => f.endsWith('.json'))
		.sort()) {
		const example = JSON.parse(readFileSync(path.join(EXAMPLES, file), 'utf8')) as ExampleWorkflow;
		for (const node of example.nodes)
			if (node.type.startsWith(`${PACKAGE_NODE_PREFIX}.`))
				node.credentials = { ...node.credentials, mandoApi: credential };
		const created = await n8n.api<{ id: string }>('POST', '/workflows', {
			name: example.name,
			nodes: example.nodes,
			connections: example.connections,
			settings: example.settings ?? { executionOrder: 'v1' },
		});
		imported.push({ name: example.name, url: `${n8n.baseUrl}/workflow/${created.id}` });
	}
	return imported;
}

main().catch((error: unknown) => {
	// A clear cause (a port in use, a bad setting) reads best alone; the stack is for the rest.
	const message = error instanceof Error ? error.message : String(error);
	const expected = /in use|N8N_PORT|MANDO_EMULATOR_PORT|options\.port/.test(message);
	process.stderr.write(
		`demo failed: ${expected ? message : ((error as Error).stack ?? message)}\n`,
	);
	process.exit(1);
});
