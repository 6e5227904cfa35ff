import { signMandoPayload } from '../../nodes/shared/signature';
import { MANDO_EVENTS } from '../../nodes/shared/events';
import type { Emulator } from '../emulator/server';
import { delay, nodeOutput, waitUntil, type N8n } from './n8n';
import { createTriggerWorkflow, publish, unpublish, type CreatedWorkflow } from './workflows';

/**
 * The Mando Trigger's essential end-to-end checks, shared by the test that loads `dist/` as custom
 * nodes (trigger.e2e.test.ts) and the one that installs the packed package through n8n's
 * community-package installer (installed.e2e.test.ts). Each method is one check with its
 * assertions and its `[e2e]` line; call them in order, as they build on each other: publish →
 * signed event → forged deliveries → duplicate → unpublish. Expects a fresh emulator (no
 * webhooks yet) and uses jest's `expect`.
 */

/** What the checks run against. */
export interface TriggerCheckSetup {
	n8n: N8n;
	emulator: Emulator;
	/** A `mandoApi` credential for the emulator, with its account webhook secret. */
	credential: { id: string; name: string };
	/** The emulator's account webhook secret (to sign a malformed but genuine delivery). */
	webhookSecret: string;
	/** Node type prefix: `CUSTOM` (custom extensions, the default) or `n8n-nodes-mando` (installed). */
	nodePrefix?: string;
	/** Prints one `[e2e] …` line. */
	log: (line: string) => void;
}

/** The checks, sharing the workflow they publish. */
export class TriggerChecks {
	/** The workflow "Mando Trigger (sale.created, stock.low) → No Operation", once published. */
	wf!: CreatedWorkflow;
	/** Its production webhook URL. */
	url!: string;
	/** The id of the first signed event delivered. */
	firstEventId!: string;

	constructor(private readonly setup: TriggerCheckSetup) {}

	/** The emulator's webhooks pointing at `url`. */
	registrationsFor(url: string) {
		return this.setup.emulator.webhooks().filter((w) => w.url === url);
	}

	/** Publishing registers exactly one webhook for the production URL and the selected events. */
	async publishRegistersProductionUrl(): Promise<void> {
		const { n8n, emulator, credential, log } = this.setup;
		this.wf = await createTriggerWorkflow(
			n8n,
			credential,
			{ events: ['sale.created', 'stock.low'] },
			{ nodePrefix: this.setup.nodePrefix },
		);
		this.url = n8n.webhookUrl(this.wf.webhookPath);
		await publish(n8n, this.wf.id);
		await waitUntil(() => this.registrationsFor(this.url).some((w) => w.active));
		await delay(500); // a second registration would show up by now
		const all = emulator.webhooks();
		expect(all).toHaveLength(1);
		expect(all[0]).toMatchObject({ url: this.url, active: true });
		expect([...all[0].events].sort()).toEqual(['sale.created', 'stock.low']);
		log(
			`registration: ${all.length} webhook ${all[0].id} url=${all[0].url} events=${all[0].events.join(',')} active=${all[0].active}`,
		);
	}

	/** A signed sale.created yields exactly one execution whose item is the typed event. */
	async signedEventRunsOnce(): Promise<void> {
		const { n8n, emulator, log } = this.setup;
		const { event } = await emulator.emit('sale.created');
		this.firstEventId = event.id;
		const executions = await n8n.waitForExecutions(this.wf.id, 1);
		await delay(1000);
		const after = await n8n.executions(this.wf.id);
		expect(after).toHaveLength(1);
		expect(after[0].status).toBe('success');
		const items = nodeOutput(executions[0], 'Mando Trigger');
		expect(items).toEqual([event]);
		expect(items[0]).toMatchObject({ type: 'sale.created', data: MANDO_EVENTS[0].sample });
		const delivery = emulator.deliveries().filter((d) => d.eventIds.includes(event.id));
		expect(delivery.map((d) => d.status)).toEqual([200]);
		log(
			`sale.created ${event.id}: delivery status ${delivery[0].status}, ${after.length} execution (#${after[0].id}, ${after[0].status}), item type=${items[0].type} total=${(items[0].data as { total: number }).total}`,
		);
	}

	/** A forged delivery gets 401 and starts nothing; a signed one that holds no usable event gets 2xx with `malformed: 1` and starts nothing. */
	async forgedDeliveriesRejected(): Promise<void> {
		const { n8n, webhookSecret, log } = this.setup;
		const body = JSON.stringify({
			id: 'evt_forged',
			type: 'sale.created',
			created: new Date().toISOString(),
			data: { id: 'x', total: 1, items: [] },
		});
		const forged = await fetch(this.url, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				'X-Mando-Signature': signMandoPayload(body, 'not-the-secret'),
			},
			body,
		});
		const unsigned = await fetch(this.url, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json' },
			body,
		});
		const garbage = '{"hello":"world"}';
		const malformed = await fetch(this.url, {
			method: 'POST',
			headers: {
				'Content-Type': 'application/json',
				'X-Mando-Signature': signMandoPayload(garbage, webhookSecret),
			},
			body: garbage,
		});
		expect(forged.status).toBe(401);
		expect(unsigned.status).toBe(401);
		expect(malformed.status).toBe(200);
		const counts = (await malformed.json()) as { malformed?: number; accepted?: number };
		expect(counts).toMatchObject({ malformed: 1, accepted: 0 });
		await delay(1500);
		expect(await n8n.executions(this.wf.id)).toHaveLength(1);
		expect(n8n.logs()).toContain('Mando Trigger rejected a delivery (401)');
		log(
			`forged signature → ${forged.status}, no signature → ${unsigned.status}, signed non-envelope → ${malformed.status} (malformed 1, nothing run; logged: ${n8n.logs().includes('skipped member 1 of 1')}); executions still 1`,
		);
	}

	/** The same event id again (also twice in parallel) yields no second execution. */
	async duplicateIgnored(): Promise<void> {
		const { n8n, emulator, log } = this.setup;
		await emulator.emit('sale.created', { id: this.firstEventId });
		const parallel = await Promise.all([
			emulator.emit('stock.low', { id: 'evt_parallel_1' }),
			emulator.emit('stock.low', { id: 'evt_parallel_1' }),
		]);
		expect(parallel).toHaveLength(2);
		await n8n.waitForExecutions(this.wf.id, 2);
		await delay(1500);
		const executions = await n8n.executions(this.wf.id);
		expect(executions).toHaveLength(2);
		const statuses = emulator
			.deliveries()
			.filter((d) => d.eventIds.includes(this.firstEventId))
			.map((d) => d.status);
		expect(statuses).toEqual([200, 200]);
		log(
			`duplicate ${this.firstEventId}: delivered twice (${statuses.join(', ')}), executions for it 1; stock.low sent twice in parallel → 1 execution; total executions ${executions.length}`,
		);
	}

	/** Unpublishing deactivates the registration on the emulator. */
	async unpublishDeactivates(): Promise<void> {
		const { n8n, emulator, log } = this.setup;
		await unpublish(n8n, this.wf.id);
		await waitUntil(() => this.registrationsFor(this.url).every((w) => !w.active));
		const mine = this.registrationsFor(this.url);
		expect(emulator.webhooks().filter((w) => w.active)).toHaveLength(0);
		expect(mine).toHaveLength(1);
		expect(mine[0].active).toBe(false);
		log(`unpublished: webhook ${mine[0].id} active=${mine[0].active}`);
	}
}
