import { MANDO_EVENTS } from '../../nodes/shared/events';
import { httpRequest } from './client';
import { EMULATOR_DEFAULT_PORT, EMULATOR_HOST, startEmulator } from './server';
import type { EmulatorListShape, EmulatorOptions } from './server';

/**
 * Command line for the Mando emulator:
 * `npx ts-node --transpile-only test/emulator/cli.ts <command> [options]` (or `npm run emulator --`).
 * Run with `help` for the commands.
 */

/** The usage text printed by `help` and on bad arguments. */
export const USAGE = `Mando emulator

Usage:
  npm run emulator -- start [--port ${EMULATOR_DEFAULT_PORT}] [--allow-http] [--time-scale 0.001] [--api-key K]
                              [--webhook-secret S] [--per-webhook-secrets] [--delivery-timeout-ms 5000]
                              [--list-shape array|wrapped] [--no-webhook-resource]
                              [--sales-per-minute N] [--cursor-ttl-ms MS] [--empty]
      Start the emulator on ${EMULATOR_HOST} and print its API base URL. Ctrl+C stops it.
      It holds a demo café (products, departments, groups, a customer, an open business day)
      unless --empty: then only its 2 locations and 4 tax rates.
  npm run emulator -- emit <event-type|all> [--emulator http://${EMULATOR_HOST}:${EMULATOR_DEFAULT_PORT}] [--data JSON] [--id evt_x] [--batch N]
      Ask a running emulator to emit an event (data defaults to the catalogue sample).
  npm run emulator -- events
      List the documented event types.
  npm run emulator -- help
      Show this text.
`;

/** A bad command line; `main` prints the message and the usage, and exits with 2. */
export class UsageError extends Error {}

type Flags = Record<string, string | true>;

/**
 * Splits `args` into positionals and `--flag value` / `--flag=value` / boolean `--flag` options.
 *
 * @param valued flags that take a value
 * @param booleans flags that take no value
 * @throws UsageError on an unknown flag or a missing value
 */
export function parseArgs(
	args: string[],
	valued: string[],
	booleans: string[],
): { positionals: string[]; flags: Flags } {
	const positionals: string[] = [];
	const flags: Flags = {};
	for (let i = 0; i < args.length; i++) {
		const arg = args[i];
		if (!arg.startsWith('--')) {
			positionals.push(arg);
			continue;
		}
		const eq = arg.indexOf('=');
		const name = arg.slice(2, eq === -1 ? undefined : eq);
		if (booleans.includes(name)) {
			if (eq !== -1) throw new UsageError(`--${name} takes no value`);
			flags[name] = true;
		} else if (valued.includes(name)) {
			const value = eq === -1 ? args[++i] : arg.slice(eq + 1);
			if (value === undefined || (eq === -1 && value.startsWith('--')))
				throw new UsageError(`--${name} needs a value`);
			flags[name] = value;
		} else {
			throw new UsageError(`Unknown option --${name}`);
		}
	}
	return { positionals, flags };
}

function numberFlag(
	flags: Flags,
	name: string,
	check: (n: number) => boolean,
	what: string,
): number | undefined {
	const raw = flags[name];
	if (raw === undefined) return undefined;
	const value = Number(raw);
	if (typeof raw !== 'string' || raw.trim() === '' || !Number.isFinite(value) || !check(value)) {
		throw new UsageError(`--${name} must be ${what}, got "${String(raw)}"`);
	}
	return value;
}

async function start(args: string[]): Promise<void> {
	const { positionals, flags } = parseArgs(
		args,
		[
			'port',
			'time-scale',
			'api-key',
			'webhook-secret',
			'delivery-timeout-ms',
			'list-shape',
			'sales-per-minute',
			'cursor-ttl-ms',
		],
		['allow-http', 'per-webhook-secrets', 'no-webhook-resource', 'empty'],
	);
	if (positionals.length)
		throw new UsageError(`start takes no arguments, got "${positionals.join(' ')}"`);
	const listShape = flags['list-shape'];
	if (listShape !== undefined && listShape !== 'array' && listShape !== 'wrapped')
		throw new UsageError('--list-shape must be array or wrapped');
	const options: EmulatorOptions = {
		port:
			numberFlag(
				flags,
				'port',
				(n) => Number.isInteger(n) && n >= 0 && n < 65536,
				'a port number (0-65535)',
			) ?? EMULATOR_DEFAULT_PORT,
		timeScale: numberFlag(flags, 'time-scale', (n) => n >= 0, 'a number >= 0'),
		deliveryTimeoutMs: numberFlag(
			flags,
			'delivery-timeout-ms',
			(n) => n > 0,
			'a number of milliseconds > 0',
		),
		apiKey: flags['api-key'] as string | undefined,
		webhookSecret: flags['webhook-secret'] as string | undefined,
		allowHttp: flags['allow-http'] === true,
		perWebhookSecrets: flags['per-webhook-secrets'] === true,
		webhookResource: flags['no-webhook-resource'] !== true,
		listShape: listShape as EmulatorListShape | undefined,
		cursorTtlMs: numberFlag(flags, 'cursor-ttl-ms', (n) => n >= 0, 'a number of milliseconds >= 0'),
		seed: flags.empty === true ? 'empty' : undefined,
	};
	const salesPerMinute = numberFlag(flags, 'sales-per-minute', (n) => n > 0, 'a number > 0');
	const emulator = await startEmulator(options);
	if (salesPerMinute !== undefined) emulator.startSales(salesPerMinute);
	const config = emulator.config();
	emulator.onDelivery((d) => {
		const status = d.status === null ? (d.error ?? 'no answer') : `HTTP ${d.status}`;
		console.log(
			`[delivery] ${d.at} ${d.eventType} → ${d.url} attempt ${d.attempt}: ${d.outcome} (${status}, ${d.durationMs} ms)`,
		);
	});
	console.log(emulator.url);
	console.log(`Mando emulator listening on ${emulator.url}`);
	console.log(`  API key (Bearer):  ${config.apiKey}`);
	console.log(
		`  Webhook secret:    ${config.perWebhookSecrets ? 'one per webhook (returned by POST /secure/webhook)' : config.webhookSecret}`,
	);
	console.log(
		`  Webhook URLs:      ${config.allowHttp ? 'https:// and http://' : 'https:// only (use --allow-http for local receivers)'}`,
	);
	console.log(`  Retry time scale:  ${config.timeScale}`);
	console.log(
		`  Data:              ${config.seed === 'empty' ? '2 locations and 4 tax rates only (--empty)' : `a demo café: ${emulator.entities('plu').length} products, ${emulator.entities('customer').length} customer, an open business day, 2 locations`}`,
	);
	if (salesPerMinute !== undefined)
		console.log(`  New sales:         ${salesPerMinute} a minute (sale.created)`);
	if (config.cursorTtlMs > 0)
		console.log(`  Sales cursors:     expire after ${config.cursorTtlMs} ms`);
	console.log(`  Control:           http://${EMULATOR_HOST}:${emulator.port}/_emulator/state`);
	const stop = (): void => {
		void emulator.close().then(() => process.exit(0));
	};
	process.once('SIGINT', stop);
	process.once('SIGTERM', stop);
}

async function emit(args: string[]): Promise<void> {
	const { positionals, flags } = parseArgs(args, ['emulator', 'data', 'id', 'batch'], []);
	if (positionals.length !== 1)
		throw new UsageError('emit needs exactly one event type (or "all")');
	const [type] = positionals;
	const known = MANDO_EVENTS.map((e) => e.type as string);
	if (type !== 'all' && !known.includes(type))
		throw new UsageError(`Unknown event type "${type}"; run "events" for the list`);
	if (type === 'all' && (flags.data !== undefined || flags.id !== undefined))
		throw new UsageError('--data and --id need a single event type, not "all"');
	let data: unknown;
	if (typeof flags.data === 'string') {
		try {
			data = JSON.parse(flags.data);
		} catch {
			throw new UsageError(
				'--data must be JSON, e.g. --data \'{"id":"s1","total":10,"items":[]}\'',
			);
		}
	}
	const batch = numberFlag(flags, 'batch', (n) => Number.isInteger(n) && n >= 1, 'an integer >= 1');
	const base = String(flags.emulator ?? `http://${EMULATOR_HOST}:${EMULATOR_DEFAULT_PORT}`)
		.replace(/\/+$/, '')
		.replace(/\/api$/, '');
	let failed = false;
	for (const eventType of type === 'all' ? known : [type]) {
		let response;
		try {
			response = await httpRequest(`${base}/_emulator/events`, {
				method: 'POST',
				json: { type: eventType, id: flags.id, data, batch },
			});
		} catch (error) {
			throw new Error(
				`Cannot reach the emulator at ${base} (${(error as Error).message}); start it with "npm run emulator -- start"`,
			);
		}
		const body = response.body as
			{ event?: { id: string }; webhookIds?: string[]; message?: string } | undefined;
		if (response.status !== 200 || !body?.event) {
			failed = true;
			console.error(`${eventType}: HTTP ${response.status} ${body?.message ?? response.text}`);
			continue;
		}
		const hooks = body.webhookIds ?? [];
		console.log(
			`${eventType} ${body.event.id} → ${hooks.length} webhook(s)${hooks.length ? ': ' + hooks.join(', ') : ''}`,
		);
	}
	if (failed) process.exitCode = 1;
}

function events(args: string[]): void {
	if (args.length) throw new UsageError('events takes no arguments');
	const width = Math.max(...MANDO_EVENTS.map((e) => e.type.length));
	for (const e of MANDO_EVENTS) console.log(`${e.type.padEnd(width)}  ${e.name}: ${e.description}`);
}

/**
 * Runs the CLI with `argv` (without `node` and the script path).
 * Exit codes: 0 success, 1 failure (e.g. emulator unreachable), 2 bad arguments.
 */
export async function main(argv: string[]): Promise<void> {
	const [command, ...args] = argv;
	try {
		switch (command) {
			case 'start':
				return await start(args);
			case 'emit':
				return await emit(args);
			case 'events':
				return events(args);
			case 'help':
			case '--help':
			case '-h':
				console.log(USAGE);
				return;
			default:
				throw new UsageError(command ? `Unknown command "${command}"` : 'No command given');
		}
	} catch (error) {
		if (error instanceof UsageError) {
			console.error(`Error: ${error.message}\n\n${USAGE}`);
			process.exitCode = 2;
			return;
		}
		console.error(`Error: ${(error as Error).message}`);
		process.exitCode = 1;
	}
}

if (require.main === module) {
	// `cli.ts emit all | head` closes stdout early: stop quietly instead of crashing on EPIPE.
	process.stdout.on('error', (error: NodeJS.ErrnoException) => {
		if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
		throw error;
	});
	void main(process.argv.slice(2));
}
