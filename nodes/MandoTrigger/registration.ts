import type { IDataObject } from 'n8n-workflow';
import { asNodeError, isNotFound, mandoApiRequest, mandoGetAll, type MandoContext } from '../shared/transport';

/**
 * The trigger's webhook lifecycle against Mando's webhook resource (ASSUMED in the contract:
 * `GET/POST /secure/webhook`, `GET/PUT /secure/webhook/{id}`, soft delete `{ active: false }`).
 *
 * The functions here take a {@link WebhookApi} so they can be tested against any implementation;
 * {@link webhookApiFor} binds one to an n8n context and the Mando transport.
 */

/** A webhook as Mando returns it (contract: `{ id, url, events[], active, description, secret?, data? }`). */
export interface MandoWebhook {
	id: string;
	url: string;
	events: string[];
	active: boolean;
	description?: string;
	/** Present when Mando hands a per-webhook signing secret (at creation). */
	secret?: string;
	data?: IDataObject;
}

/** What the trigger keeps in its static data about one registration (one per webhook URL). */
export interface StoredRegistration {
	webhookId: string;
	url: string;
	events: string[];
	/** The per-webhook secret Mando returned, if any. */
	secret?: string;
}

/** The webhook operations the lifecycle needs. `get`/`update` give `undefined` for a 404. */
export interface WebhookApi {
	list(): Promise<MandoWebhook[]>;
	get(id: string): Promise<MandoWebhook | undefined>;
	create(body: { url: string; events: string[]; active: boolean; description: string }): Promise<MandoWebhook>;
	update(id: string, body: Partial<Omit<MandoWebhook, 'id'>>): Promise<MandoWebhook | undefined>;
}

/** Log sink (n8n's `this.logger`). */
export interface RegistrationLogger {
	info(message: string): void;
	warn(message: string): void;
}

function sameEvents(a: string[], b: string[]): boolean {
	const sa = new Set(a);
	const sb = new Set(b);
	return sa.size === sb.size && [...sa].every((e) => sb.has(e));
}

/** Why {@link checkRegistration} found the registration unusable, or `ok`. */
export type RegistrationStatus = 'ok' | 'not-stored' | 'gone' | 'disabled' | 'other-url' | 'other-events';

/**
 * Asks Mando whether the stored webhook still exists, is active, points at `url` and carries
 * exactly `events`. Changes nothing remotely. A webhook Mando disabled (after 5 failed deliveries)
 * is logged as a warning.
 */
export async function checkRegistration(
	api: WebhookApi,
	stored: StoredRegistration | undefined,
	url: string,
	events: string[],
	log: RegistrationLogger,
): Promise<RegistrationStatus> {
	if (!stored?.webhookId) return 'not-stored';
	const remote = await api.get(stored.webhookId);
	if (!remote) return 'gone';
	if (!remote.active) {
		const reason = typeof remote.data?.disabled_reason === 'string' ? ` (${remote.data.disabled_reason})` : '';
		log.warn(
			`Mando webhook ${remote.id} for ${url} was found disabled${reason}; Mando disables a webhook after 5 failed deliveries. It will be re-activated.`,
		);
		return 'disabled';
	}
	if (remote.url !== url) return 'other-url';
	if (!sameEvents(remote.events ?? [], events)) return 'other-events';
	return 'ok';
}

/**
 * Makes sure exactly one active Mando webhook points at `url` with `events`: re-uses (updates and
 * re-activates) the webhook stored before — even if it pointed at another URL, e.g. after n8n's
 * public address changed — or one that already points at `url`, deactivating any further ones
 * for `url`, and creates one only when there is none to re-use.
 *
 * @returns what to store; `secret` is the one Mando returned now, or the one stored before for the
 *   same webhook id
 */
export async function ensureRegistration(
	api: WebhookApi,
	previous: StoredRegistration | undefined,
	url: string,
	events: string[],
	description: string,
	log: RegistrationLogger,
): Promise<StoredRegistration> {
	const all = await api.list();
	const candidates = all.filter((w) => w.url === url || w.id === previous?.webhookId);
	// Prefer the webhook we stored, then an active one, then any.
	const rank = (w: MandoWebhook) => (w.id === previous?.webhookId ? 2 : 0) + (w.active ? 1 : 0);
	candidates.sort((a, b) => rank(b) - rank(a));
	const [keep, ...extra] = candidates;
	for (const w of extra.filter((e) => e.active && e.url === url)) {
		log.warn(`Mando webhook ${w.id} also points at ${url}; deactivating it so events arrive once.`);
		await api.update(w.id, { active: false });
	}
	if (keep) {
		if (!keep.active) log.warn(`Mando webhook ${keep.id} for ${url} was found disabled; re-activating it.`);
		if (keep.url !== url) log.info(`Mando webhook ${keep.id} moves from ${keep.url} to ${url}.`);
		const updated = await api.update(keep.id, { url, events, active: true, description });
		const secret = updated?.secret ?? keep.secret ?? (previous?.webhookId === keep.id ? previous.secret : undefined);
		log.info(`Mando webhook ${keep.id} re-used for ${url} (${events.length} event types).`);
		return { webhookId: keep.id, url, events, ...(secret ? { secret } : {}) };
	}
	const created = await api.create({ url, events, active: true, description });
	log.info(`Mando webhook ${created.id} created for ${url} (${events.length} event types).`);
	return { webhookId: created.id, url, events, ...(created.secret ? { secret: created.secret } : {}) };
}

/**
 * Deactivates our webhook (soft delete, `{ active: false }`): the stored one, or when nothing is
 * stored, every active webhook pointing at `url`. A webhook that is already gone counts as success.
 *
 * @returns how many webhooks were deactivated
 * @throws whatever the API throws for failures other than "gone"
 */
export async function removeRegistration(api: WebhookApi, stored: StoredRegistration | undefined, url: string): Promise<number> {
	if (stored?.webhookId) {
		const result = await api.update(stored.webhookId, { active: false });
		return result ? 1 : 0;
	}
	const mine = (await api.list()).filter((w) => w.url === url && w.active);
	for (const w of mine) await api.update(w.id, { active: false });
	return mine.length;
}

/** Mando's webhook resource through the transport, bound to an n8n context. */
export function webhookApiFor(ctx: MandoContext): WebhookApi {
	const path = '/secure/webhook';
	return {
		async list() {
			return await mandoGetAll.call<MandoContext, [string], Promise<MandoWebhook[]>>(ctx, path);
		},
		async get(id) {
			try {
				return (await mandoApiRequest.call(ctx, { method: 'GET', path: `${path}/${encodeURIComponent(id)}` })).body as MandoWebhook;
			} catch (error) {
				if (isNotFound(error)) return undefined;
				throw asNodeError(ctx, error);
			}
		},
		async create(body) {
			return (await mandoApiRequest.call(ctx, { method: 'POST', path, body })).body as MandoWebhook;
		},
		async update(id, body) {
			try {
				return (await mandoApiRequest.call(ctx, { method: 'PUT', path: `${path}/${encodeURIComponent(id)}`, body: body as IDataObject }))
					.body as MandoWebhook;
			} catch (error) {
				if (isNotFound(error)) return undefined;
				throw asNodeError(ctx, error);
			}
		},
	};
}

export { isNotFound };
