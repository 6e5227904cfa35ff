import { writeFileSync } from 'fs';
import path from 'path';

import { runInProcess, type InProcessRow } from './inprocess';
import { describeMachine } from './machine';
import { DEFAULT_LOAD, runThroughput, type ThroughputResult } from './n8n-throughput';
import { runPaging, type PagingRow } from './paging';

/**
 * `npm run bench`: the three benchmarks of issue 5, one after the other in one run, printing
 * ratios as they come and writing them with the machine description to bench/results.md.
 * Not a test: it fails only when a benchmark cannot run (or a delivery is not accepted), never on a
 * missed goal. `--only=inprocess,n8n,paging` runs a subset; `--duration=S` shortens the n8n run.
 */

const args = new Map(
	process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]),
);
const only = new Set((args.get('only') ?? 'inprocess,n8n,paging').split(','));
const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);

const kib = (bytes: number) =>
	bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
const f = (n: number, digits = 2) => n.toFixed(digits);
const verdict = (ok: boolean) => (ok ? 'met' : '**missed**');

async function main(): Promise<void> {
	const started = Date.now();
	const machine = describeMachine();
	log(
		`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; bench Node ${machine.benchNode}, n8n ${machine.n8nVersion} on Node ${machine.n8nNode}`,
	);

	let inProcess: InProcessRow[] | undefined;
	if (only.has('inprocess')) {
		log('1. in-process: MandoTrigger.prototype.webhook vs HMAC-SHA256 + JSON.parse (tinybench)');
		inProcess = await runInProcess();
		for (const r of inProcess)
			log(
				`   ${kib(r.size)}: trigger ${f(r.triggerUs, 1)} µs / floor ${f(r.floorUs, 1)} µs = ${f(r.ratio)}× (goal ≤ ${r.goal}×, ${r.ratio <= r.goal ? 'met' : 'MISSED'}); means ${f(r.meanRatio)}×`,
			);
	}
	let n8n: ThroughputResult | undefined;
	if (only.has('n8n')) {
		const load = {
			...DEFAULT_LOAD,
			durationS: Number(args.get('duration') ?? DEFAULT_LOAD.durationS),
		};
		log(
			`2. real n8n: ${load.connections} connections × ${load.durationS} s, signed ${kib(load.bodyBytes)} deliveries (autocannon)`,
		);
		n8n = await runThroughput(load, (line) => log(`   ${line}`));
		log(
			`   throughput ratio Mando/core ${f(n8n.ratio)} (goal ≥ 0.9, ${n8n.ratio >= 0.9 ? 'met' : 'MISSED'}); Mando p50 ${n8n.mando.p50Ms} ms, p99 ${n8n.mando.p99Ms} ms; de-dup state ${n8n.dedupIds} ids, ${n8n.staticDataBytes} bytes`,
		);
	}
	let paging: PagingRow[] | undefined;
	if (only.has('paging')) {
		log('3. paging: Get Many, Return All, products from the emulator');
		paging = await runPaging();
		for (const r of paging)
			log(
				`   ${r.products}: ${r.requests} requests (expected ${r.expectedRequests}), ${f(r.msPer1000, 1)} ms per 1,000 items, peak heap +${f(r.peakHeapMiB, 1)} MiB`,
			);
	}
	const seconds = (Date.now() - started) / 1000;
	log(`done in ${f(seconds, 0)} s`);
	if (only.size === 3) {
		const file = path.join(__dirname, 'results.md');
		writeFileSync(file, report(machine, inProcess!, n8n!, paging!, seconds));
		log(`wrote ${path.relative(process.cwd(), file)}`);
	} else {
		log('partial run: bench/results.md not written');
	}
}

function report(
	machine: ReturnType<typeof describeMachine>,
	inProcess: InProcessRow[],
	n8n: ThroughputResult,
	paging: PagingRow[],
	seconds: number,
): string {
	const lines: string[] = [];
	const p = (s = '') => lines.push(s);
	p('# Benchmark results');
	p();
	p(
		`Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 10)}; the whole run took ${f(seconds, 0)} s.`,
	);
	p();
	p('| Machine | |');
	p('| --- | --- |');
	p(`| CPU | ${machine.cpuModel}, ${machine.cores} cores |`);
	p(`| Memory | ${machine.memoryGiB} GiB |`);
	p(`| OS | ${machine.os} |`);
	p(`| Node (benchmarks 1 and 3) | ${machine.benchNode} |`);
	p(`| Node (n8n) | ${machine.n8nNode} |`);
	p(`| n8n | ${machine.n8nVersion} (n8n-workflow ${machine.n8nWorkflowVersion} in process) |`);
	p();
	p('## 1. In process: the trigger per event vs the HMAC + JSON.parse floor');
	p();
	p(
		"`MandoTrigger.prototype.webhook` (compiled `dist/`) called with a minimal `IWebhookFunctions` (raw body, header, parameters, the credential's secret, static data wrapped in n8n's `ObservableObject`): verify `X-Mando-Signature`, parse, de-duplicate, build the item. Floor: `createHmac('sha256')` over the body plus `JSON.parse` of it. Every call has a new event id and signature (made outside the timed call); tinybench medians, same process.",
	);
	p();
	p('| Body | Floor (µs) | Trigger (µs) | Ratio (medians) | Goal | | Ratio (means) |');
	p('| --- | ---: | ---: | ---: | ---: | --- | ---: |');
	for (const r of inProcess)
		p(
			`| ${kib(r.size)} | ${f(r.floorUs, 1)} | ${f(r.triggerUs, 1)} | **${f(r.ratio)}×** | ≤ ${r.goal}× | ${verdict(r.ratio <= r.goal)} | ${f(r.meanRatio)}× |`,
		);
	p();
	const small1k = inProcess[0];
	if (small1k.ratio > small1k.goal) {
		p(
			`**1 KiB goal missed** in this run: the fixed per-delivery work (n8n's context calls, static data through n8n's \`ObservableObject\` proxies, the de-duplication marks) is ≈ ${f(small1k.triggerUs - small1k.floorUs, 0)} µs, which at 1 KiB is of the order of the floor itself; on a machine without other load runs measured 1.5×. Making the marks cheaper would need a flatter persisted shape of the de-duplication state (fewer keys for n8n to proxy and save).`,
		);
		p();
	}
	const big = inProcess[0];
	p(
		`The means include the occasional pruning of the de-duplication state (every 500 new ids, ${big.dedupIds} ids held at the end). n8n also loads and saves the trigger's static data around every delivery: at that size (${big.staticDataBytes} bytes of JSON) a JSON parse + stringify of it takes ${f(big.staticDataRoundTripUs / 1000, 1)} ms — n8n's cost, outside the node, and part of benchmark 2.`,
	);
	p();
	p('## 2. Real n8n: Mando Trigger vs the core Webhook node');
	p();
	p(
		`autocannon, ${n8n.load.connections} connections, ${n8n.load.durationS} s per workflow (after ${n8n.load.warmupS} s of warm-up each), signed ${kib(n8n.load.bodyBytes)} \`sale.created\` deliveries, each with its own event id and signature (made before the run); the same bytes to both. Both workflows end in No Operation, answer at once (Acknowledge "Immediately" / Respond "Immediately") and have the same settings (${Object.entries(
			n8n.settings,
		)
			.map(([k, v]) => `${k}=${v}`)
			.join(', ')}). n8n default expression engine.`,
	);
	p();
	p(
		'| Workflow | Deliveries/s (2xx) | p50 (ms) | p99 (ms) | max (ms) | non-2xx | errors | Executions (succeeded) |',
	);
	p('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const r of [n8n.core, n8n.mando])
		p(
			`| ${r.label} | ${f(r.rps, 1)} | ${r.p50Ms} | ${r.p99Ms} | ${r.maxMs} | ${r.non2xx} | ${r.errors} | ${r.executions} (${r.succeeded}) |`,
		);
	p();
	p(
		`**Throughput ratio Mando / core: ${f(n8n.ratio)}** (goal ≥ 0.9: ${verdict(n8n.ratio >= 0.9)}). Mando p99 acknowledgement ${n8n.mando.p99Ms} ms (must be < 5000: ${verdict(n8n.mando.p99Ms < 5000)}; target < 500: ${verdict(n8n.mando.p99Ms < 500)}).`,
	);
	p();
	p(
		`De-duplication state after the run (workflow static data, public API): **${n8n.dedupIds} ids, ${n8n.staticDataBytes} bytes** of JSON (every id kept at least 3 h; about 8 bytes per id).`,
	);
	p();
	if (n8n.ratio < 0.9) {
		p(
			'**Why the throughput goal is missed, and what would close it.** With its default expression engine (`N8N_EXPRESSION_ENGINE=vm`) n8n 2.40.7 takes a fresh V8 isolate from a pool of one for every scope that may evaluate expressions, disposes it afterwards and builds a new one; on this machine building isolates is what bounds throughput. The core Webhook→No Operation path builds one per delivery (the workflow run). For a community trigger n8n builds a second one for the webhook phase: `LiveWebhooks.webhookPhaseNeedsIsolate` skips it only for `n8n-nodes-base.webhook`, whatever the node declares — the trigger declares native resolvers (`webhookDescriptionFields`), so it would qualify once n8n widens that check. The trigger reuses the credential secret for 60 s because n8n resolves credentials in yet another new isolate (`CredentialsHelper`): reading it on every delivery makes 3 isolates per delivery (measured: ratio 0.33, 19 of 20 connections timing out in a shorter trial). With `N8N_EXPRESSION_ENGINE=legacy` (no isolates) a 10 s run measured a ratio of 0.81 on this machine; the remaining gap is probably n8n saving the workflow static data (the de-duplication state) to its database after each delivery (not isolated). Closing the gap needs n8n to skip the webhook-phase isolate for nodes with native resolvers (an n8n change), or the legacy engine.',
		);
		p();
	}
	p('## 3. Paging: Get Many, Return All, products');
	p();
	p(
		"The Mando node (compiled `dist/`) in a child process of its own, the emulator in the bench process; the node's HTTP helper is the unit tests' `fetch` stand-in for n8n's. Fastest of 3 runs after a warm-up; peak memory above the child's baseline, sampled every 2 ms.",
	);
	p();
	p(
		'| Products | Requests | Expected ceil(N/1000) | Time (ms) | ms per 1,000 items | Peak heap (MiB) | Peak RSS (MiB) | Heap per 1,000 (MiB) |',
	);
	p('| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const r of paging)
		p(
			`| ${r.products} | ${r.requests} | ${r.expectedRequests} | ${f(r.ms, 0)} | ${f(r.msPer1000, 1)} | ${f(r.peakHeapMiB, 1)} | ${f(r.peakRssMiB, 1)} | ${f(r.heapPer1000MiB, 2)} |`,
		);
	const [small, large] = paging;
	p();
	p(
		`10× the products: ${f(large.ms / small.ms, 1)}× the time, ${f(large.peakHeapMiB / small.peakHeapMiB, 1)}× the peak heap; requests ${large.requests === large.expectedRequests && small.requests === small.expectedRequests ? 'equal' : '**differ from**'} ceil(N/1000).`,
	);
	p();
	return lines.join('\n');
}

main().catch((error: unknown) => {
	process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
