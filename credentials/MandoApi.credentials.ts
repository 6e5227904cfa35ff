import type {
	IAuthenticateGeneric,
	Icon,
	ICredentialTestRequest,
	ICredentialType,
	INodeProperties,
} from 'n8n-workflow';

import { MANDO_DEFAULT_BASE_URL } from '../nodes/shared/transport';

/**
 * Mando API credential: API key (sent as `Authorization: Bearer <key>`), the webhook signing
 * secret, and the API base URL. Source for where keys and secrets are made: Mando developer docs
 * (admin panel → Hallinta → Yritys → Muokkaa → API tab; Settings → Webhooks).
 */
export class MandoApi implements ICredentialType {
	name = 'mandoApi';

	displayName = 'Mando API';

	icon: Icon = { light: 'file:mando.svg', dark: 'file:mando.dark.svg' };

	documentationUrl = 'https://github.com/n8n-nodes-mando/n8n-nodes-mando#credentials';

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
			description:
				"The secret Mando signs webhook deliveries with (Settings → Webhooks). The Mando Trigger checks every delivery's X-Mando-Signature with it. Optional when Mando returns a secret of its own when the trigger registers its webhook.",
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

	authenticate: IAuthenticateGeneric = {
		type: 'generic',
		properties: {
			headers: {
				Authorization: '=Bearer {{$credentials.apiKey}}',
			},
		},
	};

	test: ICredentialTestRequest = {
		request: {
			baseURL: '={{$credentials.baseUrl.replace(/\\/+$/, "")}}',
			url: '/secure/location',
			qs: { pageSize: 1 },
		},
		// Mando's documented error statuses (contract: "Status codes"), with what to do.
		rules: [
			{
				type: 'responseCode',
				properties: {
					value: 401,
					message: 'Mando answered 401 UNAUTHORIZED: the API key is missing, mistyped or expired. Make a new key under Hallinta → Yritys → Muokkaa → API.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 403,
					message: 'Mando answered 403 FORBIDDEN: the API key lacks permission to read locations. Ask a company admin to grant it.',
				},
			},
			{
				type: 'responseCode',
				properties: {
					value: 404,
					message: 'Mando answered 404 NOT_FOUND for /secure/location: check the Base URL (default ' + MANDO_DEFAULT_BASE_URL + ').',
				},
			},
		],
	};
}
