import path from 'path';

import { MandoApi } from '../../../credentials/MandoApi.credentials';
import { expectIcon, expectReadmeLink, ROOT, undescribed } from '../../harness/nodeDescription';

/** What users see of the Mando API credential in n8n: documentation link, icons, field descriptions. */

describe('Mando API credential', () => {
	const credential = new MandoApi();

	it('links to its documentation and has light and dark icons', () => {
		expectReadmeLink(credential.documentationUrl);
		expect(credential.icon).toEqual({ light: 'file:mando.svg', dark: 'file:mando.dark.svg' });
		expectIcon(path.join(ROOT, 'credentials', 'mando.svg'));
		expectIcon(path.join(ROOT, 'credentials', 'mando.dark.svg'));
	});

	it('describes every field', () => {
		expect(undescribed(credential.properties)).toEqual([]);
	});
});
