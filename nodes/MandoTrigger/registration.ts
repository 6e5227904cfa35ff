import type { IDataObject } from 'n8n-workflow';
import {
	asNodeError,
	isNotFound,
	mandoApiRequest,
	mandoGetAll,
	type MandoContext,
} from '../shared/transport';

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

/**
 * One registration as the lifecycle functions see it: the secret in plain text (the node seals it
 * before it reaches static data, see `sealedSecret.ts`).
 */
export interface StoredRegistration {
	webhookId: string;
	url: string;
	events: string[];
	/** The per-webhook secret Mando returned at creation, if any. */
	secret?: string;
	/**
	 * Whether Mando signs this account's webhooks per webhook: true when a create answer carried a
	 * secret, false when one carried none, absent when unknown.
	 */
	perWebhookSecret?: boolean;
	/** True after this trigger deactivated the webhook itself (unpublish, republish, test teardown). */
	deactivatedByTrigger?: boolean;
}

/** The webhook operations the lifecycle needs. `get`/`update` give `undefined` for a 404. */
export interface WebhookApi {
	list(): Promise<MandoWebhook[]>;
	get(id: string): Promise<MandoWebhook | undefined>;
	/** One POST, never retried: a retried POST after a dropped connection can make two webhooks. */
	create(body: {
		url: string;
		events: string[];
		active: boolean;
		description: string;
	}): Promise<MandoWebhook>;
	update(id: string, body: Partial<Omit<MandoWebhook, 'id'>>): Promise<MandoWebhook | undefined>;
}

/** Log sink (n8n's `this.logger`). */
export interface RegistrationLogger {
	info(message: string): void;
	warn(message: string): void;
}

/**
 * A URL in the form Mando may hand it back in: host lower-cased, default port dropped, no
 * trailing slash on the path (WHATWG `URL` does the first two). Unparseable input is returned as is.
 */
export function normaliseWebhookUrl(url: string): string {
	try {
		const u = new URL(url);
		u.pathname = u.pathname.replace(/\/+$/, '') || '/';
		return u.toString().replace(/\/(?=$|[?#])/, '');
	} catch {
		return url;
	}
}

/** True when `a` and `b` name the same address (see {@link normaliseWebhookUrl}). */
export function sameUrl(a: string | undefined, b: string | undefined): boolean {
	return a !== undefined && b !== undefined && normaliseWebhookUrl(a) === normaliseWebhookUrl(b);
}

function sameEvents(a: string[], b: string[]): boolean {
	const sa = new Set(a);
	const sb = new Set(b);
	return sa.size === sb.size && [...sa].every((e) => sb.has(e));
}

/** Why {@link checkRegistration} found the registration unusable, or `ok`. */
export type RegistrationStatus =
	'ok' | 'not-stored' | 'gone' | 'disabled' | 'other-url' | 'other-events';

/** What each {@link RegistrationStatus} means, for log lines and errors. */
export const STATUS_TEXT: Record<RegistrationStatus, string> = {
	ok: 'is active and as configured',
	'not-stored': 'is not known to this trigger',
	gone: 'no longer exists in Mando (deleted there)',
	disabled: 'is inactive in Mando',
	'other-url': "points at another URL than this trigger's",
	'other-events': 'is subscribed to other events than selected',
};

/**
 * Asks Mando whether the stored webhook still exists, is active, points at `url` and carries
 * exactly `events`. Changes nothing remotely. A webhook found inactive is logged as a warning that
 * says who deactivated it, as far as Mando's answer tells.
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
		if (!stored.deactivatedByTrigger)
			log.warn(
				`Mando webhook ${remote.id} for ${url} was found disabled ${whoDeactivated(remote)}.`,
			);
		return 'disabled';
	}
	if (!sameUrl(remote.url, url)) return 'other-url';
	if (!sameEvents(remote.events ?? [], events)) return 'other-events';
	return 'ok';
}

/** "by Mando after 5 failed deliveries (…)" or "outside n8n (in Mando's admin panel or API)". */
export function whoDeactivated(remote: MandoWebhook): string {
	const reason =
		typeof remote.data?.disabled_reason === 'string' ? remote.data.disabled_reason : undefined;
	return reason
		? `by Mando (${reason}); Mando disables a webhook after 5 failed deliveries`
		: "outside n8n (in Mando's admin panel or through its API), not by this trigger";
}

/** Options of {@link ensureRegistration}. */
export interface EnsureOptions {
	/**
	 * Whether deliveries can be verified with the credential's account secret. When false, or
	 * when Mando is known to sign per webhook, a webhook whose per-webhook secret this trigger does
	 * not hold is never re-used: a new one is created and the old one deactivated.
	 */
	accountSecretSet?: boolean;
	/** What this process already knows about the account's signing (see {@link StoredRegistration.perWebhookSecret}). */
	perWebhookSecrets?: boolean;
}

/**
 * Makes sure exactly one active Mando webhook points at `url` with `events`: re-uses (updates and
 * re-activates) the webhook stored before — even if it pointed at another URL, e.g. after n8n's
 * public address changed — or one that already points at `url` (compared normalised), when its
 * signing secret is known; deactivates any further ones for `url`; creates one only when there is
 * none to re-use. A 404 on the re-activating PUT (deleted meanwhile) falls back to creating one.
 * The create POST is sent once; after a network failure the list is read again and a webhook that
 * the lost answer would have named is adopted (or, when its secret is needed, deactivated and
 * created once more), so one active webhook remains.
 *
 * @returns what to store; `secret` is the one Mando returned now, or the one stored before for the
 *   same webhook id
 * @throws the API's errors (a 404 on the list means the account has no webhook resource)
 */
export async function ensureRegistration(
	api: WebhookApi,
	previous: StoredRegistration | undefined,
	url: string,
	events: string[],
	description: string,
	log: RegistrationLogger,
	options: EnsureOptions = {},
): Promise<StoredRegistration> {
	const perWebhook =
		previous?.perWebhookSecret === true ||
		options.perWebhookSecrets === true ||
		options.accountSecretSet === false;
	// Adopting a webhook whose create answer was lost is safe only where the account secret signs.
	const accountSigned =
		!perWebhook && (previous?.perWebhookSecret === false || options.perWebhookSecrets === false);
	const secretKnown = (w: MandoWebhook) =>
		!perWebhook || (w.id === previous?.webhookId && previous.secret !== undefined);
	const all = await api.list();
	const candidates = all.filter((w) => sameUrl(w.url, url) || w.id === previous?.webhookId);
	// Prefer the webhook we stored, then an active one, then any.
	const rank = (w: MandoWebhook) => (w.id === previous?.webhookId ? 2 : 0) + (w.active ? 1 : 0);
	candidates.sort((a, b) => rank(b) - rank(a));
	const keep = candidates.find(secretKnown);
	for (const w of candidates.filter((e) => e !== keep && e.active && sameUrl(e.url, url))) {
		const why = secretKnown(w)
			? 'so events arrive once'
			: 'because this trigger does not hold its signing secret';
		log.warn(`Mando webhook ${w.id} also points at ${url}; deactivating it ${why}.`);
		await api.update(w.id, { active: false });
	}
	if (keep) {
		const reused = await reuse(api, keep, previous, url, events, description, log);
		if (reused) return reused;
	}
	return await createOnce(api, all, previous, url, events, description, log, accountSigned);
}

async function reuse(
	api: WebhookApi,
	keep: MandoWebhook,
	previous: StoredRegistration | undefined,
	url: string,
	events: string[],
	description: string,
	log: RegistrationLogger,
): Promise<StoredRegistration | undefined> {
	const ours = keep.id === previous?.webhookId;
	if (!keep.active) {
		if (ours && previous?.deactivatedByTrigger)
			log.info(
				`Mando webhook ${keep.id} for ${url}, deactivated by this trigger, is re-activated.`,
			);
		else
			log.warn(
				`Mando webhook ${keep.id} for ${url} was found disabled ${whoDeactivated(keep)}; re-activating it.`,
			);
	}
	if (!sameUrl(keep.url, url))
		log.info(`Mando webhook ${keep.id} moves from ${keep.url} to ${url}.`);
	const updated = await api.update(keep.id, { url, events, active: true, description });
	if (!updated) {
		log.warn(
			`Mando webhook ${keep.id} for ${url} was deleted in Mando while it was being re-activated; creating a new one.`,
		);
		return undefined;
	}
	const secret = updated.secret ?? keep.secret ?? (ours ? previous?.secret : undefined);
	log.info(`Mando webhook ${keep.id} re-used for ${url} (${events.length} event types).`);
	return {
		webhookId: keep.id,
		url,
		events,
		...(secret ? { secret } : {}),
		...(updated.secret
			? { perWebhookSecret: true }
			: previous?.perWebhookSecret !== undefined
				? { perWebhookSecret: previous.perWebhookSecret }
				: {}),
	};
}

async function createOnce(
	api: WebhookApi,
	before: MandoWebhook[],
	previous: StoredRegistration | undefined,
	url: string,
	events: string[],
	description: string,
	log: RegistrationLogger,
	accountSigned: boolean,
): Promise<StoredRegistration> {
	const body = { url, events, active: true, description };
	const stored = (w: MandoWebhook): StoredRegistration => ({
		webhookId: w.id,
		url,
		events,
		...(w.secret
			? { secret: w.secret, perWebhookSecret: true }
			: previous?.perWebhookSecret !== undefined
				? { perWebhookSecret: previous.perWebhookSecret }
				: {}),
	});
	for (let attempt = 1; ; attempt++) {
		const outcome = await api.create(body).then(
			(created) => ({ created, failure: undefined }),
			(failure: unknown) => ({ created: undefined, failure }),
		);
		if (outcome.created) {
			log.info(
				`Mando webhook ${outcome.created.id} created for ${url} (${events.length} event types).`,
			);
			return { ...stored(outcome.created), perWebhookSecret: outcome.created.secret !== undefined };
		}
		const failure = outcome.failure;
		if (!isNetworkFailure(failure)) throw failure as Error;
		const known = new Set(before.map((w) => w.id));
		const made = (await api.list()).filter(
			(w) => !known.has(w.id) && w.active && sameUrl(w.url, url),
		);
		if (made.length === 0 && attempt < 2) {
			log.warn(
				`The connection to Mando dropped while registering ${url}, and Mando holds no webhook for it; registering once more.`,
			);
			continue;
		}
		if (made.length === 0) throw failure as Error;
		if (accountSigned) {
			const [adopt, ...extra] = made;
			for (const w of extra) await api.update(w.id, { active: false });
			log.warn(
				`The connection to Mando dropped while registering ${url}; Mando stored it as webhook ${adopt.id}, which is used.`,
			);
			return stored(adopt);
		}
		for (const w of made) await api.update(w.id, { active: false });
		if (attempt >= 2) throw failure as Error;
		log.warn(
			`The connection to Mando dropped while registering ${url}; Mando stored webhook ${made.map((w) => w.id).join(', ')} but the answer that would carry its signing secret was lost, so it is deactivated and a new one registered.`,
		);
		before = [...before, ...made];
	}
}

/**
 * Deactivates our webhook (soft delete, `{ active: false }`): the stored one, or when nothing is
 * stored, every active webhook pointing at `url`. A webhook that is already gone counts as success.
 *
 * @returns Mando's answers for the webhooks deactivated (a `data.disabled_reason` in one means
 *   Mando had disabled it before)
 * @throws whatever the API throws for failures other than "gone"
 */
export async function removeRegistration(
	api: WebhookApi,
	stored: StoredRegistration | undefined,
	url: string,
): Promise<MandoWebhook[]> {
	if (stored?.webhookId) {
		const result = await api.update(stored.webhookId, { active: false });
		return result ? [result] : [];
	}
	const mine = (await api.list()).filter((w) => sameUrl(w.url, url) && w.active);
	const done: MandoWebhook[] = [];
	for (const w of mine) {
		const result = await api.update(w.id, { active: false });
		if (result) done.push(result);
	}
	return done;
}

/** True for a request that got no HTTP answer (connection refused, reset, timed out). */
export function isNetworkFailure(error: unknown): boolean {
	const e = error as { httpCode?: string | number | null; code?: unknown };
	const code = e?.httpCode;
	return (
		code === undefined ||
		code === null ||
		code === '' ||
		String(code) === '0' ||
		/^E[A-Z]+$/.test(String(code))
	);
}

/** Mando's webhook resource through the transport, bound to an n8n context and its credential. */
export function webhookApiFor(ctx: MandoContext): WebhookApi {
	const path = '/secure/webhook';
	return {
		async list() {
			return await mandoGetAll.call<MandoContext, [string], Promise<MandoWebhook[]>>(ctx, path);
		},
		async get(id) {
			try {
				return (
					await mandoApiRequest.call(ctx, {
						method: 'GET',
						path: `${path}/${encodeURIComponent(id)}`,
					})
				).body as MandoWebhook;
			} catch (error) {
				if (isNotFound(error)) return undefined;
				throw asNodeError(ctx, error);
			}
		},
		async create(body) {
			return (
				await mandoApiRequest.call(ctx, { method: 'POST', path, body, retry: { maxAttempts: 1 } })
			).body as MandoWebhook;
		},
		async update(id, body) {
			try {
				return (
					await mandoApiRequest.call(ctx, {
						method: 'PUT',
						path: `${path}/${encodeURIComponent(id)}`,
						body: body as IDataObject,
					})
				).body as MandoWebhook;
			} catch (error) {
				if (isNotFound(error)) return undefined;
				throw asNodeError(ctx, error);
			}
		},
	};
}

/**
 * Deactivates webhook `id` on an account the credential no longer points at (base URL + API key
 * held in this process's memory), with one PUT `{ active: false }`.
 *
 * @returns false when that account answered 404 (the webhook is gone there)
 * @throws Error with the HTTP status for any other failure
 */
export async function deactivateOnAccount(
	ctx: Pick<MandoContext, 'helpers'>,
	account: { baseUrl: string; apiKey: string },
	id: string,
): Promise<boolean> {
	const response = (await ctx.helpers.httpRequest({
		method: 'PUT',
		url: `${account.baseUrl.replace(/\/+$/, '')}/secure/webhook/${encodeURIComponent(id)}`,
		headers: { Authorization: `Bearer ${account.apiKey}`, Accept: 'application/json' },
		body: { active: false },
		json: true,
		returnFullResponse: true,
		ignoreHttpStatusErrors: true,
	})) as { statusCode: number };
	if (response.statusCode === 404) return false;
	if (response.statusCode >= 300)
		throw new Error(`Mando answered ${response.statusCode} to deactivating webhook ${id}`);
	return true;
}
