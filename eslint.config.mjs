// Lint for the code n8n loads (nodes/ and credentials/): n8n's community-node rules
// (@n8n/eslint-plugin-community-nodes, recommended) and eslint-plugin-n8n-nodes-base's node and
// credential rules, on the TypeScript parser.
import tseslint from 'typescript-eslint';
import n8nNodesBase from 'eslint-plugin-n8n-nodes-base';
import { n8nCommunityNodesPlugin } from '@n8n/eslint-plugin-community-nodes';

const communityRecommended = n8nCommunityNodesPlugin.configs.recommended;

export default [
	{ ignores: ['dist/**', 'node_modules/**', 'test/**', 'scripts/**', 'bench/**', '*.js', '*.mjs'] },
	{
		files: ['nodes/**/*.ts', 'credentials/**/*.ts'],
		languageOptions: { parser: tseslint.parser, parserOptions: { sourceType: 'module' } },
		plugins: { 'n8n-nodes-base': n8nNodesBase, '@typescript-eslint': tseslint.plugin },
	},
	{ ...communityRecommended, files: ['nodes/**/*.ts', 'credentials/**/*.ts'] },
	// The same recommended rules on package.json (its rules check dependencies, peer dependencies,
	// `files`, `overrides`, lifecycle scripts, author, homepage and the `n8n` section), parsed as
	// JSON by the TypeScript parser, as n8n's community-node tooling does.
	{
		...communityRecommended,
		files: ['package.json'],
		languageOptions: { parser: tseslint.parser, parserOptions: { extraFileExtensions: ['.json'] } },
	},
	{
		files: ['nodes/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.nodes.rules,
			// As in n8n's community node starter: these apply to n8n's own repository only.
			'n8n-nodes-base/node-execute-block-missing-continue-on-fail': 'off',
			'n8n-nodes-base/node-resource-description-filename-against-convention': 'off',
			'n8n-nodes-base/node-param-fixed-collection-type-unsorted-items': 'off',
			// Superseded by @n8n/community-nodes/node-connection-type-literal (NodeConnectionTypes.Main).
			'n8n-nodes-base/node-class-description-outputs-wrong': 'off',
			'n8n-nodes-base/node-class-description-inputs-wrong': 'off',
			'n8n-nodes-base/node-class-description-inputs-wrong-regular-node': 'off',
		},
	},
	{
		files: ['credentials/**/*.ts'],
		rules: {
			...n8nNodesBase.configs.credentials.rules,
			// Community credentials link to their own docs (a URL), not to a docs.n8n.io slug.
			'n8n-nodes-base/cred-class-field-documentation-url-missing': 'off',
			'n8n-nodes-base/cred-class-field-documentation-url-miscased': 'off',
		},
	},
];
