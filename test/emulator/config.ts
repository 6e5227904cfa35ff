import type { EmulatorConfig } from './types';
import { isObject } from './common';

/** Default settings; see {@link EmulatorConfig}. */
export const EMULATOR_DEFAULT_CONFIG: Readonly<EmulatorConfig> = Object.freeze({
	apiKey: 'emulator-api-key',
	webhookSecret: 'emulator-webhook-secret',
	perWebhookSecrets: false,
	allowHttp: false,
	timeScale: 1,
	deliveryTimeoutMs: 5000,
	webhookResource: true,
	listShape: 'array',
	listTotals: true,
	listPaging: 'normal',
	maxPageSize: 1000,
	salesPaging: 'normal',
	normaliseWebhookUrls: false,
	cursorTtlMs: 0,
	seed: 'cafe',
});

/**
 * Checks a partial config.
 *
 * @returns the keys given with a defined value
 * @throws TypeError naming the first unknown key or bad value
 */
export function checkConfig(partial: unknown): Partial<EmulatorConfig> {
	if (!isObject(partial)) throw new TypeError('Config must be a JSON object');
	const kinds: Record<keyof EmulatorConfig, (v: unknown) => boolean> = {
		apiKey: (v) => typeof v === 'string' && v.length > 0,
		webhookSecret: (v) => typeof v === 'string' && v.length > 0,
		perWebhookSecrets: (v) => typeof v === 'boolean',
		allowHttp: (v) => typeof v === 'boolean',
		timeScale: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
		deliveryTimeoutMs: (v) => typeof v === 'number' && Number.isFinite(v) && v > 0,
		webhookResource: (v) => typeof v === 'boolean',
		listShape: (v) => v === 'array' || v === 'wrapped',
		listTotals: (v) => typeof v === 'boolean' || v === 'countOnly',
		listPaging: (v) => v === 'normal' || v === 'repeatLastPage' || v === 'ignorePage',
		maxPageSize: (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1000,
		salesPaging: (v) =>
			v === 'normal' || v === 'nullBody' || v === 'emptyPages' || v === 'endlessEmpty',
		normaliseWebhookUrls: (v) => typeof v === 'boolean',
		cursorTtlMs: (v) => typeof v === 'number' && Number.isFinite(v) && v >= 0,
		seed: (v) => v === 'cafe' || v === 'empty',
	};
	for (const [key, value] of Object.entries(partial)) {
		if (value === undefined) continue;
		const ok = kinds[key as keyof EmulatorConfig];
		if (!ok) throw new TypeError(`Unknown config key "${key}"`);
		if (!ok(value)) throw new TypeError(`Invalid value for config key "${key}"`);
	}
	return Object.fromEntries(
		Object.entries(partial).filter(([, v]) => v !== undefined),
	) as Partial<EmulatorConfig>;
}
