import { readFileSync } from 'fs';
import path from 'path';
import { renderEventReference, updateReadme } from '../../../scripts/event-docs';
import { MANDO_EVENT_TYPES } from '../../../nodes/shared/events';

const readme = readFileSync(path.join(__dirname, '..', '..', '..', 'README.md'), 'utf8');

describe('README', () => {
	it('has an event reference generated from the current catalogue (run scripts/event-docs.ts to refresh)', () => {
		expect(updateReadme(readme)).toBe(readme);
	});

	it('documents every event type with a sample item', () => {
		const reference = renderEventReference();
		for (const type of MANDO_EVENT_TYPES) expect(reference).toContain(`"type": "${type}"`);
	});

	it('opens with the two commands a newcomer runs', () => {
		const firstBlock = /```(?:bash|sh)\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
		expect(firstBlock).toContain('npm run demo');
		expect(firstBlock).toContain('npm test');
	});
});
