import type { IHttpRequestOptions } from 'n8n-workflow';
import type { MandoContext } from '../shared/transport';

/**
 * `ctx` with `helpers.httpRequestWithAuthentication` done as the `mandoApi` credential's
 * `authenticate` does it (`Authorization: Bearer <apiKey>`). n8n resolves a credential's
 * `authenticate` template with the workflow's expression isolate, which a cron tick, and a hook
 * context after its method returned, do not hold (n8n 2.40.7: "No bridge acquired for this
 * context"); reading the credential itself works there.
 *
 * @param apiKey the key to send; read from the `mandoApi` credential on each request when omitted
 */
export function withBearerAuth<T extends MandoContext>(ctx: T, apiKey?: string): T {
	const helpers = {
		...ctx.helpers,
		httpRequestWithAuthentication: async (_type: string, options: IHttpRequestOptions) => {
			const key = apiKey ?? (await ctx.getCredentials('mandoApi')).apiKey;
			return await ctx.helpers.httpRequest({
				...options,
				headers: { ...options.headers, Authorization: `Bearer ${String(key)}` },
			});
		},
	};
	return new Proxy(ctx, {
		get(target, property) {
			if (property === 'helpers') return helpers;
			const value = Reflect.get(target, property) as unknown;
			return typeof value === 'function'
				? (value as (...a: unknown[]) => unknown).bind(target)
				: value;
		},
	});
}
