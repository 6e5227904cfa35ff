import { mkdtempSync, rmSync } from 'fs';
import { tmpdir } from 'os';
import path from 'path';

/**
 * Temporary folders of the harness (n8n user folders of ~50 MB, verdaccio storage, database
 * folders, packed tarballs). Each one is recorded on the global object; the Jest environment
 * (`test/harness/environment.js`) removes them when a suite ends and keeps them, printing their
 * paths, when it failed. Scripts outside Jest (demo, bench, screenshots) call
 * {@link cleanTempFolders} themselves.
 */

/** The global key the folders are recorded under (read by `environment.js`). */
export const TEMP_FOLDERS_KEY = '__mandoTempFolders';

function recorded(): string[] {
	const global = globalThis as unknown as Record<string, string[] | undefined>;
	return (global[TEMP_FOLDERS_KEY] ??= []);
}

/** Makes `<os temp>/<prefix>XXXXXX` and records it for removal; returns its path. */
export function makeTempFolder(prefix: string): string {
	const folder = mkdtempSync(path.join(tmpdir(), prefix));
	recorded().push(folder);
	return folder;
}

/**
 * Removes every recorded folder, or, when `keep` is true, leaves them and prints their paths to
 * stderr (for reading n8n's logs after a failure). Forgets them either way.
 *
 * @returns the folders removed or kept
 */
export function cleanTempFolders(keep = false): string[] {
	const folders = recorded().splice(0);
	if (keep && folders.length)
		process.stderr.write(`[harness] kept for inspection: ${folders.join(' ')}\n`);
	if (!keep) for (const folder of folders) rmSync(folder, { recursive: true, force: true });
	return folders;
}
