import { randomBytes } from 'crypto';
import path from 'path';
import { mkdirSync } from 'fs';
import { N8n, OWNER_EMAIL, OWNER_PASSWORD, type N8nOptions } from './n8n';
import { LocalRegistry, packPackage, type PackResult } from './registry';
import { makeTempFolder } from './tempFolders';

/**
 * The install path users take through the editor (Settings → Community Nodes → Install): this
 * package packed, published to a local npm registry (verdaccio), and installed by a real n8n's own
 * community-package installer (`POST /rest/community-packages`) with
 * `N8N_COMMUNITY_PACKAGES_REGISTRY` pointing at that registry. Shared by the installed-package
 * e2e test and the compatibility matrix (test/compat/).
 *
 * n8n allows a registry other than the public npm registry only with the licence feature
 * `feat:communityNodes:customRegistry`. Without a licence, the one way to turn it on is n8n's own
 * end-to-end mode (`E2E_TESTS=true`, which adds `PATCH /rest/e2e/feature`).
 */

/** The package's name on the registry and its node-type prefix once installed. */
export const PACKAGE = 'n8n-nodes-mando';

/** The packed package, published to a running local registry. */
export interface PublishedPackage {
	pack: PackResult;
	registry: LocalRegistry;
}

/**
 * Packs this package (its `dist/` must be built) into `work`, starts verdaccio and publishes the
 * tarball to it with `npm publish`; checks that the registry serves it from itself.
 *
 * @throws Error when packing, starting verdaccio or publishing fails, or the registry's document is not the packed version
 */
export async function publishToLocalRegistry(work: string): Promise<PublishedPackage> {
	const pack = await packPackage(work);
	const registry = await LocalRegistry.start();
	const token = await registry.addUser('mando-e2e', randomBytes(8).toString('hex'));
	await registry.publish(pack.tarball, token);
	const published = await registry.packument(PACKAGE);
	const tarball =
		(published.versions[pack.version] as { dist?: { tarball?: string } } | undefined)?.dist
			?.tarball ?? '';
	if (published['dist-tags'].latest !== pack.version || !tarball.startsWith(registry.url)) {
		throw new Error(
			`verdaccio serves ${PACKAGE} ${published['dist-tags'].latest} from ${tarball}, not the packed ${pack.version}`,
		);
	}
	return { pack, registry };
}

/**
 * For a Jest suite: a temp folder (`<prefix>XXXXXX`, removed by the harness environment) and the
 * packed package published to a local registry in `beforeAll`, the registry stopped in
 * `afterAll`. The returned object is filled in once `beforeAll` has run.
 */
export function publishedForSuite(prefix: string): PublishedPackage & { work: string } {
	const suite = {} as PublishedPackage & { work: string };
	beforeAll(async () => {
		suite.work = makeTempFolder(prefix);
		Object.assign(suite, await publishToLocalRegistry(suite.work));
		process.stdout.write(
			`[compat] packed ${path.basename(suite.pack.tarball)} and published it to verdaccio ${suite.registry.url}\n`,
		);
	});
	afterAll(async () => {
		await suite.registry?.stop();
	});
	return suite;
}

/**
 * n8n's environment for installing from `registry`: community packages on, n8n's end-to-end mode
 * (for the licence feature), and n8n's own npm (`npm outdated` when listing, the install itself)
 * pointed at the registry with a cache folder under `work`, so nothing asks the public registry.
 */
export function communityPackageEnv(registry: LocalRegistry, work: string): Record<string, string> {
	return {
		E2E_TESTS: 'true',
		N8N_COMMUNITY_PACKAGES_ENABLED: 'true',
		N8N_COMMUNITY_PACKAGES_REGISTRY: registry.url,
		npm_config_registry: `${registry.url}/`,
		npm_config_cache: path.join(work, 'npm-cache'),
	};
}

/** Turns on the licence feature that lets n8n install from a registry other than npm's. */
export async function allowCustomRegistry(n8n: N8n): Promise<void> {
	const res = await fetch(`${n8n.baseUrl}/rest/e2e/feature`, {
		method: 'PATCH',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ feature: 'feat:communityNodes:customRegistry', enabled: true }),
	});
	if (!res.ok) throw new Error(`PATCH /rest/e2e/feature: ${res.status} ${await res.text()}`);
}

/**
 * Restarts n8n out of its end-to-end mode when that mode has turned the public API off (n8n 1.x
 * and early 2.x do; 2.40 keeps it): the installed package stays installed, as after any restart,
 * and the public API comes back with a new key. Does nothing when the API key exists.
 */
export async function restartWithPublicApi(n8n: N8n): Promise<void> {
	if (n8n.apiKey) return;
	await n8n.restart({ E2E_TESTS: 'false' });
	if (!n8n.apiKey)
		throw new Error(
			`n8n ${n8n.n8nVersion.version} has no public API after a restart without E2E_TESTS`,
		);
}

/**
 * Starts n8n `version` with nothing loaded from `dist/`, ready to install from the suite's
 * registry: its own folder `<work>/<version>/` (npm cache, empty custom-nodes folder), the
 * community-package environment, plus `options` (their `env` is added last).
 */
export async function startForInstall(
	published: PublishedPackage & { work: string },
	version: string,
	options: N8nOptions = {},
): Promise<N8n> {
	const folder = path.join(published.work, version);
	const customExtensions = path.join(folder, 'no-custom-nodes');
	mkdirSync(customExtensions, { recursive: true });
	return await N8n.start({
		...options,
		n8nVersion: version,
		customExtensions,
		env: { ...communityPackageEnv(published.registry, folder), ...options.env },
	});
}

/**
 * Installs the package through n8n's installer from the custom registry (licence feature on
 * first), then restarts n8n out of its end-to-end mode where that mode turned the public API off.
 *
 * @returns what n8n reports, the install's seconds, and whether n8n was restarted
 */
export async function installFromLocalRegistry(
	n8n: N8n,
): Promise<{ installed: InstalledPackage; seconds: number; restarted: boolean }> {
	await allowCustomRegistry(n8n);
	const { installed, seconds } = await installCommunityPackage(n8n);
	const restarted = !n8n.apiKey;
	await restartWithPublicApi(n8n);
	return { installed, seconds, restarted };
}

/** A community package as n8n's installer reports it. */
export interface InstalledPackage {
	packageName: string;
	installedVersion: string;
	installedNodes: Array<{ name: string; type: string; latestVersion: number }>;
	failedLoading?: boolean;
}

/**
 * Installs `name` through n8n's community-package installer, as the editor's Install button does.
 *
 * @returns what n8n reports and how long the install took (seconds)
 * @throws Error with n8n's answer when the install fails
 */
export async function installCommunityPackage(
	n8n: N8n,
	name = PACKAGE,
): Promise<{ installed: InstalledPackage; seconds: number }> {
	const started = Date.now();
	const installed = await n8n.rest<InstalledPackage>('POST', '/community-packages', { name });
	return { installed, seconds: (Date.now() - started) / 1000 };
}

/** A type file the editor loads (`/types/nodes.json`, `/types/credentials.json`), as the owner. */
export async function typeFile(
	n8n: N8n,
	name: 'nodes' | 'credentials',
): Promise<Array<{ name: string; version: number | number[] }>> {
	// The files sit outside /rest; n8n answers them to the owner's session like the editor's.
	const loginRes = await fetch(`${n8n.baseUrl}/rest/login`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json' },
		body: JSON.stringify({ emailOrLdapLoginId: OWNER_EMAIL, password: OWNER_PASSWORD }),
	});
	const cookie = (loginRes.headers.get('set-cookie') ?? '').split(';')[0];
	const res = await fetch(`${n8n.baseUrl}/types/${name}.json`, { headers: { cookie } });
	if (!res.ok) throw new Error(`GET /types/${name}.json: ${res.status}`);
	return (await res.json()) as Array<{ name: string; version: number | number[] }>;
}
