import type { IDataObject, IWebhookFunctions } from 'n8n-workflow';

import { MandoTrigger } from '../../../../nodes/MandoTrigger/MandoTrigger.node';
import { forgetCredentialSecrets } from '../../../../nodes/MandoTrigger/secret';
import { signMandoPayload } from '../../../../nodes/shared/signature';
import { describeNodeDescription } from '../../../harness/nodeDescription';

describeNodeDescription('MandoTrigger', new MandoTrigger().description);

/**
 * A body n8n consumed before the trigger ran (it parses multipart/form-data itself), or whose
 * sender went away, cannot be verified: the trigger answers 400 and starts nothing, never 500,
 * because a 500 tells Mando to retry a delivery that can never succeed.
 */
describe('the trigger with a body it cannot read', () => {
	it('answers 400 BAD_REQUEST and starts no run when readRawBody fails', async () => {
		const response = {
			headersSent: false,
			statusCode: 0,
			body: undefined as unknown,
			status: (c: number) => ((response.statusCode = c), response),
			json: (b: unknown) => ((response.body = b), response),
		};
		const warnings: string[] = [];
		const ctx = {
			getRequestObject: () => ({
				headers: {
					'x-mando-signature': 'sha256=' + '0'.repeat(64),
					'content-type': 'multipart/form-data; boundary=x',
				},
				readRawBody: async () => {
					throw new Error('Request body stream was aborted or is not readable');
				},
			}),
			getResponseObject: () => response,
			getWorkflow: () => ({ id: 'wf-raw' }),
			getNode: () => ({ id: 'node-raw', name: 'Mando Trigger' }),
			logger: {
				warn: (m: string) => warnings.push(m),
				error: () => undefined,
				info: () => undefined,
				debug: () => undefined,
			},
		};
		const result = await new MandoTrigger().webhook.call(ctx as unknown as IWebhookFunctions);
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBe(true);
		expect(response.statusCode).toBe(400);
		expect(response.body).toMatchObject({ code: 'BAD_REQUEST' });
		expect(warnings.join('\n')).toContain('rejected a delivery (400)');
	});
});

describe("the trigger's webhook with a reused secret", () => {
	beforeEach(() => forgetCredentialSecrets());

	function delivery(
		secret: { value: string },
		reads: { n: number },
		body: string,
		signWith: string,
	) {
		const raw = Buffer.from(body);
		const parameters: IDataObject = { events: ['*'], acknowledge: 'immediately', options: {} };
		const staticData: IDataObject = {};
		const response = {
			headersSent: false,
			statusCode: 0,
			status: (c: number) => ((response.statusCode = c), response),
			json: () => response,
		};
		const ctx = {
			getRequestObject: () => ({
				rawBody: raw,
				headers: { 'x-mando-signature': signMandoPayload(raw, signWith) },
			}),
			getResponseObject: () => response,
			getNodeParameter: (name: string, fallback?: unknown) =>
				name in parameters ? parameters[name] : fallback,
			getCredentials: async () => (reads.n++, { webhookSecret: secret.value }),
			getWorkflowStaticData: () => staticData,
			getWorkflow: () => ({ id: 'wf-secret' }),
			getNode: () => ({
				id: 'node-secret',
				name: 'Mando Trigger',
				credentials: { mandoApi: { id: 'cred-1', name: 'Mando' } },
			}),
			getMode: () => 'webhook',
			logger: {
				warn: () => undefined,
				error: () => undefined,
				info: () => undefined,
				debug: () => undefined,
			},
		};
		return {
			call: () => new MandoTrigger().webhook.call(ctx as unknown as IWebhookFunctions),
			response,
		};
	}
	const event = (id: string) => JSON.stringify({ id, type: 'sale.created', data: {} });

	it('reads the credential once for many deliveries, and at once again when the secret changed', async () => {
		const secret = { value: 'whsec_old' };
		const reads = { n: 0 };
		for (let i = 0; i < 5; i++) {
			const result = await delivery(secret, reads, event(`evt_a${i}`), 'whsec_old').call();
			expect(result.workflowData?.[0]).toHaveLength(1);
		}
		expect(reads.n).toBe(1);
		secret.value = 'whsec_new';
		const rotated = await delivery(secret, reads, event('evt_b1'), 'whsec_new').call();
		expect(rotated.workflowData?.[0]).toHaveLength(1);
		expect(reads.n).toBe(2);
		// A delivery signed with the old secret no longer verifies: 401; the credential was read
		// after a mismatch just now, so it is not read again.
		const stale = delivery(secret, reads, event('evt_b2'), 'whsec_old');
		expect((await stale.call()).workflowData).toBeUndefined();
		expect(stale.response.statusCode).toBe(401);
		expect(reads.n).toBe(2);
	});
});

/** What a shop owner reads in the editor: n8n 2.40.7's own button names, plain words, short options. */
describe("the trigger's texts", () => {
	const description = new MandoTrigger().description;
	const property = (name: string) => description.properties.find((p) => p.name === name)!;
	/** The subtitle expression evaluated as n8n's editor does, for `events`. */
	const subtitle = (events: string[]) =>
		new Function('$parameter', `return ${description.subtitle!.slice(3, -2)}`)({ events });

	it('names the buttons n8n 2.40.7 shows ("Execute step", "Publish"), not "Listen for test event"', () => {
		const texts = [
			property('httpsNotice').displayName,
			JSON.stringify(description.triggerPanel),
		].join('\n');
		expect(texts).toContain('Execute step');
		expect(texts).toContain('Publish');
		expect(texts).not.toMatch(/listen for test event/i);
	});

	it('keeps HTTPS set-up behind a docs link (no fragment) and has a sentence for n8n Cloud', () => {
		const notice = property('httpsNotice').displayName;
		expect(notice).not.toMatch(/WEBHOOK_URL|tunnel/);
		expect(notice).toContain('n8n Cloud');
		expect(notice).toContain(`href="${description.documentationUrl}"`);
		expect(description.documentationUrl).not.toContain('#');
	});

	it('tells the owner in the listening panel to ring up a test sale, or run the emulator command', () => {
		const panel = description.triggerPanel as {
			header: string;
			executionsHelp: { active: string; inactive: string };
			activationHint: { active: string; inactive: string };
		};
		expect(panel.header).toMatch(/test sale/);
		expect(panel.executionsHelp.inactive).toMatch(/ring up a sale/);
		expect(panel.executionsHelp.inactive).toContain('npm run emulator -- emit sale.created');
		expect(panel.activationHint.inactive).toMatch(/publish/i);
		// The canvas's waiting text under the listening node (n8n's fallback names no sale).
		expect(description.eventTriggerDescription).toBe('Waiting for a test sale from Mando');
	});

	it('Acknowledge: a one-line description with the 5-second limit first, option texts that fit the dropdown', () => {
		const acknowledge = property('acknowledge');
		expect(acknowledge.description).toMatch(/^Mando waits 5 seconds/);
		const options = acknowledge.options as Array<{
			name: string;
			value: string;
			description: string;
		}>;
		expect(options.map((o) => o.value)).toEqual(['immediately', 'afterSuccess']);
		for (const option of options) {
			expect(option.name.length).toBeLessThanOrEqual(20);
			expect(option.description.length).toBeLessThanOrEqual(60);
		}
		expect(options[0].description).toBe(
			'Answers once the run is stored; a failed run is not re-sent',
		);
		expect(options[1].description).toMatch(/^Run must end within 5 s/);
	});

	it('the subtitle names the events in words', () => {
		expect(subtitle(['sale.created', 'stock.low'])).toBe('Sale Created, Stock Low');
		expect(subtitle(['*'])).toBe('All events');
		expect(subtitle([])).toBe('');
	});
});
