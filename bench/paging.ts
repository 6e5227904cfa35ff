import { execFile } from 'child_process';
import path from 'path';
import { promisify } from 'util';

import { startEmulator } from '../test/emulator/server';
import { MANDO_MAX_PAGE_SIZE } from '../nodes/shared/transport';

/**
 * Benchmark 3: the Mando node's Get Many with Return All over N products seeded in the emulator.
 * The node (compiled dist/) runs in a child process of its own, the emulator in this one, so the
 * child's peak memory is the node's. Reports requests made (must be ceil(N / 1000)), time per
 * 1,000 items and the peak memory above the child's baseline (heap + array buffers, and RSS).
 */

/** Catalogue sizes measured. */
export const PAGING_SIZES = [5_000, 50_000] as const;

/** One catalogue size's result. */
export interface PagingRow {
	products: number;
	items: number;
	requests: number;
	expectedRequests: number;
	ms: number;
	msPer1000: number;
	peakHeapMiB: number;
	peakRssMiB: number;
	/** Peak heap per 1,000 items, MiB. */
	heapPer1000MiB: number;
}

const run = promisify(execFile);

/** Runs benchmark 3 (`repeats` runs per size, the fastest kept; memory from the same run). */
export async function runPaging(repeats = 3): Promise<PagingRow[]> {
	const apiKey = 'bench-paging-key';
	// no demo café: the catalogue is exactly the products seeded
	const emulator = await startEmulator({ apiKey, seed: 'empty' });
	const rows: PagingRow[] = [];
	try {
		for (const products of PAGING_SIZES) {
			emulator.reset();
			emulator.seed('plu', products);
			let best: PagingRow | undefined;
			for (let r = 0; r < repeats; r++) {
				const before = emulator.countRequests({ method: 'GET', path: '/api/secure/plu' });
				const { stdout } = await run(
					process.execPath,
					[
						'--expose-gc',
						'-r',
						'ts-node/register/transpile-only',
						path.join(__dirname, 'paging-child.ts'),
						emulator.url,
						apiKey,
					],
					{ cwd: path.join(__dirname, '..'), maxBuffer: 1 << 20, timeout: 120_000 },
				);
				const out = JSON.parse(stdout.trim().split('\n').pop() as string) as {
					items: number;
					ms: number;
					peakHeapMiB: number;
					peakRssMiB: number;
				};
				const requests =
					emulator.countRequests({ method: 'GET', path: '/api/secure/plu' }) - before;
				const row: PagingRow = {
					products,
					items: out.items,
					requests,
					expectedRequests: Math.ceil(products / MANDO_MAX_PAGE_SIZE),
					ms: out.ms,
					msPer1000: (out.ms / out.items) * 1000,
					peakHeapMiB: out.peakHeapMiB,
					peakRssMiB: out.peakRssMiB,
					heapPer1000MiB: (out.peakHeapMiB / out.items) * 1000,
				};
				if (row.items !== products)
					throw new Error(`Get Many returned ${row.items} of ${products} products`);
				if (!best || row.ms < best.ms) best = row;
			}
			rows.push(best as PagingRow);
		}
	} finally {
		await emulator.close();
	}
	return rows;
}
