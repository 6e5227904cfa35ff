import { randomUUID } from 'crypto';

import { isMandoEventType } from '../../nodes/shared/events';
import { clone, isObject } from './common';
import { store } from './state';
import type { EmulatorState } from './state';
import type {
	EmulatorConfig,
	EmulatorEntity,
	EmulatorWebhook,
	EmulatorWebhookChange,
	ManualWebhookInput,
} from './types';

/** The webhook rules the API and the admin panel share: URL and event checks, disabling. */

/**
 * Checks the webhook-specific fields present in `body` (all of them when `creating`).
 *
 * @returns the message of a 422, or undefined when the fields are valid
 */
export function webhookProblem(
	config: EmulatorConfig,
	body: Record<string, unknown>,
	creating: boolean,
): string | undefined {
	if (creating || body.url !== undefined) {
		if (typeof body.url !== 'string') return 'url is required and must be a string';
		let url: URL;
		try {
			url = new URL(body.url);
		} catch {
			return 'url must be an absolute URL';
		}
		const allowed = config.allowHttp ? ['https:', 'http:'] : ['https:'];
		if (!allowed.includes(url.protocol)) {
			return config.allowHttp
				? 'url must use https:// or http://'
				: 'url must use https:// (Mando only delivers to HTTPS)';
		}
	}
	if (creating || body.events !== undefined) {
		if (!Array.isArray(body.events) || body.events.length === 0)
			return 'events must be a non-empty array of event types';
		const unknown = body.events.filter((e) => typeof e !== 'string' || !isMandoEventType(e));
		if (unknown.length)
			return `Unknown event type(s): ${unknown.map((e) => JSON.stringify(e)).join(', ')}`;
	}
	if (body.description !== undefined && typeof body.description !== 'string')
		return 'description must be a string';
	if (body.secret !== undefined) return 'secret cannot be set through the API';
	return undefined;
}

/** The URL as stored: as given, or normalised when `normaliseWebhookUrls` is on. */
export function storedWebhookUrl(config: EmulatorConfig, url: string): string {
	if (!config.normaliseWebhookUrls) return url;
	const u = new URL(url);
	if (!u.pathname.endsWith('/')) u.pathname += '/';
	return u.toString();
}

/** Records `hook`'s active state and URL in the webhook history when either differs from its last entry. */
export function noteWebhookChange(
	state: EmulatorState,
	hook: EmulatorEntity,
	by: EmulatorWebhookChange['by'],
	removed = false,
): void {
	const active = !removed && hook.active === true;
	const url = String(hook.url ?? '');
	const last = [...state.webhookHistory].reverse().find((c) => c.webhookId === hook.id);
	if (!removed && last && last.active === active && last.url === url) return;
	state.webhookHistory.push({ at: Date.now(), webhookId: hook.id, active, url, by });
}

/**
 * Deactivates a webhook as an admin would in the panel: `active: false`, no `disabled_reason`.
 *
 * @throws Error when no webhook has that id
 */
export function deactivateWebhook(state: EmulatorState, id: string): void {
	const hook = store(state, 'webhook').get(id);
	if (!hook) throw new Error(`No webhook with id "${id}"`);
	hook.active = false;
	noteWebhookChange(state, hook, 'admin-deactivate');
}

/** Removes a webhook for good (`DELETE /secure/webhook/{id}`); false when there was none. */
export function deleteWebhook(
	state: EmulatorState,
	id: string,
	by: EmulatorWebhookChange['by'] = 'admin-delete',
): boolean {
	const hook = store(state, 'webhook').get(id);
	if (hook) noteWebhookChange(state, hook, by, true);
	return store(state, 'webhook').delete(id);
}

/** Marks a webhook inactive with `data.disabled_reason` and `data.disabled_at` (ISO 8601); recorded in `state`'s history when given. */
export function disableWebhook(hook: EmulatorWebhook, reason: string, state?: EmulatorState): void {
	hook.active = false;
	hook.data = { ...hook.data, disabled_reason: reason, disabled_at: new Date().toISOString() };
	if (state) noteWebhookChange(state, hook, 'retry-policy');
}

/**
 * Adds a webhook as the admin panel would (same URL and event rules as the API).
 *
 * @returns a copy of the stored webhook
 * @throws Error with the validation message
 */
export function addWebhook(state: EmulatorState, input: ManualWebhookInput): EmulatorWebhook {
	const { secret, ...fields } = (isObject(input) ? input : {}) as ManualWebhookInput;
	const problem = webhookProblem(state.config, fields as unknown as Record<string, unknown>, true);
	if (problem) throw new Error(problem);
	if (secret !== undefined && (typeof secret !== 'string' || !secret))
		throw new Error('secret must be a non-empty string');
	const hook: EmulatorWebhook = {
		id: randomUUID(),
		url: storedWebhookUrl(state.config, fields.url),
		events: [...fields.events],
		active: fields.active ?? true,
		description: fields.description ?? '',
		data: {},
	};
	if (secret) hook.secret = secret;
	store(state, 'webhook').set(hook.id, hook);
	noteWebhookChange(state, hook, 'admin-add');
	return clone(hook);
}
