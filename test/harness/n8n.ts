import { execFileSync, spawn, type ChildProcess } from 'child_process';
import { randomBytes } from 'crypto';
import { createWriteStream, readFileSync, type WriteStream } from 'fs';
import { createServer } from 'net';
import { tmpdir } from 'os';
import path from 'path';

import { makeTempFolder } from './tempFolders';

/**
 * A real n8n for end-to-end tests and the demo: installs it once (scripts/ensure-n8n.sh: n8n
 * 2.40.7 on Node 24 by default, or `n8nVersion` / `N8N_VERSION`, e.g. 1.123.81 on Node 22; cached
 * side by side), starts it on 127.0.0.1 with this package's `dist/` loaded as custom nodes and an
 * owner set from the environment, logs in, makes a public-API key, and wraps the public API calls
 * the tests need.
 */

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** The n8n version tests run unless `N8N_VERSION` or `N8nOptions.n8nVersion` says otherwise. */
export const DEFAULT_N8N_VERSION = '2.40.7';

/** Paths of a cached Node and n8n (installed on first use), and what that n8n offers. */
export interface N8nInstall {
	nodeBin: string;
	n8nBin: string;
	n8nDir: string;
	/** n8n's version, e.g. `2.40.7`. */
	version: string;
	/**
	 * Whether this n8n has the workflow publication API (`POST /workflows/:id/publish` in its public
	 * API and `GET /rest/workflows/:id/publication-status`). Without it (n8n 1.x and early 2.x) a
	 * workflow is activated with `POST /workflows/:id/activate`, which answers once it is active.
	 */
	publicationApi: boolean;
}

const installs = new Map<string, N8nInstall>();

/**
 * Installs (or finds in the cache) n8n `version` and the Node it runs on; see scripts/ensure-n8n.sh.
 *
 * @param version an n8n version on the npm registry (default `N8N_VERSION`, else {@link DEFAULT_N8N_VERSION})
 */
export function ensureN8nInstalled(
	version = process.env.N8N_VERSION || DEFAULT_N8N_VERSION,
): N8nInstall {
	const known = installs.get(version);
	if (known) return known;
	const out = execFileSync('bash', [path.join(REPO_ROOT, 'scripts', 'ensure-n8n.sh')], {
		encoding: 'utf8',
		env: { ...process.env, N8N_VERSION: version },
		stdio: ['ignore', 'pipe', 'inherit'],
		timeout: 30 * 60 * 1000,
	});
	const vars = Object.fromEntries(
		out
			.trim()
			.split('\n')
			.map((line) => line.split('=') as [string, string]),
	);
	const n8nDir = path.resolve(vars.N8N_BIN, '..', '..', '..', '..');
	const n8nPackage = path.join(n8nDir, 'node_modules', 'n8n');
	const dist = path.join(n8nPackage, 'dist');
	const openapi = readFileSync(path.join(dist, 'public-api', 'v1', 'openapi.yml'), 'utf8');
	const controller = readFileSync(path.join(dist, 'workflows', 'workflows.controller.js'), 'utf8');
	const install: N8nInstall = {
		nodeBin: vars.NODE_BIN,
		n8nBin: vars.N8N_BIN,
		n8nDir,
		version: (
			JSON.parse(readFileSync(path.join(n8nPackage, 'package.json'), 'utf8')) as { version: string }
		).version,
		publicationApi:
			/\/workflows\/\{\w+\}\/publish:/.test(openapi) && controller.includes('/publication-status'),
	};
	installs.set(version, install);
	return install;
}

/** A free TCP port on 127.0.0.1. */
export async function freePort(): Promise<number> {
	return await new Promise((resolve, reject) => {
		const server = createServer();
		server.unref();
		server.on('error', reject);
		server.listen(0, '127.0.0.1', () => {
			const { port } = server.address() as { port: number };
			server.close(() => resolve(port));
		});
	});
}

/** True when nothing listens on 127.0.0.1:`port`. */
export async function portIsFree(port: number): Promise<boolean> {
	return await new Promise((resolve) => {
		const server = createServer();
		server.once('error', () => resolve(false));
		server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
	});
}

/** Options of {@link N8n}. */
export interface N8nOptions {
	/** n8n version to run (default `N8N_VERSION`, else {@link DEFAULT_N8N_VERSION}); installed and cached on first use. */
	n8nVersion?: string;
	/** Port (default: a free one). */
	port?: number;
	/**
	 * n8n's `bin/n8n` to run instead of the cached install's (e.g. the bench's patched copy of the
	 * same version); the cached install's Node runs it.
	 */
	n8nBin?: string;
	/** Folder of custom nodes (`N8N_CUSTOM_EXTENSIONS`); default this package's `dist/`. */
	customExtensions?: string;
	/** Extra environment for n8n. */
	env?: Record<string, string>;
	/** Where n8n keeps its database and settings (default: a new temp folder). */
	userFolder?: string;
	/** Copy n8n's output to this stream too (the demo shows it). */
	echo?: NodeJS.WritableStream;
	/**
	 * The n8n command: `start` (default; the main process with editor, API and owner login),
	 * `webhook` (a webhook processor, queue mode only) or `worker` (queue mode only; `port` is then
	 * its health-check port, `/healthz/readiness`). `webhook` and `worker` make no API key: give
	 * them the main process's `userFolder` and database/Redis `env`.
	 */
	command?: 'start' | 'webhook' | 'worker';
	/** Log file name inside the user folder (default `n8n.log`, which processes sharing the folder may share). */
	logName?: string;
	/**
	 * Base URL of production webhooks (default this process's `baseUrl`): `webhookUrl()` and the
	 * default `WEBHOOK_URL` use it. In queue mode, the webhook processor's base URL.
	 */
	webhookBaseUrl?: string;
}

/** The owner n8n is started with (the editor login for screenshots and the demo). */
export const OWNER_EMAIL = 'owner@mando-e2e.test';
/** The owner's password. */
export const OWNER_PASSWORD = 'Mando-e2e-Passw0rd';

/** Sleeps `ms` milliseconds. */
export const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Polls `check` every 100 ms until it returns true or `timeoutMs` passes (n8n publishes and
 * unpublishes workflows in the background, so the emulator sees the effect a moment later).
 *
 * @returns whether `check` became true
 */
export async function waitUntil(
	check: () => boolean | Promise<boolean>,
	timeoutMs = 15_000,
): Promise<boolean> {
	const deadline = Date.now() + timeoutMs;
	for (;;) {
		if (await check()) return true;
		if (Date.now() >= deadline) return false;
		await delay(100);
	}
}

/** A running n8n (restartable, keeping its user folder, database and API key). */
export class N8n {
	readonly port: number;
	readonly userFolder: string;
	readonly logFile: string;
	apiKey = '';
	/** Session cookie of the owner, for the editor's REST endpoints (e.g. publication status). */
	private cookie = '';
	private child?: ChildProcess;
	private log?: WriteStream;
	private readonly install: N8nInstall;

	/** Port of n8n's task-runner broker (default 5679 would clash between two n8n on one machine). */
	private readonly brokerPort: number;

	/** Environment added by {@link N8n.restart} for this and later boots (over `options.env`). */
	private restartEnv: Record<string, string> = {};

	private constructor(
		port: number,
		brokerPort: number,
		private readonly options: N8nOptions,
	) {
		this.port = port;
		this.brokerPort = brokerPort;
		this.install = ensureN8nInstalled(options.n8nVersion);
		this.userFolder = options.userFolder ?? makeTempFolder('mando-n8n-');
		this.logFile = path.join(this.userFolder, options.logName ?? 'n8n.log');
	}

	/** Installs if needed, starts n8n, waits until ready, logs in and makes an API key. */
	static async start(options: N8nOptions = {}): Promise<N8n> {
		const n8n = new N8n(options.port ?? (await freePort()), await freePort(), options);
		await n8n.boot();
		if ((options.command ?? 'start') === 'start') await n8n.createApiKey();
		return n8n;
	}

	/** The running n8n's version and whether it has the publication API (see {@link N8nInstall}). */
	get n8nVersion(): Pick<N8nInstall, 'version' | 'publicationApi'> {
		return { version: this.install.version, publicationApi: this.install.publicationApi };
	}

	get baseUrl(): string {
		return `http://127.0.0.1:${this.port}`;
	}

	/** The production webhook URL of a webhook path. */
	webhookUrl(webhookPath: string): string {
		return `${this.options.webhookBaseUrl ?? this.baseUrl}/webhook/${webhookPath}`;
	}

	/** n8n's log so far. */
	logs(): string {
		try {
			return readFileSync(this.logFile, 'utf8');
		} catch {
			return '';
		}
	}

	private async boot(): Promise<void> {
		if (!(await portIsFree(this.port))) {
			throw new Error(
				`port ${this.port} on 127.0.0.1 is in use (another n8n?); stop it or choose another port`,
			);
		}
		// bcryptjs ships with n8n; the owner's password hash is made the way n8n checks it.
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const bcrypt = require(path.join(this.install.n8nDir, 'node_modules', 'bcryptjs')) as {
			hashSync(p: string, rounds: number): string;
		};
		const env: Record<string, string> = {
			PATH: `${path.dirname(this.install.nodeBin)}:${process.env.PATH ?? ''}`,
			HOME: process.env.HOME ?? tmpdir(),
			N8N_USER_FOLDER: this.userFolder,
			N8N_LISTEN_ADDRESS: '127.0.0.1',
			N8N_PORT: String(this.port),
			N8N_HOST: '127.0.0.1',
			WEBHOOK_URL: `${this.options.webhookBaseUrl ?? this.baseUrl}/`,
			N8N_ENCRYPTION_KEY: 'mando-e2e-encryption-key-0123456789',
			N8N_SECURE_COOKIE: 'false',
			N8N_DIAGNOSTICS_ENABLED: 'false',
			N8N_VERSION_NOTIFICATIONS_ENABLED: 'false',
			N8N_TEMPLATES_ENABLED: 'false',
			N8N_PERSONALIZATION_ENABLED: 'false',
			N8N_INSTANCE_OWNER_MANAGED_BY_ENV: 'true',
			N8N_INSTANCE_OWNER_EMAIL: OWNER_EMAIL,
			N8N_INSTANCE_OWNER_FIRST_NAME: 'Mando',
			N8N_INSTANCE_OWNER_LAST_NAME: 'Tester',
			N8N_INSTANCE_OWNER_PASSWORD_HASH: bcrypt.hashSync(OWNER_PASSWORD, 10),
			N8N_CUSTOM_EXTENSIONS: this.options.customExtensions ?? path.join(REPO_ROOT, 'dist'),
			N8N_LOG_LEVEL: 'debug',
			N8N_LOG_OUTPUT: 'console',
			N8N_RUNNERS_ENABLED: 'true',
			N8N_RUNNERS_BROKER_PORT: String(this.brokerPort),
			N8N_BLOCK_ENV_ACCESS_IN_NODE: 'false',
			DB_SQLITE_POOL_SIZE: '2',
			EXECUTIONS_DATA_SAVE_ON_SUCCESS: 'all',
			EXECUTIONS_DATA_SAVE_ON_ERROR: 'all',
			NODE_OPTIONS: '--max-old-space-size=4096',
			...(this.options.command === 'worker'
				? {
						QUEUE_HEALTH_CHECK_ACTIVE: 'true',
						QUEUE_HEALTH_CHECK_PORT: String(this.port),
						N8N_WORKER_SERVER_ADDRESS: '127.0.0.1',
					}
				: {}),
			...this.options.env,
			...this.restartEnv,
		};
		this.log = createWriteStream(this.logFile, { flags: 'a' });
		const child = spawn(
			this.install.nodeBin,
			[this.options.n8nBin ?? this.install.n8nBin, this.options.command ?? 'start'],
			{
				env,
				cwd: this.userFolder,
				stdio: ['ignore', 'pipe', 'pipe'],
			},
		);
		this.child = child;
		// Never leave an n8n behind when this process ends abruptly.
		const killOnExit = () => child.kill('SIGKILL');
		process.once('exit', killOnExit);
		child.once('exit', () => process.removeListener('exit', killOnExit));
		for (const stream of [child.stdout, child.stderr]) {
			stream?.on('data', (chunk: Buffer) => {
				this.log?.write(chunk);
				this.options.echo?.write(chunk);
			});
		}
		const deadline = Date.now() + 180_000;
		while (Date.now() < deadline) {
			if (child.exitCode !== null)
				throw new Error(`n8n exited with ${child.exitCode}; see ${this.logFile}`);
			try {
				const res = await fetch(`${this.baseUrl}/healthz/readiness`);
				// n8n 1.x is "ready" (and answers every path with 200 "n8n is starting up") before its
				// REST routes exist: the main process waits for its settings in JSON too.
				const restReady = async () =>
					(
						(await fetch(`${this.baseUrl}/rest/settings`)).headers.get('content-type') ?? ''
					).includes('json');
				if (res.ok && ((this.options.command ?? 'start') !== 'start' || (await restReady())))
					return;
			} catch {
				// not listening yet
			}
			await delay(500);
		}
		throw new Error(`n8n was not ready within 180 s; see ${this.logFile}`);
	}

	private async createApiKey(): Promise<void> {
		if (this.apiKey) return;
		await this.relogin();
		const cookie = this.cookie;
		const scopesRes = await fetch(`${this.baseUrl}/rest/api-keys/scopes`, { headers: { cookie } });
		// n8n 1.x and early 2.x turn the public API off in their end-to-end mode (E2E_TESTS=true): no key then.
		if (scopesRes.status === 404) return;
		if (!scopesRes.ok)
			throw new Error(`n8n API key scopes: ${scopesRes.status} ${await scopesRes.text()}`);
		const scopes = ((await scopesRes.json()) as { data: string[] }).data;
		const res = await fetch(`${this.baseUrl}/rest/api-keys`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', cookie },
			body: JSON.stringify({
				label: `e2e ${randomBytes(3).toString('hex')}`,
				expiresAt: null,
				scopes,
			}),
		});
		if (!res.ok) throw new Error(`n8n API key creation failed: ${res.status} ${await res.text()}`);
		this.apiKey = ((await res.json()) as { data: { rawApiKey: string } }).data.rawApiKey;
	}

	/** Calls n8n's public API (`/api/v1`); throws on a non-2xx answer. */
	async api<T = Record<string, unknown>>(
		method: string,
		apiPath: string,
		body?: unknown,
	): Promise<T> {
		const res = await fetch(`${this.baseUrl}/api/v1${apiPath}`, {
			method,
			headers: {
				'X-N8N-API-KEY': this.apiKey,
				'Content-Type': 'application/json',
				Accept: 'application/json',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`n8n ${method} ${apiPath}: ${res.status} ${text}`);
		return (text ? JSON.parse(text) : {}) as T;
	}

	/** Calls an editor REST endpoint (`/rest`) as the owner; throws on a non-2xx answer. */
	async rest<T = Record<string, unknown>>(
		method: string,
		restPath: string,
		body?: unknown,
	): Promise<T> {
		const res = await fetch(`${this.baseUrl}/rest${restPath}`, {
			method,
			headers: {
				cookie: this.cookie,
				'Content-Type': 'application/json',
				Accept: 'application/json',
			},
			body: body === undefined ? undefined : JSON.stringify(body),
		});
		const text = await res.text();
		if (!res.ok) throw new Error(`n8n ${method} /rest${restPath}: ${res.status} ${text}`);
		const parsed = (text ? JSON.parse(text) : {}) as { data?: T };
		return (parsed.data ?? parsed) as T;
	}

	/**
	 * Waits until n8n has finished (un)publishing a workflow (n8n 2.x applies publications in the
	 * background) and returns the outcome, with each trigger's activation error if any.
	 */
	async waitForPublication(workflowId: string, timeoutMs = 30_000): Promise<PublicationStatus> {
		const deadline = Date.now() + timeoutMs;
		let status: PublicationStatus;
		do {
			status = await this.rest<PublicationStatus>(
				'GET',
				`/workflows/${workflowId}/publication-status`,
			);
			if (status.status !== 'in_progress') return status;
			await delay(100);
		} while (Date.now() < deadline);
		return status;
	}

	/**
	 * Stops n8n: `signal` (default SIGTERM, n8n's graceful shutdown; SIGKILL stands for a crash),
	 * then SIGKILL after 20 s. The signal is sent before the first `await`, so a caller in a
	 * synchronous callback stops n8n at that very moment.
	 */
	async stop(options: { signal?: NodeJS.Signals } = {}): Promise<void> {
		const child = this.child;
		if (!child || child.exitCode !== null || child.signalCode !== null) return;
		const exited = new Promise<void>((r) => child.once('exit', () => r()));
		child.kill(options.signal ?? 'SIGTERM');
		const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
		await exited;
		clearTimeout(timer);
		this.child = undefined;
		await new Promise<void>((r) => (this.log ? this.log.end(r) : r()));
	}

	/** Stops and starts n8n again on the same port, folder and database; `env` is added for this and later boots. */
	async restart(env?: Record<string, string>): Promise<void> {
		if (env) this.restartEnv = { ...this.restartEnv, ...env };
		await this.stop();
		await this.boot();
		if ((this.options.command ?? 'start') !== 'start') return;
		if (this.apiKey) await this.relogin();
		else await this.createApiKey();
	}

	/**
	 * Logs in as the owner and keeps the session cookie. An n8n that cannot take its owner from the
	 * environment (n8n 1.x has no `N8N_INSTANCE_OWNER_*`) answers the first login with 401: the owner
	 * is then set up through `POST /rest/owner/setup`, as the editor's first screen does.
	 */
	private async relogin(): Promise<void> {
		const post = (restPath: string, body: unknown) =>
			fetch(`${this.baseUrl}/rest${restPath}`, {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify(body),
			});
		let login = await post('/login', { emailOrLdapLoginId: OWNER_EMAIL, password: OWNER_PASSWORD });
		if (login.status === 401) {
			const setup = await post('/owner/setup', {
				email: OWNER_EMAIL,
				firstName: 'Mando',
				lastName: 'Tester',
				password: OWNER_PASSWORD,
			});
			if (setup.ok)
				login = await post('/login', { emailOrLdapLoginId: OWNER_EMAIL, password: OWNER_PASSWORD });
		}
		if (!login.ok) throw new Error(`n8n login failed: ${login.status} ${await login.text()}`);
		this.cookie = (login.headers.get('set-cookie') ?? '').split(';')[0];
	}

	/** Executions of a workflow, newest first, with their data. */
	async executions(workflowId: string): Promise<N8nExecution[]> {
		const res = await this.api<{ data: N8nExecution[] }>(
			'GET',
			`/executions?workflowId=${workflowId}&includeData=true&limit=250`,
		);
		return res.data;
	}

	/** Waits until `workflowId` has at least `count` finished executions (or times out). */
	async waitForExecutions(
		workflowId: string,
		count: number,
		timeoutMs = 30_000,
	): Promise<N8nExecution[]> {
		const deadline = Date.now() + timeoutMs;
		let list: N8nExecution[] = [];
		while (Date.now() < deadline) {
			list = (await this.executions(workflowId)).filter(
				(e) => e.finished || e.status === 'error' || e.status === 'success',
			);
			if (list.length >= count) return list;
			await delay(300);
		}
		return list;
	}
}

/** What `GET /rest/workflows/:id/publication-status` answers. */
export interface PublicationStatus {
	status: 'in_progress' | 'not_published' | 'published' | 'partial' | 'failed';
	triggers: Array<{ nodeId: string; status: string; errorMessage: string | null }>;
}

/** An execution as the public API returns it (the fields tests read). */
export interface N8nExecution {
	id: string;
	finished: boolean;
	status: string;
	mode: string;
	workflowId: string;
	data?: {
		resultData: {
			runData: Record<
				string,
				Array<{ data?: { main: Array<Array<{ json: Record<string, unknown> }>> }; error?: unknown }>
			>;
			error?: { message?: string };
		};
	};
}

/** The items a node output in an execution (first run, first output). */
export function nodeOutput(
	execution: N8nExecution,
	nodeName: string,
): Array<Record<string, unknown>> {
	const run = execution.data?.resultData.runData[nodeName]?.[0];
	return (run?.data?.main[0] ?? []).map((i) => i.json);
}
