import type { IDataObject, INode, IWebhookFunctions } from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { MandoTrigger } from '../../nodes/MandoTrigger/MandoTrigger.node';
import { credentialSecret, forgetCredentialSecrets, SECRET_REREAD_MIN_MS, SECRET_REUSE_MS, SecretUnavailableError } from '../../nodes/MandoTrigger/secret';
import { acknowledgeResponseFields } from '../../nodes/MandoTrigger/webhookFields';
import { RecentEventIds, dedupSize, getDedupState, isHandled, markEvent } from '../../nodes/MandoTrigger/dedup';
import { signMandoPayload } from '../../nodes/shared/signature';

/**
 * The trigger's per-delivery fast path (issue 5, found by `npm run bench`): native resolvers for
 * the webhook description, the reused credential secret, and the de-duplication merge watermark.
 */

describe('acknowledgeResponseFields', () => {
	const evaluate = (template: string, acknowledge: string) => {
		const node: INode = { id: 'n', name: 'Mando Trigger', type: 'CUSTOM.mandoTrigger', typeVersion: 1, position: [0, 0], parameters: { acknowledge } };
		const nodeTypes = { getByName: () => undefined, getByNameAndVersion: () => undefined, getKnownTypes: () => ({}) };
		const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes: nodeTypes as never });
		return workflow.expression.getSimpleParameterValue(node, template, 'internal', {});
	};

	it.each([
		['immediately', 'onReceived', ''],
		['afterSuccess', 'lastNode', 'noData'],
	])('Acknowledge %s: the native resolvers and the templates agree (%s, "%s")', (acknowledge, mode, data) => {
		const fields = acknowledgeResponseFields() as IDataObject & Record<symbol, Record<string, { resolve: (p: IDataObject) => unknown }>>;
		const resolvers = fields[Symbol.for('n8n.webhookDescriptionResolvers')];
		expect(resolvers.responseMode.resolve({ acknowledge })).toBe(mode);
		expect(resolvers.responseData.resolve({ acknowledge })).toBe(data);
		expect(evaluate(fields.responseMode as string, acknowledge)).toBe(mode);
		expect(evaluate(fields.responseData as string, acknowledge)).toBe(data);
	});

	it('falls back to the same templates on an n8n-workflow without webhookDescriptionFields', () => {
		const plain = acknowledgeResponseFields({});
		expect(Object.getOwnPropertySymbols(plain)).toHaveLength(0);
		expect(plain).toEqual({ responseMode: acknowledgeResponseFields().responseMode, responseData: acknowledgeResponseFields().responseData });
		expect(evaluate(plain.responseMode as string, 'afterSuccess')).toBe('lastNode');
		expect(evaluate(plain.responseData as string, 'immediately')).toBe('');
	});

	it('is what the node declares, and n8n can resolve it without its expression engine', () => {
		const webhook = new MandoTrigger().description.webhooks![0];
		expect(webhook.responseMode).toBe(acknowledgeResponseFields().responseMode);
		expect(n8nWorkflow.webhookDescriptionIsNativelyResolvable(webhook)).toBe(true);
		const node = { parameters: { events: ['*'], acknowledge: 'afterSuccess' } };
		expect(n8nWorkflow.resolveWebhookDescriptionField(node, webhook, 'responseMode')).toEqual({ resolved: true, value: 'lastNode' });
	});
});

describe('credentialSecret', () => {
	beforeEach(() => forgetCredentialSecrets());

	it(`reads the credential once per ${SECRET_REUSE_MS / 1000} s per key, and again when asked for a fresh one`, async () => {
		const load = jest.fn(async () => 'whsec_1');
		expect(await credentialSecret('k', load, 0)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS - 1)).toEqual({ secret: 'whsec_1', reused: true });
		expect(await credentialSecret('other', load, 1)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS)).toEqual({ secret: 'whsec_1', reused: false });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS + 1, true)).toEqual({ secret: 'whsec_1', reused: false });
		// a second fresh read within SECRET_REREAD_MIN_MS gives the remembered answer
		expect(await credentialSecret('k', load, SECRET_REUSE_MS + 2, true)).toEqual({ secret: 'whsec_1', reused: true });
		expect(await credentialSecret('k', load, SECRET_REUSE_MS + 1 + SECRET_REREAD_MIN_MS, true)).toEqual({ secret: 'whsec_1', reused: false });
		expect(load).toHaveBeenCalledTimes(5);
	});

	it(`remembers a failed read for ${SECRET_REREAD_MIN_MS / 1000} s, then reads again`, async () => {
		const failing = jest.fn(async () => Promise.reject(new Error('access to env vars denied')));
		await expect(credentialSecret('k', failing, 0)).rejects.toThrow(SecretUnavailableError);
		await expect(credentialSecret('k', failing, SECRET_REREAD_MIN_MS - 1)).rejects.toThrow('access to env vars denied');
		await expect(credentialSecret('k', failing, 1, true)).rejects.toThrow('access to env vars denied');
		expect(failing).toHaveBeenCalledTimes(1);
		expect(await credentialSecret('k', async () => 'whsec_2', SECRET_REREAD_MIN_MS)).toEqual({ secret: 'whsec_2', reused: false });
	});
});

describe("the trigger's webhook with a reused secret", () => {
	beforeEach(() => forgetCredentialSecrets());

	function delivery(secret: { value: string }, reads: { n: number }, body: string, signWith: string) {
		const raw = Buffer.from(body);
		const parameters: IDataObject = { events: ['*'], acknowledge: 'immediately', options: {} };
		const staticData: IDataObject = {};
		const response = { headersSent: false, statusCode: 0, status: (c: number) => ((response.statusCode = c), response), json: () => response };
		const ctx = {
			getRequestObject: () => ({ rawBody: raw, headers: { 'x-mando-signature': signMandoPayload(raw, signWith) } }),
			getResponseObject: () => response,
			getNodeParameter: (name: string, fallback?: unknown) => (name in parameters ? parameters[name] : fallback),
			getCredentials: async () => (reads.n++, { webhookSecret: secret.value }),
			getWorkflowStaticData: () => staticData,
			getWorkflow: () => ({ id: 'wf-secret' }),
			getNode: () => ({ id: 'node-secret', name: 'Mando Trigger', credentials: { mandoApi: { id: 'cred-1', name: 'Mando' } } }),
			getMode: () => 'webhook',
			logger: { warn: () => undefined, error: () => undefined, info: () => undefined, debug: () => undefined },
		};
		return { call: () => new MandoTrigger().webhook.call(ctx as unknown as IWebhookFunctions), response };
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

describe('RecentEventIds merge watermark', () => {
	it('copies marks made after the state was saved, skipping older ones it already holds', () => {
		const recent = new RecentEventIds();
		const saved = getDedupState({});
		recent.set('evt_1', 'handled', 1000);
		recent.mergeInto(saved, 1000);
		expect(isHandled(saved, 'evt_1')).toBe(true);
		const snapshot = JSON.parse(JSON.stringify(saved)) as ReturnType<typeof getDedupState>;
		// A concurrent delivery marks evt_2 after the snapshot was taken; a later request loads the snapshot.
		recent.set('evt_2', 'handled', 1001);
		recent.mergeInto(snapshot, 1002);
		expect(isHandled(snapshot, 'evt_1')).toBe(true);
		expect(isHandled(snapshot, 'evt_2')).toBe(true);
		// A watermark at the memory's head: ids the state lost before it are not looked up again.
		snapshot.b = {};
		recent.mergeInto(snapshot, 1003);
		expect(isHandled(snapshot, 'evt_1')).toBe(false);
	});

	it("merges everything it holds into a state with another memory's watermark (another process, a restart)", () => {
		const other = new RecentEventIds();
		const state = getDedupState({});
		other.set('evt_x', 'handled', 1000);
		other.mergeInto(state, 1000);
		const recent = new RecentEventIds();
		recent.set('evt_1', 'handled', 1000);
		recent.set('evt_2', 'in-flight', 1000);
		recent.mergeInto(state, 1001);
		expect(isHandled(state, 'evt_1')).toBe(true);
		expect(isHandled(state, 'evt_2')).toBe(false);
		// evt_2 succeeds later: handled with a newer mark, merged on the next delivery.
		recent.set('evt_2', 'handled', 1002);
		recent.mergeInto(state, 1003);
		expect(isHandled(state, 'evt_2')).toBe(true);
	});

	it('keeps its log bounded under sustained load', () => {
		const recent = new RecentEventIds(60_000, 100);
		const state = getDedupState({});
		for (let i = 0; i < 10_000; i++) {
			recent.set(`evt_${i}`, 'handled', 1000 + i);
			recent.mergeInto(state, 1000 + i);
		}
		expect(recent.size).toBe(100);
		expect((recent as unknown as { log: unknown[] }).log.length).toBeLessThanOrEqual(201);
		expect(isHandled(state, 'evt_9999')).toBe(true);
		markEvent(state, 'evt_extra', 'handled', 20_000);
		expect(dedupSize(state)).toBe(10_001);
	});
});
