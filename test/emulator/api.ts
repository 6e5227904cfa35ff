import { createHash, randomUUID, timingSafeEqual } from 'crypto';

import { ApiError, clone, hex, intParam, isObject, notAllowed, objectBody } from './common';
import type { Answer } from './common';
import { isEmulatorResource, present, store } from './state';
import type { EmulatorState } from './state';
import type { EmulatorEntity } from './types';
import { deleteWebhook, noteWebhookChange, storedWebhookUrl, webhookProblem } from './webhooks';
import { listSales } from './sales';

/**
 * The Mando API routes under `/api/secure/` (contract `shared/mando-api.md`): the generic entity
 * resources, `sales` with cursor paging, and `businessday_rename`.
 */

const DEFAULT_PAGE_SIZE = 100;
const MAX_PAGE_SIZE = 1000;

/** True when `header` is `Bearer <the configured API key>` (compared in constant time). */
function authorised(state: EmulatorState, header: string | undefined): boolean {
	const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
	if (!match) return false;
	const digest = (s: string): Buffer => createHash('sha256').update(s).digest();
	return timingSafeEqual(digest(match[1]), digest(state.config.apiKey));
}

/** Checks the generic entity fields present in `body`; the message of a 422, or undefined. */
function entityProblem(body: Record<string, unknown>): string | undefined {
	if (
		body.id !== undefined &&
		(typeof body.id !== 'string' || body.id.length === 0 || body.id.length > 128)
	) {
		return 'id must be a non-empty string';
	}
	if (body.active !== undefined && typeof body.active !== 'boolean')
		return 'active must be a boolean';
	if (body.data !== undefined && !isObject(body.data)) return 'data must be an object';
	if (body.name !== undefined && typeof body.name !== 'string') return 'name must be a string';
	return undefined;
}

function validate(
	state: EmulatorState,
	resource: string,
	body: Record<string, unknown>,
	creating: boolean,
): void {
	const problem =
		entityProblem(body) ??
		(resource === 'webhook' ? webhookProblem(state.config, body, creating) : undefined);
	if (problem) throw new ApiError(422, 'VALIDATION_FAILED', problem);
}

function list(state: EmulatorState, resource: string, query: URLSearchParams): Answer {
	const { listPaging, listTotals, maxPageSize } = state.config;
	const asked = intParam(query, 'page', 1, Number.MAX_SAFE_INTEGER);
	const pageSize = Math.min(
		intParam(query, 'pageSize', DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE),
		maxPageSize,
	);
	let items = [...store(state, resource).values()];
	for (const [key, value] of query) {
		if (key === 'page' || key === 'pageSize') continue;
		items = items.filter((item) => {
			const field = item[key];
			return (
				(field === null || ['string', 'number', 'boolean'].includes(typeof field)) &&
				String(field) === value
			);
		});
	}
	const total = items.length;
	const lastPage = Math.max(1, Math.ceil(total / pageSize));
	const page =
		listPaging === 'ignorePage'
			? 1
			: listPaging === 'repeatLastPage'
				? Math.min(asked, lastPage)
				: asked;
	const slice = items
		.slice((page - 1) * pageSize, page * pageSize)
		.map((e) => present(resource, e));
	return {
		status: 200,
		body: state.config.listShape === 'wrapped' ? { data: slice } : slice,
		headers:
			listTotals === 'countOnly'
				? { 'X-Total-Count': String(total) }
				: listTotals
					? {
							'X-Total-Count': String(total),
							'X-Page': String(page),
							'X-Page-Size': String(pageSize),
							'X-Total-Pages': String(Math.ceil(total / pageSize)),
						}
					: {},
	};
}

function create(state: EmulatorState, resource: string, body: Record<string, unknown>): Answer {
	validate(state, resource, body, true);
	const id = (body.id as string | undefined) ?? randomUUID();
	if (store(state, resource).has(id))
		throw new ApiError(409, 'ALREADY_EXISTS', `A ${resource} with id "${id}" already exists`);
	const entity: EmulatorEntity = {
		...body,
		id,
		active: (body.active as boolean | undefined) ?? true,
		data: (body.data as Record<string, unknown>) ?? {},
	};
	if (resource === 'webhook') {
		entity.description = body.description ?? '';
		entity.url = storedWebhookUrl(state.config, entity.url as string);
		if (state.config.perWebhookSecrets) entity.secret = hex(32);
	}
	store(state, resource).set(id, entity);
	if (resource === 'webhook') noteWebhookChange(state, entity, 'api-create');
	return { status: 201, body: clone(entity) };
}

function update(
	state: EmulatorState,
	resource: string,
	id: string,
	body: Record<string, unknown>,
): Answer {
	const existing = store(state, resource).get(id);
	if (!existing) throw new ApiError(404, 'NOT_FOUND', `No ${resource} with id "${id}"`);
	validate(state, resource, body, false);
	if (body.id !== undefined && body.id !== id)
		throw new ApiError(422, 'VALIDATION_FAILED', 'id in the body differs from the id in the path');
	const reactivated = resource === 'webhook' && body.active === true && !existing.active;
	const updated: EmulatorEntity = { ...existing, ...body, id };
	if (resource === 'webhook' && typeof body.url === 'string')
		updated.url = storedWebhookUrl(state.config, body.url);
	if (reactivated) {
		const data = { ...updated.data };
		delete data.disabled_reason;
		delete data.disabled_at;
		updated.data = data;
	}
	store(state, resource).set(id, updated);
	if (resource === 'webhook') noteWebhookChange(state, updated, 'api-update');
	return { status: 200, body: present(resource, updated) };
}

/**
 * Answers one API request.
 *
 * @param segments the decoded path segments after `/api`, e.g. `['secure', 'plu', '<id>']`
 * @throws ApiError for every error answer (401, 404, 405, 409, 422, 400)
 */
export async function api(
	state: EmulatorState,
	method: string,
	segments: string[],
	query: URLSearchParams,
	raw: Buffer,
	authHeader: string | undefined,
): Promise<Answer> {
	if (segments[0] !== 'secure' || segments.length < 2)
		throw new ApiError(404, 'NOT_FOUND', 'Not found');
	if (!authorised(state, authHeader))
		throw new ApiError(401, 'UNAUTHORIZED', 'Missing or invalid API key');
	const [, resource, ...rest] = segments;

	if (resource === 'sales') {
		if (method !== 'GET') notAllowed('GET');
		if (rest.length === 0) return listSales(state, query);
		const sale = rest.length === 1 ? state.sales.find((s) => s.id === rest[0]) : undefined;
		if (!sale) throw new ApiError(404, 'NOT_FOUND', `No sale with id "${rest.join('/')}"`);
		return { status: 200, body: clone(sale) };
	}
	if (resource === 'businessday_rename' && rest.length === 2) {
		if (method !== 'POST') notAllowed('POST');
		const [id, date] = rest;
		const day = store(state, 'businessday').get(id);
		if (!day) throw new ApiError(404, 'NOT_FOUND', `No businessday with id "${id}"`);
		if (!/^\d{4}-\d{2}-\d{2}$/.test(date) || Number.isNaN(Date.parse(date + 'T00:00:00Z'))) {
			throw new ApiError(400, 'BAD_REQUEST', 'date must be YYYY-MM-DD');
		}
		day.date = date;
		return { status: 200, body: clone(day) };
	}
	if (!isEmulatorResource(resource) || rest.length > 1)
		throw new ApiError(404, 'NOT_FOUND', `Unknown resource "${segments.slice(1).join('/')}"`);
	if (resource === 'webhook' && !state.config.webhookResource)
		throw new ApiError(404, 'NOT_FOUND', 'Resource "webhook" is not available for this account');

	if (rest.length === 0) {
		if (method === 'GET') return list(state, resource, query);
		if (method === 'POST') return create(state, resource, objectBody(raw));
		notAllowed('GET, POST');
	}
	const id = rest[0];
	if (method === 'GET') {
		const entity = store(state, resource).get(id);
		if (!entity) throw new ApiError(404, 'NOT_FOUND', `No ${resource} with id "${id}"`);
		return { status: 200, body: present(resource, entity) };
	}
	if (method === 'PUT') return update(state, resource, id, objectBody(raw));
	if (method === 'DELETE' && resource === 'webhook') {
		if (!deleteWebhook(state, id, 'api-delete'))
			throw new ApiError(404, 'NOT_FOUND', `No webhook with id "${id}"`);
		return { status: 200, body: { id, deleted: true } };
	}
	notAllowed(resource === 'webhook' ? 'GET, PUT, DELETE' : 'GET, PUT');
}
