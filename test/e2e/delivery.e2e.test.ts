import { randomBytes } from 'crypto';
import type { Emulator, EmulatorDelivery } from '../emulator/server';
import { e2eLog as log } from '../harness/e2eLog';
import { startE2eStage, type E2eStage } from '../harness/e2eStage';
import { allExecutions, emittedEventIds } from '../reliability/setup';
import { delay, N8n, waitUntil } from '../harness/n8n';
import { createTriggerWorkflow, publish, type CreatedWorkflow } from '../harness/workflows';

/**
 * The trigger's delivery semantics in a real n8n 2.40.7: once the signature verifies the answer is
 * 2xx (bad members of a signed body are skipped and logged, the good ones run), "After the
 * workflow succeeds" with a sender that hangs up at 5 s on a 6 s run, and de-duplication of 500
 * events across a plain restart.
 */

jest.setTimeout(20 * 60 * 1000);

let stage: E2eStage;
let emulator: Emulator;
let n8n: N8n;
let credential: { id: string; name: string };

beforeAll(async () => {
	stage = await startE2eStage();
	({ emulator, n8n, credential } = stage);
});

afterAll(async () => stage?.stop());

/** Creates and publishes a trigger workflow; its Mando webhook (registered through the emulator). */
async function published(
	parameters: Parameters<typeof createTriggerWorkflow>[2],
	next?: 'noop' | 'fail' | { waitSeconds: number },
) {
	const wf: CreatedWorkflow = await createTriggerWorkflow(n8n, credential, parameters, { next });
	await publish(n8n, wf.id);
	const url = n8n.webhookUrl(wf.webhookPath);
	await waitUntil(() => emulator.webhooks().some((w) => w.url === url && w.active));
	const hook = emulator.webhooks().find((w) => w.url === url)!;
	return { wf, hook };
}

/** A log line's message: without colours, from "Mando Trigger" to the metadata n8n appends. */
const plain = (line: string) =>
	line
		.replace(/\u001b\[[0-9;]*m/g, '')
		.replace(/^.*?(Mando Trigger)/, '$1')
		.replace(/\s*\{ "workflowId".*$/, '');

const envelope = (id: unknown, extra: Record<string, unknown> = {}) => ({
	id,
	type: 'sale.created',
	created: new Date().toISOString(),
	data: { id: `sale-${String(id)}`, total: 1 },
	...extra,
});

describe('delivery semantics in a real n8n', () => {
	test('each malformed-but-signed body: 2xx, the good members run, the bad ones logged; the webhook stays active after its full retry schedule', async () => {
		const { wf, hook } = await published({ events: ['*'] });
		const tag = randomBytes(3).toString('hex');
		const big = Array.from({ length: 1001 }, (_, i) => envelope(`evt_big_${tag}_${i}`));
		big[7] = { ...big[7], id: undefined };
		const bodies: Array<[string, string | Buffer, string[], number]> = [
			[
				'data: null on a delete',
				JSON.stringify({
					id: `evt_del_${tag}`,
					type: 'product.deleted',
					created: new Date().toISOString(),
					data: null,
				}),
				[`evt_del_${tag}`],
				0,
			],
			[
				'a numeric id',
				JSON.stringify(envelope(Number.parseInt(tag, 16))),
				[String(Number.parseInt(tag, 16))],
				0,
			],
			[
				'created as epoch seconds',
				JSON.stringify(envelope(`evt_epoch_${tag}`, { created: Math.floor(Date.now() / 1000) })),
				[`evt_epoch_${tag}`],
				0,
			],
			[
				'a UTF-8 BOM',
				Buffer.concat([
					Buffer.from([0xef, 0xbb, 0xbf]),
					Buffer.from(JSON.stringify(envelope(`evt_bom_${tag}`))),
				]),
				[`evt_bom_${tag}`],
				0,
			],
			[
				'a missing id beside a good member',
				JSON.stringify([{ type: 'sale.created', data: {} }, envelope(`evt_good_${tag}`)]),
				[`evt_good_${tag}`],
				1,
			],
			[
				'a batch of 1001 with one member without id',
				JSON.stringify(big),
				big.filter((_, i) => i !== 7).map((e) => String(e.id)),
				1,
			],
		];
		for (const [name, body, good, bad] of bodies) {
			const logBefore = n8n.logs().length;
			const deliveryId = await emulator.deliver(hook.id, body);
			await delay(3500); // Mando's whole schedule (2 h 36 min) at this time scale is 3.1 s
			const attempts = emulator
				.deliveries()
				.filter((d: EmulatorDelivery) => d.deliveryId === deliveryId);
			const ran = emittedEventIds(await allExecutions(n8n, wf.id)).filter((id) =>
				good.includes(id),
			);
			const logged = n8n
				.logs()
				.slice(logBefore)
				.split('\n')
				.filter((l) => l.includes('skipped member'));
			const active = emulator.webhooks().find((w) => w.id === hook.id)!.active;
			log(
				`malformed but signed (${name}): answers ${attempts.map((a) => a.status).join(', ')}; good members run ${ran.length}/${good.length}; bad members logged ${logged.length}${logged[0] ? ` ("${plain(logged[0])}")` : ''}; webhook after the full retry schedule: ${active ? 'active' : 'DISABLED'}`,
			);
			expect(attempts.map((a) => a.status)).toEqual([200]);
			expect(new Set(ran)).toEqual(new Set(good));
			expect(ran).toHaveLength(good.length);
			expect(logged).toHaveLength(bad);
			expect(active).toBe(true);
		}
	});

	test('"After the workflow succeeds", a 6 s run, Mando hangs up at 5 s and retries (1 min, 5 min scaled): no 409 after the first 60 s, exactly 1 successful run', async () => {
		emulator.setConfig({ timeScale: 1 / 60 }); // 1 min → 1 s, 5 min → 5 s, 30 min → 30 s
		try {
			const { wf, hook } = await published(
				{ events: ['stock.low'], acknowledge: 'afterSuccess' },
				{ waitSeconds: 6 },
			);
			const id = `evt_slow_${randomBytes(4).toString('hex')}`;
			const start = Date.now();
			const deliveryId = await emulator.deliver(
				hook.id,
				JSON.stringify({
					id,
					type: 'stock.low',
					created: new Date().toISOString(),
					data: { plu_id: 'p', quantity: 1, threshold: 5 },
				}),
			);
			const mine = () => emulator.deliveries().filter((d) => d.deliveryId === deliveryId);
			await waitUntil(
				() =>
					mine().some((d) => d.outcome === 'ok') ||
					!emulator.webhooks().find((w) => w.id === hook.id)!.active,
				180_000,
			);
			await delay(8000); // a run still going on ends
			const runs = (await allExecutions(n8n, wf.id)).filter(
				(e) => e.status === 'success' && emittedEventIds([e]).includes(id),
			);
			const attempts = mine();
			const late409 = attempts.filter((a) => a.status === 409 && Date.parse(a.at) - start > 60_000);
			log(
				`hang-up on a real n8n: attempts ${attempts.map((a) => `#${a.attempt} at +${((Date.parse(a.at) - start) / 1000).toFixed(1)} s → ${a.status ?? a.error}`).join('; ')} (1 Mando minute = 1 s); 409 after the first 60 s: ${late409.length}; successful runs of ${id}: ${runs.length}`,
			);
			expect(late409).toEqual([]);
			expect(runs).toHaveLength(1);
			expect(attempts.some((a) => a.outcome === 'ok')).toBe(true);
		} finally {
			emulator.setConfig({ timeScale: 1 / 3000 });
		}
	});

	test('500 distinct events, a plain restart, all re-sent: 0 second runs', async () => {
		const { wf, hook } = await published({ events: ['customer.created'] });
		const tag = randomBytes(3).toString('hex');
		const bodies = Array.from({ length: 500 }, (_, i) =>
			JSON.stringify({
				id: `evt_r_${tag}_${i}`,
				type: 'customer.created',
				created: new Date().toISOString(),
				data: { id: `c${i}`, name: `Customer ${i}` },
			}),
		);
		const sendAll = async () => {
			const statuses: Record<string, number> = {};
			let next = 0;
			const lane = async () => {
				while (next < bodies.length) {
					const d = await emulator.send(hook.id, bodies[next++]);
					statuses[String(d.status)] = (statuses[String(d.status)] ?? 0) + 1;
				}
			};
			await Promise.all(Array.from({ length: 4 }, lane));
			return statuses;
		};
		const started = Date.now();
		const first = await sendAll();
		await waitUntil(async () => (await allExecutions(n8n, wf.id, false)).length >= 500, 300_000);
		const firstRuns = emittedEventIds(await allExecutions(n8n, wf.id)).length;
		const staticData = JSON.stringify(
			(await n8n.api<{ staticData?: unknown }>('GET', `/workflows/${wf.id}`)).staticData ?? {},
		);
		const sentIn = (Date.now() - started) / 1000;
		await n8n.restart();
		await delay(2000);
		const again = await sendAll();
		await delay(5000);
		const ids = emittedEventIds(await allExecutions(n8n, wf.id));
		const secondRuns = ids.length - new Set(ids).size;
		log(
			`restart: 500 distinct events (answers ${JSON.stringify(first)}, ${sentIn.toFixed(0)} s) → ${firstRuns} runs; static data ${staticData.length} bytes; plain restart; all 500 re-sent (answers ${JSON.stringify(again)}) → ${secondRuns} second runs, ${ids.length} runs in all`,
		);
		expect(firstRuns).toBe(500);
		expect(secondRuns).toBe(0);
		expect(ids).toHaveLength(500);
	});
});
