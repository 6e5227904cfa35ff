import { createHmac } from 'crypto';
import type { IDataObject, ITriggerFunctions, IWebhookFunctions } from 'n8n-workflow';

import { MandoTrigger } from '../../../../nodes/MandoTrigger/MandoTrigger.node';
import {
	forgetRegistrations,
	saveRegistration,
	type PersistedRegistration,
} from '../../../../nodes/MandoTrigger/lifecycle';
import {
	pushRegistration,
	readSync,
	SYNC_HEADER,
	syncRequest,
	syncVerdict,
} from '../../../../nodes/MandoTrigger/registrationSync';
import { accountFingerprint } from '../../../../nodes/MandoTrigger/sealedSecret';
import { signMandoPayload } from '../../../../nodes/shared/signature';

/**
 * The registration sync: how a repair made by the health check (in `trigger()`, whose static data
 * n8n does not save) reaches the static data n8n saves, in whichever process receives it.
 */

const BASE_URL = 'http://127.0.0.1:1/api';
const API_KEY = 'sync-api-key';
const URL = 'http://127.0.0.1:5678/webhook/abc/webhook';
const account = { fingerprint: accountFingerprint(BASE_URL, API_KEY) };

function registration(overrides: Partial<PersistedRegistration> = {}): PersistedRegistration {
	return {
		webhookId: 'wh_new',
		url: URL,
		events: ['sale.created'],
		account: account.fingerprint,
		sealedSecret: 'v1.iv.tag.data',
		perWebhookSecret: true,
		at: 2_000,
		...overrides,
	};
}

describe('readSync', () => {
	it('returns the registration of a request signed with the credential', () => {
		const reg = registration();
		const { body, signature } = syncRequest(reg, API_KEY);
		expect(readSync(Buffer.from(body), signature, API_KEY)).toEqual({
			ok: true,
			registration: reg,
		});
	});

	it('refuses with 401 a request signed under another API key, unsigned, or with a changed body', () => {
		const { body, signature } = syncRequest(registration(), API_KEY);
		expect(readSync(Buffer.from(body), signature, 'another-key')).toMatchObject({ status: 401 });
		expect(readSync(Buffer.from(body), undefined, API_KEY)).toMatchObject({ status: 401 });
		const changed = body.replace('wh_new', 'wh_bad');
		expect(readSync(Buffer.from(changed), signature, API_KEY)).toMatchObject({ status: 401 });
	});

	it('refuses with 400 a signed body without a usable registration', () => {
		// The sync key as registrationSync.ts derives it, to sign unusable bodies correctly.
		const key = createHmac('sha256', API_KEY).update('n8n-nodes-mando registration sync v1');
		const hex = key.digest('hex');
		for (const payload of ['not json', '{}', JSON.stringify({ registration: { webhookId: 1 } })]) {
			const signed = signMandoPayload(payload, hex);
			expect(readSync(Buffer.from(payload), signed, API_KEY)).toMatchObject({ status: 400 });
		}
	});
});

describe('syncVerdict', () => {
	it('saves a newer registration for this account and URL', () => {
		expect(
			syncVerdict(registration(), registration({ webhookId: 'wh_old', at: 1_000 }), account, URL),
		).toBe('saved');
		expect(syncVerdict(registration(), undefined, account, URL)).toBe('saved');
	});
	it('keeps a registration as new or newer (a replayed sync changes nothing)', () => {
		expect(
			syncVerdict(registration({ at: 1_000 }), registration({ at: 2_000 }), account, URL),
		).toBe('kept-newer');
		expect(syncVerdict(registration(), registration(), account, URL)).toBe('kept-newer');
	});
	it('refuses one for another account or URL', () => {
		expect(syncVerdict(registration({ account: 'x#0' }), undefined, account, URL)).toBe(
			'other-account',
		);
		expect(
			syncVerdict(
				registration({ url: 'http://127.0.0.1:5678/webhook/other/webhook' }),
				undefined,
				account,
				URL,
			),
		).toBe('other-url');
	});
});

describe("the trigger's webhook with a registration sync", () => {
	beforeEach(() => forgetRegistrations());

	/** A webhook call in a process that has only the database's static data (as a webhook processor). */
	function receive(
		staticData: IDataObject,
		body: string,
		signature: string | undefined,
		mode = 'webhook',
	) {
		const response = {
			headersSent: false,
			statusCode: 0,
			body: undefined as unknown,
			status: (c: number) => ((response.statusCode = c), response),
			json: (b: unknown) => ((response.body = b), response),
		};
		const warnings: string[] = [];
		const headers = {
			'content-type': 'application/json',
			...(signature ? { [SYNC_HEADER]: signature } : {}),
		};
		const ctx = {
			getRequestObject: () => ({ rawBody: Buffer.from(body), headers }),
			getResponseObject: () => response,
			getNodeParameter: (name: string, fallback?: unknown) =>
				name === 'registration' ? 'automatic' : fallback,
			getNodeWebhookUrl: () => URL,
			getCredentials: async () => ({ apiKey: API_KEY, baseUrl: BASE_URL, webhookSecret: '' }),
			getWorkflowStaticData: () => staticData,
			getWorkflow: () => ({ id: 'wf-sync' }),
			getNode: () => ({ id: 'node-sync', name: 'Mando Trigger' }),
			getMode: () => mode,
			logger: {
				warn: (m: string) => warnings.push(m),
				error: (m: string) => warnings.push(m),
				info: () => undefined,
				debug: () => undefined,
			},
		};
		return new MandoTrigger().webhook
			.call(ctx as unknown as IWebhookFunctions)
			.then((result) => ({ result, response, warnings }));
	}

	it('stores a signed newer registration in static data and answers through n8n, starting no run', async () => {
		const staticData: IDataObject = {
			registrations: { production: registration({ webhookId: 'wh_deleted', at: 1_000 }) },
		};
		const reg = registration();
		const { body, signature } = syncRequest(reg, API_KEY);
		const { result, response } = await receive(staticData, body, signature);
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBeUndefined();
		expect(result.webhookResponse).toEqual({ ok: true, saved: true });
		expect(response.statusCode).toBe(0); // n8n writes the answer, after saving static data
		expect((staticData.registrations as IDataObject).production).toEqual(reg);
	});

	it('stores it also in the process that made the repair, whose memory holds it already', async () => {
		const reg = registration();
		// The health check's trigger() context: its own static data object, which n8n does not save.
		const triggerCtx = {
			getWorkflowStaticData: () => ({}),
			getWorkflow: () => ({ id: 'wf-sync' }),
			getNode: () => ({ id: 'node-sync', name: 'Mando Trigger' }),
			getMode: () => 'trigger',
		};
		saveRegistration(triggerCtx as unknown as IWebhookFunctions, 'production', reg);
		const staticData: IDataObject = {
			registrations: { production: registration({ webhookId: 'wh_deleted', at: 1_000 }) },
		};
		const { body, signature } = syncRequest(reg, API_KEY);
		const { result } = await receive(staticData, body, signature);
		expect(result.webhookResponse).toEqual({ ok: true, saved: true });
		expect((staticData.registrations as IDataObject).production).toEqual(reg);
	});

	it('answers ok without a change when the stored registration is newer', async () => {
		const newer = registration({ webhookId: 'wh_newer', at: 9_000 });
		const staticData: IDataObject = { registrations: { production: newer } };
		const { body, signature } = syncRequest(registration(), API_KEY);
		const { result } = await receive(staticData, body, signature);
		expect(result.webhookResponse).toEqual({ ok: true, saved: false });
		expect((staticData.registrations as IDataObject).production).toBe(newer);
	});

	it('answers 401 to a forged sync, 409 on a test URL, and changes nothing', async () => {
		const before = registration({ webhookId: 'wh_deleted', at: 1_000 });
		const staticData: IDataObject = { registrations: { production: before } };
		const { body } = syncRequest(registration(), API_KEY);
		const forged = syncRequest(registration(), 'guessed-key').signature;
		const a = await receive(staticData, body, forged);
		expect(a.result.workflowData).toBeUndefined();
		expect(a.response.statusCode).toBe(401);
		expect(a.warnings.join('\n')).toContain('refused a registration sync (401)');
		const { signature } = syncRequest(registration(), API_KEY);
		const b = await receive(staticData, body, signature, 'manual');
		expect(b.response.statusCode).toBe(409);
		expect((staticData.registrations as IDataObject).production).toBe(before);
		expect(JSON.stringify([a.warnings, b.warnings])).not.toContain(API_KEY);
	});
});

describe('pushRegistration', () => {
	const account = {
		baseUrl: BASE_URL,
		apiKey: API_KEY,
		webhookSecret: undefined,
		fingerprint: accountFingerprint(BASE_URL, API_KEY),
	};
	/** A trigger context whose `httpRequest` answers as `answer` says (n8n's helper with returnFullResponse). */
	const triggerCtx = (answer: () => Promise<{ statusCode: number; body: unknown }>) =>
		({ helpers: { httpRequest: answer } }) as unknown as ITriggerFunctions;

	it('is ok once the trigger answered ok, saved or not', async () => {
		const ok = triggerCtx(async () => ({ statusCode: 200, body: '{"ok":true,"saved":true}' }));
		expect(await pushRegistration(ok, registration(), account)).toEqual({ ok: true, saved: true });
	});

	it('names the cause a user can fix: a dropped header, an unreachable URL, a gate in front of n8n', async () => {
		const dropped = triggerCtx(async () => ({
			statusCode: 401,
			body: { code: 'INVALID_SIGNATURE', message: 'Missing X-Mando-Signature header' },
		}));
		const unreachable = triggerCtx(async () => {
			throw new Error('getaddrinfo ENOTFOUND n8n.example.fi');
		});
		const gate = triggerCtx(async () => ({ statusCode: 403, body: 'Forbidden' }));
		const why = async (ctx: ITriggerFunctions) => {
			const outcome = await pushRegistration(ctx, registration(), account);
			return outcome.ok ? '' : outcome.why;
		};
		expect(await why(dropped)).toContain('drops that header');
		expect(await why(unreachable)).toContain('could not reach its own webhook URL');
		expect(await why(unreachable)).toContain('N8N_WEBHOOK_URL');
		expect(await why(gate)).toContain('basic auth, an IP allowlist');
		expect([await why(dropped), await why(gate)].join()).not.toContain(API_KEY);
	});
});
