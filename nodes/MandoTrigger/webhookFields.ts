import * as n8nWorkflow from 'n8n-workflow';
import type { INodeParameters, IWebhookDescription } from 'n8n-workflow';

/**
 * The trigger's `responseMode` and `responseData`, which follow its Acknowledge parameter.
 *
 * n8n-workflow 2.40 added `webhookDescriptionFields` / `fromFunction`: the same expression template
 * for the editor plus a native resolver that n8n's webhook handling uses instead of evaluating the
 * template in its expression engine (an isolate under `N8N_EXPRESSION_ENGINE=vm`, the 2.x default)
 * on every request. On an n8n-workflow without them the node declares the plain templates, which
 * evaluate to the same values.
 */

/** Acknowledge "After the workflow succeeds" answers when the run ends; otherwise at once. Self-contained: n8n inlines its source into the template. */
const responseMode = (parameters: INodeParameters) =>
	parameters.acknowledge === 'afterSuccess' ? 'lastNode' : 'onReceived';

/** Under "Immediately" n8n's answer carries the trigger's `webhookResponse` (the counts); after a run, no body. Self-contained (see above). */
const responseData = (parameters: INodeParameters) =>
	parameters.acknowledge === 'afterSuccess' ? 'noData' : '';

type Helpers = Partial<Pick<typeof n8nWorkflow, 'webhookDescriptionFields' | 'fromFunction'>>;

/**
 * `responseMode` and `responseData` for the trigger's webhook description: with native resolvers
 * when `helpers` (default: the loaded n8n-workflow) has them, else as expression templates.
 */
export function acknowledgeResponseFields(
	helpers: Helpers = n8nWorkflow,
): Pick<IWebhookDescription, 'responseMode' | 'responseData'> {
	const { webhookDescriptionFields, fromFunction } = helpers;
	if (typeof webhookDescriptionFields === 'function' && typeof fromFunction === 'function') {
		return webhookDescriptionFields({
			responseMode: fromFunction(responseMode),
			responseData: fromFunction(responseData),
		});
	}
	return {
		responseMode: `={{(${String(responseMode)})($parameter)}}`,
		responseData: `={{(${String(responseData)})($parameter)}}`,
	};
}
