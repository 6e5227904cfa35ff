import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import { MandoPollingTrigger } from '../../../../nodes/MandoPollingTrigger/MandoPollingTrigger.node';
import type { Emulator } from '../../../emulator/server';
import { fakeContext, useEmulator } from '../../../harness/mandoContext';
import { describeNodeDescription } from '../../../harness/nodeDescription';

describeNodeDescription('MandoPollingTrigger', new MandoPollingTrigger().description);

/**
 * The node's poll() against the emulator, through a stand-in for n8n's poll context (the
 * transport's HTTP helper does real HTTP; static data is a plain object kept between polls, as
 * n8n keeps it in memory while the workflow is published).
 */

let emulator: Emulator;
useEmulator('poll-key', (e) => (emulator = e));

function pollContext(
	parameters: IDataObject,
	staticData: IDataObject,
	mode: 'trigger' | 'manual' = 'trigger',
): IPollFunctions {
	const base = fakeContext({ emulator, items: [parameters] }) as unknown as Record<string, unknown>;
	const lookup = (name: string) =>
		name
			.split('.')
			.reduce<unknown>(
				(v, k) => (v && typeof v === 'object' ? (v as IDataObject)[k] : undefined),
				parameters,
			);
	return {
		...base,
		getNodeParameter: (name: string, fallback?: unknown) => lookup(name) ?? fallback,
		getMode: () => mode,
		getWorkflow: () => ({ id: 'wf-poll' }),
		getWorkflowStaticData: () => staticData,
	} as unknown as IPollFunctions;
}

const poll = (ctx: IPollFunctions) => new MandoPollingTrigger().poll.call(ctx);

describe('poll()', () => {
	test('publishing starts from now: old sales give nothing, new ones one item each, once', async () => {
		emulator.seedSales(50);
		const staticData: IDataObject = {};
		const ctx = pollContext({ events: ['sale.created'] }, staticData);
		expect(await poll(ctx)).toBeNull();
		expect(staticData.sales).toMatchObject({ boundaryIds: [] });
		const ids = await emulator.createSales(3);
		const out = await poll(ctx);
		expect(out?.[0].map((i) => (i.json.data as IDataObject).id)).toEqual(ids);
		expect(out?.[0][0].json).toMatchObject({
			type: 'sale.created',
			id: expect.stringMatching(/^evt_[0-9a-f]{24}$/),
		});
		expect(await poll(ctx)).toBeNull();
	});

	test('Event Data Only emits the sales themselves', async () => {
		const staticData: IDataObject = {};
		const ctx = pollContext({ events: ['sale.created'], options: { output: 'data' } }, staticData);
		await poll(ctx);
		const [id] = await emulator.createSales(1);
		const out = await poll(ctx);
		expect(out?.[0].map((i) => i.json.id)).toEqual([id]);
	});

	test('"Fetch Test Event" returns the latest real sale and leaves the stored position alone', async () => {
		const ids = await emulator.createSales(3);
		const staticData: IDataObject = {};
		const out = await poll(pollContext({ events: ['sale.created'] }, staticData, 'manual'));
		expect((out?.[0][0].json.data as IDataObject).id).toBe(ids[2]);
		expect(staticData).toEqual({});
	});

	test('a failed request throws a NodeApiError and keeps the stored position', async () => {
		const staticData: IDataObject = {};
		const ctx = pollContext({ events: ['sale.created'] }, staticData);
		await poll(ctx);
		const before = JSON.parse(JSON.stringify(staticData));
		await emulator.createSales(2);
		emulator.injectFault({ path: '/api/secure/sales', status: 500, count: 1 });
		await expect(poll(ctx)).rejects.toMatchObject({ httpCode: '500' });
		expect(staticData).toEqual(before);
		expect((await poll(ctx))?.[0]).toHaveLength(2);
	});

	test('two overlapping polls of one node emit each sale once', async () => {
		const staticData: IDataObject = {};
		const ctx = pollContext({ events: ['sale.created'] }, staticData);
		await poll(ctx);
		await emulator.createSales(20);
		const [a, b] = await Promise.all([poll(ctx), poll(ctx)]);
		expect((a?.[0].length ?? 0) + (b?.[0].length ?? 0)).toBe(20);
	});

	test('business days: the first poll records them, opening and closing give one item each', async () => {
		const today = new Date().toISOString().slice(0, 10);
		const staticData: IDataObject = {};
		const ctx = pollContext({ events: ['businessday.opened', 'businessday.closed'] }, staticData);
		const [existing] = emulator.seed('businessday', [
			{ id: 'bd-1', date: today, opened_at: `${today}T06:00:00Z`, closed_at: null },
		]);
		expect(await poll(ctx)).toBeNull();
		emulator.seed('businessday', [
			{ id: 'bd-2', date: today, opened_at: `${today}T07:00:00Z`, closed_at: null },
		]);
		const opened = await poll(ctx);
		expect(opened?.[0].map((i) => [i.json.type, (i.json.data as IDataObject).id])).toEqual([
			['businessday.opened', 'bd-2'],
		]);
		const closedAt = `${today}T21:00:00Z`;
		const put = await fakeContext({
			emulator,
			items: [{}],
		}).helpers.httpRequestWithAuthentication.call({} as never, 'mandoApi', {
			method: 'PUT',
			url: `${emulator.url}/secure/businessday/${existing}`,
			body: { closed_at: closedAt },
		});
		expect((put as { statusCode: number }).statusCode).toBe(200);
		const closed = await poll(ctx);
		expect(closed?.[0].map((i) => [i.json.type, i.json.created])).toEqual([
			['businessday.closed', closedAt],
		]);
		expect(await poll(ctx)).toBeNull();
		expect(staticData.sales).toBeUndefined();
	});
});
