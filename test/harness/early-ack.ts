import { randomBytes } from 'crypto';
import { signMandoPayload } from '../../nodes/shared/signature';
import type { Emulator } from '../emulator/server';
import { delay, nodeOutput, waitUntil, type N8n, type N8nExecution } from './n8n';
import { createTriggerWorkflow, publish, unpublish } from './workflows';

/**
 * The proof that Acknowledge "Immediately" (n8n answers once it has stored the run, the trigger
 * itself if n8n has not within ACK_FALLBACK_MS) changes
 * nothing in the runs: one fixed set of deliveries — new events, a batch, re-deliveries, forged
 * and unsigned ones — posted to a workflow with "Immediately" and to one with "After the workflow
 * succeeds" (whose answer waits for the run, the reference), then their executions and items
 * compared with each other and with what the set must produce. Shared by the regular-mode e2e
 * test and the queue-mode reliability test.
 */

/** One answer to a posted delivery. */
export interface PostedAnswer {
	status: number;
	/** Time to the whole answer, ms. */
	ms: number;
	body: unknown;
}

/** Posts `body` to `url`, signed with `secret` unless `signature` is given (`null`: no header). */
export async function postDelivery(
	url: string,
	body: string,
	secret: string,
	signature?: string | null,
): Promise<PostedAnswer> {
	const headers: Record<string, string> = { 'content-type': 'application/json' };
	const sig = signature === undefined ? signMandoPayload(body, secret) : signature;
	if (sig !== null) headers['x-mando-signature'] = sig;
	const started = performance.now();
	const res = await fetch(url, { method: 'POST', headers, body });
	const text = await res.text();
	let parsed: unknown;
	try {
		parsed = text ? JSON.parse(text) : undefined;
	} catch {
		parsed = text;
	}
	return { status: res.status, ms: performance.now() - started, body: parsed };
}

/** A delivery of the set: its body, how it is signed, and what it must start. */
interface PlannedDelivery {
	body: string;
	signing: 'valid' | 'forged' | 'unsigned';
	/** Event ids this delivery must run (empty: it must start no run). */
	runs: string[];
}

function envelope(id: string, type = 'sale.created') {
	return {
		id,
		type,
		created: new Date().toISOString(),
		data:
			type === 'stock.low'
				? { plu_id: `plu-${id}`, quantity: 1, threshold: 5 }
				: { id: `sale-${id}`, total: 12.5, items: [] },
	};
}

/**
 * The set: 6 single events (one `stock.low`), a batch of 2 new events and a repeat, 3
 * re-deliveries, one forged and one unsigned delivery. 7 runs with 8 items in all.
 */
function plannedDeliveries(): PlannedDelivery[] {
	const tag = randomBytes(4).toString('hex');
	const id = (n: number) => `evt_ack_${tag}_${n}`;
	const one = (n: number, type?: string): PlannedDelivery => ({
		body: JSON.stringify(envelope(id(n), type)),
		signing: 'valid',
		runs: [id(n)],
	});
	const again = (d: PlannedDelivery): PlannedDelivery => ({ ...d, runs: [] });
	const singles = [one(1), one(2), one(3, 'stock.low'), one(4), one(5), one(6)];
	return [
		...singles.slice(0, 3),
		again(singles[0]),
		{
			body: JSON.stringify([envelope(id(7)), envelope(id(8)), envelope(id(2))]),
			signing: 'valid',
			runs: [id(7), id(8)],
		},
		{ body: JSON.stringify(envelope(id(9))), signing: 'forged', runs: [] },
		...singles.slice(3),
		again(singles[2]),
		{ body: JSON.stringify(envelope(id(10))), signing: 'unsigned', runs: [] },
		again(singles[5]),
	];
}

/** What one workflow did with the set. */
export interface ProofSide {
	acknowledge: 'immediately' | 'afterSuccess';
	answers: PostedAnswer[];
	/** Event ids per execution, each list sorted, the lists sorted. */
	runs: string[][];
	executions: N8nExecution[];
}

/** The outcome of {@link proveEarlyAckChangesNothing}. */
export interface EarlyAckProof {
	/** The runs the set must produce (each list sorted, the lists sorted). */
	expected: string[][];
	immediately: ProofSide;
	afterSuccess: ProofSide;
	/** Statuses answered to the forged and unsigned deliveries, per side. */
	forgedStatuses: number[];
	/** Event ids that ran more than once, both sides together. */
	duplicatesRun: number;
	/** Ack times of the signed deliveries under "Immediately", ms: p50 and max. */
	ackP50: number;
	ackMax: number;
	/** The same under "After the workflow succeeds" (they include the run). */
	afterSuccessP50: number;
	/** Signed deliveries under "Immediately" that the trigger answered itself (`early: true`). */
	earlyAnswers: number;
	/** `[e2e]`-ready summary. */
	summary: string;
}

const percentile = (values: number[], p: number) => {
	const sorted = [...values].sort((a, b) => a - b);
	return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
};

function runsOf(executions: N8nExecution[]): string[][] {
	return executions
		.map((e) =>
			nodeOutput(e, 'Mando Trigger')
				.map((item) => String(item.id))
				.sort(),
		)
		.sort((a, b) => a.join().localeCompare(b.join()));
}

/**
 * Posts the set to a new "Immediately" workflow and a new "After the workflow succeeds" workflow
 * (both Mando Trigger → No Operation, published on `n8n`), one delivery at a time, waits until
 * their runs are stored, and unpublishes both.
 *
 * @param n8n the main process (API, publication; in queue mode its webhook base URL is the webhook processor's)
 * @param secret the webhook signing secret the emulator signs with
 */
export async function proveEarlyAckChangesNothing(
	n8n: N8n,
	emulator: Emulator,
	credential: { id: string; name: string },
	secret: string,
): Promise<EarlyAckProof> {
	const planned = plannedDeliveries();
	const expected = planned
		.filter((d) => d.runs.length > 0)
		.map((d) => [...d.runs].sort())
		.sort((a, b) => a.join().localeCompare(b.join()));
	const side = async (acknowledge: ProofSide['acknowledge']): Promise<ProofSide> => {
		const wf = await createTriggerWorkflow(n8n, credential, {
			events: ['sale.created', 'stock.low'],
			acknowledge,
		});
		await publish(n8n, wf.id);
		const url = n8n.webhookUrl(wf.webhookPath);
		await waitUntil(() => emulator.webhooks().some((w) => w.url === url && w.active));
		const hookSecret = emulator.webhooks().find((w) => w.url === url)?.secret || secret;
		const answers: PostedAnswer[] = [];
		for (const d of planned) {
			const forged = signMandoPayload(d.body, 'not-the-secret-' + randomBytes(4).toString('hex'));
			answers.push(
				await postDelivery(
					url,
					d.body,
					hookSecret,
					d.signing === 'valid' ? undefined : d.signing === 'forged' ? forged : null,
				),
			);
		}
		await n8n.waitForExecutions(wf.id, expected.length, 90_000);
		await delay(3000); // a run that must not happen would be stored by now
		const executions = await n8n.executions(wf.id);
		await unpublish(n8n, wf.id);
		return { acknowledge, answers, runs: runsOf(executions), executions };
	};
	const immediately = await side('immediately');
	const afterSuccess = await side('afterSuccess');
	const unsignedOrForged = planned
		.map((d, i) => (d.signing === 'valid' ? -1 : i))
		.filter((i) => i >= 0);
	const forgedStatuses = [immediately, afterSuccess].flatMap((s) =>
		unsignedOrForged.map((i) => s.answers[i].status),
	);
	const signedMs = (s: ProofSide) =>
		s.answers.filter((_, i) => planned[i].signing === 'valid').map((a) => a.ms);
	const duplicatesRun = [immediately, afterSuccess].reduce((n, s) => {
		const ids = s.runs.flat();
		return n + ids.length - new Set(ids).size;
	}, 0);
	const ackP50 = percentile(signedMs(immediately), 50);
	const ackMax = Math.max(...signedMs(immediately));
	const afterSuccessP50 = percentile(signedMs(afterSuccess), 50);
	const items = (s: ProofSide) => s.runs.flat().length;
	const earlyAnswers = immediately.answers.filter(
		(a) => (a.body as { early?: boolean } | undefined)?.early === true,
	).length;
	const summary =
		`${planned.length} deliveries (${planned.filter((d) => d.runs.length > 0).length} with new events, ` +
		`${planned.filter((d) => d.signing === 'valid' && d.runs.length === 0).length} re-deliveries, ` +
		`${unsignedOrForged.length} forged/unsigned): Immediately ack p50 ${ackP50.toFixed(0)} ms, max ${ackMax.toFixed(0)} ms, ${earlyAnswers} answered by the trigger before n8n → ` +
		`${immediately.executions.length} executions, ${items(immediately)} items; After the workflow succeeds (ack p50 ${afterSuccessP50.toFixed(0)} ms) → ` +
		`${afterSuccess.executions.length} executions, ${items(afterSuccess)} items; expected ${expected.length} executions, ${expected.flat().length} items; ` +
		`same runs and items: ${JSON.stringify(immediately.runs) === JSON.stringify(afterSuccess.runs) && JSON.stringify(immediately.runs) === JSON.stringify(expected)}; ` +
		`duplicates run ${duplicatesRun}; forged/unsigned answered ${JSON.stringify([...new Set(forgedStatuses)])}`;
	return {
		expected,
		immediately,
		afterSuccess,
		forgedStatuses,
		duplicatesRun,
		ackP50,
		ackMax,
		afterSuccessP50,
		earlyAnswers,
		summary,
	};
}

/**
 * The assertions of the proof: both workflows ran exactly the expected events once each, every
 * "Immediately" run succeeded, forged and unsigned deliveries got 401, every signed one 200 with
 * the node's counts, and n8n's log (`logs`) has no "headers already sent".
 */
export function expectEarlyAckChangedNothing(proof: EarlyAckProof, logs: string): void {
	expect(proof.immediately.runs).toEqual(proof.expected);
	expect(proof.afterSuccess.runs).toEqual(proof.expected);
	expect(proof.immediately.executions.every((e) => e.status === 'success')).toBe(true);
	expect(proof.duplicatesRun).toBe(0);
	expect(proof.forgedStatuses.every((s) => s === 401)).toBe(true);
	const signed = proof.immediately.answers.filter((a) => a.status !== 401);
	expect(signed.every((a) => a.status === 200 && (a.body as { ok?: boolean }).ok === true)).toBe(
		true,
	);
	expect(logs).not.toMatch(/headers already sent|ERR_HTTP_HEADERS_SENT/i);
}
