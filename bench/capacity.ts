import { freePort, N8n } from '../test/harness/n8n';
import {
	queueModeEnv,
	startNginx,
	startPostgres,
	startRedis,
	type Nginx,
	type Postgres,
	type Service,
} from '../test/reliability/services';
import {
	BASE_ENV,
	countExecutions,
	createMandoTarget,
	searchCapacity,
	startBenchN8n,
	type CapacityResult,
} from './n8n-rows';

/**
 * Capacity: the highest steady rate of signed deliveries (fixed overall rate, stepped) that n8n
 * acknowledges with p99 < 5 s and nothing Mando would retry (no non-2xx, no timeout at 5 s), for
 * Mando Trigger → No Operation (Acknowledge: Immediately) on one n8n process, and on n8n's queue
 * mode with two webhook processors behind nginx (Redis, PostgreSQL, one worker; the services the
 * reliability suite starts).
 */

/** Options of a capacity search. */
export interface CapacityOptions {
	/** Rates to step through, deliveries/s, ascending. */
	rates: number[];
	stepS: number;
	env?: Record<string, string>;
}

/** Unfinished executions, or -1 when n8n's API does not answer (e.g. "Database is not ready" under overload). */
async function unfinished(n8n: N8n, workflowId: string): Promise<number> {
	try {
		return (await countExecutions(n8n, workflowId)).unfinished;
	} catch {
		return -1;
	}
}

/** Capacity of one n8n process (regular mode, SQLite). */
export async function capacitySingle(
	options: CapacityOptions,
	log: (line: string) => void,
): Promise<CapacityResult> {
	const n8n = await startBenchN8n({ env: options.env });
	try {
		const wf = await createMandoTarget(n8n, 'Bench capacity: Mando Trigger → No Operation');
		return await searchCapacity(
			'one process',
			wf.url,
			async () => await unfinished(n8n, wf.id),
			options.rates,
			options.stepS,
			log,
		);
	} finally {
		await n8n.stop();
	}
}

/**
 * Capacity of queue mode: main (API, no production webhooks), one worker, two webhook processors
 * behind nginx. nginx balances round robin here: the shipped config's `hash $request_uri` sends
 * one trigger's deliveries to one processor (its de-duplication then holds), so one trigger gets
 * one processor's capacity and a chain of shops spreads over both; round robin measures what two
 * processors take together.
 */
export async function capacityQueue(
	options: CapacityOptions,
	log: (line: string) => void,
): Promise<CapacityResult> {
	let redis: Service | undefined;
	let postgres: Postgres | undefined;
	let nginx: Nginx | undefined;
	const processes: N8n[] = [];
	try {
		redis = await startRedis();
		postgres = await startPostgres();
		const balancerPort = await freePort();
		const env = {
			...BASE_ENV,
			...queueModeEnv(redis, postgres, `http://127.0.0.1:${balancerPort}/`),
			...options.env,
		};
		const main = await N8n.start({ env, webhookBaseUrl: `http://127.0.0.1:${balancerPort}` });
		processes.push(main);
		const started = await Promise.all([
			N8n.start({ command: 'webhook', userFolder: main.userFolder, env, logName: 'webhook-a.log' }),
			N8n.start({ command: 'webhook', userFolder: main.userFolder, env, logName: 'webhook-b.log' }),
			N8n.start({ command: 'worker', userFolder: main.userFolder, env, logName: 'worker.log' }),
		]);
		processes.push(...started);
		const [a, b] = started;
		nginx = await startNginx({
			port: balancerPort,
			webhookPorts: [a.port, b.port],
			mainPort: main.port,
			balance: 'round-robin',
		});
		const wf = await createMandoTarget(main, 'Bench capacity: Mando Trigger → No Operation');
		log(
			`queue mode up: nginx :${balancerPort} → webhook :${a.port}, :${b.port}; worker; main :${main.port}`,
		);
		// The webhook processors pick the publication up from the database/Redis: wait until it answers.
		const url = wf.url;
		for (let i = 0; i < 60; i++) {
			const res = await fetch(url, { method: 'POST', body: '{}' }).catch(() => undefined);
			if (res && res.status !== 404) break;
			await new Promise((r) => setTimeout(r, 500));
		}
		return await searchCapacity(
			'queue mode, 2 webhook processors',
			url,
			async () => await unfinished(main, wf.id),
			options.rates,
			options.stepS,
			log,
		);
	} finally {
		await nginx?.stop();
		for (const p of processes.reverse()) await p.stop();
		await postgres?.stop();
		await redis?.stop();
	}
}
