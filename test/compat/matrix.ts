/**
 * The n8n versions the compatibility suite (`npm run test:compat`) runs on: the newest 1.x (on
 * Node 22, the newest Node its line supports), an early 2.x and the 2.x the other tests pin.
 * `MANDO_COMPAT_VERSIONS=1.123.81,2.40.7` runs a subset (or other versions); each is installed and
 * cached side by side by scripts/ensure-n8n.sh.
 */

/** One n8n version of the matrix. */
export interface CompatVersion {
	/** n8n's version on the npm registry. */
	n8n: string;
	/** Whether the suite also loads the package on a queue-mode worker of this version. */
	queueMode: boolean;
	/**
	 * An n8n older than the package's minimum (README "Compatibility"): the suite checks only that
	 * the package installs and loads there and that publishing the trigger fails with the error
	 * naming the minimum (minimum-version.compat.test.ts), not the full checks.
	 */
	belowMinimum?: boolean;
}

/** The matrix (README "Compatibility" lists the same versions). */
export const COMPAT_MATRIX: readonly CompatVersion[] = [
	{ n8n: '1.123.81', queueMode: false },
	{ n8n: '2.3.6', queueMode: true },
	{ n8n: '2.40.7', queueMode: true },
	// The newest n8n before the minimum (1.105.0): its registerCron takes a cron string.
	{ n8n: '1.104.2', queueMode: false, belowMinimum: true },
];

/** The matrix, or the versions `MANDO_COMPAT_VERSIONS` names (comma-separated). */
export function compatVersions(): CompatVersion[] {
	const wanted = (process.env.MANDO_COMPAT_VERSIONS ?? '')
		.split(',')
		.map((v) => v.trim())
		.filter(Boolean);
	if (wanted.length === 0) return [...COMPAT_MATRIX];
	return wanted.map(
		(n8n) => COMPAT_MATRIX.find((v) => v.n8n === n8n) ?? { n8n, queueMode: !n8n.startsWith('1.') },
	);
}
