import path from 'path';

import { readFileSync } from 'fs';

import { MandoApi, WEBHOOK_SECRET_HELP } from '../../../credentials/MandoApi.credentials';
import { expectDocsPageLink, expectIcon, ROOT, undescribed } from '../../harness/nodeDescription';

/** What users see of the Mando API credential in n8n: documentation link, icons, field descriptions. */

describe('Mando API credential', () => {
	const credential = new MandoApi();

	it('links to its documentation and has light and dark icons', () => {
		expectDocsPageLink(credential.documentationUrl);
		expect(credential.icon).toEqual({ light: 'file:mando.svg', dark: 'file:mando.dark.svg' });
		expectIcon(path.join(ROOT, 'credentials', 'mando.svg'));
		expectIcon(path.join(ROOT, 'credentials', 'mando.dark.svg'));
	});

	it('describes every field', () => {
		expect(undescribed(credential.properties)).toEqual([]);
	});

	it('says the same about the webhook secret as the README and its docs page', () => {
		const field = credential.properties.find((p) => p.name === 'webhookSecret');
		expect(field?.description).toBe(WEBHOOK_SECRET_HELP);
		for (const file of ['README.md', 'docs/mando-credential.md']) {
			expect({
				file,
				same: readFileSync(path.join(ROOT, file), 'utf8').includes(WEBHOOK_SECRET_HELP),
			}).toEqual({ file, same: true });
		}
	});
});

describe('Mando API credential: authentication and test request', () => {
	const credential = new MandoApi();
	const credentials = (baseUrl: string) => ({ apiKey: 'k-123', baseUrl, webhookSecret: '' });

	it('adds the Bearer header; the test request gets the Base URL as the nodes read it (spaces, trailing slash)', async () => {
		const test = credential.test.request;
		const options = await credential.authenticate(credentials('  https://www.mando.fi/api/ '), {
			url: test.url!,
			baseURL: String(test.baseURL),
		});
		expect(options).toMatchObject({
			baseURL: 'https://www.mando.fi/api',
			url: '/secure/location',
			headers: { Authorization: 'Bearer k-123' },
		});
	});

	it('a Base URL without https:// or with http:// to a remote host fails the test with what to fix', async () => {
		await expect(
			credential.authenticate(credentials('www.mando.fi/api'), {
				url: '/secure/location',
				baseURL: 'x',
			}),
		).rejects.toThrow('must start with https://');
		await expect(
			credential.authenticate(credentials('http://www.mando.fi/api'), {
				url: '/secure/location',
				baseURL: 'x',
			}),
		).rejects.toThrow('must use https://');
	});

	it("the nodes' requests (full URLs, no baseURL) keep their URL", async () => {
		const options = await credential.authenticate(credentials('https://www.mando.fi/api'), {
			url: 'https://www.mando.fi/api/secure/plu',
		});
		expect(options).toEqual({
			url: 'https://www.mando.fi/api/secure/plu',
			headers: { Authorization: 'Bearer k-123' },
		});
	});
});
