import { existsSync, readFileSync } from 'fs';
import path from 'path';

/**
 * Reads a V8 `.cpuprofile` (n8n's main process run with `--cpu-prof`) and splits its CPU time into
 * buckets: each sample goes to the first bucket, in the order of {@link BUCKETS}, that a frame of
 * its stack matches (so the isolate's JSON work counts as isolate, the static-data save's DB work
 * as static data). Idle time is left out. Usage: `ts-node bench/profile.ts <file> [deliveries]` (the load window from `<file>`'s
 * `.window.json` beside it when there is one; `BENCH_KEEP_PROFILES=<dir>` keeps them).
 */

interface ProfileNode {
	id: number;
	callFrame: { functionName: string; url: string; lineNumber: number };
	children?: number[];
}

interface CpuProfile {
	nodes: ProfileNode[];
	samples: number[];
	timeDeltas: number[];
	startTime: number;
	endTime: number;
}

/** This package's compiled code, which n8n loads as custom extensions. */
const OUR_DIST = path.resolve(__dirname, '..', 'dist') + '/';

type Frame = ProfileNode['callFrame'];

/** A bucket: its name and whether a frame belongs to it. `leafOnly`: only the sampled frame counts. */
interface Bucket {
	name: string;
	match: (f: Frame) => boolean;
	leafOnly?: boolean;
}

const url = (re: RegExp) => (f: Frame) => re.test(f.url);
const fn = (re: RegExp) => (f: Frame) => re.test(f.functionName);

/** Buckets, most specific first. */
export const BUCKETS: Bucket[] = [
	{
		name: 'expression isolate (create, dispose, bridge)',
		match: (f) =>
			/isolated-vm|expression-runtime/.test(f.url) ||
			(/n8n-workflow\/dist\/cjs\/(workflow-)?expression\.js/.test(f.url) &&
				/Isolate|isolate/.test(f.functionName)),
	},
	{
		name: 'static data load + save (workflow row)',
		match: fn(/saveStaticData|StaticData/),
	},
	{
		name: 'Mando node code (dist/nodes, dist/credentials)',
		match: (f) => f.url.includes(OUR_DIST),
	},
	{ name: 'task runner broker (Code node offload)', match: url(/task-runners|task-broker/) },
	{
		name: 'database (executions, SQLite/typeorm)',
		match: url(/typeorm|sqlite3|@n8n\/db|repositories|node-pg|\/pg\//),
	},
	{ name: 'JSON parse/stringify', match: fn(/^(parse|stringify)$/), leafOnly: true },
	{ name: 'garbage collector', match: fn(/^\(garbage collector\)$/), leafOnly: true },
	{
		name: 'HTTP (express, body, sockets)',
		match: url(
			/express|body-parser|raw-body|node:_http|node:http|node:net|node:stream|on-finished|router/,
		),
	},
	{
		name: "n8n's run machinery (webhook, runner, execute, lifecycle)",
		match: url(/n8n-core\/dist|n8n\/dist|n8n-workflow\/dist|@n8n\//),
	},
	{ name: 'other (Node internals, program)', match: () => true },
];

/** Buckets' CPU milliseconds, plus the top self-time functions. */
export interface ProfileSummary {
	file: string;
	/** Wall time the profile spans, ms. */
	spanMs: number;
	/** CPU ms (non-idle samples). */
	busyMs: number;
	buckets: Array<{ name: string; ms: number }>;
	topSelf: Array<{ name: string; ms: number }>;
}

const short = (u: string) =>
	u
		.replace(/^file:\/\//, '')
		.replace(/.*node_modules\//, '')
		.replace(/^.*\/dist\//, 'dist/');

/**
 * Buckets a `.cpuprofile` file, only the samples inside `window` when given: monotonic-clock
 * microseconds (V8's profile timestamps and `process.hrtime` read the same CLOCK_MONOTONIC on
 * Linux, so the bench can mark its load's start and end).
 */
export function summariseProfile(
	file: string,
	window?: { fromUs: number; toUs: number },
): ProfileSummary {
	const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
	const byId = new Map<number, ProfileNode>();
	const parent = new Map<number, number>();
	for (const n of profile.nodes) {
		byId.set(n.id, n);
		for (const c of n.children ?? []) parent.set(c, n.id);
	}
	const bucketOf = new Map<number, number>();
	const classify = (id: number): number => {
		const known = bucketOf.get(id);
		if (known !== undefined) return known;
		const leaf = byId.get(id)!.callFrame;
		let found = BUCKETS.length - 1;
		outer: for (let b = 0; b < BUCKETS.length; b++) {
			const bucket = BUCKETS[b];
			if (bucket.leafOnly) {
				if (bucket.match(leaf)) {
					found = b;
					break;
				}
				continue;
			}
			for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur))
				if (bucket.match(byId.get(cur)!.callFrame)) {
					found = b;
					break outer;
				}
		}
		bucketOf.set(id, found);
		return found;
	};
	const ms = new Array<number>(BUCKETS.length).fill(0);
	const self = new Map<string, number>();
	let busy = 0;
	let t = profile.startTime;
	for (let i = 0; i < profile.samples.length; i++) {
		t += profile.timeDeltas[i] ?? 0;
		if (window && (t < window.fromUs || t > window.toUs)) continue;
		const id = profile.samples[i];
		const frame = byId.get(id)!.callFrame;
		if (frame.functionName === '(idle)') continue;
		const dt = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
		busy += dt;
		ms[classify(id)] += dt;
		const key = `${frame.functionName || '(anonymous)'} ${short(frame.url)}`.trim();
		self.set(key, (self.get(key) ?? 0) + dt);
	}
	return {
		file,
		spanMs: window
			? (window.toUs - window.fromUs) / 1000
			: (profile.endTime - profile.startTime) / 1000,
		busyMs: busy,
		buckets: BUCKETS.map((b, i) => ({ name: b.name, ms: ms[i] })),
		topSelf: [...self.entries()]
			.sort((a, b) => b[1] - a[1])
			.slice(0, 12)
			.map(([name, v]) => ({ name, ms: v })),
	};
}

/** Now on the monotonic clock of {@link summariseProfile}'s window, microseconds. */
export const monotonicUs = () => Number(process.hrtime.bigint() / 1000n);

/** Whether a profile is of the process that served webhooks (not the task runner's). */
export function servesWebhooks(file: string): boolean {
	return readFileSync(file, 'utf8').includes('live-webhooks.js');
}

if (require.main === module) {
	const [file, deliveries] = process.argv.slice(2);
	const windowFile = file.replace(/\.cpuprofile$/, '.window.json');
	const s = summariseProfile(
		file,
		existsSync(windowFile)
			? (JSON.parse(readFileSync(windowFile, 'utf8')) as { fromUs: number; toUs: number })
			: undefined,
	);
	const per = Number(deliveries) || 1;
	process.stdout.write(`${file}: busy ${s.busyMs.toFixed(0)} ms of ${s.spanMs.toFixed(0)} ms\n`);
	for (const b of s.buckets)
		process.stdout.write(
			`  ${b.name}: ${b.ms.toFixed(0)} ms, ${(b.ms / per).toFixed(2)} ms/delivery\n`,
		);
	for (const t of s.topSelf) process.stdout.write(`  self ${t.ms.toFixed(0)} ms  ${t.name}\n`);
}
