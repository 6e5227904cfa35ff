import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { chownSync, existsSync, readdirSync } from 'fs';
import { connect } from 'net';
import path from 'path';
import { delay, freePort } from '../harness/n8n';
import { makeTempFolder } from '../harness/tempFolders';

/**
 * Redis and PostgreSQL servers from Debian's packages (`redis-server`, `postgresql`; installed by
 * scripts/test-reliability.sh when missing), started by the reliability suite on 127.0.0.1 with a
 * throw-away data folder, for n8n's queue mode (Redis: Bull queue; PostgreSQL: the database the
 * main, webhook and worker processes share).
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
		if (child && child.exitCode !== null) throw new Error(`server on port ${port} exited with ${child.exitCode}`);
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
	const child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
		stdio: 'ignore',
	});
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
	const versions = existsSync(root) ? readdirSync(root).filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl'))) : [];
	if (!versions.length) throw new Error('PostgreSQL is not installed (apt-get install -y postgresql)');
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
		execFileSync(asRoot ? 'runuser' : full, asRoot ? ['-u', 'postgres', '--', full, ...args] : args, { stdio: 'pipe', cwd: dir });
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
