import { randomBytes } from 'crypto';
import { startEmulator, type Emulator, type EmulatorOptions } from '../emulator/server';
import { freePort, N8n, nodeOutput, type N8nExecution, type N8nOptions } from '../harness/n8n';
import { createMandoCredential } from '../harness/workflows';
import { TcpProxy } from './proxy';

/**
 * What every reliability scenario starts from: the Mando emulator, a real n8n with this package,
 * a TCP proxy in front of n8n that Mando's deliveries go through (so n8n can be made unreachable
 * while it runs), and a `mandoApi` credential. Secrets are random per run.
 */

/** A line on stdout (jest leaves it undecorated). */
export function log(line: string): void {
	process.stdout.write(`[reliability] ${line}\n`);
}

/** The running pieces of a scenario file. */
export interface Stage {
	emulator: Emulator;
	n8n: N8n;
	proxy: TcpProxy;
	credential: { id: string; name: string };
	apiKey: string;
	webhookSecret: string;
	/** The production URL Mando delivers to (through the proxy) for a webhook path. */
	deliveryUrl(webhookPath: string): string;
	stop(): Promise<void>;
}

/** Starts emulator, proxy and n8n (with `WEBHOOK_URL` on the proxy) and creates the credential. */
export async function startStage(
	options: { emulator?: EmulatorOptions; n8n?: N8nOptions } = {},
): Promise<Stage> {
	const apiKey = 'rel-api-key-' + randomBytes(8).toString('hex');
	const webhookSecret = 'rel-whsec-' + randomBytes(12).toString('hex');
	const emulator = await startEmulator({
		apiKey,
		webhookSecret,
		allowHttp: true,
		...options.emulator,
	});
	const proxyPort = await freePort();
	const n8n = await N8n.start({
		...options.n8n,
		env: { WEBHOOK_URL: `http://127.0.0.1:${proxyPort}/`, ...options.n8n?.env },
	});
	const proxy = await TcpProxy.start(proxyPort, n8n.port);
	const credential = await createMandoCredential(n8n, {
		apiKey,
		webhookSecret,
		baseUrl: emulator.url,
	});
	log(
		`n8n ${n8n.baseUrl} behind proxy :${proxyPort} (user folder ${n8n.userFolder}), emulator ${emulator.url}`,
	);
	return {
		emulator,
		n8n,
		proxy,
		credential,
		apiKey,
		webhookSecret,
		deliveryUrl: (webhookPath) => `http://127.0.0.1:${proxyPort}/webhook/${webhookPath}`,
		async stop() {
			await n8n.stop();
			await proxy.down();
			await emulator.close();
		},
	};
}

/** Every execution of a workflow (paged through the public API), with data when `includeData`. */
export async function allExecutions(
	n8n: N8n,
	workflowId: string,
	includeData = true,
): Promise<N8nExecution[]> {
	const out: N8nExecution[] = [];
	let cursor: string | undefined;
	for (let page = 0; page < 1000; page++) {
		const res = await n8n.api<{ data: N8nExecution[]; nextCursor?: string | null }>(
			'GET',
			`/executions?workflowId=${workflowId}&includeData=${includeData}&limit=250${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		out.push(...res.data);
		if (!res.nextCursor) break;
		cursor = res.nextCursor;
	}
	return out;
}

/** The event ids the trigger emitted, one entry per item, over all executions given. */
export function emittedEventIds(executions: N8nExecution[], nodeName = 'Mando Trigger'): string[] {
	return executions.flatMap((e) => nodeOutput(e, nodeName).map((item) => String(item.id)));
}

/**
 * Waits until the workflow's executions have emitted at least `count` event ids (or `timeoutMs`
 * passes), then a little longer (`settleMs`) so that a late extra execution would show too.
 */
export async function waitForEmitted(
	n8n: N8n,
	workflowId: string,
	count: number,
	timeoutMs = 120_000,
	settleMs = 2000,
): Promise<string[]> {
	const deadline = Date.now() + timeoutMs;
	let ids: string[] = [];
	while (Date.now() < deadline) {
		ids = emittedEventIds(await allExecutions(n8n, workflowId));
		if (ids.length >= count) break;
		await new Promise((r) => setTimeout(r, 500));
	}
	await new Promise((r) => setTimeout(r, settleMs));
	return emittedEventIds(await allExecutions(n8n, workflowId));
}

/** Lost (expected, not emitted) and duplicated (emitted more than once) among `expected` ids. */
export function lostAndDuplicated(
	expected: string[],
	emitted: string[],
): { lost: number; duplicated: number; foreign: number } {
	const counts = new Map<string, number>();
	for (const id of emitted) counts.set(id, (counts.get(id) ?? 0) + 1);
	const want = new Set(expected);
	let lost = 0;
	let duplicated = 0;
	for (const id of want) {
		const n = counts.get(id) ?? 0;
		if (n === 0) lost++;
		if (n > 1) duplicated += n - 1;
	}
	const foreign = [...counts.keys()].filter((id) => !want.has(id)).length;
	return { lost, duplicated, foreign };
}
