import type { ResourceSpec } from './spec';
import { ACTIVE_FIELD, ACTIVE_FILTER } from './spec';
import { MANDO_EVENT_OPTIONS } from '../../shared/events';

/** Webhook (`webhook`; ASSUMED resource, the one the Mando Trigger registers itself with). */
export const webhookSpec: ResourceSpec<'webhook'> = {
	value: 'webhook',
	title: 'Webhook',
	singular: 'webhook',
	plural: 'webhooks',
	path: 'webhook',
	description: 'Webhook registrations (the Mando Trigger manages its own)',
	operations: ['create', 'get', 'getAll', 'update', 'delete'],
	paging: 'offset',
	required: [
		{
			displayName: 'URL',
			name: 'url',
			type: 'string',
			required: true,
			default: '',
			placeholder: 'https://example.com/webhook',
			description: 'HTTPS address Mando posts the events to',
		},
		{
			displayName: 'Events',
			name: 'events',
			type: 'multiOptions',
			required: true,
			default: [],
			description: 'The events Mando sends to the URL',
			options: [...MANDO_EVENT_OPTIONS],
		},
	],
	optional: [
		ACTIVE_FIELD,
		{
			displayName: 'Description',
			name: 'description',
			type: 'string',
			default: '',
			description: 'A note on what the webhook is for',
		},
	],
	filters: [ACTIVE_FILTER],
};
