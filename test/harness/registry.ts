import { execFile, spawn, type ChildProcess } from 'child_process';
import { createWriteStream, existsSync, readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { delay, freePort, REPO_ROOT } from './n8n';
import { makeTempFolder } from './tempFolders';

/**
 * A local npm registry for the installer-path tests: verdaccio (from the npm registry, installed
 * in tools/verdaccio by scripts/install-verdaccio.sh) started as its own process on 127.0.0.1 with its
 * own temp storage, users file and config, and no uplinks, so it serves only what the test
 * publishes to it and never reaches another registry.
 */

const run = promisify(execFile);

/** What `npm pack --json` reports about a tarball (the fields the tests read). */
export interface PackResult {
	/** Absolute path of the `.tgz`. */
	tarball: string;
	name: string;
	version: string;
	/** Paths inside the package (`package/` prefix stripped), sorted. */
	files: string[];
}

/**
 * Packs this package (its `dist/` must be built) with `npm pack --json` into `destination`.
 *
 * @throws Error when `dist/` is missing (run `npm run build`) or npm fails
 */
export async function packPackage(destination: string): Promise<PackResult> {
	if (!existsSync(path.join(REPO_ROOT, 'dist', 'nodes')))
		throw new Error('dist/ is missing: run `npm run build` first');
	const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination], {
		cwd: REPO_ROOT,
		maxBuffer: 16 * 1024 * 1024,
	});
	const [info] = JSON.parse(stdout) as Array<{
		filename: string;
		name: string;
		version: string;
		files: Array<{ path: string }>;
	}>;
	return {
		tarball: path.join(destination, info.filename),
		name: info.name,
		version: info.version,
		files: info.files.map((f) => f.path).sort(),
	};
}

/** A running verdaccio. */
export class LocalRegistry {
	private constructor(
		readonly url: string,
		readonly folder: string,
		readonly logFile: string,
		private readonly child: ChildProcess,
	) {}

	/** Starts verdaccio on a free port of 127.0.0.1 and waits until it answers `/-/ping`. */
	static async start(): Promise<LocalRegistry> {
		const folder = makeTempFolder('mando-verdaccio-');
		const port = await freePort();
		const configFile = path.join(folder, 'config.yaml');
		// No `uplinks` and no `proxy`: a package not published here is a 404, never a fetch.
		writeFileSync(
			configFile,
			[
				`storage: ${JSON.stringify(path.join(folder, 'storage'))}`,
				'auth:',
				'  htpasswd:',
				`    file: ${JSON.stringify(path.join(folder, 'htpasswd'))}`,
				'    max_users: 10',
				'uplinks: {}',
				'packages:',
				"  '**':",
				'    access: $all',
				'    publish: $authenticated',
				'    unpublish: $authenticated',
				'web:',
				'  enable: false',
				'middlewares:',
				'  audit:',
				'    enabled: false',
				'log:',
				'  type: stdout',
				'  format: pretty',
				'  level: warn',
				'',
			].join('\n'),
		);
		const logFile = path.join(folder, 'verdaccio.log');
		const log = createWriteStream(logFile);
		// Installed by scripts/install-verdaccio.sh in its own folder (tools/verdaccio/package.json says why).
		const bin = path.join(
			REPO_ROOT,
			'tools',
			'verdaccio',
			'node_modules',
			'verdaccio',
			'bin',
			'verdaccio',
		);
		if (!existsSync(bin)) throw new Error('verdaccio is missing: run scripts/install-verdaccio.sh');
		const child = spawn(
			process.execPath,
			[bin, '--config', configFile, '--listen', `127.0.0.1:${port}`],
			{
				cwd: folder,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		child.stdout?.pipe(log);
		child.stderr?.pipe(log);
		const killOnExit = () => child.kill('SIGKILL');
		process.once('exit', killOnExit);
		child.once('exit', () => process.removeListener('exit', killOnExit));
		const registry = new LocalRegistry(`http://127.0.0.1:${port}`, folder, logFile, child);
		const deadline = Date.now() + 60_000;
		while (Date.now() < deadline) {
			if (child.exitCode !== null)
				throw new Error(`verdaccio exited with ${child.exitCode}; see ${logFile}`);
			try {
				if ((await fetch(`${registry.url}/-/ping`)).ok) return registry;
			} catch {
				// not listening yet
			}
			await delay(200);
		}
		child.kill('SIGKILL');
		throw new Error(`verdaccio was not ready within 60 s; see ${logFile}`);
	}

	/** Adds a user through the npm login endpoint and returns its token. */
	async addUser(name: string, password: string): Promise<string> {
		const res = await fetch(`${this.url}/-/user/org.couchdb.user:${encodeURIComponent(name)}`, {
			method: 'PUT',
			headers: { 'Content-Type': 'application/json' },
			body: JSON.stringify({
				name,
				password,
				type: 'user',
				roles: [],
				date: new Date().toISOString(),
			}),
		});
		const body = (await res.json()) as { token?: string; error?: string };
		if (!res.ok || !body.token)
			throw new Error(`verdaccio user creation failed: ${res.status} ${JSON.stringify(body)}`);
		return body.token;
	}

	/** Publishes a tarball with the ordinary `npm publish`, as `token`'s user. */
	async publish(tarball: string, token: string): Promise<void> {
		const host = this.url.replace(/^https?:/, '');
		await run(
			'npm',
			[
				'publish',
				tarball,
				'--registry',
				`${this.url}/`,
				`--${host}/:_authToken=${token}`,
				'--ignore-scripts',
			],
			{
				cwd: this.folder,
				env: { ...process.env, npm_config_cache: path.join(this.folder, 'npm-cache') },
			},
		);
	}

	/** The registry's document for a package (`GET /<name>`), as npm clients read it. */
	async packument(name: string): Promise<{
		name: string;
		'dist-tags': Record<string, string>;
		versions: Record<string, unknown>;
	}> {
		const res = await fetch(`${this.url}/${encodeURIComponent(name)}`);
		if (!res.ok) throw new Error(`GET ${name} from verdaccio: ${res.status}`);
		return (await res.json()) as {
			name: string;
			'dist-tags': Record<string, string>;
			versions: Record<string, unknown>;
		};
	}

	/** verdaccio's log so far. */
	logs(): string {
		try {
			return readFileSync(this.logFile, 'utf8');
		} catch {
			return '';
		}
	}

	/** Stops verdaccio (SIGTERM, then SIGKILL after 10 s). */
	async stop(): Promise<void> {
		if (this.child.exitCode !== null) return;
		const exited = new Promise<void>((r) => this.child.once('exit', () => r()));
		this.child.kill('SIGTERM');
		const timer = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
		await exited;
		clearTimeout(timer);
	}
}
