import { randomBytes } from 'crypto';
import type { Emulator } from '../emulator/server';
import { PACKAGE } from '../harness/community-package';
import { delay, nodeOutput, type N8n, type N8nExecution } from '../harness/n8n';
import { lastNodeWebhook, mandoNode, publish, unpublish } from '../harness/workflows';

/**
 * One call of the installed Mando action node, for the compatibility suite: the workflow
 * "Webhook → Create Product" (answering with the last node's item) is published, called once and
 * unpublished; the answer, the emulator's stored product and the execution must agree.
 *
 * @param label product name, also the workflow's name suffix
 * @returns the stored product's id and the finished execution
 */
export async function createProductThroughWorkflow(
	n8n: N8n,
	emulator: Emulator,
	credential: { id: string; name: string },
	label: string,
): Promise<{ productId: string; status: number; execution: N8nExecution }> {
	const webhookPath = `mando-compat-${randomBytes(4).toString('hex')}`;
	const create = mandoNode(
		'Create Product',
		220,
		{
			resource: 'product',
			operation: 'create',
			name: '={{ $json.body.name }}',
			additionalFields: { productid: 'COMPAT-1', base_price: 4.5 },
		},
		credential,
		false,
		PACKAGE,
	);
	const webhook = lastNodeWebhook(webhookPath);
	const workflow = await n8n.api<{ id: string }>('POST', '/workflows', {
		name: `Mando compat action ${label}`,
		nodes: [webhook, create],
		connections: { Webhook: { main: [[{ node: create.name, type: 'main', index: 0 }]] } },
		settings: {
			executionOrder: 'v1',
			saveDataSuccessExecution: 'all',
			saveDataErrorExecution: 'all',
		},
	});
	await publish(n8n, workflow.id);
	try {
		let res: Response | undefined;
		for (let i = 0; i < 50; i++) {
			res = await fetch(n8n.webhookUrl(webhookPath), {
				method: 'POST',
				headers: { 'Content-Type': 'application/json' },
				body: JSON.stringify({ name: label }),
			});
			if (res.status !== 404) break; // 404 until n8n has registered the webhook
			await delay(200);
		}
		expect(res?.status).toBe(200);
		const answer = (await res!.json()) as { id: string; name: string };
		expect(answer).toMatchObject({ name: label, productid: 'COMPAT-1', base_price: 4.5 });
		expect(emulator.entity('plu', answer.id)).toMatchObject({ name: label, productid: 'COMPAT-1' });
		const [execution] = await n8n.waitForExecutions(workflow.id, 1);
		expect(execution?.status).toBe('success');
		expect(nodeOutput(execution, 'Create Product')).toEqual([
			expect.objectContaining({ id: answer.id }),
		]);
		return { productId: answer.id, status: res!.status, execution };
	} finally {
		await unpublish(n8n, workflow.id);
	}
}
