import { existsSync, readFileSync, statSync } from 'fs';
import path from 'path';
import type { INodeProperties, INodeTypeDescription } from 'n8n-workflow';

/**
 * Checks of what users see in n8n's node panel and editor, shared by the node and credential
 * tests: codex files (categories, aliases, documentation links), light and dark icons, subtitles,
 * and a description for every parameter.
 */

export const ROOT = path.resolve(__dirname, '..', '..');
const README = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
const REPO_URL = 'https://github.com/n8n-nodes-mando/n8n-nodes-mando';

/** The codex categories n8n's node panel groups by (n8n's docs, "Node codex files"). */
const N8N_CATEGORIES = [
	'AI',
	'Analytics',
	'Communication',
	'Core Nodes',
	'Data & Storage',
	'Development',
	'Finance & Accounting',
	'Marketing',
	'Miscellaneous',
	'Productivity',
	'Sales',
	'Utility',
];

/** GitHub's anchor of a README heading: lower case, punctuation dropped, spaces to dashes. */
function anchorOf(heading: string): string {
	return heading
		.toLowerCase()
		.replace(/[^\p{L}\p{N} _-]/gu, '')
		.replace(/ /g, '-');
}
const ANCHORS = new Set([...README.matchAll(/^#{1,4} (.+)$/gm)].map((m) => anchorOf(m[1].trim())));

/** Asserts `url` is this repository's README with an anchor that exists. */
export function expectReadmeLink(url: string): void {
	expect(url.startsWith(`${REPO_URL}#`)).toBe(true);
	const anchor = url.slice(`${REPO_URL}#`.length);
	expect({ url, exists: ANCHORS.has(anchor) }).toEqual({ url, exists: true });
}

/**
 * Asserts `url` is one of this repository's pages under docs/ (`…/blob/main/docs/x.md`), with no
 * `#fragment` (n8n appends `?utm_source=…` to documentation links, which would cut it off).
 */
export function expectDocsPageLink(url: string): void {
	const prefix = `${REPO_URL}/blob/main/docs/`;
	expect(url.startsWith(prefix) && !url.includes('#')).toBe(true);
	const file = path.join(ROOT, 'docs', url.slice(prefix.length));
	expect({ url, exists: existsSync(file) }).toEqual({ url, exists: true });
}

/**
 * Asserts `url` is a documentation link that exists: a docs page of this repository
 * (`<repo>/blob/main/docs/<page>.md`, no fragment: n8n appends its own query to the link), or a
 * README anchor (see {@link expectReadmeLink}).
 */
export function expectDocsLink(url: string): void {
	const page =
		/^https:\/\/github\.com\/n8n-nodes-mando\/n8n-nodes-mando\/blob\/main\/(docs\/[\w.-]+\.md)$/.exec(
			url,
		);
	if (!page) return expectReadmeLink(url);
	expect({ url, exists: existsSync(path.join(ROOT, page[1])) }).toEqual({ url, exists: true });
}

/** Asserts a file is a small, self-contained SVG icon. */
export function expectIcon(file: string): void {
	expect(existsSync(file)).toBe(true);
	const svg = readFileSync(file, 'utf8');
	expect(statSync(file).size).toBeLessThan(4096);
	expect(svg).toMatch(
		/^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"[^>]* viewBox="0 0 60 60"[^>]*>/,
	);
	expect(svg.trim().endsWith('</svg>')).toBe(true);
	expect(svg).not.toMatch(/<script|<image|<foreignObject|href=|url\(http/i);
	// Tags balance (each opened element is closed or self-closing).
	const opened = (svg.match(/<[a-zA-Z][^>]*[^/]>/g) ?? []).length;
	const closed = (svg.match(/<\/[a-zA-Z]+>/g) ?? []).length;
	expect(opened).toBe(closed);
}

/** Parameters (collections and fixed collections walked into) that explain neither themselves nor their options. */
export function undescribed(properties: INodeProperties[], at = ''): string[] {
	return properties.flatMap((p): string[] => {
		const here = `${at}/${p.name}`;
		if (p.type === 'notice') return [];
		if (p.type === 'collection') return undescribed((p.options ?? []) as INodeProperties[], here);
		if (p.type === 'fixedCollection') {
			return ((p.options ?? []) as Array<{ name: string; values: INodeProperties[] }>).flatMap(
				(o) => undescribed(o.values, `${here}/${o.name}`),
			);
		}
		const optionsDescribed =
			(p.type === 'options' || p.type === 'multiOptions') &&
			((p.options ?? []) as Array<{ description?: string }>).every((o) => Boolean(o.description));
		return p.description || optionsDescribed ? [] : [`${here} (${p.type})`];
	});
}

/** Registers the tests of one node's description: codex file, icons, subtitle, parameter descriptions. */
export function describeNodeDescription(dir: string, description: INodeTypeDescription): void {
	describe(`${dir} node description`, () => {
		const codex = JSON.parse(
			readFileSync(path.join(ROOT, 'nodes', dir, `${dir}.node.json`), 'utf8'),
		) as {
			node: string;
			nodeVersion: string;
			codexVersion: string;
			categories: string[];
			alias: string[];
			resources: {
				primaryDocumentation: Array<{ url: string }>;
				credentialDocumentation: Array<{ url: string }>;
			};
		};

		it('has a codex file naming the node, with n8n categories, aliases and documentation links', () => {
			expect(codex.node).toBe(`n8n-nodes-mando.${description.name}`);
			expect(codex.nodeVersion).toBe('1.0');
			expect(codex.codexVersion).toBe('1.0');
			expect(codex.categories.length).toBeGreaterThan(0);
			for (const category of codex.categories) expect(N8N_CATEGORIES).toContain(category);
			expect(codex.alias).toEqual(expect.arrayContaining(['POS', 'point of sale']));
			expect(new Set(codex.alias).size).toBe(codex.alias.length);
			expectDocsLink(codex.resources.primaryDocumentation[0].url);
			expectDocsLink(codex.resources.credentialDocumentation[0].url);
			if (description.documentationUrl) {
				expectDocsPageLink(description.documentationUrl);
				expect(codex.resources.primaryDocumentation[0].url).toBe(description.documentationUrl);
			}
		});

		it('has light and dark SVG icons', () => {
			const icon = description.icon as { light: string; dark: string };
			expect(icon).toEqual({ light: 'file:mando.svg', dark: 'file:mando.dark.svg' });
			expectIcon(path.join(ROOT, 'nodes', dir, 'mando.svg'));
			expectIcon(path.join(ROOT, 'nodes', dir, 'mando.dark.svg'));
		});

		it('has a subtitle and a description, and every parameter explains itself', () => {
			expect(description.subtitle).toMatch(/^=\{\{.+\}\}$/);
			expect(description.description.length).toBeGreaterThan(40);
			expect(undescribed(description.properties)).toEqual([]);
		});
	});
}
