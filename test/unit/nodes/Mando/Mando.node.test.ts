import { Workflow } from 'n8n-workflow';
import type { INode, INodeType, INodeTypes } from 'n8n-workflow';

import { Mando } from '../../../../nodes/Mando/Mando.node';
import { describeNodeDescription } from '../../../harness/nodeDescription';

describeNodeDescription('Mando', new Mando().description);

/** The subtitle as n8n's editor shows it: the expression evaluated against the node's parameters. */
function subtitleOf(parameters: Record<string, string>): unknown {
	const mando = new Mando() as INodeType;
	const node: INode = {
		id: '1',
		name: 'Mando',
		type: 'n8n-nodes-mando.mando',
		typeVersion: 1,
		position: [0, 0],
		parameters,
	};
	const nodeTypes = {
		getByName: () => mando,
		getByNameAndVersion: () => mando,
		getKnownTypes: () => ({}),
	} as unknown as INodeTypes;
	const workflow = new Workflow({ nodes: [node], connections: {}, active: false, nodeTypes });
	return workflow.expression.getSimpleParameterValue(
		node,
		mando.description.subtitle!,
		'internal',
		{},
	);
}

describe('Mando node subtitle', () => {
	test('says the operation in words, e.g. "Get many products", not getAll: product', () => {
		const shown = {
			getManyProducts: subtitleOf({ resource: 'product', operation: 'getAll' }),
			updateProduct: subtitleOf({ resource: 'product', operation: 'update' }),
			renameDay: subtitleOf({ resource: 'businessDay', operation: 'rename' }),
			stock: subtitleOf({ resource: 'stock', operation: 'get' }),
		};
		expect(shown).toEqual({
			getManyProducts: 'Get many products',
			updateProduct: 'Update a product',
			renameDay: 'Move a business day to another date',
			stock: "Get a product's stock settings",
		});
	});
});
