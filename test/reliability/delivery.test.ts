import type { EmulatorDelivery, EmulatorWebhook } from '../emulator/server';
import { MANDO_MAX_DELIVERY_ATTEMPTS, MANDO_RETRY_DELAYS_MS } from '../emulator/server';
import { delay, waitUntil } from '../harness/n8n';
import { signMandoPayload } from '../../nodes/shared/signature';
import {
	createMandoCredential,
	createTriggerWorkflow,
	publish,
	unpublish,
	type CreatedWorkflow,
} from '../harness/workflows';
import { recordFigures } from './figures';
import { scanForSecrets } from './secrets';
import {
	allExecutions,
	emittedEventIds,
	log,
	lostAndDuplicated,
	startStage,
	waitForEmitted,
	type Stage,
} from './setup';

/**
 * Reliability scenarios 1–4 and 6 in one real n8n (SQLite, regular mode) against the Mando
 * emulator, Mando's retry schedule (immediately, 1 min, 5 min, 30 min, 2 h, then disabled) run
 * with the emulator's time scale: downtime, a webhook Mando disabled, registration hygiene,
 * duplicate deliveries; secrets scanned after each.
 */

jest.setTimeout(20 * 60 * 1000);

let stage: Stage;
/** Error texts seen (publication errors, HTTP answers), scanned for secrets. */
const errorTexts: string[] = [];

beforeAll(async () => {
	stage = await startStage();
});

afterAll(async () => {
	await stage?.stop();
});

function hooksFor(url: string): EmulatorWebhook[] {
	return stage.emulator.webhooks().filter((w) => w.url === url);
}

async function secretsNow(): Promise<number> {
	const scan = await scanForSecrets(stage.n8n, [stage.apiKey, stage.webhookSecret], errorTexts);
	return scan.total;
}

/** A published trigger workflow for `events`, its registration active on the emulator. */
async function publishedTrigger(
	events: string[],
	name: string,
): Promise<{ wf: CreatedWorkflow; url: string; hook: EmulatorWebhook }> {
	const wf = await createTriggerWorkflow(stage.n8n, stage.credential, { events }, { name });
	const url = stage.deliveryUrl(wf.webhookPath);
	await publish(stage.n8n, wf.id);
	expect(await waitUntil(() => hooksFor(url).some((w) => w.active))).toBe(true);
	return { wf, url, hook: hooksFor(url)[0] };
}

describe('reliability: one n8n, Mando retry schedule', () => {
	test('1 downtime: n8n stopped while 100 events are sent, back before the 4th attempt → each executed exactly once', async () => {
		const started = Date.now();
		// 1 min = 3 s, 5 min = 15 s, 30 min = 90 s: n8n boots (about 15 s) well before attempt 4.
		const timeScale = 1 / 20;
		stage.emulator.setConfig({ timeScale });
		const { wf, hook } = await publishedTrigger(['sale.created'], 'Reliability 1 downtime');
		await stage.n8n.stop();
		// 100 sales during the outage, one every 400 ms. Mando's retries keep this spread; the time
		// scale shrinks Mando's waits but not n8n's work, so a tighter spread would turn the retries
		// into a burst beyond what n8n answers within Mando's 5 s (about 3 deliveries/s here).
		const sent: Array<Awaited<ReturnType<typeof stage.emulator.emit>>> = [];
		for (let i = 0; i < 100; i++) {
			sent.push(await stage.emulator.emit('sale.created'));
			await delay(400);
		}
		const ids = sent.map((s) => s.event.id);
		const idSet = new Set(ids);
		const mine = (ds: EmulatorDelivery[]) => ds.filter((d) => idSet.has(d.eventIds[0]));
		await stage.emulator.waitForDeliveries(
			(ds) => mine(ds).filter((d) => d.attempt === 3).length === 100,
			60_000,
		);
		const bootStarted = Date.now();
		await stage.n8n.restart();
		const readyAt = Date.now();
		log(
			`downtime: 100 events sent, attempts 1–3 failed for all; n8n back in ${((readyAt - bootStarted) / 1000).toFixed(1)} s (attempt 4 comes ${(MANDO_RETRY_DELAYS_MS[3] * timeScale) / 1000} s after attempt 3)`,
		);
		// every event delivered (2xx) or given up (5 attempts)
		const settled = (ds: EmulatorDelivery[]) => {
			const done = new Set(
				mine(ds)
					.filter((d) => d.outcome === 'ok' || d.attempt === MANDO_MAX_DELIVERY_ATTEMPTS)
					.map((d) => d.eventIds[0]),
			);
			return done.size === 100;
		};
		// attempt 4 of the last event is due about 40 s + 108 s after the first one was sent (n8n is back after about 75 s); attempt 5 would come 6 min later
		const deliveries = mine(
			await stage.emulator
				.waitForDeliveries(settled, 120_000)
				.catch(() => stage.emulator.deliveries()),
		);
		const fourth = deliveries.filter((d) => d.attempt === 4);
		expect(Math.min(...fourth.map((d) => Date.parse(d.at)))).toBeGreaterThan(readyAt);
		const okAt = countBy(
			deliveries.filter((d) => d.outcome === 'ok').map((d) => `attempt ${d.attempt}`),
		);
		const emitted = await waitForEmitted(stage.n8n, wf.id, 100, 60_000, 3000);
		const first = lostAndDuplicated(ids, emitted);
		log(
			`downtime: answered 2xx at ${JSON.stringify(okAt)}; attempt 4 answers ${JSON.stringify(countBy(fourth.map((d) => d.status)))}; emitted ${emitted.length} events, lost ${first.lost}, duplicated ${first.duplicated}`,
		);

		// n8n restarted again (its in-process memory gone): Mando re-sending all 100 runs nothing.
		await stage.n8n.restart();
		const resent: EmulatorDelivery[] = [];
		for (let i = 0; i < sent.length; i += 10) {
			resent.push(
				...(await Promise.all(
					sent.slice(i, i + 10).map((s) => stage.emulator.send(hook.id, JSON.stringify(s.event))),
				)),
			);
		}
		const after = await waitForEmitted(stage.n8n, wf.id, 100, 5000, 3000);
		const again = lostAndDuplicated(ids, after);
		log(
			`downtime: after a second restart all 100 re-sent (answers ${JSON.stringify(countBy(resent.map((r) => r.status)))}) → emitted ${after.length} in total, duplicated ${again.duplicated}`,
		);
		const executions = (await allExecutions(stage.n8n, wf.id, false)).length;
		recordFigures({
			scenario: '1 Downtime',
			eventsSent: 100,
			executions,
			lost: again.lost,
			duplicated: again.duplicated,
			answers5xx: [...deliveries, ...resent].filter((d) => (d.status ?? 0) >= 500).length,
			forgedExecutions: again.foreign,
			secretOccurrences: await secretsNow(),
			durationS: (Date.now() - started) / 1000,
			note: `n8n down for attempts 1–3; 2xx at ${Object.entries(okAt)
				.map(([k, v]) => `${k}: ${v}`)
				.join(', ')}; all 100 re-sent after a 2nd restart`,
		});
		await unpublish(stage.n8n, wf.id);
		expect(first).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
		expect(again).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
		expect(resent.every((r) => r.status === 200)).toBe(true);
		expect(executions).toBe(100);
	});

	test('2 disabled webhook: unreachable past the 5th attempt → republishing, a plain restart on n8n defaults, and a classic-activation restart each re-enable the same webhook', async () => {
		const started = Date.now();
		stage.emulator.setConfig({ timeScale: 1 / 3000 }); // the whole schedule in about 3 s
		const { wf, url, hook } = await publishedTrigger(['stock.low'], 'Reliability 2 disabled');
		const sentIds: string[] = [];
		const expectedIds: string[] = [];

		/** Makes n8n unreachable (proxy down), sends an event until Mando disables the webhook. */
		async function disableByOutage(): Promise<void> {
			await stage.proxy.down();
			const { event } = await stage.emulator.emit('stock.low');
			sentIds.push(event.id);
			const ds = await stage.emulator.waitForDeliveries(
				(all) =>
					all.filter((d) => d.eventIds[0] === event.id).length === MANDO_MAX_DELIVERY_ATTEMPTS,
				30_000,
			);
			const attempts = ds.filter((d) => d.eventIds[0] === event.id);
			expect(attempts.map((a) => a.outcome)).toEqual(
				Array(MANDO_MAX_DELIVERY_ATTEMPTS).fill('failed'),
			);
			const [disabled] = hooksFor(url);
			expect(disabled.active).toBe(false);
			log(
				`disabled: ${attempts.length} failed attempts for ${event.id} → webhook ${disabled.id} active=${disabled.active} (${disabled.data.disabled_reason})`,
			);
			await stage.proxy.up();
		}

		/** After re-enabling: the same single webhook, active, and a new event runs once. */
		async function checkReenabled(how: string, logBefore: number): Promise<void> {
			expect(await waitUntil(() => hooksFor(url).some((w) => w.active), 30_000)).toBe(true);
			const mine = hooksFor(url);
			expect(mine).toHaveLength(1);
			expect(mine[0].id).toBe(hook.id);
			const newLog = stage.n8n.logs().slice(logBefore);
			const warning =
				new RegExp(`[^\\n]*Mando webhook ${hook.id} [^\\n]*was found disabled[^\\n]*`).exec(
					newLog,
				)?.[0] ?? '';
			expect(warning).toContain('was found disabled');
			const { event } = await stage.emulator.emit('stock.low');
			sentIds.push(event.id);
			expectedIds.push(event.id);
			log(
				`${how}: webhook ${mine[0].id} active again (still ${mine.length} for the URL); n8n log: "${warning.replace(/\u001b\[\d+m/g, '').slice(0, 230)}"`,
			);
		}

		await disableByOutage();
		let logBefore = stage.n8n.logs().length;
		await unpublish(stage.n8n, wf.id);
		await publish(stage.n8n, wf.id);
		await checkReenabled('republished', logBefore);

		await disableByOutage();
		// n8n's defaults (workflow publication service on): the trigger's trigger() makes it an
		// in-memory trigger, which n8n's publication reconciler re-publishes at startup, so
		// checkExists → create run and re-enable the webhook.
		logBefore = stage.n8n.logs().length; // the restarted n8n appends to the same log file
		await stage.n8n.restart();
		await checkReenabled('restarted (n8n defaults)', logBefore);

		await disableByOutage();
		// With N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false n8n activates published workflows at
		// startup the classic way (checkExists, then create).
		logBefore = stage.n8n.logs().length;
		await stage.n8n.restart({ N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'false' });
		await checkReenabled('restarted (N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false)', logBefore);
		// The last event's run first, so that the closing restart checks re-enabling, not a
		// delivery in flight (scenario 10 restarts n8n in the middle of deliveries).
		await waitForEmitted(stage.n8n, wf.id, expectedIds.length);
		await stage.n8n.restart({ N8N_USE_WORKFLOW_PUBLICATION_SERVICE: 'true' });

		const emitted = await waitForEmitted(stage.n8n, wf.id, expectedIds.length);
		const { lost, duplicated, foreign } = lostAndDuplicated(expectedIds, emitted);
		const fivexx = stage.emulator
			.deliveries()
			.filter((d) => d.webhookId === hook.id && (d.status ?? 0) >= 500).length;
		recordFigures({
			scenario: '2 Disabled webhook',
			eventsSent: sentIds.length,
			executions: (await allExecutions(stage.n8n, wf.id, false)).length,
			lost,
			duplicated,
			answers5xx: fivexx,
			forgedExecutions: foreign,
			secretOccurrences: await secretsNow(),
			durationS: (Date.now() - started) / 1000,
			note: `republish, a restart on n8n defaults and a restart with N8N_USE_WORKFLOW_PUBLICATION_SERVICE=false each re-enable; 3 outage events given up by Mando after ${MANDO_MAX_DELIVERY_ATTEMPTS} attempts (its policy, not counted lost)`,
		});
		expect({ lost, duplicated, foreign }).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
		expect(emitted).toHaveLength(expectedIds.length);
		await unpublish(stage.n8n, wf.id);
	});

	test('3 registration hygiene: 50 publish/unpublish cycles, 5 restarts, test listening while published → one registration, nothing accumulates', async () => {
		const started = Date.now();
		stage.emulator.setConfig({ timeScale: 1 / 3000 });
		const wf = await createTriggerWorkflow(
			stage.n8n,
			stage.credential,
			{ events: ['customer.created'] },
			{ name: 'Reliability 3 hygiene' },
		);
		const url = stage.deliveryUrl(wf.webhookPath);
		const testUrl = url.replace('/webhook/', '/webhook-test/');
		const hooksBefore = stage.emulator.webhooks().length;
		const activeFor = (u: string) => hooksFor(u).filter((w) => w.active).length;
		let publishedNotOne = 0;
		let worstAfterUnpublish = 0;
		let testListens = 0;
		const sentIds: string[] = [];
		for (let cycle = 1; cycle <= 50; cycle++) {
			await publish(stage.n8n, wf.id);
			await waitUntil(() => activeFor(url) === 1);
			await delay(100); // a second registration would show up by now
			if (activeFor(url) !== 1) publishedNotOne++;
			if (cycle % 10 === 0) {
				// "listen for test event" while published, ended by an event
				const run = await stage.n8n.rest<{ waitingForWebhook?: boolean }>(
					'POST',
					`/workflows/${wf.id}/run`,
					{ triggerToStartFrom: { name: 'Mando Trigger' } },
				);
				expect(run.waitingForWebhook).toBe(true);
				expect(await waitUntil(() => activeFor(testUrl) === 1)).toBe(true);
				const { event } = await stage.emulator.emit('customer.created');
				sentIds.push(event.id);
				expect(await waitUntil(() => activeFor(testUrl) === 0)).toBe(true);
				testListens++;
				// and a restart while published
				await stage.n8n.restart();
				await delay(1000);
				if (activeFor(url) !== 1) publishedNotOne++;
			}
			await unpublish(stage.n8n, wf.id);
			await waitUntil(() => activeFor(url) === 0);
			worstAfterUnpublish = Math.max(worstAfterUnpublish, activeFor(url));
		}
		await delay(1000);
		const created = stage.emulator.webhooks().length - hooksBefore;
		const registrationsForWorkflow = hooksFor(url).length + hooksFor(testUrl).length;
		const executions = await allExecutions(stage.n8n, wf.id);
		const production = lostAndDuplicated(
			sentIds,
			emittedEventIds(executions.filter((e) => e.mode === 'webhook')),
		);
		const test = lostAndDuplicated(
			sentIds,
			emittedEventIds(executions.filter((e) => e.mode === 'manual')),
		);
		log(
			`hygiene: 50 cycles, 5 restarts, ${testListens} test listens; published with ≠1 active registration: ${publishedNotOne} times; after unpublish max active ${worstAfterUnpublish}; webhooks created ${created} (production ${hooksFor(url).length}, test ${hooksFor(testUrl).length}); active now ${activeFor(url) + activeFor(testUrl)}; ${sentIds.length} events → ${executions.length} executions (production + test run each)`,
		);
		recordFigures({
			scenario: '3 Registration hygiene',
			eventsSent: sentIds.length,
			executions: executions.length,
			lost: production.lost + test.lost,
			duplicated: production.duplicated + test.duplicated,
			answers5xx: stage.emulator
				.deliveries()
				.filter((d) => (d.url === url || d.url === testUrl) && (d.status ?? 0) >= 500).length,
			forgedExecutions: production.foreign + test.foreign,
			secretOccurrences: await secretsNow(),
			durationS: (Date.now() - started) / 1000,
			note: `50 cycles, 5 restarts, ${testListens} test listens; ${registrationsForWorkflow} webhooks ever (1 production, 1 test), 0 active after`,
		});
		expect(publishedNotOne).toBe(0);
		expect(worstAfterUnpublish).toBe(0);
		expect(hooksFor(url)).toHaveLength(1);
		expect(hooksFor(testUrl)).toHaveLength(1);
		expect(activeFor(url) + activeFor(testUrl)).toBe(0);
		// each event ran once in production and once in the test run
		expect(production).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
		expect(test).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
	});

	test('4 duplicates: 20 events each delivered twice in parallel, and again after a restart → one execution each', async () => {
		const started = Date.now();
		const { wf, hook } = await publishedTrigger(['sale.created'], 'Reliability 4 duplicates');
		const bodies = Array.from({ length: 20 }, (_, i) =>
			JSON.stringify({
				id: `evt_dup_${i}_${Date.now().toString(36)}`,
				type: 'sale.created',
				created: new Date().toISOString(),
				data: { id: `sale-${i}`, total: i + 1, items: [] },
			}),
		);
		const ids = bodies.map((b) => (JSON.parse(b) as { id: string }).id);
		const parallel: EmulatorDelivery[] = [];
		for (const b of bodies)
			parallel.push(
				...(await Promise.all([stage.emulator.send(hook.id, b), stage.emulator.send(hook.id, b)])),
			);
		const first = await waitForEmitted(stage.n8n, wf.id, 20);
		const r1 = lostAndDuplicated(ids, first);
		log(
			`duplicates: 20 events × 2 parallel deliveries (statuses ${JSON.stringify(countBy(parallel.map((p) => p.status)))}) → ${first.length} emitted, duplicated ${r1.duplicated}`,
		);
		await stage.n8n.restart();
		const again: EmulatorDelivery[] = [];
		for (const b of bodies) again.push(await stage.emulator.send(hook.id, b));
		const second = await waitForEmitted(stage.n8n, wf.id, 20, 5000, 3000);
		const r2 = lostAndDuplicated(ids, second);
		log(
			`duplicates: after a restart all 20 again (statuses ${JSON.stringify(countBy(again.map((p) => p.status)))}) → ${second.length} emitted in total, duplicated ${r2.duplicated}`,
		);
		recordFigures({
			scenario: '4 Duplicates',
			eventsSent: 60,
			executions: (await allExecutions(stage.n8n, wf.id, false)).length,
			lost: r2.lost,
			duplicated: r2.duplicated,
			answers5xx: [...parallel, ...again].filter((d) => (d.status ?? 0) >= 500).length,
			forgedExecutions: r2.foreign,
			secretOccurrences: await secretsNow(),
			durationS: (Date.now() - started) / 1000,
			note: '20 events: 2 parallel deliveries each, a 3rd after a restart',
		});
		await unpublish(stage.n8n, wf.id);
		expect([...parallel, ...again].every((d) => d.status === 200)).toBe(true);
		expect(r1).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
		expect(r2).toEqual({ lost: 0, duplicated: 0, foreign: 0 });
	});

	test('6 secrets: n8n logs, execution data and error texts of scenarios 1–4 hold neither the API key nor the webhook secret', async () => {
		const started = Date.now();
		// error texts: a credential test with a wrong key, a forged and an unsigned delivery's answers
		const bad = await createMandoCredential(
			stage.n8n,
			{
				apiKey: 'wrong-' + stage.apiKey.slice(0, 4),
				webhookSecret: stage.webhookSecret,
				baseUrl: stage.emulator.url,
			},
			'Mando (wrong key)',
		);
		errorTexts.push(JSON.stringify(await stage.n8n.api('POST', `/credentials/${bad.id}/test`)));
		const { url } = await publishedTrigger(['sale.created'], 'Reliability 6 secrets');
		for (const signature of [
			signMandoPayload('{}', 'wrong'),
			undefined,
			'sha256=' + stage.webhookSecret,
		]) {
			const res = await fetch(url, {
				method: 'POST',
				headers: {
					'Content-Type': 'application/json',
					...(signature ? { 'X-Mando-Signature': signature } : {}),
				},
				body: '{}',
			});
			errorTexts.push(`${res.status} ${await res.text()}`);
		}
		const scan = await scanForSecrets(stage.n8n, [stage.apiKey, stage.webhookSecret], errorTexts);
		log(
			`secrets (scenarios 1–4): ${scan.logBytes} log bytes, ${scan.executionsScanned} executions, ${errorTexts.length} error texts scanned → ${scan.total} occurrences`,
		);
		recordFigures({
			scenario: '6 Secrets (1–4)',
			eventsSent: 0,
			executions: scan.executionsScanned,
			lost: 0,
			duplicated: 0,
			answers5xx: 0,
			forgedExecutions: 0,
			secretOccurrences: scan.total,
			durationS: (Date.now() - started) / 1000,
			note: `${(scan.logBytes / 1e6).toFixed(1)} MB of logs, ${scan.executionsScanned} executions with data`,
		});
		expect(scan.total).toBe(0);
	});
});

function countBy<T>(values: T[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
	return out;
}
