import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { chmodSync, chownSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import { connect } from 'net';
import path from 'path';
import { delay, freePort } from '../harness/n8n';
import { makeTempFolder } from '../harness/tempFolders';

/**
 * Redis, PostgreSQL and nginx from Debian's packages (`redis-server`, `postgresql`, `nginx-light`;
 * installed by scripts/test-reliability.sh when missing), started by the reliability suite on
 * 127.0.0.1 with a throw-away folder, for n8n's queue mode (Redis: Bull queue; PostgreSQL: the
 * database the main, webhook and worker processes share; nginx: the load balancer in front of
 * several webhook processors, with the config shipped in examples/queue-mode/).
 */

/** A running server; `stop()` ends it and is safe to call twice. */
export interface Service {
	port: number;
	stop(): Promise<void>;
}

/** Resolves once 127.0.0.1:`port` accepts a TCP connection (or rejects after `timeoutMs`). */
async function waitForPort(port: number, timeoutMs: number, child?: ChildProcess): Promise<void> {
	const deadline = Date.now() + timeoutMs;
	while (Date.now() < deadline) {
		if (child && child.exitCode !== null)
			throw new Error(`server on port ${port} exited with ${child.exitCode}`);
		const ok = await new Promise<boolean>((resolve) => {
			const socket = connect(port, '127.0.0.1');
			socket.once('connect', () => (socket.destroy(), resolve(true)));
			socket.once('error', () => resolve(false));
		});
		if (ok) return;
		await delay(100);
	}
	throw new Error(`nothing listened on 127.0.0.1:${port} within ${timeoutMs} ms`);
}

function stopChild(child: ChildProcess): Promise<void> {
	if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
	return new Promise((resolve) => {
		child.once('exit', () => resolve());
		child.kill('SIGTERM');
		setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
	});
}

/** Starts `redis-server` (no persistence) on a free port. */
export async function startRedis(): Promise<Service> {
	const port = await freePort();
	const dir = makeTempFolder('mando-redis-');
	const child = spawn(
		'redis-server',
		[
			'--port',
			String(port),
			'--bind',
			'127.0.0.1',
			'--save',
			'',
			'--appendonly',
			'no',
			'--dir',
			dir,
		],
		{
			stdio: 'ignore',
		},
	);
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);
	await waitForPort(port, 15_000, child);
	return {
		port,
		async stop() {
			process.removeListener('exit', killOnExit);
			await stopChild(child);
		},
	};
}

/** A running PostgreSQL: superuser `user` (trust authentication on 127.0.0.1), database `database`. */
export interface Postgres extends Service {
	user: string;
	database: string;
}

/** The newest `/usr/lib/postgresql/<version>/bin` (Debian's layout). */
function postgresBin(): string {
	const root = '/usr/lib/postgresql';
	const versions = existsSync(root)
		? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))
		: [];
	if (!versions.length)
		throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
	versions.sort((a, b) => Number(b) - Number(a));
	return path.join(root, versions[0], 'bin');
}

/**
 * Starts a fresh PostgreSQL cluster (initdb into a temp folder, fsync off) on a free port. As root
 * it runs as Debian's `postgres` user (PostgreSQL refuses to run as root).
 */
export async function startPostgres(): Promise<Postgres> {
	const bin = postgresBin();
	const port = await freePort();
	const dir = makeTempFolder('mando-pg-');
	const asRoot = process.getuid?.() === 0;
	const run = (cmd: string, args: string[]) => {
		const full = path.join(bin, cmd);
		execFileSync(
			asRoot ? 'runuser' : full,
			asRoot ? ['-u', 'postgres', '--', full, ...args] : args,
			{ stdio: 'pipe', cwd: dir },
		);
	};
	if (asRoot) {
		const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
		const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
		chownSync(dir, uid, gid);
	}
	const data = path.join(dir, 'data');
	const user = 'n8n';
	run('initdb', ['-D', data, '-U', user, '--auth=trust', '--no-sync', '-E', 'UTF8']);
	const options = `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=100`;
	run('pg_ctl', ['-D', data, '-o', options, '-l', path.join(dir, 'postgres.log'), '-w', 'start']);
	let stopped = false;
	const stopNow = (mode: string) => {
		if (stopped) return;
		stopped = true;
		try {
			run('pg_ctl', ['-D', data, '-m', mode, '-w', 'stop']);
		} catch {
			// already down
		}
	};
	const stopOnExit = () => stopNow('immediate');
	process.once('exit', stopOnExit);
	await waitForPort(port, 30_000);
	return {
		port,
		user,
		database: 'postgres',
		async stop() {
			process.removeListener('exit', stopOnExit);
			stopNow('fast');
		},
	};
}

/**
 * The environment n8n's main, webhook and worker processes share in queue mode: PostgreSQL, the
 * Bull queue on Redis, production webhooks served by webhook processors only, and `webhookUrl`
 * (the address Mando posts to: a webhook processor, or the load balancer in front of several).
 */
export function queueModeEnv(
	redis: Service,
	postgres: Postgres,
	webhookUrl: string,
): Record<string, string> {
	return {
		DB_TYPE: 'postgresdb',
		DB_POSTGRESDB_HOST: '127.0.0.1',
		DB_POSTGRESDB_PORT: String(postgres.port),
		DB_POSTGRESDB_DATABASE: postgres.database,
		DB_POSTGRESDB_USER: postgres.user,
		DB_POSTGRESDB_PASSWORD: '',
		EXECUTIONS_MODE: 'queue',
		QUEUE_BULL_REDIS_HOST: '127.0.0.1',
		QUEUE_BULL_REDIS_PORT: String(redis.port),
		N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'true',
		WEBHOOK_URL: webhookUrl,
	};
}

/** The load-balancer config shipped for queue mode (examples/queue-mode/nginx.conf). */
export const SHIPPED_NGINX_CONF = path.join(
	__dirname,
	'..',
	'..',
	'examples',
	'queue-mode',
	'nginx.conf',
);

/** Where {@link startNginx} sends what. */
export interface NginxRoutes {
	/** Port nginx listens on (127.0.0.1). */
	port: number;
	/** Ports of n8n's webhook processors. */
	webhookPorts: number[];
	/** Port of n8n main. */
	mainPort: number;
	/** `hash`: the shipped config as it is; `round-robin`: the same without its `hash` line (for contrast). */
	balance: 'hash' | 'round-robin';
}

/**
 * The shipped config with only its addresses changed (and, for `round-robin`, its `hash` line
 * removed): the upstream servers, the main server and the listen address.
 *
 * @throws Error when the shipped file no longer has the lines this rewrites
 */
export function nginxConfFor(
	routes: NginxRoutes,
	shipped = readFileSync(SHIPPED_NGINX_CONF, 'utf8'),
): string {
	const upstream = /(upstream n8n_webhooks \{\n)([\s\S]*?)(\n\t\})/;
	const main = /(upstream n8n_main \{\n)([\s\S]*?)(\n\t\})/;
	if (
		!upstream.test(shipped) ||
		!main.test(shipped) ||
		!/listen \d+;/.test(shipped) ||
		!shipped.includes('hash $request_uri consistent;')
	) {
		throw new Error(
			`${SHIPPED_NGINX_CONF} no longer has the upstreams, listen line and hash this test rewrites`,
		);
	}
	return shipped
		.replace(upstream, (_m, open: string, body: string, close: string) => {
			const lines = body
				.split('\n')
				.filter(
					(l) =>
						!/^\s*server /.test(l) &&
						(routes.balance === 'hash' || !l.includes('hash $request_uri')),
				);
			return (
				open +
				[...lines, ...routes.webhookPorts.map((p) => `\t\tserver 127.0.0.1:${p};`)].join('\n') +
				close
			);
		})
		.replace(
			main,
			(_m, open: string, _body: string, close: string) =>
				`${open}\t\tserver 127.0.0.1:${routes.mainPort};${close}`,
		)
		.replace(/listen \d+;/, `listen 127.0.0.1:${routes.port};`);
}

/** A running nginx; `conf` is the config it runs with. */
export interface Nginx extends Service {
	conf: string;
}

/** Starts nginx (foreground, a temporary prefix folder removed when the suite ends) with {@link nginxConfFor}`(routes)`. */
export async function startNginx(routes: NginxRoutes): Promise<Nginx> {
	const dir = makeTempFolder('mando-nginx-');
	chmodSync(dir, 0o777); // nginx's workers run as another user when started as root
	const conf = nginxConfFor(routes);
	const file = path.join(dir, 'nginx.conf');
	writeFileSync(file, conf);
	const bin = existsSync('/usr/sbin/nginx') ? '/usr/sbin/nginx' : 'nginx';
	const child = spawn(
		bin,
		['-c', file, '-p', dir, '-g', `daemon off; pid ${path.join(dir, 'nginx.pid')};`],
		{ stdio: ['ignore', 'ignore', 'pipe'] },
	);
	let stderr = '';
	child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
	const killOnExit = () => child.kill('SIGKILL');
	process.once('exit', killOnExit);
	try {
		await waitForPort(routes.port, 15_000, child);
	} catch (error) {
		throw new Error(`${(error as Error).message}: ${stderr}`);
	}
	return {
		port: routes.port,
		conf,
		async stop() {
			process.removeListener('exit', killOnExit);
			await stopChild(child);
		},
	};
}
