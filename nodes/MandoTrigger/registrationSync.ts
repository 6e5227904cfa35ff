import { createHmac } from 'crypto';
import type {
	IDataObject,
	ITriggerFunctions,
	IWebhookFunctions,
	IWebhookResponseData,
} from 'n8n-workflow';
import { signMandoPayload, verifyMandoSignature } from '../shared/signature';
import { respond } from './delivery';
import {
	isAutomatic,
	readAccount,
	saveToStaticData,
	storedRegistration,
	type MandoAccount,
	type PersistedRegistration,
} from './lifecycle';
import { sameUrl } from './registration';

/**
 * Saving a registration that the health check changed.
 *
 * The health check runs in `trigger()`, and n8n 2.40.7 saves static data changed there only on
 * emit, activation and error recovery, never on a cron tick (n8n's
 * `TriggerExecutionContextFactory`); queue-mode webhook processors read static data from the
 * database for every request (`LiveWebhooks.executeWebhook`). A webhook the check re-created, with
 * Mando's new signing secret, would so be known to the leader's memory only: a restart before the
 * next delivery, or a delivery reaching a webhook processor, could not verify its deliveries.
 *
 * So after a repair the trigger sends its own production webhook URL a *registration sync*: a POST
 * whose body carries the registration (the secret sealed, as in static data) and whose
 * {@link SYNC_HEADER} is the body's HMAC-SHA256 under a key derived from the credential's API key.
 * `webhook()`, in whichever process receives it, stores the registration in static data, and n8n
 * saves that before it answers (`LiveWebhooks.executeWebhook` saves static data when a webhook
 * method returns without starting a run). Only a holder of the API key can sign one; that holder
 * can already open the sealed secret, so the sync widens no trust.
 */

/** The header that marks and signs a registration sync (as Node lower-cases it): `sha256=<hex>`. */
export const SYNC_HEADER = 'x-n8n-mando-registration-sync';

const LABEL = 'n8n-nodes-mando registration sync v1';

/** ms the trigger waits for its own webhook URL to answer a sync. */
export const SYNC_TIMEOUT_MS = 5_000;

/** The key a sync is signed with: hex HMAC-SHA256 of a fixed label under the API key. */
function syncKey(apiKey: string): string {
	return createHmac('sha256', apiKey).update(LABEL).digest('hex');
}

/** The body and {@link SYNC_HEADER} value of a sync carrying `registration`. */
export function syncRequest(
	registration: PersistedRegistration,
	apiKey: string,
): { body: string; signature: string } {
	const body = JSON.stringify({ registration });
	return { body, signature: signMandoPayload(body, syncKey(apiKey)) };
}

function isRegistration(value: unknown): value is PersistedRegistration {
	const r = value as Partial<PersistedRegistration> | null;
	return (
		typeof r === 'object' &&
		r !== null &&
		typeof r.webhookId === 'string' &&
		typeof r.url === 'string' &&
		typeof r.account === 'string' &&
		typeof r.at === 'number' &&
		Array.isArray(r.events) &&
		r.events.every((e) => typeof e === 'string') &&
		(r.sealedSecret === undefined || typeof r.sealedSecret === 'string')
	);
}

/** What {@link readSync} found: the registration, or why the request is refused. */
export type SyncReading =
	| { ok: true; registration: PersistedRegistration }
	| { ok: false; status: 400 | 401; message: string };

/**
 * Verifies and parses a sync request. Pure; never throws.
 *
 * @param rawBody the body exactly as received
 * @param signature the {@link SYNC_HEADER} value
 * @param apiKey the credential's API key
 */
export function readSync(
	rawBody: Buffer,
	signature: string | string[] | undefined,
	apiKey: string,
): SyncReading {
	if (!verifyMandoSignature(rawBody, signature, syncKey(apiKey)).valid)
		return {
			ok: false,
			status: 401,
			message: 'The registration sync is not signed with this credential',
		};
	let parsed: unknown;
	try {
		parsed = JSON.parse(rawBody.toString('utf8'));
	} catch {
		parsed = undefined;
	}
	const registration = (parsed as { registration?: unknown } | undefined)?.registration;
	if (!isRegistration(registration))
		return { ok: false, status: 400, message: 'The registration sync carries no registration' };
	return { ok: true, registration };
}

/** Whether a verified sync's registration replaces `current` for this node. */
export type SyncVerdict = 'saved' | 'kept-newer' | 'other-account' | 'other-url';

/**
 * Decides whether `incoming` replaces `current`: it must be made on the credential's account for
 * this node's production URL, and be newer (a replayed older sync changes nothing).
 */
export function syncVerdict(
	incoming: PersistedRegistration,
	current: PersistedRegistration | undefined,
	account: Pick<MandoAccount, 'fingerprint'>,
	productionUrl: string,
): SyncVerdict {
	if (incoming.account !== account.fingerprint) return 'other-account';
	if (!sameUrl(incoming.url, productionUrl)) return 'other-url';
	if (current && current.at >= incoming.at) return 'kept-newer';
	return 'saved';
}

/** True when this request is a registration sync (it carries {@link SYNC_HEADER}). */
export function isRegistrationSync(ctx: IWebhookFunctions): boolean {
	return ctx.getRequestObject().headers[SYNC_HEADER] !== undefined;
}

/**
 * `webhook()` for a registration sync: verifies it, stores a newer registration in static data
 * (n8n saves it before the answer goes out) and answers `{ ok, saved }`. Never starts a run.
 * Refusals: 401 unsigned or signed with another key, 400 malformed, 409 for a test URL, a
 * "Manual" registration, another account or another URL.
 */
export async function receiveRegistrationSync(
	ctx: IWebhookFunctions,
	rawBody: Buffer,
): Promise<IWebhookResponseData> {
	const refuse = (status: number, message: string): IWebhookResponseData => {
		ctx.logger.warn(`Mando Trigger refused a registration sync (${status}): ${message}`, {
			workflowId: ctx.getWorkflow().id,
			node: ctx.getNode().name,
		});
		return respond(ctx, status, 'REGISTRATION_SYNC_REFUSED', message);
	};
	if (ctx.getMode() === 'manual' || !isAutomatic(ctx))
		return refuse(
			409,
			'Only a published trigger with automatic registration takes a registration sync',
		);
	const account = await readAccount(ctx);
	const reading = readSync(rawBody, ctx.getRequestObject().headers[SYNC_HEADER], account.apiKey);
	if (!reading.ok) return refuse(reading.status, reading.message);
	// Compared with static data, not memory: in the process that made the repair, memory has it already.
	const current = storedRegistration(ctx, 'production');
	const productionUrl = ctx.getNodeWebhookUrl('default') ?? '';
	const verdict = syncVerdict(reading.registration, current, account, productionUrl);
	if (verdict === 'other-account' || verdict === 'other-url')
		return refuse(
			409,
			`The registration was made for ${verdict === 'other-account' ? 'another Mando account' : 'another URL'}`,
		);
	if (verdict === 'saved') saveToStaticData(ctx, 'production', reading.registration);
	// Answered through n8n (not written here), so n8n saves static data first.
	return { webhookResponse: { ok: true, saved: verdict === 'saved' } as IDataObject };
}

/** What {@link pushRegistration} achieved. */
export type SyncOutcome = { ok: true; saved: boolean } | { ok: false; why: string };

/**
 * Sends `registration` to the trigger's own production URL as a registration sync.
 *
 * @returns `ok` once a process of this n8n holds it in the saved static data (`saved`: it had to
 *   write it; false when the database held it, or a newer one, already); otherwise why not (an
 *   HTTP status and message, or the network error), for the caller's log line
 */
export async function pushRegistration(
	ctx: ITriggerFunctions,
	registration: PersistedRegistration,
	account: MandoAccount,
): Promise<SyncOutcome> {
	const { body, signature } = syncRequest(registration, account.apiKey);
	try {
		const res = (await ctx.helpers.httpRequest({
			method: 'POST',
			url: registration.url,
			body,
			headers: { 'content-type': 'application/json', [SYNC_HEADER]: signature },
			json: false,
			timeout: SYNC_TIMEOUT_MS,
			returnFullResponse: true,
			ignoreHttpStatusErrors: true,
		})) as { statusCode: number; body: unknown };
		const answer = parseAnswer(res.body);
		if (res.statusCode === 200 && answer?.ok === true)
			return { ok: true, saved: answer.saved === true };
		return { ok: false, why: refusalReason(res.statusCode, answer) };
	} catch (error) {
		return {
			ok: false,
			why: `n8n could not reach its own webhook URL (${(error as Error).message}); the address in N8N_WEBHOOK_URL (WEBHOOK_URL) must also work from the n8n host itself`,
		};
	}
}

/** What an answer other than `{ ok: true }` says about the way from n8n to its own URL. */
function refusalReason(status: number, answer: SyncAnswer | undefined): string {
	const said = `HTTP ${status}${typeof answer?.message === 'string' ? `: ${answer.message}` : ''}`;
	if (answer?.code === 'INVALID_SIGNATURE')
		return `${said}: the request reached the trigger without its X-N8n-Mando-Registration-Sync header, so something between n8n and its public URL (a reverse proxy or gateway) drops that header; let it through`;
	if (status === 401 && answer?.code === 'REGISTRATION_SYNC_REFUSED')
		return `${said}: the n8n that answered reads another API key for this credential`;
	if (status === 404)
		return `${said}: the public URL does not lead to this n8n's published workflow (another n8n behind the address, or a path the proxy does not pass)`;
	if (status === 401 || status === 403)
		return `${said}: something in front of n8n (basic auth, an IP allowlist, a WAF) refuses n8n's own request`;
	return said;
}

type SyncAnswer = { ok?: unknown; saved?: unknown; code?: unknown; message?: unknown };

function parseAnswer(body: unknown): SyncAnswer | undefined {
	if (typeof body === 'object' && body !== null && !Buffer.isBuffer(body))
		return body as SyncAnswer;
	try {
		return JSON.parse(Buffer.isBuffer(body) ? body.toString('utf8') : String(body)) as SyncAnswer;
	} catch {
		return undefined;
	}
}
