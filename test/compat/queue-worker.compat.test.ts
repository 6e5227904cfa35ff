import { randomBytes } from 'crypto';
import { startEmulator, type Emulator } from '../emulator/server';
import {
	installFromLocalRegistry,
	PACKAGE,
	publishedForSuite,
	startForInstall,
} from '../harness/community-package';
import { freePort, N8n } from '../harness/n8n';
import { createMandoCredential } from '../harness/workflows';
import {
	queueModeEnv,
	startPostgres,
	startRedis,
	type Postgres,
	type Service,
} from '../reliability/services';
import { createProductThroughWorkflow } from './action-call';
import { compatVersions } from './matrix';

/**
 * The installed package on a queue-mode worker of each 2.x in the matrix: n8n main (PostgreSQL,
 * Redis, `EXECUTIONS_MODE=queue`) installs the packed package through its community-package
 * installer; an `n8n worker` sharing main's user folder (as a shared volume does) and database
 * then runs the action node's execution. The worker must have loaded the package: the execution
 * succeeds on it, and it never reports "Unrecognized node type".
 */

jest.setTimeout(30 * 60 * 1000);

const API_KEY = 'compat-q-api-key-' + randomBytes(6).toString('hex');

const published = publishedForSuite('mando-compat-queue-');

describe.each(compatVersions().filter((v) => v.queueMode))(
	'n8n $n8n in queue mode',
	({ n8n: version }) => {
		const log = (line: string) => process.stdout.write(`[compat n8n ${version} queue] ${line}\n`);
		let redis: Service;
		let postgres: Postgres;
		let emulator: Emulator;
		let main: N8n;
		let worker: N8n;

		beforeAll(async () => {
			[redis, postgres] = await Promise.all([startRedis(), startPostgres()]);
			emulator = await startEmulator({ apiKey: API_KEY });
			// main serves the production webhooks itself here (no webhook processor)
			const port = await freePort();
			const env = {
				...queueModeEnv(redis, postgres, `http://127.0.0.1:${port}/`),
				N8N_DISABLE_PRODUCTION_MAIN_PROCESS: 'false',
			};
			main = await startForInstall(published, version, { port, env });
			const { installed } = await installFromLocalRegistry(main);
			expect(installed.packageName).toBe(PACKAGE);
			worker = await startForInstall(published, version, {
				command: 'worker',
				userFolder: main.userFolder,
				logName: 'worker.log',
				env,
			});
			log(
				`main ${main.baseUrl} (queue mode, PostgreSQL :${postgres.port}, Redis :${redis.port}) installed ${PACKAGE}@${installed.installedVersion}; worker started on the same user folder`,
			);
		});

		afterAll(async () => {
			await worker?.stop();
			await main?.stop();
			await emulator?.close();
			await postgres?.stop();
			await redis?.stop();
		});

		test(`n8n ${version} queue mode: the worker runs the installed action node`, async () => {
			const credential = await createMandoCredential(main, {
				apiKey: API_KEY,
				baseUrl: emulator.url,
			});
			const { productId, execution } = await createProductThroughWorkflow(
				main,
				emulator,
				credential,
				`Compat queue ${version}`,
			);
			expect(worker.logs()).toContain(`Worker finished execution ${execution.id}`);
			expect(worker.logs()).not.toMatch(/Unrecognized node type/);
			log(
				`worker finished execution #${execution.id} (${execution.status}): Mando product create stored ${productId}; no "Unrecognized node type"`,
			);
		});
	},
);
