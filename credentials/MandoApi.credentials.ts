import type {
	ICredentialDataDecryptedObject,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	IHttpRequestOptions,
	INodeProperties,
} from 'n8n-workflow';

import { MANDO_DEFAULT_BASE_URL, mandoBaseUrl } from '../nodes/shared/transport';

/**
 * What the Webhook Signing Secret field says; the README's credential table says the same words
 * (a unit test holds them together).
 */
export const WEBHOOK_SECRET_HELP =
	"The secret Mando signs webhook deliveries with (Mando admin panel: Settings → Webhooks). Set it: the Mando Trigger checks every delivery's X-Mando-Signature with it and rejects any it cannot verify. It may stay empty only when Mando hands out a secret of its own as the trigger registers its webhook: the trigger then keeps and uses that one.";

/**
 * Mando API credential: API key (sent as `Authorization: Bearer <key>`), the webhook signing
 * secret, and the API base URL. Source for where keys and secrets are made: Mando developer docs
 * (admin panel → Hallinta → Yritys → Muokkaa → API tab; Settings → Webhooks).
 */
export class MandoApi implements ICredentialType {
	name = 'mandoApi';

	displayName = 'Mando API';

	icon: Icon = { light: 'file:mando.svg', dark: 'file:mando.dark.svg' };

	// A page of its own: n8n appends `?utm_source=…` to documentation links, which cuts off a #fragment.
	documentationUrl =
		'https://github.com/n8n-nodes-mando/n8n-nodes-mando/blob/main/docs/mando-credential.md';

	properties: INodeProperties[] = [
		{
			displayName: 'API Key',
			name: 'apiKey',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			required: true,
			description:
				'A company API key (JWT). A company admin makes one in the Mando admin panel: Hallinta → Yritys → Muokkaa → API tab → "+".',
		},
		{
			displayName: 'Webhook Signing Secret',
			name: 'webhookSecret',
			type: 'string',
			typeOptions: { password: true },
			default: '',
			description: WEBHOOK_SECRET_HELP,
		},
		{
			displayName: 'Base URL',
			name: 'baseUrl',
			type: 'string',
			default: MANDO_DEFAULT_BASE_URL,
			description:
				"The Mando API address. Change it only to use a test server, such as the Mando emulator: it is not part of the installed package; run 'npm run emulator -- start --allow-http' in a clone of this package's repository and enter the API base URL it prints.",
		},
	];

	/**
	 * Adds `Authorization: Bearer <API key>`. A request with a `baseURL` (the credential test) gets
	 * the Base URL as the nodes read it ({@link mandoBaseUrl}: spaces and trailing slashes dropped,
	 * https only except loopback), so the test and the nodes cannot disagree.
	 *
	 * @throws Error from {@link mandoBaseUrl} saying how to correct the Base URL
	 */
	async authenticate(
		credentials: ICredentialDataDecryptedObject,
		requestOptions: IHttpRequestOptions,
	): Promise<IHttpRequestOptions> {
		const options: IHttpRequestOptions = {
			...requestOptions,
			headers: {
				...requestOptions.headers,
				Authorization: `Bearer ${String(credentials.apiKey ?? '')}`,
			},
		};
		if (requestOptions.baseURL !== undefined) options.baseURL = mandoBaseUrl(credentials.baseUrl);
		return options;
	}

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl}}',
			url: '/secure/location',
			qs: { pageSize: 1 },
		},
		// Mando's documented error statuses (contract: "Status codes"), with what to do.
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message:
						'Mando answered 401 UNAUTHORIZED: the API key is missing, mistyped or expired. Make a new key under Hallinta → Yritys → Muokkaa → API.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message:
						'Mando answered 403 FORBIDDEN: the API key lacks permission to read locations. Ask a company admin to grant it.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message:
						'Mando answered 404 NOT_FOUND for /secure/location: check the Base URL (default ' +
						MANDO_DEFAULT_BASE_URL +
						').',
				},
			},
		],
	};
}
