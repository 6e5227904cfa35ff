import { execFileSync } from 'child_process';
import { existsSync, readFileSync } from 'fs';
import path from 'path';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const n8nNodesBase = require('eslint-plugin-n8n-nodes-base') as {
	configs: Record<'nodes' | 'credentials', { rules: Record<string, unknown> }>;
};

/**
 * Package hygiene, the rules n8n sets for community packages (docs.n8n.io, "Submit community
 * nodes": no runtime dependencies, `n8n-workflow` as the only peer dependency, the
 * `n8n-community-node-package` keyword, lint clean with n8n's community-node rules, provenance
 * on publish) checked on package.json, on what `npm pack` would publish, and on the lint result.
 * Needs `npm run build` first (the tarball holds dist/); `npm test` builds before testing.
 */

const ROOT = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as {
	name: string;
	version: string;
	license: string;
	keywords: string[];
	homepage: string;
	repository: { type: string; url: string };
	author: { name: string; email: string };
	files: string[];
	dependencies?: Record<string, string>;
	optionalDependencies?: Record<string, string>;
	bundleDependencies?: unknown;
	bundledDependencies?: unknown;
	peerDependencies?: Record<string, string>;
	overrides?: unknown;
	scripts: Record<string, string>;
	n8n: { n8nNodesApiVersion: number; strict: boolean; nodes: string[]; credentials: string[] };
};

/** Runs the project's ESLint (its flat config is ESM, which jest's CommonJS runtime cannot load) and returns stdout, also when it exits 1 on problems. */
function eslint(args: string[]): string {
	try {
		// Without jest's NODE_ENV=test: eslint-plugin-n8n-nodes-base then checks its own test fixtures' names.
		const { NODE_ENV: _jest, ...env } = process.env;
		return execFileSync(
			process.execPath,
			[path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), ...args],
			{
				cwd: ROOT,
				env,
				encoding: 'utf8',
				maxBuffer: 64 * 1024 * 1024,
			},
		);
	} catch (error) {
		const { status, stdout } = error as { status: number; stdout: string };
		if (status === 1 && stdout) return stdout;
		throw error;
	}
}

/**
 * eslint-plugin-n8n-nodes-base rules eslint.config.mjs turns off, each with its reason there:
 * rules for n8n's own repository, rules superseded by the community plugin, and the docs.n8n.io
 * slug rules that do not fit a community credential's own documentation URL.
 */
const BASE_RULES_OFF = [
	'n8n-nodes-base/node-execute-block-missing-continue-on-fail',
	'n8n-nodes-base/node-resource-description-filename-against-convention',
	'n8n-nodes-base/node-param-fixed-collection-type-unsorted-items',
	'n8n-nodes-base/node-class-description-outputs-wrong',
	'n8n-nodes-base/node-class-description-inputs-wrong',
	'n8n-nodes-base/node-class-description-inputs-wrong-regular-node',
	'n8n-nodes-base/cred-class-field-documentation-url-missing',
	'n8n-nodes-base/cred-class-field-documentation-url-miscased',
];

describe('package.json', () => {
	it('has no runtime dependencies and n8n-workflow as its only peer dependency', () => {
		expect(pkg.dependencies ?? {}).toEqual({});
		expect(pkg.optionalDependencies ?? {}).toEqual({});
		expect(pkg.bundleDependencies ?? pkg.bundledDependencies).toBeUndefined();
		expect(Object.keys(pkg.peerDependencies ?? {})).toEqual(['n8n-workflow']);
		expect(pkg.overrides).toBeUndefined();
	});

	it('names the repository, homepage, author and the community-node keyword', () => {
		expect(pkg.name).toMatch(/^n8n-nodes-/);
		expect(pkg.repository).toMatchObject({
			type: 'git',
			url: expect.stringMatching(/^git\+https:\/\/github\.com\/.+\.git$/),
		});
		expect(pkg.homepage).toMatch(/^https:\/\//);
		expect(pkg.author.name).not.toBe('');
		expect(pkg.author.email).toMatch(/@/);
		expect(pkg.keywords).toEqual(
			expect.arrayContaining(['n8n-community-node-package', 'n8n', 'mando']),
		);
	});

	it('declares its nodes and credential for n8n in strict mode, API version 1', () => {
		expect(pkg.n8n.strict).toBe(true);
		expect(pkg.n8n.n8nNodesApiVersion).toBe(1);
		expect(pkg.n8n.nodes).toEqual([
			'dist/nodes/MandoTrigger/MandoTrigger.node.js',
			'dist/nodes/MandoPollingTrigger/MandoPollingTrigger.node.js',
			'dist/nodes/Mando/Mando.node.js',
		]);
		expect(pkg.n8n.credentials).toEqual(['dist/credentials/MandoApi.credentials.js']);
		expect(pkg.files).toEqual(['dist']);
	});

	it('is MIT licensed, with the licence text beside it', () => {
		expect(pkg.license).toBe('MIT');
		expect(readFileSync(path.join(ROOT, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n/);
	});

	it('runs no lifecycle scripts when installed', () => {
		for (const hook of ['preinstall', 'install', 'postinstall', 'prepare'])
			expect(pkg.scripts[hook]).toBeUndefined();
	});
});

describe('node versions', () => {
	it("every node version is a whole number (n8n keeps a community node's latest version in an integer column: PostgreSQL refuses 1.1)", () => {
		const versions: Record<string, unknown> = {};
		for (const file of pkg.n8n.nodes) {
			// eslint-disable-next-line @typescript-eslint/no-require-imports
			const mod = require(path.join(ROOT, file)) as Record<
				string,
				new () => { description: { name: string; version: number | number[] } }
			>;
			// n8n's rule: the class is named as the file (dist/nodes/X/X.node.js exports X)
			const NodeClass = mod[path.basename(file, '.node.js')];
			const { name, version } = new NodeClass().description;
			versions[name] = version;
		}
		expect(Object.keys(versions).sort()).toEqual(['mando', 'mandoPollingTrigger', 'mandoTrigger']);
		for (const version of Object.values(versions))
			for (const v of [version].flat()) expect(Number.isInteger(v)).toBe(true);
	});
});

describe('the packed tarball (npm pack --dry-run)', () => {
	let files: string[];

	beforeAll(() => {
		const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
			cwd: ROOT,
			encoding: 'utf8',
			maxBuffer: 16 * 1024 * 1024,
		});
		files = (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files
			.map((f) => f.path)
			.sort();
	});

	it('holds dist/, README.md, LICENSE and package.json and nothing else', () => {
		const outside = files.filter((f) => !f.startsWith('dist/'));
		expect(outside.sort()).toEqual(['LICENSE', 'README.md', 'package.json']);
		expect(files.filter((f) => f.startsWith('dist/')).length).toBeGreaterThan(20);
	});

	it('holds no tests, emulator, scripts, tsbuildinfo or TypeScript sources', () => {
		const stray = files.filter((f) =>
			/(^|\/)(test|tests|__tests__|emulator|scripts|bench|tools)\/|\.test\.|\.tsbuildinfo$|(?<!\.d)\.ts$/.test(
				f,
			),
		);
		expect(stray).toEqual([]);
	});

	it('holds no source maps of test code', () => {
		const maps = files.filter((f) => f.endsWith('.map'));
		const ofTests = maps.filter((m) => {
			const { sources } = JSON.parse(readFileSync(path.join(ROOT, m), 'utf8')) as {
				sources: string[];
			};
			return sources.some((s) => /(^|\/)(test|scripts|bench)\//.test(s));
		});
		expect(ofTests).toEqual([]);
	});

	it('holds every node and credential n8n loads, with codex files and light and dark icons', () => {
		for (const entry of [...pkg.n8n.nodes, ...pkg.n8n.credentials]) expect(files).toContain(entry);
		for (const node of ['Mando', 'MandoTrigger', 'MandoPollingTrigger']) {
			expect(files).toContain(`dist/nodes/${node}/${node}.node.json`);
			expect(files).toContain(`dist/nodes/${node}/mando.svg`);
			expect(files).toContain(`dist/nodes/${node}/mando.dark.svg`);
		}
		expect(files).toEqual(
			expect.arrayContaining(['dist/credentials/mando.svg', 'dist/credentials/mando.dark.svg']),
		);
	});
});

describe('lint (n8n community-node rules)', () => {
	jest.setTimeout(120_000);

	it('is clean: no error and no warning in nodes/, credentials/ and package.json', () => {
		const results = JSON.parse(
			eslint(['--format', 'json', 'nodes', 'credentials', 'package.json']),
		) as Array<{
			filePath: string;
			errorCount: number;
			warningCount: number;
			messages: Array<{ ruleId: string; message: string; line: number }>;
		}>;
		const problems = results.flatMap((r) =>
			r.messages.map(
				(m) => `${path.relative(ROOT, r.filePath)}:${m.line} ${m.ruleId}: ${m.message}`,
			),
		);
		expect(problems).toEqual([]);
		expect(results.map((r) => path.relative(ROOT, r.filePath))).toEqual(
			expect.arrayContaining([
				'package.json',
				'credentials/MandoApi.credentials.ts',
				'nodes/MandoTrigger/MandoTrigger.node.ts',
				'nodes/Mando/Mando.node.ts',
			]),
		);
	});

	it('applies every recommended rule of @n8n/eslint-plugin-community-nodes and the n8n-nodes-base rules', () => {
		const recommended = JSON.parse(
			execFileSync(
				process.execPath,
				[
					'--input-type=module',
					'-e',
					"import { n8nCommunityNodesPlugin as p } from '@n8n/eslint-plugin-community-nodes'; console.log(JSON.stringify(p.configs.recommended.rules))",
				],
				{ cwd: ROOT, encoding: 'utf8' },
			),
		) as Record<string, string>;
		expect(Object.keys(recommended).length).toBeGreaterThan(30);
		const severity = (v: unknown) => (Array.isArray(v) ? v[0] : v);
		for (const file of [
			'nodes/MandoTrigger/MandoTrigger.node.ts',
			'nodes/Mando/Mando.node.ts',
			'credentials/MandoApi.credentials.ts',
			'package.json',
		]) {
			const { rules } = JSON.parse(eslint(['--print-config', file])) as {
				rules: Record<string, unknown>;
			};
			const off = Object.keys(recommended).filter((rule) =>
				[undefined, 0, 'off'].includes(severity(rules[rule]) as never),
			);
			expect({ file, off }).toEqual({ file, off: [] });
			if (file !== 'package.json') {
				const kind = file.startsWith('credentials') ? 'credentials' : 'nodes';
				const baseOff = Object.keys(n8nNodesBase.configs[kind].rules)
					.filter((rule) => [undefined, 0, 'off'].includes(severity(rules[rule]) as never))
					.filter((rule) => !BASE_RULES_OFF.includes(rule));
				expect({ file, baseOff }).toEqual({ file, baseOff: [] });
			}
		}
	});
});

describe('publishing', () => {
	const workflowFile = path.join(ROOT, '.github', 'workflows', 'publish.yml');

	it('has a GitHub Actions workflow that publishes with npm provenance', () => {
		expect(existsSync(workflowFile)).toBe(true);
		const workflow = readFileSync(workflowFile, 'utf8');
		expect(workflow).toMatch(/^permissions:\n(?: {2}.+\n)*? {2}id-token: write$/m);
		expect(workflow).toMatch(/^ {6}- run: npm publish --provenance --access public$/m);
		expect(workflow).toMatch(/^on:\n {2}release:\n {4}types: \[published\]$/m);
		// built, linted and unit-tested before it is published
		for (const step of ['npm ci', 'npm run build', 'npm run lint'])
			expect(workflow).toContain(`- run: ${step}\n`);
	});
});
