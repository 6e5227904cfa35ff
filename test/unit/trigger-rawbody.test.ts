import type { IWebhookFunctions } from 'n8n-workflow';
import { MandoTrigger } from '../../nodes/MandoTrigger/MandoTrigger.node';

/**
 * A body n8n consumed before the trigger ran (it parses multipart/form-data itself), or whose
 * sender went away, cannot be verified: the trigger answers 400 and starts nothing, never 500
 * (found by the reliability suite's fuzz: a multipart delivery was answered 500).
 */
describe('the trigger with a body it cannot read', () => {
	it('answers 400 BAD_REQUEST and starts no run when readRawBody fails', async () => {
		const response = { headersSent: false, statusCode: 0, body: undefined as unknown, status: (c: number) => ((response.statusCode = c), response), json: (b: unknown) => ((response.body = b), response) };
		const warnings: string[] = [];
		const ctx = {
			getRequestObject: () => ({
				headers: { 'x-mando-signature': 'sha256=' + '0'.repeat(64), 'content-type': 'multipart/form-data; boundary=x' },
				readRawBody: async () => {
					throw new Error('Request body stream was aborted or is not readable');
				},
			}),
			getResponseObject: () => response,
			getWorkflow: () => ({ id: 'wf-raw' }),
			getNode: () => ({ id: 'node-raw', name: 'Mando Trigger' }),
			logger: { warn: (m: string) => warnings.push(m), error: () => undefined, info: () => undefined, debug: () => undefined },
		};
		const result = await new MandoTrigger().webhook.call(ctx as unknown as IWebhookFunctions);
		expect(result.workflowData).toBeUndefined();
		expect(result.noWebhookResponse).toBe(true);
		expect(response.statusCode).toBe(400);
		expect(response.body).toMatchObject({ code: 'BAD_REQUEST' });
		expect(warnings.join('\n')).toContain('rejected a delivery (400)');
	});
});
