import { clone, isObject } from './common';
import { checkConfig, EMULATOR_DEFAULT_CONFIG } from './config';
import { control } from './control';
import { deliver, emit, onDelivery, send, waitForDeliveries } from './deliveries';
import { closeServer, listen } from './http';
import {
	cancelPending,
	checkFault,
	countRequests,
	createState,
	seedEntities,
	seedSales,
	seedSamples,
} from './state';
import { EMULATOR_HOST } from './types';
import type { Emulator, EmulatorOptions, EmulatorWebhook } from './types';
import { addWebhook, deactivateWebhook, deleteWebhook } from './webhooks';
import { createSales, startSales } from './sales';

/**
 * The Mando emulator: a local HTTP server that behaves like the Mando API
 * (`/api/secure/{resource}`, contract in `shared/mando-api.md`) and like Mando's webhook sender
 * (signed deliveries, the documented retry schedule, disabling after 5 failures).
 *
 * It is a test double, not a copy of Mando: the parts the contract marks ASSUMED (the webhook
 * resource, event data shapes) follow the contract, and everything lives in memory.
 * Control endpoints for tests and demos live under `/_emulator/` (no auth).
 *
 * This file wires the modules beside it together:
 * - `types.ts`: the public data shapes and the {@link Emulator} handle;
 * - `config.ts`: default settings and their checks;
 * - `state.ts`: the store (every record in one {@link EmulatorState} object), seeding, faults;
 * - `webhooks.ts`: webhook rules shared by the API and the admin panel;
 * - `deliveries.ts`: signed deliveries and Mando's retry schedule;
 * - `api.ts`: the `/api/secure/` routes; `sales.ts`: the sales list and new sales;
 * - `control.ts`: the `/_emulator/` endpoints;
 * - `http.ts`: the HTTP server.
 */

export * from './types';
export { EMULATOR_DEFAULT_CONFIG } from './config';
export {
	EMULATOR_USER_AGENT,
	MANDO_DISABLED_REASON,
	MANDO_MAX_DELIVERY_ATTEMPTS,
	MANDO_RETRY_DELAYS_MS,
} from './deliveries';
export type { EmulatorState } from './state';

/**
 * Starts an emulator on 127.0.0.1.
 *
 * API (contract `shared/mando-api.md`): `GET|POST /api/secure/{resource}`,
 * `GET|PUT /api/secure/{resource}/{id}` for {@link EMULATOR_RESOURCES}; `GET /api/secure/sales`
 * (cursor paging; emulator assumptions: a `created_from` filter and cursors that expire after
 * `cursorTtlMs`, see `sales.ts`), `GET /api/secure/sales/{id}`; `POST /api/secure/businessday_rename/{id}/{date}`.
 * Lists filter on any query parameter equal (as text) to a top-level field, e.g. `?dpt_id=…&active=true`.
 * PUT merges top-level fields (a `data` sent replaces the stored `data`); `id` cannot change.
 * Errors are JSON `{ code, message }`: 400 `BAD_REQUEST`, 401 `UNAUTHORIZED`, 404 `NOT_FOUND`,
 * 405 `METHOD_NOT_ALLOWED`, 409 `ALREADY_EXISTS`, 413 `PAYLOAD_TOO_LARGE`, 422 `VALIDATION_FAILED`.
 *
 * Control (no auth): `GET /_emulator/state`, `GET|POST /_emulator/events`, `POST /_emulator/reset`,
 * `GET|POST /_emulator/config`, `POST /_emulator/webhooks` (a manual, admin-panel webhook),
 * `GET|POST|DELETE /_emulator/faults` (see {@link EmulatorFault}), `POST /_emulator/seed`
 * (`{ resource, count | entities, template? }`), `GET /_emulator/counts` (API requests per
 * `METHOD path`).
 * `GET /api/secure/tax` lists the (ASSUMED) tax rates, seeded with Finland's VAT rates.
 *
 * @param options see {@link EmulatorOptions}; `port` 0 (default) picks a free port
 * @throws TypeError on invalid options; rejects when the port cannot be bound
 */
export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
	const { port: requestedPort = 0, ...rest } = options;
	const state = createState({ ...EMULATOR_DEFAULT_CONFIG, ...checkConfig(rest) });
	let emulator: Emulator | undefined;
	const { server, port } = await listen(
		state,
		(method, name, raw) => control(emulator!, state, method, name, raw),
		requestedPort,
	);

	emulator = {
		url: `http://${EMULATOR_HOST}:${port}/api`,
		port,
		async close() {
			if (state.closed) return;
			state.closed = true;
			cancelPending(state);
			for (const fail of [...state.waiters])
				fail(new Error('Emulator closed before the condition was met'));
			state.listeners.clear();
			await closeServer(server);
		},
		webhooks: () =>
			[...state.stores.get('webhook')!.values()].map((h) => clone(h as EmulatorWebhook)),
		deliveries: () => clone(state.deliveries),
		requests: () => clone(state.requests),
		countRequests: (filter = {}) => countRequests(state, filter),
		injectFault(fault) {
			state.pendingFaults.push(checkFault(fault));
		},
		faults: () => state.pendingFaults.map((f) => ({ ...f })),
		clearFaults() {
			state.pendingFaults = [];
		},
		seed: (resource, entities, template) => seedEntities(state, resource, entities, template),
		seedSales: (sales) => seedSales(state, sales),
		sales: () => clone(state.sales),
		createSales: (count, salesOptions) => createSales(state, count, salesOptions),
		startSales: (perMinute) => startSales(state, perMinute),
		entity: (resource, id) => {
			const found = state.stores.get(resource)?.get(id);
			return found ? clone(found) : undefined;
		},
		entities: (resource) => [...(state.stores.get(resource)?.values() ?? [])].map(clone),
		config: () => ({ ...state.config }),
		emit: (type, emitOptions) => emit(state, type, emitOptions),
		send: (webhookId, rawBody, headers) => send(state, webhookId, rawBody, headers),
		deliver: (webhookId, rawBody) => deliver(state, webhookId, rawBody),
		setConfig(partial) {
			const { port: _ignored, ...changes } = (isObject(partial) ? partial : {}) as EmulatorOptions;
			state.config = { ...state.config, ...checkConfig(changes) };
			return { ...state.config };
		},
		reset() {
			cancelPending(state);
			state.config = { ...state.startConfig };
			seedSamples(state);
			state.deliveries = [];
			state.webhookHistory = [];
			state.requests = [];
			state.pendingFaults = [];
		},
		webhookHistory: () => state.webhookHistory.map((c) => ({ ...c })),
		addWebhook: (input) => addWebhook(state, input),
		deactivateWebhook: (id) => deactivateWebhook(state, id),
		deleteWebhook: (id) => deleteWebhook(state, id),
		onDelivery: (listener) => onDelivery(state, listener),
		waitForDeliveries: (predicate, timeoutMs) => waitForDeliveries(state, predicate, timeoutMs),
	};
	return emulator;
}
