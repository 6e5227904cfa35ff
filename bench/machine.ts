import { execFileSync } from 'child_process';
import { readFileSync } from 'fs';
import os from 'os';
import path from 'path';

import { ensureN8nInstalled } from '../test/harness/n8n';

/** What the benchmark ran on: hardware, the two Node versions and n8n's version. */
export interface MachineDescription {
	cpuModel: string;
	cores: number;
	memoryGiB: number;
	os: string;
	/** Node running the in-process and paging benchmarks (this process). */
	benchNode: string;
	/** Node running n8n (the harness's cached Node 24). */
	n8nNode: string;
	n8nVersion: string;
	/** n8n-workflow in this package's devDependencies (what the in-process benchmark loads). */
	n8nWorkflowVersion: string;
}

/** Describes this machine and the n8n install the harness uses (installing it if needed). */
export function describeMachine(): MachineDescription {
	const install = ensureN8nInstalled();
	const n8nVersion = (
		JSON.parse(
			readFileSync(path.join(install.n8nDir, 'node_modules', 'n8n', 'package.json'), 'utf8'),
		) as { version: string }
	).version;
	const wf = JSON.parse(readFileSync(require.resolve('n8n-workflow/package.json'), 'utf8')) as {
		version: string;
	};
	return {
		cpuModel: os.cpus()[0]?.model.trim() ?? 'unknown',
		cores: os.cpus().length,
		memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
		os: `${os.type()} ${os.release()} ${os.arch()}`,
		benchNode: process.version,
		n8nNode: execFileSync(install.nodeBin, ['--version'], { encoding: 'utf8' }).trim(),
		n8nVersion,
		n8nWorkflowVersion: wf.version,
	};
}
