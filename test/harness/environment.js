/**
 * The Jest environment of the e2e and reliability suites: Node's, plus the removal of the
 * harness's temporary folders (`test/harness/tempFolders.ts`) when a suite ends. A suite with a
 * failed test or hook keeps them and prints their paths, so n8n's logs can be read.
 */
const { rmSync } = require('fs');
const { TestEnvironment } = require('jest-environment-node');

/** Same key as `TEMP_FOLDERS_KEY` in tempFolders.ts. */
const TEMP_FOLDERS_KEY = '__mandoTempFolders';

class MandoHarnessEnvironment extends TestEnvironment {
	constructor(config, context) {
		super(config, context);
		this.failed = false;
		this.testPath = context.testPath;
	}

	async handleTestEvent(event) {
		if (
			(event.name === 'test_done' && event.test.errors.length > 0) ||
			event.name === 'hook_failure'
		)
			this.failed = true;
	}

	async teardown() {
		const folders = (this.global && this.global[TEMP_FOLDERS_KEY]) || [];
		if (this.failed && folders.length) {
			process.stderr.write(
				`[harness] ${this.testPath} failed; kept its temporary folders: ${folders.join(' ')}\n`,
			);
		} else {
			for (const folder of folders) rmSync(folder, { recursive: true, force: true });
		}
		await super.teardown();
	}
}

module.exports = MandoHarnessEnvironment;
