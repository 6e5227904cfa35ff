import { existsSync, readFileSync, writeFileSync } from 'fs';
import os from 'os';
import path from 'path';

import { cleanTempFolders } from '../test/harness/tempFolders';
import { capacityQueue, capacitySingle } from './capacity';
import { runInProcess, type InProcessRow } from './inprocess';
import { describeMachine } from './machine';
import {
	runConcurrencyLimit,
	runRow,
	type CapacityResult,
	type ConcurrencyResult,
	type RowLoad,
	type RowResult,
	type RowSpec,
} from './n8n-rows';
import { makePatchedN8n } from './patched-n8n';
import { runPaging, type PagingRow } from './paging';

/**
 * `npm run bench`: every benchmark in one run, writing bench/results.md (a full run only).
 * Not a test: it fails only when a benchmark cannot run, never on a missed goal.
 *
 * Sections (`--only=a,b` or `BENCH_ONLY`): `inprocess` (the trigger vs HMAC + parse), `rows`
 * (core Webhook, DIY immediate, DIY safe, Mando Trigger: one fresh n8n each), `settings` (the
 * trigger on a patched n8n copy without the webhook-phase isolate, and n8n settings), `limit`
 * (concurrency limit 1, Wait 20 s), `capacity` (one process; queue mode with 2 webhook
 * processors), `paging`. Every n8n row runs with `--cpu-prof`; its main process's profile over the
 * measured load is bucketed (bench/profile.ts).
 *
 * Durations (environment, seconds): BENCH_SECONDS (measured load per row, default 15),
 * BENCH_WARMUP_SECONDS (3), BENCH_SINGLE_SECONDS (1-connection p50, 6), BENCH_CAPACITY_STEP_SECONDS (6); BENCH_CAPACITY_RATES (deliveries/s, "5,10,15,20,30,40"),
 * BENCH_CONNECTIONS (20).
 */

const SECTIONS = ['inprocess', 'rows', 'settings', 'limit', 'capacity', 'paging'];
const args = new Map(
	process.argv.slice(2).map((a) => a.replace(/^--/, '').split('=') as [string, string]),
);
const only = new Set((args.get('only') ?? process.env.BENCH_ONLY ?? SECTIONS.join(',')).split(','));
const num = (name: string, fallback: number) => {
	const v = Number(process.env[name]);
	return Number.isFinite(v) && v > 0 ? v : fallback;
};
const log = (line: string) => process.stdout.write(`[bench] ${line}\n`);
const f = (n: number, digits = 2) => n.toFixed(digits);
const kib = (bytes: number) =>
	bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MiB` : `${bytes / 1024} KiB`;
const met = (ok: boolean) => (ok ? 'met' : '**missed**');
const loadAvg = () =>
	os
		.loadavg()
		.map((l) => l.toFixed(2))
		.join(' / ');

const LOAD: RowLoad = {
	connections: num('BENCH_CONNECTIONS', 20),
	warmupS: num('BENCH_WARMUP_SECONDS', 3),
	durationS: num('BENCH_SECONDS', 15),
	singleS: num('BENCH_SINGLE_SECONDS', 6),
	forged: 10,
	replays: 60,
	pairs: 20,
};
const STEP_S = num('BENCH_CAPACITY_STEP_SECONDS', 6);
const RATES = (process.env.BENCH_CAPACITY_RATES ?? '5,10,15,20,30,40')
	.split(',')
	.map(Number)
	.filter((n) => n > 0);

const BASE_ROWS: RowSpec[] = [
	{ label: 'Webhook (core) → No Operation, no checks', short: 'core', kind: 'core' },
	{
		label: 'DIY: Webhook responds immediately → Code → IF → No Op',
		short: 'DIY immediate',
		kind: 'diy-immediate',
	},
	{
		label: 'DIY safe: Webhook → Code → IF → Respond 200/401 → IF → No Op',
		short: 'DIY safe',
		kind: 'diy-safe',
	},
	{ label: 'Mando Trigger → No Operation', short: 'Mando', kind: 'mando' },
];

interface Results {
	machine: ReturnType<typeof describeMachine>;
	loadBefore: string;
	loadAfter?: string;
	seconds?: number;
	inProcess?: InProcessRow[];
	rows: RowResult[];
	settings: RowResult[];
	limit?: ConcurrencyResult;
	capacity: CapacityResult[];
	paging?: PagingRow[];
}

async function main(): Promise<void> {
	const started = Date.now();
	const machine = describeMachine();
	const results: Results = {
		machine,
		loadBefore: loadAvg(),
		rows: [],
		settings: [],
		capacity: [],
	};
	log(
		`${machine.cpuModel}, ${machine.cores} cores, ${machine.memoryGiB} GiB; bench Node ${machine.benchNode}, n8n ${machine.n8nVersion} on Node ${machine.n8nNode}; load average ${results.loadBefore}`,
	);
	log(
		`load per row: ${LOAD.connections} connections × ${LOAD.durationS} s (warm-up ${LOAD.warmupS} s), 1 connection × ${LOAD.singleS} s, ${LOAD.forged} forged, ${LOAD.replays} replayed ids, ${LOAD.pairs} duplicate pairs; signed 1 KiB sale.created bodies, a fresh n8n per row`,
	);
	try {
		if (only.has('inprocess')) {
			log('in-process: MandoTrigger.prototype.webhook vs HMAC-SHA256 + JSON.parse (tinybench)');
			results.inProcess = await runInProcess();
			for (const r of results.inProcess)
				log(
					`   ${kib(r.size)}: trigger ${f(r.triggerUs, 1)} µs / floor ${f(r.floorUs, 1)} µs = ${f(r.ratio)}×`,
				);
		}
		if (only.has('rows')) {
			for (const spec of BASE_ROWS) results.rows.push(await runRow(spec, LOAD, log));
			printRatios(results.rows);
		}
		let patchedBin: string | undefined;
		const patched = () => {
			if (!patchedBin) {
				patchedBin = makePatchedN8n().bin;
				log(`patched n8n copy (bench/n8n-isolate-skip.patch): ${patchedBin}`);
			}
			return patchedBin;
		};
		if (only.has('settings')) {
			const specs: RowSpec[] = [
				{
					label: 'Mando, patched n8n copy (bench/n8n-isolate-skip.patch)',
					short: 'Mando, patched n8n',
					kind: 'mando',
					n8nBin: patched(),
				},
				{
					label: 'Mando, N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE=true',
					short: 'Mando, lazy acquire',
					kind: 'mando',
					env: { N8N_EXPRESSION_ENGINE_LAZY_ACQUIRE: 'true' },
				},
				{
					label: 'Mando, N8N_EXPRESSION_ENGINE=legacy',
					short: 'Mando, legacy',
					kind: 'mando',
					env: { N8N_EXPRESSION_ENGINE: 'legacy' },
				},
				{
					label: 'DIY safe, N8N_EXPRESSION_ENGINE=legacy',
					short: 'DIY safe, legacy',
					kind: 'diy-safe',
					env: { N8N_EXPRESSION_ENGINE: 'legacy' },
				},
			];
			for (const spec of specs) results.settings.push(await runRow(spec, LOAD, log));
		}
		if (only.has('limit'))
			results.limit = await runConcurrencyLimit({ events: 4, gapS: 2, waitS: 20 }, log);
		if (only.has('capacity')) {
			results.capacity.push(await capacitySingle({ rates: RATES, stepS: STEP_S }, log));
			results.capacity.push(await capacityQueue({ rates: RATES, stepS: STEP_S }, log));
		}
		if (only.has('paging')) {
			log('paging: Get Many, Return All, products from the emulator');
			results.paging = await runPaging();
			for (const r of results.paging)
				log(`   ${r.products}: ${r.requests} requests, ${f(r.msPer1000, 1)} ms per 1,000 items`);
		}
	} finally {
		cleanTempFolders();
	}
	results.seconds = (Date.now() - started) / 1000;
	results.loadAfter = loadAvg();
	printSummary(results);
	if (SECTIONS.every((s) => only.has(s))) {
		const file = path.join(__dirname, 'results.md');
		writeFileSync(file, report(results));
		log(`wrote ${path.relative(process.cwd(), file)}`);
	} else log('partial run: bench/results.md not written');
}

const byKind = (rows: RowResult[], kind: string) => rows.find((r) => r.kind === kind);

function printRatios(rows: RowResult[]): void {
	const mando = byKind(rows, 'mando');
	const safe = byKind(rows, 'diy-safe');
	const core = byKind(rows, 'core');
	if (mando && safe && core)
		log(
			`throughput ratio Mando/DIY-safe ${f(mando.load.rps / safe.load.rps)} (goal ≥ 1.0, stretch 1.5), Mando/core ${f(mando.load.rps / core.load.rps)}; runs/s ratio Mando/DIY-safe ${f(mando.runsPerS / safe.runsPerS)}, Mando/core ${f(mando.runsPerS / core.runsPerS)}`,
		);
}

function rowLine(r: RowResult): string {
	return `${r.label.padEnd(62)} ${f(r.load.rps, 1).padStart(6)}/s  ack p50/p99/max ${r.load.p50Ms}/${r.load.p99Ms}/${r.load.maxMs} ms (fallback ${r.load.early})  1-conn p50 ${r.single.p50Ms} ms  non-2xx ${r.load.non2xx} timeouts ${r.load.timeouts}  forged 2xx ${r.forged2xx}/${r.forgedSent} (runs ${r.forgedExecutions})  ids kept ${r.idsKept}/${r.replayed}  pairs run twice ${r.pairsRunTwice}/${r.pairs}  executions ${r.executions} (${f(r.runsPerS, 1)} runs/s)  drain ${f(r.drainS, 1)} s`;
}

function printSummary(r: Results): void {
	log('──────── summary ────────');
	log(`load average before ${r.loadBefore}, after ${r.loadAfter}; ${f(r.seconds ?? 0, 0)} s`);
	for (const row of [...r.rows, ...r.settings]) log(rowLine(row));
	printRatios(r.rows);
	const mando = byKind(r.rows, 'mando');
	const safe = byKind(r.rows, 'diy-safe');
	if (mando && safe) {
		log(
			`goals: Mando/DIY-safe ≥ 1.0 ${met(mando.load.rps >= safe.load.rps)}; forged runs 0 ${met(mando.forgedExecutions === 0 && mando.forged2xx === 0)}; every id kept ${met(mando.idsKept === mando.replayed && mando.pairsRunTwice === 0)}; 1-conn p50 ≤ DIY's ${met(mando.single.p50Ms <= safe.single.p50Ms)} (${mando.single.p50Ms} vs ${safe.single.p50Ms} ms); ack p99 < 500 ms at ${LOAD.connections} connections ${met(mando.load.p99Ms < 500)} (${mando.load.p99Ms} ms)`,
		);
	}
	const patched = r.settings.find((s) => s.label.includes('patched'));
	if (mando && patched)
		log(
			`patched n8n (no webhook-phase isolate): ${f(patched.load.rps / mando.load.rps)}× the trigger on stock n8n`,
		);
	if (r.limit)
		log(
			`concurrency limit 1, Wait ${r.limit.waitS} s, events ${r.limit.gapS} s apart: ack ${r.limit.answers.map((a) => `${a.ms} ms`).join(', ')} (goal < 500 ms: ${met(r.limit.answers.every((a) => a.status >= 200 && a.status < 300 && a.ms < 500))})`,
		);
	for (const c of r.capacity) {
		const best = c.steps.find((s) => s.ratePerS === c.capacity);
		log(
			`capacity, ${c.label}: ${c.capacity} deliveries/s (ack p99 ${best?.stats.p99Ms ?? '–'} ms; executions unfinished at the step's end ${best?.backlog ?? '–'}); steps ${c.steps.map((s) => `${s.ratePerS}/s ${s.passed ? 'pass' : 'fail'}`).join(', ')}`,
		);
	}
	for (const row of [...r.rows, ...r.settings]) {
		const p = row.profile;
		if (!p) continue;
		const n = Math.max(1, row.load.ok2xx);
		log(
			`profile ${row.short}: main-process CPU ${f(p.busyMs / n)} ms per delivery: ${p.buckets
				.filter((b) => b.ms > 0)
				.map((b) => `${b.name.replace(/ \(.*\)$/, '')} ${f(b.ms / n)}`)
				.join(', ')}`,
		);
	}
}

function report(r: Results): string {
	const lines: string[] = [];
	const p = (s = '') => lines.push(s);
	const m = r.machine;
	p('# Benchmark results');
	p();
	p(
		`Written by \`npm run bench\` (bench/run.ts) on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC; the whole run took ${f(r.seconds ?? 0, 0)} s. **Load average (1/5/15 min) ${r.loadBefore} before, ${r.loadAfter} after**: the machine (${m.cores} cores) was shared with other engineers' test runs, so absolute figures are low and noisy; ratios between rows of this run are what to read.`,
	);
	p();
	p('| Machine | |');
	p('| --- | --- |');
	p(`| CPU | ${m.cpuModel}, ${m.cores} cores |`);
	p(`| Memory | ${m.memoryGiB} GiB |`);
	p(`| OS | ${m.os} |`);
	p(`| Node (bench, in-process, paging) | ${m.benchNode} |`);
	p(`| Node (n8n) | ${m.n8nNode} |`);
	p(`| n8n | ${m.n8nVersion} (n8n-workflow ${m.n8nWorkflowVersion} in process) |`);
	p();
	const rows = [...r.rows, ...r.settings];
	p('## 1. Real n8n: Mando Trigger vs what users build instead');
	p();
	p(
		`One fresh n8n per row (SQLite, regular mode, \`N8N_LOG_LEVEL=warn\`, \`NODE_FUNCTION_ALLOW_BUILTIN=crypto\`, every execution saved), workflows as in bench/workflows/ (DIY) and bench/n8n-rows.ts. autocannon, ${LOAD.connections} connections × ${LOAD.durationS} s after a ${LOAD.warmupS} s warm-up, then 1 connection × ${LOAD.singleS} s; signed 1 KiB \`sale.created\` bodies, each with a new event id. Then ${LOAD.forged} forged requests (well-formed signature, wrong secret), ${LOAD.replays} ids of the measured load sent again ("ids kept": recognised, no second run of No Operation), and ${LOAD.pairs} new ids each sent twice at once ("pairs run twice"); per-id counts come from the executions' data (what reached No Operation). "Ack" is the HTTP answer's time as the sender sees it.`,
	);
	p();
	p(
		'| Workflow | Deliveries/s | Ack p50 / p99 / max (ms) | Answered by the trigger (fallback) | 1-conn p50 (ms) | non-2xx / timeouts | Forged answered 2xx | Forged runs | Ids kept | Pairs run twice | Executions | Runs/s | Drain (s) |',
	);
	p('| --- | ---: | --- | ---: | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
	for (const x of rows)
		p(
			`| ${x.label} | ${f(x.load.rps, 1)} | ${x.load.p50Ms} / ${x.load.p99Ms} / ${x.load.maxMs} | ${x.kind === 'mando' ? `${x.load.early} of ${x.load.ok2xx}` : '–'} | ${x.single.p50Ms} | ${x.load.non2xx} / ${x.load.timeouts} | ${x.forged2xx} of ${x.forgedSent} | ${x.forgedExecutions} | ${x.kind === 'core' ? '– (none)' : `${x.idsKept} of ${x.replayed}`} | ${x.pairsRunTwice} of ${x.pairs} | ${x.executions} | ${f(x.runsPerS, 1)} | ${f(x.drainS, 1)} |`,
		);
	p();
	p(
		'"Forged runs": forged requests whose event id appears in the data of an execution (the DIY workflows must run to check; the trigger refuses before n8n runs anything). "Answered by the trigger": 200s the Mando Trigger wrote itself because n8n had not answered within its fallback delay (ACK_FALLBACK_MS) — an answer that may precede the stored run. "Runs/s": executions of the measured load finished per second, load plus drain (n8n answers "Immediately" once it has stored the run, so deliveries/s can exceed what n8n finishes). "Drain": seconds after the load until the last execution finished.',
	);
	p();
	const mando = byKind(r.rows, 'mando');
	const safe = byKind(r.rows, 'diy-safe');
	const core = byKind(r.rows, 'core');
	if (mando && safe && core) {
		const ratio = mando.load.rps / safe.load.rps;
		p('**Goals (issue 13)**');
		p();
		p(
			`- Throughput Mando / DIY safe **${f(ratio)}×** (goal ≥ 1.0: ${met(ratio >= 1)}; stretch 1.5: ${met(ratio >= 1.5)}); Mando / core Webhook **${f(mando.load.rps / core.load.rps)}×**.`,
		);
		p(
			`- Forged: ${mando.forged2xx} answered 2xx, ${mando.forgedExecutions} runs (goal 0: ${met(mando.forged2xx === 0 && mando.forgedExecutions === 0)}).`,
		);
		p(
			`- De-duplication: ${mando.idsKept} of ${mando.replayed} replayed ids kept, ${mando.pairsRunTwice} of ${mando.pairs} pairs run twice (goal: every id kept: ${met(mando.idsKept === mando.replayed && mando.pairsRunTwice === 0)}).`,
		);
		p(
			`- p50 at 1 connection: Mando ${mando.single.p50Ms} ms vs DIY safe ${safe.single.p50Ms} ms (goal ≤: ${met(mando.single.p50Ms <= safe.single.p50Ms)}).`,
		);
		p(
			`- Ack p99 at ${LOAD.connections} connections: ${mando.load.p99Ms} ms (goal < 500: ${met(mando.load.p99Ms < 500)}).`,
		);
		p();
	}
	if (r.limit) {
		p('## 2. Concurrency limit');
		p();
		p(
			`\`N8N_CONCURRENCY_PRODUCTION_LIMIT=1\`, Mando Trigger (Acknowledge: Immediately) → Wait ${r.limit.waitS} s. A first delivery (acknowledged in ${r.limit.warmup.ms} ms, status ${r.limit.warmup.status}) starts a run that holds the only slot; ${r.limit.gapS} s later ${r.limit.answers.length} events ${r.limit.gapS} s apart, client timeout 25 s:`,
		);
		p();
		p('| Event | Ack (ms) | Status | Answered by |');
		p('| ---: | ---: | ---: | --- |');
		r.limit.answers.forEach((a, i) =>
			p(
				`| ${i + 1} | ${a.ms} | ${a.status || 'no answer'} | ${a.early ? 'the trigger, after its fallback delay (the run waits for the slot, stored)' : 'n8n, once the run was stored'} |`,
			),
		);
		p();
		p(
			`Goal: every ack < 500 ms: ${met(r.limit.answers.every((a) => a.status >= 200 && a.status < 300 && a.ms < 500))}.`,
		);
		p();
	}
	if (r.capacity.length) {
		p('## 3. Capacity');
		p();
		p(
			`Mando Trigger → No Operation (Acknowledge: Immediately), an open-loop fixed rate (a new delivery every 1/rate s whatever the answers, as Mando sends; bench/load.ts) for ${STEP_S} s per step, rates stepped up (${RATES.join(', ')}/s; after the first failure one step halfway back). A step passes with ack p99 < 5 s, no non-2xx, no error and no timeout at 5 s (nothing Mando would retry). "Unfinished": executions not yet finished when the step's load ended (backlog). Queue mode: main + 1 worker + 2 webhook processors (PostgreSQL, Redis) behind nginx, round robin.`,
		);
		p();
		p('| Setup | Capacity (deliveries/s) | Steps: rate → 2xx/s, p99 ms, unfinished, verdict |');
		p('| --- | ---: | --- |');
		for (const c of r.capacity)
			p(
				`| ${c.label} | **${c.capacity}** | ${c.steps.map((s) => `${s.ratePerS} → ${f(s.stats.rps, 1)}, ${s.stats.p99Ms}, ${s.backlog}, ${s.passed ? 'pass' : `fail (${s.stats.non2xx} non-2xx, ${s.stats.timeouts} timeouts)`}`).join('; ')} |`,
			);
		p();
	}
	const profiled = rows.filter((x) => x.profile);
	if (profiled.length) {
		const per = (x: RowResult, ms: number) => f(ms / Math.max(1, x.load.ok2xx));
		p("## 4. Where the time goes (CPU profile of n8n's main process)");
		p();
		p(
			`Every row above ran with \`--cpu-prof\` on n8n (NODE_OPTIONS; the same for all rows). Only the samples from the start of the measured load until its executions had drained count (monotonic clock), divided by the deliveries acknowledged in it. Each sample goes to the first bucket (top to bottom) that a frame of its stack matches (bench/profile.ts), so the isolate's own work counts as isolate and the static-data save's as static data; SQLite's callbacks arrive on their own stacks, so "database" holds every row's execution writes and the static-data write alike. The DIY Code node runs in the task runner's own process (not profiled: its CPU is on the other core). Milliseconds of main-process CPU per delivery:`,
		);
		p();
		p(`| Bucket | ${profiled.map((x) => x.short).join(' | ')} |`);
		p(`| --- | ${profiled.map(() => '---:').join(' | ')} |`);
		for (const name of profiled[0].profile!.buckets.map((b) => b.name))
			p(
				`| ${name} | ${profiled.map((x) => per(x, x.profile!.buckets.find((b) => b.name === name)?.ms ?? 0)).join(' | ')} |`,
			);
		p(
			`| **total main-process CPU** | ${profiled.map((x) => `**${per(x, x.profile!.busyMs)}**`).join(' | ')} |`,
		);
		p(`| deliveries | ${profiled.map((x) => x.load.ok2xx).join(' | ')} |`);
		p();
		for (const x of profiled.filter((y) => ['mando', 'diy-safe'].includes(y.kind))) {
			p(
				`Top self time, ${x.short}: ${x
					.profile!.topSelf.slice(0, 8)
					.map((t) => `${t.name} ${per(x, t.ms)}`)
					.join('; ')} (ms/delivery).`,
			);
			p();
		}
	}
	if (r.inProcess) {
		p('## 5. In process: the trigger per event vs the HMAC + JSON.parse floor');
		p();
		p('| Body | Floor (µs) | Trigger (µs) | Ratio (medians) | Goal | | Ratio (means) |');
		p('| --- | ---: | ---: | ---: | ---: | --- | ---: |');
		for (const x of r.inProcess)
			p(
				`| ${kib(x.size)} | ${f(x.floorUs, 1)} | ${f(x.triggerUs, 1)} | **${f(x.ratio)}×** | ≤ ${x.goal}× | ${met(x.ratio <= x.goal)} | ${f(x.meanRatio)}× |`,
			);
		p();
	}
	if (r.paging) {
		p('## 6. Paging: Get Many, Return All, products');
		p();
		p('| Products | Requests | Expected | Time (ms) | ms per 1,000 items | Peak heap (MiB) |');
		p('| ---: | ---: | ---: | ---: | ---: | ---: |');
		for (const x of r.paging)
			p(
				`| ${x.products} | ${x.requests} | ${x.expectedRequests} | ${f(x.ms, 0)} | ${f(x.msPer1000, 1)} | ${f(x.peakHeapMiB, 1)} |`,
			);
		p();
	}
	// The analysis (decisions from the profile, the n8n change) is kept by hand in analysis.md.
	const analysis = path.join(__dirname, 'analysis.md');
	if (existsSync(analysis)) p(readFileSync(analysis, 'utf8').trimEnd());
	p();
	return lines.join('\n');
}

main().catch((error: unknown) => {
	process.stderr.write(`[bench] failed: ${(error as Error).stack ?? String(error)}\n`);
	process.exitCode = 1;
});
