import { CronJob } from 'cron';
import { readFileSync } from 'fs';
import path from 'path';
import type { ITriggerFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';
import {
	checkCron,
	MINIMUM_N8N_VERSION,
	registerCheckCron,
} from '../../../../nodes/MandoTrigger/health';
import { COMPAT_MATRIX } from '../../../compat/matrix';

/**
 * The health check's cron registration on the n8n versions around the minimum. The old shape is a
 * stub, stated as such: `registerCron` as n8n-core 1.103.2 (n8n 1.104.2) implements it, copied from
 * its `ScheduledTaskManager.registerCron` (`new CronJob(cronExpression, …)`), run with the real
 * `cron` library; the current shape is n8n-core 2.40's (`({ expression }, onTick)`).
 */

const node = {
	id: 'node-1',
	name: 'Mando Trigger',
	type: 'CUSTOM.mandoTrigger',
	typeVersion: 1,
	position: [0, 0] as [number, number],
	parameters: {},
};

function context(registerCron: unknown): ITriggerFunctions {
	return { getNode: () => node, helpers: { registerCron } } as unknown as ITriggerFunctions;
}

const jobs: CronJob[] = [];
afterEach(() => {
	for (const job of jobs.splice(0)) void job.stop();
});

describe('registerCheckCron', () => {
	it('n8n before 1.105 (registerCron takes a cron string): a NodeOperationError naming the minimum, not a TypeError', () => {
		// n8n-core 1.103.2 ScheduledTaskManager.registerCron(workflow, cronExpression, onTick)
		const oldRegisterCron = (cronExpression: string, onTick: () => void) => {
			jobs.push(new CronJob(cronExpression, () => onTick(), undefined, true, undefined));
		};
		let thrown: unknown;
		try {
			registerCheckCron(context(oldRegisterCron), checkCron(0.1), () => undefined);
		} catch (error) {
			thrown = error;
		}
		expect(thrown).toBeInstanceOf(NodeOperationError);
		expect((thrown as Error).message).toBe(
			`Mando Trigger needs n8n ${MINIMUM_N8N_VERSION} or newer; this n8n is older (its helpers.registerCron takes a cron string: source.toLowerCase is not a function). Update n8n, then publish this workflow again.`,
		);
		expect(jobs).toHaveLength(0);
	});

	it('an n8n without registerCron at all: the same message', () => {
		expect(() => registerCheckCron(context(undefined), '*/6 * * * * *', () => undefined)).toThrow(
			`Mando Trigger needs n8n ${MINIMUM_N8N_VERSION} or newer; this n8n is older (it has no helpers.registerCron)`,
		);
	});

	it('n8n 1.105 and later ({ expression }): registers the job', () => {
		const registered: string[] = [];
		const currentRegisterCron = ({ expression }: { expression: string }, onTick: () => void) => {
			jobs.push(new CronJob(expression, () => onTick(), undefined, true, undefined));
			registered.push(expression);
		};
		registerCheckCron(context(currentRegisterCron), checkCron(0.1), () => undefined);
		expect(registered).toEqual(['*/6 * * * * *']);
		expect(jobs).toHaveLength(1);
	});

	it('another failure of registerCron is passed on as a NodeOperationError with its message', () => {
		const failing = () => {
			throw new Error('scheduler is shutting down');
		};
		expect(() => registerCheckCron(context(failing), '*/6 * * * * *', () => undefined)).toThrow(
			'scheduler is shutting down',
		);
	});
});

describe('the declared minimum', () => {
	const parts = (v: string) => v.split('.').map(Number);
	const below = (a: string, b: string) => {
		const [x, y] = [parts(a), parts(b)];
		const i = x.findIndex((n, k) => n !== y[k]);
		return i >= 0 && x[i] < y[i];
	};

	it('the README and the compat matrix agree with MINIMUM_N8N_VERSION: the README states it, every full-check version is at or above it, the below-minimum version is below it', () => {
		const readme = readFileSync(path.join(__dirname, '../../../../README.md'), 'utf8');
		expect(readme).toContain(`**Minimum: n8n ${MINIMUM_N8N_VERSION}.**`);
		for (const v of COMPAT_MATRIX)
			expect([v.n8n, below(v.n8n, MINIMUM_N8N_VERSION)]).toEqual([v.n8n, v.belowMinimum === true]);
		expect(COMPAT_MATRIX.some((v) => v.belowMinimum)).toBe(true);
	});

	it('package.json keeps the n8n-workflow peer at "*" and optional (n8n\'s community lint requires "*"; the minimum is enforced at activation)', () => {
		// eslint-disable-next-line @typescript-eslint/no-require-imports
		const pkg = require('../../../../package.json') as {
			peerDependencies: Record<string, string>;
			peerDependenciesMeta: Record<string, { optional?: boolean }>;
		};
		expect(pkg.peerDependencies['n8n-workflow']).toBe('*');
		expect(pkg.peerDependenciesMeta['n8n-workflow']).toEqual({ optional: true });
	});
});
