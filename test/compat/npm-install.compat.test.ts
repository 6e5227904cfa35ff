import { execFile } from 'child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'fs';
import path from 'path';
import { promisify } from 'util';
import { PACKAGE, publishedForSuite, typeFile } from '../harness/community-package';
import { N8n, REPO_ROOT } from '../harness/n8n';

/**
 * The README's self-hosted path: `npm install n8n-nodes-mando` in `~/.n8n/nodes`, then restart
 * n8n. The packed package is published to a local registry (verdaccio, no uplinks) and installed
 * with npm 10 (tools/npm10, installed by scripts/test-compat.sh; what Node 20 and 22 ship) into an empty `~/.n8n/nodes` of a fresh n8n
 * user folder, with none of the caller's npm settings (`npm run` exports `ignore-scripts`, which
 * would hide a native build). `npm ls --all` must show the package alone: no `n8n-workflow` or
 * `n8n-core` copy beside it (npm 7+ installs a non-optional peer dependency; that copy pulls
 * isolated-vm, a native addon, and shadows n8n's own after an upgrade) and nothing built. Then n8n
 * starts on that user folder and lists the nodes. A control run shows what the test catches: the
 * same tarball without `peerDependenciesMeta` makes npm fetch `n8n-workflow`.
 */

jest.setTimeout(20 * 60 * 1000);

const run = promisify(execFile);
const NPM10 = path.join(REPO_ROOT, 'tools', 'npm10', 'node_modules', 'npm', 'bin', 'npm-cli.js');

const published = publishedForSuite('mando-npm-install-');

function log(line: string): void {
	process.stdout.write(`[compat npm] ${line}\n`);
}

/** The environment without the caller's npm_config_* settings (as in a user's shell). */
function cleanEnv(cache: string): NodeJS.ProcessEnv {
	const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^npm_/i.test(k)));
	return { ...env, npm_config_cache: cache, npm_config_update_notifier: 'false' };
}

/** Runs npm 10 in `cwd` against the local registry; resolves with its output, also when it fails. */
async function npm10(
	cwd: string,
	args: string[],
): Promise<{ code: number; stdout: string; stderr: string }> {
	try {
		const { stdout, stderr } = await run(
			process.execPath,
			[NPM10, ...args, '--registry', `${published.registry.url}/`],
			{
				cwd,
				env: cleanEnv(path.join(published.work, 'npm-cache')),
				maxBuffer: 16 * 1024 * 1024,
			},
		);
		return { code: 0, stdout, stderr };
	} catch (e) {
		const error = e as { code?: number; stdout?: string; stderr?: string };
		return {
			code: typeof error.code === 'number' ? error.code : 1,
			stdout: error.stdout ?? '',
			stderr: error.stderr ?? '',
		};
	}
}

/** Files named `*.node` (built native addons) or `build/` folders under `dir`. */
function nativeBuilds(dir: string): string[] {
	const found: string[] = [];
	const walk = (d: string) => {
		for (const entry of readdirSync(d, { withFileTypes: true })) {
			const p = path.join(d, entry.name);
			if (entry.isDirectory()) {
				if (entry.name === 'build' || entry.name === 'binding.gyp') found.push(p);
				else walk(p);
			} else if (entry.name.endsWith('.node') || entry.name === 'binding.gyp') found.push(p);
		}
	};
	if (existsSync(dir)) walk(dir);
	return found;
}

describe("npm install n8n-nodes-mando in ~/.n8n/nodes (the README's self-hosted path)", () => {
	const userFolder = () => path.join(published.work, 'n8n-user');
	const nodesDir = () => path.join(userFolder(), '.n8n', 'nodes');

	test('npm 10 installs the package into an empty folder alone: no n8n-workflow/n8n-core copy, no native build', async () => {
		expect((await npm10(published.work, ['--version'])).stdout.trim()).toMatch(/^10\./);
		mkdirSync(nodesDir(), { recursive: true });
		const install = await npm10(nodesDir(), [
			'install',
			PACKAGE,
			'--no-audit',
			'--no-fund',
			'--foreground-scripts',
		]);
		expect(install.stderr).not.toMatch(/gyp|ERR!/);
		expect(install.code).toBe(0);
		const ls = await npm10(nodesDir(), ['ls', '--all', '--json']);
		expect(ls.code).toBe(0);
		type Tree = { version?: string; dependencies?: Record<string, Tree> };
		const tree = JSON.parse(ls.stdout) as Tree;
		expect(Object.keys(tree.dependencies ?? {})).toEqual([PACKAGE]);
		expect(tree.dependencies?.[PACKAGE].version).toBe(published.pack.version);
		// n8n-workflow is listed without a version: the optional peer n8n itself provides, not installed.
		const below = tree.dependencies?.[PACKAGE].dependencies ?? {};
		expect(Object.entries(below).filter(([, d]) => d.version !== undefined)).toEqual([]);
		const modules = readdirSync(path.join(nodesDir(), 'node_modules')).filter(
			(n) => !n.startsWith('.'),
		);
		expect(modules).toEqual([PACKAGE]);
		expect(nativeBuilds(path.join(nodesDir(), 'node_modules'))).toEqual([]);
		const text = await npm10(nodesDir(), ['ls', '--all']);
		expect(text.stdout).toContain('UNMET OPTIONAL DEPENDENCY n8n-workflow@*');
		log(
			`npm ${(await npm10(published.work, ['--version'])).stdout.trim()} install ${PACKAGE} → exit ${install.code}; node_modules holds ${modules.join(', ')}; no native build`,
		);
		log(`npm ls --all:\n${text.stdout.trimEnd()}`);
	});

	test('n8n (restarted on that user folder) loads the nodes installed with npm', async () => {
		const noCustomNodes = path.join(published.work, 'no-custom-nodes');
		mkdirSync(noCustomNodes, { recursive: true });
		const n8n = await N8n.start({ userFolder: userFolder(), customExtensions: noCustomNodes });
		try {
			const nodeTypes = (await typeFile(n8n, 'nodes'))
				.map((t) => t.name)
				.filter((n) => n.startsWith(`${PACKAGE}.`));
			expect(nodeTypes).toEqual(
				expect.arrayContaining([`${PACKAGE}.mandoTrigger`, `${PACKAGE}.mando`]),
			);
			const credentialTypes = (await typeFile(n8n, 'credentials')).map((t) => t.name);
			expect(credentialTypes).toContain('mandoApi');
			log(
				`n8n ${n8n.n8nVersion.version} on ${userFolder()} lists ${[...new Set(nodeTypes)].sort().join(', ')} and mandoApi`,
			);
		} finally {
			await n8n.stop();
		}
	});

	test('control: without peerDependenciesMeta, npm 10 tries to install n8n-workflow beside the package', async () => {
		// The same tarball with only `peerDependenciesMeta` removed, under another name.
		const unpacked = path.join(published.work, 'control');
		mkdirSync(unpacked, { recursive: true });
		await run('tar', ['-xzf', published.pack.tarball, '-C', unpacked]);
		const manifestFile = path.join(unpacked, 'package', 'package.json');
		const manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Record<string, unknown>;
		expect(manifest.peerDependenciesMeta).toEqual({ 'n8n-workflow': { optional: true } });
		delete manifest.peerDependenciesMeta;
		manifest.name = `${PACKAGE}-control`;
		writeFileSync(manifestFile, JSON.stringify(manifest, null, 2));
		const token = await published.registry.addUser('mando-control', 'control-password');
		await published.registry.publish(path.join(unpacked, 'package'), token);
		const folder = path.join(published.work, 'control-nodes');
		mkdirSync(folder);
		const install = await npm10(folder, [
			'install',
			`${PACKAGE}-control`,
			'--no-audit',
			'--no-fund',
		]);
		// verdaccio has no uplinks: npm's request for the peer dependency is a 404 here, where the
		// public registry would hand it n8n-workflow (and isolated-vm's native build).
		expect(install.code).not.toBe(0);
		expect(install.stderr).toMatch(/404[^\n]*n8n-workflow/);
		log(
			`control (no peerDependenciesMeta): npm install → exit ${install.code}, npm asked the registry for the peer: ${/404[^\n]*n8n-workflow[^\n]*/.exec(install.stderr)?.[0] ?? ''}`,
		);
	});
});
