import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import { readFileSync, unlinkSync, writeFileSync } from 'fs';
import path from 'path';

import { ensureN8nInstalled } from '../test/harness/n8n';
import { makeTempFolder } from '../test/harness/tempFolders';

/**
 * A throw-away copy of the cached n8n 2.40.7 with bench/n8n-isolate-skip.patch applied, for one
 * bench row only (never shipped). The copy is a tree of hard links (fast, no extra disk); each
 * patched file is unlinked and rewritten first, so the shared cache is never modified (checked
 * by hash after patching).
 */

export const ISOLATE_SKIP_PATCH = path.join(__dirname, 'n8n-isolate-skip.patch');

/** Where the patched copy is; `bin` is its `bin/n8n` (run by the harness's Node). */
export interface PatchedN8n {
	bin: string;
	/** The copy's root (inside a temp folder the harness removes). */
	root: string;
}

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/**
 * Makes the patched copy.
 *
 * @throws Error when the patch does not apply or the cache's file changed
 */
export function makePatchedN8n(): PatchedN8n {
	const install = ensureN8nInstalled('2.40.7');
	const root = path.join(makeTempFolder('mando-n8n-patched-'), 'n8n-2.40.7');
	const cachePackage = path.join(install.n8nDir, 'node_modules', 'n8n');
	const files = [...readFileSync(ISOLATE_SKIP_PATCH, 'utf8').matchAll(/^\+\+\+ b\/(\S+)/gm)].map(
		(m) => m[1],
	);
	const before = files.map((file) => sha(path.join(cachePackage, file)));
	execFileSync('cp', ['-al', install.n8nDir, root]);
	const pkg = path.join(root, 'node_modules', 'n8n');
	for (const file of files) {
		const target = path.join(pkg, file);
		const text = readFileSync(target);
		unlinkSync(target); // break the hard link: the cache's file stays as it is
		writeFileSync(target, text);
	}
	execFileSync('patch', ['-p1', '--forward', '--no-backup-if-mismatch', '-i', ISOLATE_SKIP_PATCH], {
		cwd: pkg,
		stdio: 'pipe',
	});
	files.forEach((file, i) => {
		if (sha(path.join(cachePackage, file)) !== before[i] || sha(path.join(pkg, file)) === before[i])
			throw new Error(`patching the copy changed the cache's ${file}, or did not change the copy`);
	});
	return { bin: path.join(pkg, 'bin', 'n8n'), root };
}
