import { isMandoEventType, MANDO_EVENTS } from '../../nodes/shared/events';
import { ApiError, objectBody } from './common';
import type { Answer } from './common';
import type { EmulatorState } from './state';
import type {
	EmitOptions,
	EmitResult,
	Emulator,
	EmulatorConfig,
	EmulatorEntity,
	EmulatorFault,
	EmulatorResource,
	ManualWebhookInput,
} from './types';

/**
 * The control endpoints under `/_emulator/` (no auth), for tests, demos and the CLI: state, events,
 * reset, config, faults, seeding, request counts and admin-panel webhooks. Each one calls the
 * {@link Emulator} method of the same purpose.
 */

/** Runs `fn`; an error other than an {@link ApiError} becomes one with `status` and `code`. */
function orFail<T>(status: number, code: string, fn: () => T): T {
	try {
		return fn();
	} catch (error) {
		if (error instanceof ApiError) throw error;
		throw new ApiError(status, code, (error as Error).message);
	}
}

/**
 * Answers `METHOD /_emulator/<name>`.
 *
 * @throws ApiError 404 for an unknown endpoint, 400/422 for a bad body
 */
export async function control(
	emulator: Emulator,
	state: EmulatorState,
	method: string,
	name: string,
	raw: Buffer,
): Promise<Answer> {
	switch (`${method} ${name}`) {
		case 'GET state':
			return {
				status: 200,
				body: {
					webhooks: emulator.webhooks(),
					deliveries: emulator.deliveries(),
					requests: emulator.requests(),
					config: emulator.config(),
				},
			};
		case 'GET events':
			return {
				status: 200,
				body: MANDO_EVENTS.map(({ type, name: title, description }) => ({
					type,
					name: title,
					description,
				})),
			};
		case 'POST events': {
			const body = objectBody(raw);
			if (typeof body.type !== 'string' || !isMandoEventType(body.type)) {
				throw new ApiError(
					422,
					'VALIDATION_FAILED',
					`type must be one of: ${MANDO_EVENTS.map((e) => e.type).join(', ')}`,
				);
			}
			const options = { id: body.id, data: body.data, batch: body.batch } as EmitOptions;
			let result: EmitResult;
			try {
				result = await emulator.emit(body.type, options);
			} catch (error) {
				throw new ApiError(422, 'VALIDATION_FAILED', (error as Error).message);
			}
			return { status: 200, body: result };
		}
		case 'POST reset':
			emulator.reset();
			return { status: 200, body: { ok: true } };
		case 'GET config':
			return { status: 200, body: emulator.config() };
		case 'POST config':
			return {
				status: 200,
				body: orFail(400, 'BAD_REQUEST', () =>
					emulator.setConfig(objectBody(raw) as Partial<EmulatorConfig>),
				),
			};
		case 'POST faults':
			orFail(400, 'BAD_REQUEST', () => emulator.injectFault(objectBody(raw) as EmulatorFault));
			return { status: 201, body: emulator.faults() };
		case 'GET faults':
			return { status: 200, body: emulator.faults() };
		case 'DELETE faults':
			emulator.clearFaults();
			return { status: 200, body: [] };
		case 'POST seed': {
			const body = objectBody(raw);
			const entities = (body.entities ?? body.count) as number | Array<Partial<EmulatorEntity>>;
			const ids = orFail(422, 'VALIDATION_FAILED', () => {
				if (typeof entities !== 'number' && !Array.isArray(entities))
					throw new Error('give count (a number) or entities (an array)');
				return emulator.seed(
					body.resource as EmulatorResource,
					entities,
					(body.template as Partial<EmulatorEntity>) ?? {},
				);
			});
			return { status: 201, body: { count: ids.length } };
		}
		case 'GET counts': {
			const counts: Record<string, number> = {};
			for (const r of state.requests)
				counts[`${r.method} ${r.path}`] = (counts[`${r.method} ${r.path}`] ?? 0) + 1;
			return { status: 200, body: counts };
		}
		case 'POST webhooks':
			return {
				status: 201,
				body: orFail(422, 'VALIDATION_FAILED', () =>
					emulator.addWebhook(objectBody(raw) as unknown as ManualWebhookInput),
				),
			};
		default:
			throw new ApiError(404, 'NOT_FOUND', `Unknown control endpoint ${method} /_emulator/${name}`);
	}
}
