import type { IDataObject, INode } from 'n8n-workflow';
import * as n8nWorkflow from 'n8n-workflow';
import { Workflow } from 'n8n-workflow';

import { MandoTrigger } from '../../../../nodes/MandoTrigger/MandoTrigger.node';
import { acknowledgeResponseFields } from '../../../../nodes/MandoTrigger/webhookFields';

/**
 * The webhook description's response fields: native resolvers, so n8n answers a delivery without
 * starting its expression engine, and templates that give the same answers.
 */

describe('acknowledgeResponseFields', () => {
	const evaluate = (template: string, acknowledge: string) => {
		const node: INode = {
			id: 'n',
			name: 'Mando Trigger',
			type: 'CUSTOM.mandoTrigger',
			typeVersion: 1,
			position: [0, 0],
			parameters: { acknowledge },
		};
		const nodeTypes = {
			getByName: () => undefined,
			getByNameAndVersion: () => undefined,
			getKnownTypes: () => ({}),
		};
		const workflow = new Workflow({
			nodes: [node],
			connections: {},
			active: false,
			nodeTypes: nodeTypes as never,
		});
		return workflow.expression.getSimpleParameterValue(node, template, 'internal', {});
	};

	it.each([
		['immediately', 'onReceived', ''],
		['afterSuccess', 'lastNode', 'noData'],
	])(
		'Acknowledge %s: the native resolvers and the templates agree (%s, "%s")',
		(acknowledge, mode, data) => {
			const fields = acknowledgeResponseFields() as IDataObject &
				Record<symbol, Record<string, { resolve: (p: IDataObject) => unknown }>>;
			const resolvers = fields[Symbol.for('n8n.webhookDescriptionResolvers')];
			expect(resolvers.responseMode.resolve({ acknowledge })).toBe(mode);
			expect(resolvers.responseData.resolve({ acknowledge })).toBe(data);
			expect(evaluate(fields.responseMode as string, acknowledge)).toBe(mode);
			expect(evaluate(fields.responseData as string, acknowledge)).toBe(data);
		},
	);

	it('falls back to the same templates on an n8n-workflow without webhookDescriptionFields', () => {
		const plain = acknowledgeResponseFields({});
		expect(Object.getOwnPropertySymbols(plain)).toHaveLength(0);
		expect(plain).toEqual({
			responseMode: acknowledgeResponseFields().responseMode,
			responseData: acknowledgeResponseFields().responseData,
		});
		expect(evaluate(plain.responseMode as string, 'afterSuccess')).toBe('lastNode');
		expect(evaluate(plain.responseData as string, 'immediately')).toBe('');
	});

	it('is what the node declares, and n8n can resolve it without its expression engine', () => {
		const webhook = new MandoTrigger().description.webhooks![0];
		expect(webhook.responseMode).toBe(acknowledgeResponseFields().responseMode);
		expect(n8nWorkflow.webhookDescriptionIsNativelyResolvable(webhook)).toBe(true);
		const node = { parameters: { events: ['*'], acknowledge: 'afterSuccess' } };
		expect(n8nWorkflow.resolveWebhookDescriptionField(node, webhook, 'responseMode')).toEqual({
			resolved: true,
			value: 'lastNode',
		});
	});
});
