import type {
	IDataObject,
	IExecuteFunctions,
	IHookFunctions,
	ITriggerFunctions,
	IWebhookFunctions,
} from 'n8n-workflow';
import { NodeOperationError, sleep } from 'n8n-workflow';
import { MANDO_EVENT_TYPES } from '../shared/events';
import { asNodeError, isNotFound, normaliseBaseUrl } from '../shared/transport';
import {
	checkRegistration,
	deactivateOnAccount,
	ensureRegistration,
	removeRegistration,
	STATUS_TEXT,
	webhookApiFor,
	type RegistrationLogger,
	type StoredRegistration,
} from './registration';
import { withBearerAuth } from './bearerAuth';
import { accountFingerprint, openSecret, sealSecret } from './sealedSecret';

/**
 * The trigger's registrations as n8n holds them: in the node's static data (production) and in
 * this process's memory (both, newest wins). n8n starts test webhooks with empty static data and
 * does not save static data changed by a periodic check, so the memory carries those across.
 * Secrets are sealed (see `sealedSecret.ts`); the plain secret exists only in memory.
 */

type Ctx = IHookFunctions | ITriggerFunctions | IWebhookFunctions | IExecuteFunctions;

/** `production` or `test` ("Listen for test event"). */
export type RegistrationKey = 'production' | 'test';

/** One registration as kept in static data. */
export interface PersistedRegistration extends IDataObject {
	webhookId: string;
	url: string;
	events: string[];
	/** Base URL + API-key fingerprint of the account it was made on (see `accountFingerprint`). */
	account: string;
	/** The per-webhook secret, sealed with AES-256-GCM under the credential's API key. */
	sealedSecret?: string;
	perWebhookSecret?: boolean;
	deactivatedByTrigger?: boolean;
	/**
	 * True when Mando signs this webhook with a secret this trigger can no longer open (sealed under
	 * an API key the credential no longer has): its deliveries cannot be verified until it is replaced.
	 */
	secretLost?: boolean;
	/** ms since epoch of the last change. */
	at: number;
}

/** The credential fields the lifecycle needs. */
export interface MandoAccount {
	baseUrl: string;
	apiKey: string;
	webhookSecret: string | undefined;
	fingerprint: string;
}

const MAX_ENTRIES = 1000;
const memory = new Map<string, PersistedRegistration>();
/** Accounts seen in this process (by fingerprint), so a moved credential can still clean up. */
const accounts = new Map<string, { baseUrl: string; apiKey: string }>();
/** Per account fingerprint: whether Mando signs its webhooks per webhook, once a create answer told. */
const signing = new Map<string, boolean>();

function remember<V>(map: Map<string, V>, key: string, value: V): void {
	map.delete(key);
	map.set(key, value);
	if (map.size > MAX_ENTRIES) map.delete(map.keys().next().value as string);
}

/** Which registration a webhook URL belongs to: test URLs (`/webhook-test/`) or n8n's manual mode → `test`. */
export function registrationKey(ctx: Ctx, url?: string): RegistrationKey {
	if (ctx.getMode() === 'manual') return 'test';
	return url !== undefined && /\/webhook-test\//.test(new URL(url, 'http://x').pathname)
		? 'test'
		: 'production';
}

function nodeKey(ctx: Ctx, key: RegistrationKey): string {
	return `${ctx.getWorkflow().id}:${ctx.getNode().id}:${key}`;
}

const queues = new Map<string, Promise<unknown>>();

/**
 * Runs `fn` after every earlier call for the same registration has finished: n8n runs
 * `checkExists`/`create` and `trigger()` (whose health check may repair) concurrently at startup
 * and on publish, and each must see what the other stored.
 */
async function serialised<T>(ctx: Ctx, key: RegistrationKey, fn: () => Promise<T>): Promise<T> {
	const id = nodeKey(ctx, key);
	const run = (queues.get(id) ?? Promise.resolve()).then(fn, fn);
	const tail = run.catch(() => undefined);
	queues.set(id, tail);
	try {
		return await run;
	} finally {
		if (queues.get(id) === tail) queues.delete(id);
	}
}

function staticRegistrations(ctx: Ctx): Record<string, PersistedRegistration> {
	const data = ctx.getWorkflowStaticData('node');
	if (typeof data.registrations !== 'object' || data.registrations === null)
		data.registrations = {};
	return data.registrations as Record<string, PersistedRegistration>;
}

/** The node's registrations in static data, without creating the container (a read changes nothing). */
function readStaticRegistrations(ctx: Ctx): Record<string, PersistedRegistration | undefined> {
	const data = ctx.getWorkflowStaticData('node').registrations;
	return typeof data === 'object' && data !== null
		? (data as Record<string, PersistedRegistration | undefined>)
		: {};
}

/** The newest known registration for `key`, from static data or memory. */
export function loadRegistration(
	ctx: Ctx,
	key: RegistrationKey,
): PersistedRegistration | undefined {
	const stored = readStaticRegistrations(ctx)[key];
	const held = memory.get(nodeKey(ctx, key));
	const valid = (r: PersistedRegistration | undefined) =>
		r && typeof r.webhookId === 'string' ? r : undefined;
	const [a, b] = [valid(stored), valid(held)];
	if (a && b) return (b.at ?? 0) > (a.at ?? 0) ? b : a;
	return a ?? b;
}

/** The registration for `key` in static data alone (what n8n saved or will save), if any. */
export function storedRegistration(
	ctx: Ctx,
	key: RegistrationKey,
): PersistedRegistration | undefined {
	const stored = readStaticRegistrations(ctx)[key];
	return stored && typeof stored.webhookId === 'string' ? stored : undefined;
}

/**
 * Stores `reg` in static data only; {@link loadRegistration} still prefers a newer one this
 * process holds in memory.
 */
export function saveToStaticData(ctx: Ctx, key: RegistrationKey, reg: PersistedRegistration): void {
	staticRegistrations(ctx)[key] = reg;
}

/** Stores `reg` in static data and memory. */
export function saveRegistration(ctx: Ctx, key: RegistrationKey, reg: PersistedRegistration): void {
	staticRegistrations(ctx)[key] = reg;
	remember(memory, nodeKey(ctx, key), reg);
}

/**
 * Reads the `mandoApi` credential.
 *
 * @throws NodeOperationError naming the credential fields when n8n cannot resolve them (e.g. an
 *   `{{ $env.… }}` expression with `N8N_BLOCK_ENV_ACCESS_IN_NODE=true`)
 */
export async function readAccount(ctx: Ctx): Promise<MandoAccount> {
	let credentials: IDataObject;
	try {
		credentials = await ctx.getCredentials('mandoApi');
	} catch (error) {
		throw new NodeOperationError(
			ctx.getNode(),
			`The Mando API credential could not be resolved: ${(error as Error).message}. Check its "Webhook Signing Secret" field (and "API Key"): an expression such as {{ $env.MANDO_WEBHOOK_SECRET }} cannot be read when n8n blocks environment access (N8N_BLOCK_ENV_ACCESS_IN_NODE); paste the value instead.`,
			{ description: 'Mando deliveries are refused until the credential can be read.' },
		);
	}
	const baseUrl = normaliseBaseUrl(credentials.baseUrl);
	const apiKey = typeof credentials.apiKey === 'string' ? credentials.apiKey : '';
	const webhookSecret =
		typeof credentials.webhookSecret === 'string' && credentials.webhookSecret
			? credentials.webhookSecret
			: undefined;
	return { baseUrl, apiKey, webhookSecret, fingerprint: accountFingerprint(baseUrl, apiKey) };
}

/** The events to register: the selected ones, or every type this package knows for "All Events". */
export function selectedEvents(ctx: Ctx): string[] {
	const events = ctx.getNodeParameter('events', []) as string[];
	return events.includes('*') ? [...MANDO_EVENT_TYPES] : [...new Set(events)].sort();
}

/** True when the node registers its webhook through the API. */
export function isAutomatic(ctx: Ctx): boolean {
	return ctx.getNodeParameter('registration', 'automatic') === 'automatic';
}

function logger(ctx: Ctx): RegistrationLogger {
	const meta = () => ({ workflowId: ctx.getWorkflow().id, node: ctx.getNode().name });
	return { info: (m) => ctx.logger.info(m, meta()), warn: (m) => ctx.logger.warn(m, meta()) };
}

/**
 * Opens `sealed` with the credential's current API key, else with a key this process used before
 * for the same base URL (the credential's key was changed while n8n ran).
 */
function openWithKnownKeys(sealed: string, account: MandoAccount): string | undefined {
	const opened = openSecret(sealed, account.apiKey);
	if (opened !== undefined) return opened;
	for (const [fingerprint, known] of accounts) {
		if (fingerprint.split('#')[0] !== account.fingerprint.split('#')[0]) continue;
		const secret = openSecret(sealed, known.apiKey);
		if (secret !== undefined) return secret;
	}
	return undefined;
}

function plain(
	reg: PersistedRegistration | undefined,
	account: MandoAccount,
): StoredRegistration | undefined {
	if (!reg || reg.account !== account.fingerprint) return undefined;
	const secret = reg.sealedSecret ? openSecret(reg.sealedSecret, account.apiKey) : undefined;
	if (reg.secretLost)
		return { webhookId: reg.webhookId, url: reg.url, events: reg.events, perWebhookSecret: true };
	return {
		webhookId: reg.webhookId,
		url: reg.url,
		events: reg.events,
		...(secret ? { secret } : {}),
		...(reg.perWebhookSecret !== undefined ? { perWebhookSecret: reg.perWebhookSecret } : {}),
		...(reg.deactivatedByTrigger ? { deactivatedByTrigger: true } : {}),
	};
}

function persisted(
	reg: StoredRegistration,
	account: MandoAccount,
	extra: Partial<PersistedRegistration> = {},
): PersistedRegistration {
	return {
		webhookId: reg.webhookId,
		url: reg.url,
		events: reg.events,
		account: account.fingerprint,
		...(reg.secret ? { sealedSecret: sealSecret(reg.secret, account.apiKey) } : {}),
		...(reg.perWebhookSecret !== undefined ? { perWebhookSecret: reg.perWebhookSecret } : {}),
		...extra,
		at: Date.now(),
	};
}

function noWebhookResourceError(ctx: Ctx, url: string): NodeOperationError {
	return new NodeOperationError(
		ctx.getNode(),
		`This Mando account's API has no webhook resource (404 on /secure/webhook), so the trigger cannot register itself. Set Registration to "Manual", then in Mando open Settings → Webhooks → Add Webhook and paste this URL: ${url}`,
		{
			description:
				'Mando lets you add webhooks in its admin panel even where the API does not offer them.',
		},
	);
}

function apiError(ctx: Ctx, error: unknown, url: string): Error {
	if (error instanceof NodeOperationError) return error;
	if (isNotFound(error)) return noWebhookResourceError(ctx, url);
	return asNodeError(ctx, error);
}

/**
 * A registration made on another account than the credential's now (credential moved): its
 * webhook is deactivated there when this process still knows that account, else an error says to
 * do it by hand. A 404 from the credential's *current* account says nothing about it.
 */
async function leaveOtherAccount(
	ctx: Ctx,
	reg: PersistedRegistration,
	account: MandoAccount,
): Promise<void> {
	const log = logger(ctx);
	const old = accounts.get(reg.account);
	const where = reg.account.split('#')[0];
	if (!old) {
		ctx.logger.error(
			`Mando webhook ${reg.webhookId} for ${reg.url} was registered on another Mando account (${where}) than the credential now uses (${account.baseUrl}); this trigger cannot reach that account any more. Deactivate the webhook there (Settings → Webhooks).`,
		);
		return;
	}
	try {
		const done = await deactivateOnAccount(ctx, old, reg.webhookId);
		log.warn(
			`Mando webhook ${reg.webhookId} on the previous account (${where}) ${done ? 'was deactivated by this trigger' : 'is already gone there'}: the credential now points at ${account.baseUrl}.`,
		);
	} catch (error) {
		ctx.logger.error(
			`Mando webhook ${reg.webhookId} on the previous account (${where}) could not be deactivated: ${(error as Error).message}. Deactivate it there (Settings → Webhooks).`,
		);
	}
}

/** True when `reg` needs no per-webhook secret, or the credential's current API key opens its seal. */
function secretOpens(reg: PersistedRegistration, account: MandoAccount): boolean {
	if (reg.secretLost) return false;
	return !reg.sealedSecret || openSecret(reg.sealedSecret, account.apiKey) !== undefined;
}

/** True when `reg` was made under another API key, or its seal does not open (see {@link adoptKeyChange}). */
function needsAdoption(reg: PersistedRegistration, account: MandoAccount): boolean {
	return reg.account !== account.fingerprint || (!reg.secretLost && !secretOpens(reg, account));
}

/**
 * Handles a registration the credential's current API key cannot use as stored: made under another
 * key of the *same* Mando account (same base URL, and the current key reads the stored webhook), or
 * with a seal the current key does not open. The user changed the credential's API key, not the
 * account. The per-webhook secret is re-sealed under the current key when this process still holds
 * a key that opens it (the webhook, and Mando's retries to it, keep verifying); otherwise the
 * registration is marked `secretLost` so the caller replaces the webhook (a new one, whose secret
 * is sealed under the current key). The result is saved.
 *
 * @returns the registration to go on with, or `undefined` when the webhook is not on the
 *   credential's account (moved credential, or the webhook is gone)
 * @throws NodeApiError when Mando refuses the current key (e.g. 401)
 */
async function adoptKeyChange(
	ctx: IHookFunctions | ITriggerFunctions,
	key: RegistrationKey,
	reg: PersistedRegistration,
	account: MandoAccount,
): Promise<PersistedRegistration | undefined> {
	if (reg.account !== account.fingerprint) {
		if (reg.account.split('#')[0] !== account.fingerprint.split('#')[0]) return undefined;
		let remote;
		try {
			remote = await webhookApiFor(ctx).get(reg.webhookId);
		} catch (error) {
			throw apiError(ctx, error, reg.url);
		}
		if (!remote) return undefined;
	}
	const log = logger(ctx);
	const secret =
		reg.sealedSecret && !reg.secretLost ? openWithKnownKeys(reg.sealedSecret, account) : undefined;
	const rest: PersistedRegistration = { ...reg };
	delete rest.sealedSecret;
	delete rest.secretLost;
	let next: PersistedRegistration;
	if (!reg.sealedSecret && !reg.secretLost) {
		next = { ...rest, account: account.fingerprint, at: Date.now() };
		log.info(
			`The Mando credential's API key changed; webhook ${reg.webhookId} is on the same Mando account and stays in use.`,
		);
	} else if (secret !== undefined) {
		next = {
			...rest,
			account: account.fingerprint,
			sealedSecret: sealSecret(secret, account.apiKey),
			at: Date.now(),
		};
		log.warn(
			`The Mando credential's API key changed; the signing secret of Mando webhook ${reg.webhookId} is re-sealed under the new key, so its deliveries (Mando's retries included) keep verifying.`,
		);
	} else {
		next = {
			...rest,
			account: account.fingerprint,
			perWebhookSecret: true,
			secretLost: true,
			at: Date.now(),
		};
		log.warn(
			`The signing secret of Mando webhook ${reg.webhookId} was sealed under an API key the Mando credential no longer has, so its deliveries cannot be verified (401); the webhook is replaced by a new one whose secret is sealed under the current key.`,
		);
	}
	saveRegistration(ctx, key, next);
	return next;
}

/**
 * The error for a trigger whose deliveries are verified with the credential's Webhook Signing
 * Secret while that field is empty: every delivery would be refused and Mando would disable the
 * webhook. Nothing here can repair it.
 */
function noSecretError(ctx: Ctx): NodeOperationError {
	const name = ctx.getNode().credentials?.mandoApi?.name;
	return new NodeOperationError(
		ctx.getNode(),
		`The Mando credential${name ? ` "${name}"` : ''} has an empty Webhook Signing Secret, so every Mando delivery to this trigger is refused (401) and Mando disables the webhook after 5 failed attempts. Copy the webhook secret from Mando (Settings → Webhooks) into the credential's "Webhook Signing Secret" field, then publish this workflow again.`,
		{ description: 'Events Mando sends until then are not delivered to this workflow.' },
	);
}

/**
 * `checkExists`: true when the stored webhook for this URL is active, points here and carries the
 * selected events (always true with manual registration).
 *
 * @throws NodeOperationError for an unreadable credential, an empty Events selection or an account
 *   without a webhook resource; NodeApiError for other API failures
 */
export async function hookCheckExists(ctx: IHookFunctions): Promise<boolean> {
	if ((ctx.getNodeParameter('events', []) as string[]).length === 0) {
		throw new NodeOperationError(
			ctx.getNode(),
			'Select at least one event in "Events" (or "All Events"): with none, every delivery would be ignored.',
		);
	}
	const account = await readAccount(ctx);
	if (!isAutomatic(ctx)) return true;
	const url = ctx.getNodeWebhookUrl('default') as string;
	const key = registrationKey(ctx, url);
	const reg = loadRegistration(ctx, key);
	if (!reg || reg.account !== account.fingerprint || !secretOpens(reg, account)) return false;
	let status;
	try {
		status = await checkRegistration(
			webhookApiFor(ctx),
			plain(reg, account),
			url,
			selectedEvents(ctx),
			logger(ctx),
		);
	} catch (error) {
		throw apiError(ctx, error, url);
	}
	if (status !== 'ok') return false;
	// A publish that runs delete, then finds the webhook as configured (no create follows): it stays active.
	const held = takePendingDeactivation(ctx, key);
	if (held)
		logger(ctx).info(
			`Mando webhook ${reg.webhookId} stayed active across the republish (no gap in deliveries); it is as configured.`,
		);
	return true;
}

/**
 * `create` (and the periodic repair): makes one active webhook for this node's URL and stores it.
 *
 * @returns the stored registration
 * @throws like {@link hookCheckExists}
 */
export async function register(
	ctx: IHookFunctions | ITriggerFunctions,
	url: string,
): Promise<PersistedRegistration> {
	const account = await readAccount(ctx);
	const key = registrationKey(ctx, url);
	const held = takePendingDeactivation(ctx, key);
	let stored: PersistedRegistration;
	try {
		stored = await serialised(ctx, key, async () => await registerNow(ctx, url, account));
	} catch (error) {
		if (held)
			await held.run('the republish could not register this node again').catch(() => undefined);
		throw error as NodeOperationError;
	}
	if (held && held.webhookId !== stored.webhookId) {
		// A new webhook replaced it (new URL with an unknown secret, or the old one was gone): the old one goes once the new one is active.
		await held.run(`republished; webhook ${stored.webhookId} replaces it`).catch(() => undefined);
	} else if (held) {
		logger(ctx).info(
			`Mando webhook ${stored.webhookId} stayed active across the republish (no gap in deliveries); it now serves ${stored.url} with ${stored.events.length} event types.`,
		);
	}
	return stored;
}

async function registerNow(
	ctx: IHookFunctions | ITriggerFunctions,
	url: string,
	account: MandoAccount,
): Promise<PersistedRegistration> {
	remember(accounts, account.fingerprint, { baseUrl: account.baseUrl, apiKey: account.apiKey });
	const key = registrationKey(ctx, url);
	let before = loadRegistration(ctx, key);
	if (before && needsAdoption(before, account)) {
		const adopted = await adoptKeyChange(ctx, key, before, account);
		if (adopted) before = adopted;
		else await leaveOtherAccount(ctx, before, account);
	}
	const workflow = ctx.getWorkflow();
	try {
		const reg = await ensureRegistration(
			webhookApiFor(ctx),
			plain(before, account),
			url,
			selectedEvents(ctx),
			`n8n workflow "${workflow.name ?? workflow.id}" (${ctx.getNode().name})`,
			logger(ctx),
			{
				accountSecretSet: account.webhookSecret !== undefined,
				perWebhookSecrets: before?.secretLost ? true : signing.get(account.fingerprint),
			},
		);
		if (reg.perWebhookSecret !== undefined)
			remember(signing, account.fingerprint, reg.perWebhookSecret);
		const stored = persisted(reg, account);
		saveRegistration(ctx, key, stored);
		return stored;
	} catch (error) {
		throw apiError(ctx, error, url);
	}
}

/**
 * How long `delete` of a production webhook waits before deactivating it. n8n 2.40.7 passes
 * `delete` the same context on an unpublish and on a republish (delete-then-create), so the
 * trigger cannot tell them apart there; a `create` for the same node within this window cancels
 * the deactivation and keeps the webhook active, so a republish leaves no gap in deliveries.
 * Deliveries during the window after a real unpublish reach a URL n8n no longer serves (404) and
 * are retried by Mando until the webhook is inactive, which then drops them.
 */
export const DEACTIVATION_GRACE_MS = 5_000;

/** A production webhook deactivation that `delete` deferred (see {@link DEACTIVATION_GRACE_MS}). */
interface PendingDeactivation {
	webhookId: string | undefined;
	cancelled: boolean;
	/** Deactivates now (once); `why` goes into the log line naming who deactivated it. */
	run: (why: string) => Promise<void>;
}

const pendingDeactivations = new Map<string, PendingDeactivation>();

/** Removes and cancels the deferred deactivation for this node's registration, if any. */
function takePendingDeactivation(ctx: Ctx, key: RegistrationKey): PendingDeactivation | undefined {
	const id = nodeKey(ctx, key);
	const held = pendingDeactivations.get(id);
	if (!held) return undefined;
	pendingDeactivations.delete(id);
	held.cancelled = true;
	return held;
}

/**
 * `delete`: deactivates this URL's webhook (soft delete) on the account it was made on, and keeps
 * the registration (id and sealed secret) so the next publish or test listen re-uses it. A
 * production webhook is deactivated {@link DEACTIVATION_GRACE_MS} later unless a republish's
 * `create` takes it over first; a test webhook at once.
 */
export async function hookDelete(ctx: IHookFunctions): Promise<boolean> {
	if (!isAutomatic(ctx)) return true;
	const url = ctx.getNodeWebhookUrl('default') as string;
	const key = registrationKey(ctx, url);
	const reg = loadRegistration(ctx, key);
	let account: MandoAccount;
	try {
		account = await readAccount(ctx);
	} catch (error) {
		ctx.logger.error(
			`Mando Trigger could not deactivate its Mando webhook for ${url}: ${(error as Error).message}`,
		);
		throw error as NodeOperationError;
	}
	remember(accounts, account.fingerprint, { baseUrl: account.baseUrl, apiKey: account.apiKey });
	if (reg && reg.account !== account.fingerprint) {
		await leaveOtherAccount(ctx, reg, account);
		return true;
	}
	if (key === 'test') {
		await deactivateNow(ctx, key, url, reg, account, 'test listening ended');
		return true;
	}
	takePendingDeactivation(ctx, key);
	let done = false;
	const held: PendingDeactivation = {
		webhookId: reg?.webhookId,
		cancelled: false,
		run: async (why) => {
			if (done) return;
			done = true;
			// n8n has released the hook's expression isolate by now: authenticate with the key read in `delete`.
			await serialised(
				ctx,
				key,
				async () =>
					await deactivateNow(withBearerAuth(ctx, account.apiKey), key, url, reg, account, why),
			);
		},
	};
	pendingDeactivations.set(nodeKey(ctx, key), held);
	logger(ctx).info(
		`Mando webhook ${reg?.webhookId ?? 'for ' + url} will be deactivated by this trigger in ${DEACTIVATION_GRACE_MS / 1000} s unless the workflow is published again (a republish keeps it active).`,
	);
	void (async () => {
		await sleep(DEACTIVATION_GRACE_MS);
		if (held.cancelled) return;
		pendingDeactivations.delete(nodeKey(ctx, key));
		await held.run('workflow unpublished').catch(() => undefined);
	})();
	return true;
}

async function deactivateNow(
	ctx: IHookFunctions,
	key: RegistrationKey,
	url: string,
	reg: PersistedRegistration | undefined,
	account: MandoAccount,
	why: string,
): Promise<void> {
	let byMando = false;
	try {
		const done = await removeRegistration(
			webhookApiFor(ctx),
			reg ? plain(reg, account) : undefined,
			url,
		);
		byMando = done.some((w) => typeof w.data?.disabled_reason === 'string');
		logger(ctx).info(
			`Mando webhook ${done.map((w) => w.id).join(', ') || reg?.webhookId || 'for ' + url} deactivated by this trigger (${why}).`,
		);
	} catch (error) {
		ctx.logger.error(
			`Mando Trigger could not deactivate its Mando webhook for ${url} (${why}): ${(error as Error).message}. Deactivate it in Mando (Settings → Webhooks) if it stays active.`,
		);
		throw asNodeError(ctx, error);
	}
	// A webhook Mando had disabled stays "found disabled" for the next publish's log line; a registration made since is kept.
	const current = loadRegistration(ctx, key);
	if (reg && (!current || current.webhookId === reg.webhookId))
		saveRegistration(ctx, key, { ...reg, deactivatedByTrigger: !byMando, at: Date.now() });
}

/** Runs every deferred deactivation now (tests; n8n calls nothing after an unpublish). */
export async function flushDeactivations(): Promise<void> {
	const held = [...pendingDeactivations.values()];
	pendingDeactivations.clear();
	for (const h of held) h.cancelled = true;
	await Promise.all(
		held.map(async (h) => await h.run('workflow unpublished').catch(() => undefined)),
	);
}

/** What one health check found and did. */
export interface HealthResult {
	status: keyof typeof STATUS_TEXT | 'account-changed' | 'key-changed' | 'secret-lost' | 'skipped';
	repairedAs?: string;
}

/**
 * The periodic check: verifies that deliveries can be verified (the per-webhook secret opens with
 * the credential's current API key, or the credential's Webhook Signing Secret is set) and that
 * the production webhook exists, is active, points here with the selected events on the
 * credential's account; repairs what it can (re-seals the secret after an API-key change, or
 * replaces a webhook whose secret is lost), logging a warning that says what was wrong.
 *
 * @param secretOnly only check the secret (no API request unless the API key changed): the check
 *   `trigger()` runs when it starts
 * @throws NodeApiError / NodeOperationError when Mando refuses (401, 404 resource, 422 URL), the
 *   credential cannot be read, or deliveries need the credential's secret and it is empty
 */
export async function checkAndRepair(
	ctx: ITriggerFunctions,
	{ secretOnly = false }: { secretOnly?: boolean } = {},
): Promise<HealthResult> {
	if (!isAutomatic(ctx)) {
		const account = await readAccount(ctx);
		if (!account.webhookSecret) throw noSecretError(ctx);
		return { status: 'skipped' };
	}
	const reg = loadRegistration(ctx, 'production');
	if (!reg) return { status: 'skipped' };
	const account = await readAccount(ctx);
	if (secretOnly && reg.account === account.fingerprint && secretOpens(reg, account)) {
		if (!reg.sealedSecret && reg.perWebhookSecret !== true && !account.webhookSecret)
			throw noSecretError(ctx);
		return { status: 'ok' };
	}
	return await serialised(ctx, 'production', async () => await checkAndRepairNow(ctx, account));
}

async function checkAndRepairNow(
	ctx: ITriggerFunctions,
	account: MandoAccount,
): Promise<HealthResult> {
	let reg = loadRegistration(ctx, 'production');
	if (!reg) return { status: 'skipped' };
	remember(accounts, account.fingerprint, { baseUrl: account.baseUrl, apiKey: account.apiKey });
	const log = logger(ctx);
	let status: HealthResult['status'];
	let keyChanged = false;
	if (needsAdoption(reg, account)) {
		const adopted = await adoptKeyChange(ctx, 'production', reg, account);
		keyChanged = adopted !== undefined && reg.account !== account.fingerprint;
		if (adopted) reg = adopted;
	}
	if (reg.account !== account.fingerprint) status = 'account-changed';
	else if (reg.secretLost) status = 'secret-lost';
	else {
		try {
			status = await checkRegistration(
				webhookApiFor(ctx),
				plain(reg, account),
				reg.url,
				selectedEvents(ctx),
				log,
			);
		} catch (error) {
			throw apiError(ctx, error, reg.url);
		}
	}
	if (status === 'ok') {
		if (!reg.sealedSecret && reg.perWebhookSecret !== true && !account.webhookSecret)
			throw noSecretError(ctx);
		return { status: keyChanged ? 'key-changed' : 'ok' };
	}
	const what =
		status === 'account-changed'
			? 'was made on another Mando account than the credential now uses'
			: status === 'secret-lost'
				? 'is signed with a secret this trigger can no longer open (the API key changed)'
				: STATUS_TEXT[status];
	const repaired = await registerNow(ctx, reg.url, account);
	log.warn(
		`Mando Trigger health check: webhook ${reg.webhookId} for ${reg.url} ${what}; repaired — webhook ${repaired.webhookId} is active with ${repaired.events.length} event types.`,
	);
	return { status, repairedAs: repaired.webhookId };
}

const opened = new Map<string, string>();

/**
 * Keeps static data and this process's memory holding the newest registration: copies one newer
 * than static data (made by a health check, which n8n does not save) into it, so n8n saves it
 * after the webhook method or with the run; and remembers the one static data holds.
 *
 * Why memory matters in queue mode (n8n 2.40.7): a worker starts a new execution's static data
 * empty (the stored execution's workflow snapshot has no `staticData`; `JobProcessor` reloads it
 * only for a resumed execution) and saves it over the database's when the run ends, without the
 * registration. The webhook processor's next delivery verifies with the remembered registration
 * and writes it back.
 *
 * @returns the newest registration for the run's key
 */
export function carryRegistration(
	ctx: IWebhookFunctions | IExecuteFunctions,
): PersistedRegistration | undefined {
	const key = registrationKey(ctx);
	const reg = loadRegistration(ctx, key);
	if (!reg) return undefined;
	if (readStaticRegistrations(ctx)[key] !== reg) staticRegistrations(ctx)[key] = reg;
	const id = nodeKey(ctx, key);
	if (memory.get(id)?.at !== reg.at) remember(memory, id, reg);
	if ((carried.get(id) ?? 0) < reg.at) remember(carried, id, reg.at);
	return reg;
}

/** Per node and key: `at` of the newest registration a delivery or run of this process put into static data n8n saves. */
const carried = new Map<string, number>();

/**
 * `at` (ms since epoch) of the newest registration for `key` that a delivery or run in this
 * process held in, or wrote into, the static data n8n saves with it; `undefined` when none.
 */
export function carriedAt(ctx: Ctx, key: RegistrationKey): number | undefined {
	return carried.get(nodeKey(ctx, key));
}

/**
 * The per-webhook secret deliveries to this URL are verified with, or `undefined` when the
 * account secret applies (none stored, or Registration is "Manual"). Unsealing needs the API key;
 * the plain secret is kept in memory per sealed value so the credential is read once per secret.
 */
export async function registeredSecret(ctx: IWebhookFunctions): Promise<string | undefined> {
	if (!isAutomatic(ctx)) return undefined;
	// Deliveries to the test URL run in manual mode.
	const reg = carryRegistration(ctx);
	if (!reg?.sealedSecret) return undefined;
	const known = opened.get(reg.sealedSecret);
	if (known) return known;
	// An unreadable credential is answered by the credential-secret path (a 4xx naming the field).
	const account = await readAccount(ctx).catch(() => undefined);
	if (!account) return undefined;
	const secret = openWithKnownKeys(reg.sealedSecret, account);
	if (secret) remember(opened, reg.sealedSecret, secret);
	return secret;
}

/** Forgets this process's memory (tests). */
export function forgetRegistrations(): void {
	for (const h of pendingDeactivations.values()) h.cancelled = true;
	pendingDeactivations.clear();
	memory.clear();
	carried.clear();
	accounts.clear();
	signing.clear();
	opened.clear();
}
