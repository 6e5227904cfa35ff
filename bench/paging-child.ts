import path from 'path';

import type { Mando } from '../nodes/Mando/Mando.node';
import { fakeContext } from '../test/harness/mandoContext';
import type { Emulator } from '../test/emulator/server';

/**
 * Child process of benchmark 3: runs the Mando node's Get Many (Return All) for products once
 * against the emulator at argv[2] (its API base URL) with key argv[3], sampling memory every
 * 2 ms, after a warm-up list of customers, and prints one JSON line `{ items, ms, peakHeapMiB, peakRssMiB }`.
 * Alone in its process, so the peak is the node's own (run with --expose-gc).
 */
async function main(): Promise<void> {
	const [url, apiKey] = process.argv.slice(2);
	// eslint-disable-next-line @typescript-eslint/no-require-imports
	const { Mando: MandoNode } = require(
		path.join(__dirname, '..', 'dist', 'nodes', 'Mando', 'Mando.node.js'),
	) as { Mando: typeof Mando };
	const emulator = { url, config: () => ({ apiKey }) } as unknown as Emulator;
	const ctx = fakeContext({
		emulator,
		items: [{ resource: 'product', operation: 'getAll', returnAll: true }],
		apiKey,
	});
	// Warm-up (HTTP client, JIT) on another resource, so the timed run is the steady state.
	await new MandoNode().execute.call(
		fakeContext({
			emulator,
			items: [{ resource: 'customer', operation: 'getAll', returnAll: true }],
			apiKey,
		}),
	);
	const gc = (globalThis as { gc?: () => void }).gc;
	gc?.();
	const mem = () => process.memoryUsage();
	const base = mem();
	let peakHeap = base.heapUsed + base.arrayBuffers;
	let peakRss = base.rss;
	const sample = () => {
		const m = mem();
		peakHeap = Math.max(peakHeap, m.heapUsed + m.arrayBuffers);
		peakRss = Math.max(peakRss, m.rss);
	};
	const timer = setInterval(sample, 2);
	const started = performance.now();
	const [out] = await new MandoNode().execute.call(ctx);
	const ms = performance.now() - started;
	sample();
	clearInterval(timer);
	const MiB = 2 ** 20;
	process.stdout.write(
		JSON.stringify({
			items: out.length,
			ms,
			peakHeapMiB: (peakHeap - base.heapUsed - base.arrayBuffers) / MiB,
			peakRssMiB: (peakRss - base.rss) / MiB,
		}) + '\n',
	);
}

main().catch((error: unknown) => {
	process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
