import { copyFileSync, mkdirSync, symlinkSync } from 'fs';
import path from 'path';

import { REPO_ROOT } from './n8n';
import { makeTempFolder } from './tempFolders';

/**
 * Lays this package out in a new n8n user folder the way n8n's community-package installer
 * leaves it, so that n8n loads it under its real name (`n8n-nodes-mando.mandoTrigger`, as
 * examples/ and users' workflows name the nodes) instead of as custom nodes (`CUSTOM.…`).
 *
 * n8n 2.40.7 scans `<N8N_USER_FOLDER>/.n8n/nodes/node_modules/n8n-nodes-*` at startup
 * (n8n/dist/modules/community-packages/community-packages.module.js `nodeLoaders()` →
 * n8n-core `scanDirectoryForPackages`), whether or not its database lists the package; so
 * `<that folder>/n8n-nodes-mando/` gets this package.json and a link to this checkout's `dist/`
 * (a rebuild is seen at the next start).
 *
 * @returns the user folder (give it to `N8n.start({ userFolder })`) and an empty folder to pass
 *   as `customExtensions`, so the nodes are not loaded a second time as custom nodes
 */
export function userFolderWithPackage(): { userFolder: string; customExtensions: string } {
	const userFolder = makeTempFolder('mando-n8n-');
	const packageDir = path.join(userFolder, '.n8n', 'nodes', 'node_modules', 'n8n-nodes-mando');
	mkdirSync(packageDir, { recursive: true });
	copyFileSync(path.join(REPO_ROOT, 'package.json'), path.join(packageDir, 'package.json'));
	symlinkSync(path.join(REPO_ROOT, 'dist'), path.join(packageDir, 'dist'), 'dir');
	const customExtensions = path.join(userFolder, 'no-custom-nodes');
	mkdirSync(customExtensions);
	return { userFolder, customExtensions };
}

/** The node type prefix of a package loaded by {@link userFolderWithPackage}. */
export const PACKAGE_NODE_PREFIX = 'n8n-nodes-mando';
