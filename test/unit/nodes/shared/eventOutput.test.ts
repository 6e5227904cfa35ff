import type { INode } from 'n8n-workflow';

import {
	EVENT_DETAILS_KEY,
	EVENT_OUTPUT_PARAMETER,
	eventIdOf,
	eventItems,
	eventOutputParameter,
	readEventOutput,
} from '../../../../nodes/shared/eventOutput';
import { MANDO_EVENTS, type MandoEvent } from '../../../../nodes/shared/events';
import { MandoPollingTrigger } from '../../../../nodes/MandoPollingTrigger/MandoPollingTrigger.node';
import { MandoTrigger } from '../../../../nodes/MandoTrigger/MandoTrigger.node';

/** The triggers' Output: item shapes, and which parameter each node version reads. */

const sale: MandoEvent = {
	id: 'evt_1',
	type: 'sale.created',
	created: '2026-11-29T10:00:00Z',
	data: MANDO_EVENTS.find((e) => e.type === 'sale.created')!.sample as MandoEvent['data'],
};

describe('eventItems', () => {
	test("simplified: the record's fields at the top, the event's id, type and time under _event", () => {
		const [item] = eventItems([sale], 'simplified');
		expect(item.json).toEqual({
			...(sale.data as object),
			_event: { id: 'evt_1', type: 'sale.created', created: '2026-11-29T10:00:00Z' },
		});
		expect(item.json.total).toBe((sale.data as { total: unknown }).total);
		expect(EVENT_DETAILS_KEY).toBe('_event');
	});

	test('no record field of any catalogued event is named _event', () => {
		for (const definition of MANDO_EVENTS)
			expect(Object.keys(definition.sample as object)).not.toContain(EVENT_DETAILS_KEY);
	});

	test('envelope: the event as sent; data: the record alone', () => {
		expect(eventItems([sale], 'envelope')[0].json).toEqual(sale);
		expect(eventItems([sale], 'data')[0].json).toEqual(sale.data);
	});

	test('eventIdOf finds the event id in every shape that has one', () => {
		expect(eventIdOf(eventItems([sale], 'simplified')[0].json, 'simplified')).toBe('evt_1');
		expect(eventIdOf(eventItems([sale], 'envelope')[0].json, 'envelope')).toBe('evt_1');
		expect(eventIdOf(eventItems([sale], 'data')[0].json, 'data')).toBeUndefined();
	});
});

describe('Output per node version', () => {
	test('version 1 reads Options → Output (default Full Event); 2 the visible Output (default simplified)', () => {
		expect(eventOutputParameter(1)).toEqual({ name: 'options.output', fallback: 'envelope' });
		expect(eventOutputParameter(2)).toEqual({ name: 'output', fallback: 'simplified' });
		const read = (typeVersion: number, parameters: Record<string, unknown>) =>
			readEventOutput({
				getNode: () => ({ typeVersion }) as INode,
				getNodeParameter: (name: string, fallback?: unknown) => parameters[name] ?? fallback,
			});
		expect(read(1, {})).toBe('envelope');
		expect(read(1, { 'options.output': 'data' })).toBe('data');
		expect(read(2, {})).toBe('simplified');
		expect(read(2, { output: 'envelope' })).toBe('envelope');
	});

	test.each([
		['Mando Trigger', new MandoTrigger().description],
		['Mando Polling Trigger', new MandoPollingTrigger().description],
	])('%s: versions 1 and 2 (default), Output visible from 2, under Options in 1', (_, d) => {
		expect(d.version).toEqual([1, 2]);
		expect(d.defaultVersion).toBe(2);
		const output = d.properties.find((p) => p.name === 'output');
		expect(output).toMatchObject({
			default: 'simplified',
			displayOptions: EVENT_OUTPUT_PARAMETER.displayOptions,
		});
		const options = d.properties.filter((p) => p.name === 'options');
		expect(options.map((p) => p.displayOptions?.show?.['@version'])).toEqual([
			[1],
			[{ _cnd: { gte: 2 } }],
		]);
		const v1Output = (options[0].options as Array<{ name: string; default?: unknown }>).find(
			(o) => o.name === 'output',
		);
		expect(v1Output?.default).toBe('envelope');
		expect((options[1].options as Array<{ name: string }>).map((o) => o.name)).not.toContain(
			'output',
		);
	});
});
