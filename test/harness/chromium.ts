import type { Page } from 'playwright-core';

/**
 * Headless Chromium for the browser test and the screenshots: Debian's /usr/bin/chromium
 * (scripts/install-chromium.sh installs it) driven by playwright-core, no browser download.
 */

/** The browser (CHROMIUM_PATH overrides it). */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Chromium's flags: headless, no sandbox (root in CI), nothing that phones home. */
export const CHROMIUM_ARGS = [
	'--headless',
	'--no-sandbox',
	'--disable-gpu',
	'--disable-quic',
	'--no-first-run',
	'--disable-background-networking',
	'--disable-component-update',
	'--disable-sync',
];

/** Waits for n8n's editor to settle: network quiet (at most 5 s), fonts loaded, a short pause. */
export async function settle(page: Page, pauseMs = 500): Promise<void> {
	await page.waitForLoadState('networkidle', { timeout: 5_000 }).catch(() => undefined);
	await page.evaluate('document.fonts.ready.then(() => true)');
	await page.waitForTimeout(pauseMs);
}
