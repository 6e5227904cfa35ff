import { readdirSync, readFileSync } from 'fs';
import path from 'path';
import type { N8n } from '../harness/n8n';

/**
 * Scenario 6 ("no secret ever in a log, error or execution data"): counts occurrences of secrets
 * in n8n's log files, in every execution's data (public API, `includeData=true`) and in error
 * texts the suite collected (HTTP answers, publication errors).
 */

/** How often any of `secrets` occurs in `text`. */
export function countOccurrences(text: string, secrets: string[]): number {
	let n = 0;
	for (const secret of secrets) {
		if (!secret) continue;
		for (let at = text.indexOf(secret); at >= 0; at = text.indexOf(secret, at + secret.length)) n++;
	}
	return n;
}

/** Every execution of the instance (all workflows), with data, paged through the public API. */
export async function allExecutionsText(n8n: N8n): Promise<{ count: number; text: string[] }> {
	const texts: string[] = [];
	let cursor: string | undefined;
	let count = 0;
	for (let page = 0; page < 1000; page++) {
		const res = await n8n.api<{ data: unknown[]; nextCursor?: string | null }>(
			'GET',
			`/executions?includeData=true&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
		);
		count += res.data.length;
		for (const e of res.data) texts.push(JSON.stringify(e));
		if (!res.nextCursor) break;
		cursor = res.nextCursor;
	}
	return { count, text: texts };
}

/** n8n's log files in a user folder: the harness's `*.log` and n8n's event log (`.n8n/n8nEventLog*.log`). */
function logFiles(userFolder: string): string[] {
	const files: string[] = [];
	for (const dir of [userFolder, path.join(userFolder, '.n8n')]) {
		try {
			for (const f of readdirSync(dir)) if (f.endsWith('.log')) files.push(path.join(dir, f));
		} catch {
			// no such folder
		}
	}
	return files;
}

/**
 * Counts `secrets` in the log files of `n8n`'s user folder (every process's log when several share
 * it), in all its executions' data, and in `errorTexts`.
 *
 * @returns per source and in total
 */
export async function scanForSecrets(
	n8n: N8n,
	secrets: string[],
	errorTexts: string[] = [],
): Promise<{
	logs: number;
	executions: number;
	errors: number;
	total: number;
	executionsScanned: number;
	logBytes: number;
}> {
	let logs = 0;
	let logBytes = 0;
	for (const file of logFiles(n8n.userFolder)) {
		const text = readFileSync(file, 'utf8');
		logBytes += text.length;
		logs += countOccurrences(text, secrets);
	}
	const { count, text } = await allExecutionsText(n8n);
	const executions = text.reduce((n, t) => n + countOccurrences(t, secrets), 0);
	const errors = errorTexts.reduce((n, t) => n + countOccurrences(t, secrets), 0);
	return {
		logs,
		executions,
		errors,
		total: logs + executions + errors,
		executionsScanned: count,
		logBytes,
	};
}
