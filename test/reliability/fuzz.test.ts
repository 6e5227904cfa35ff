import { randomBytes } from 'crypto';
import fc from 'fast-check';
import { MANDO_EVENT_TYPES } from '../../nodes/shared/events';
import { parseMandoDelivery } from '../../nodes/MandoTrigger/envelope';
import { signMandoPayload } from '../../nodes/shared/signature';
import { createTriggerWorkflow, publish, type CreatedWorkflow } from '../harness/workflows';
import { recordFigures } from './figures';
import { countOccurrences, scanForSecrets } from './secrets';
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
 * Scenario 5: at least 10,000 generated deliveries (fast-check) posted over HTTP to a real n8n's
 * production webhook of a Mando Trigger ("All events"), 8 at a time: valid signed envelopes with
 * Mando's and odd content types, forged ones (missing, truncated, over-long, non-hex, prefix-less
 * signatures, wrong secret, signature of another body, mutated bodies), random and non-JSON
 * bodies, signed non-envelopes, and bodies up to (and just over) n8n's payload limit.
 * Properties: no answer is 5xx; unverified input is refused (4xx) and starts nothing; every
 * correctly signed envelope is accepted (2xx) and runs exactly once.
 */

jest.setTimeout(30 * 60 * 1000);

/** Deliveries in total: BATCHES property runs of BATCH deliveries each. */
const BATCH = 50;
const BATCHES = Number(process.env.MANDO_FUZZ_BATCHES ?? 200);
const CONCURRENCY = 8;
/** n8n's default body limit, `N8N_PAYLOAD_SIZE_MAX` = 16 (MiB; n8n @n8n/config endpoints.config). */
const PAYLOAD_LIMIT = 16 * 1024 * 1024;
const SEED = Number(process.env.MANDO_FUZZ_SEED ?? 20260).valueOf();

/** Mando's own content types for a delivery (the contract: JSON), in spellings a server may vary. */
const JSON_TYPES = [
	'application/json',
	'application/json; charset=utf-8',
	'application/json;charset=UTF-8',
];
const ODD_TYPES = [
	null,
	'text/plain',
	'text/plain; charset=iso-8859-1',
	'application/x-www-form-urlencoded',
	'application/octet-stream',
	// XML types are left out: n8n 2.40.7 parses them (xml2js) before any node runs, and some
	// malformed bodies never get an answer (n8n's behaviour, for every webhook, not the node's).
	'multipart/form-data; boundary=mando',
	'image/png',
	'application/vnd.api+json',
	'Application/JSON',
	'application/json; charset=utf-16',
	';;;',
];

/**
 * `accept`: 2xx and its ids run; `reject`: 4xx; `signed`: correctly signed but not (all) usable
 * envelopes, so never refused once read (2xx; a 4xx only where n8n consumed the body first) and
 * whatever the trigger's parser finds in it may run, once.
 */
type Expectation = 'accept' | 'reject' | 'signed';

/** One generated delivery; `large` bodies are built at send time from their size. */
interface FuzzDelivery {
	kind: string;
	expect: Expectation;
	/** Ids a correct signature vouches for (accept only). */
	ids: string[];
	body?: Buffer;
	large?: { size: number; signed: boolean };
	contentType: string | null;
	signature: string | null;
}

let stage: Stage;
let wf: CreatedWorkflow;
let url: string;

beforeAll(async () => {
	// n8n 2.40's default expression engine (isolated-vm) builds an isolate for every delivery to a
	// non-Webhook trigger: about 3 deliveries/s on 2 cores. The fuzz is about the trigger's
	// verification, so its n8n evaluates expressions with the legacy engine to get through 10,000.
	stage = await startStage({ n8n: { env: { N8N_EXPRESSION_ENGINE: 'legacy' } } });
	wf = await createTriggerWorkflow(
		stage.n8n,
		stage.credential,
		{ events: ['*'] },
		{ name: 'Reliability 5 fuzz' },
	);
	url = stage.deliveryUrl(wf.webhookPath).replace(`:${stage.proxy.port}`, `:${stage.n8n.port}`);
	await publish(stage.n8n, wf.id);
});

afterAll(async () => {
	await stage?.stop();
});

const secret = () => stage.webhookSecret;

const envelope = (prefix: string) =>
	fc.record({
		id: fc.uuid().map((u) => prefix + u),
		type: fc.oneof(fc.constantFrom(...MANDO_EVENT_TYPES), fc.constantFrom('sale.refunded', 'x')),
		created: fc
			.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true })
			.map((d) => d.toISOString()),
		data: fc.dictionary(fc.string({ maxLength: 12 }), fc.jsonValue({ maxDepth: 2 }), {
			maxKeys: 6,
		}),
	});

/** A body of one envelope (usual) or an array of 2–3 (a batch), serialised compactly or pretty. */
const envelopeBody = (prefix: string) =>
	fc
		.tuple(
			fc.oneof(
				{ weight: 4, arbitrary: envelope(prefix).map((e) => [e]) },
				{ weight: 1, arbitrary: fc.array(envelope(prefix), { minLength: 2, maxLength: 3 }) },
			),
			fc.boolean(),
		)
		.map(([events, pretty]) => {
			const value = events.length === 1 ? events[0] : events;
			return {
				ids: events.map((e) => e.id),
				body: Buffer.from(pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value), 'utf8'),
			};
		});

/** Signature headers that must not verify for `body`. */
const badSignature = (body: Buffer) =>
	fc.oneof(
		fc.constant(null),
		fc.constant(''),
		fc.constant('sha256='),
		fc.integer({ min: 1, max: 63 }).map((n) => signMandoPayload(body, secret()).slice(0, 7 + n)), // truncated
		// over-long (whitespace around a correct header is no forgery: HTTP trims it, so does the trigger)
		fc
			.string({ minLength: 1, maxLength: 40 })
			.filter((extra) => extra.trim() !== '')
			.map((extra) => signMandoPayload(body, secret()) + extra),
		fc.string({ minLength: 64, maxLength: 64 }).map((s) => 'sha256=' + s), // non-hex (almost surely)
		fc.constant(signMandoPayload(body, secret()).slice(7)), // no prefix
		fc.constant(signMandoPayload(body, secret()).replace('sha256=', 'sha1=')),
		fc
			.string({ minLength: 1, maxLength: 30 })
			.map((wrong) => signMandoPayload(body, wrong + '-wrong')), // wrong secret
		fc.constant(signMandoPayload(Buffer.concat([body, Buffer.from(' ')]), secret())), // another body's
		fc.constant('sha256=' + secret()), // the secret itself as the header
		fc.string({ maxLength: 200 }),
	);

const anyContentType = fc.constantFrom<string | null>(...JSON_TYPES, ...ODD_TYPES);

const valid = envelopeBody('evt_ok_').chain(({ ids, body }) =>
	fc.record({
		kind: fc.constant('valid'),
		expect: fc.constant<Expectation>('accept'),
		ids: fc.constant(ids),
		body: fc.constant(body),
		contentType: fc.constantFrom<string | null>(...JSON_TYPES),
		signature: fc.constantFrom(
			signMandoPayload(body, secret()),
			signMandoPayload(body, secret()).toUpperCase().replace('SHA256=', 'sha256='),
			` ${signMandoPayload(body, secret())} `,
		),
	}),
);

const validOddType = envelopeBody('evt_odd_').chain(({ ids, body }) =>
	fc.record({
		kind: fc.constant('valid, odd content type'),
		expect: fc.constant<Expectation>('accept'),
		ids: fc.constant(ids),
		body: fc.constant(body),
		contentType: fc.constantFrom<string | null>(...ODD_TYPES),
		signature: fc.constant(signMandoPayload(body, secret())),
	}),
);

const forged = envelopeBody('evt_forged_').chain(({ body }) =>
	fc.record({
		kind: fc.constant('forged signature'),
		expect: fc.constant<Expectation>('reject'),
		ids: fc.constant([] as string[]),
		body: fc.constant(body),
		contentType: anyContentType,
		signature: badSignature(body),
	}),
);

/** Signed correctly, then changed: truncated, a byte flipped, or bytes appended. */
const mutated = fc
	.tuple(
		envelopeBody('evt_mutated_'),
		fc.nat(),
		fc.integer({ min: 1, max: 255 }),
		fc.constantFrom('truncate', 'flip', 'append'),
		anyContentType,
	)
	.map(([{ body }, at, xor, how, contentType]) => {
		const signature = signMandoPayload(body, secret());
		const i = at % body.length;
		let changed: Buffer;
		if (how === 'truncate') changed = body.subarray(0, i);
		else if (how === 'flip') ((changed = Buffer.from(body)), (changed[i] ^= xor));
		else changed = Buffer.concat([body, Buffer.from([xor])]);
		return {
			kind: 'mutated after signing',
			expect: 'reject' as Expectation,
			ids: [],
			body: changed,
			contentType,
			signature,
		};
	});

/** Random bytes, text or JSON; signed correctly half of the time (then: answered 2xx, usable members run). */
const random = fc
	.tuple(
		fc.oneof(
			fc.uint8Array({ maxLength: 2048 }).map((b) => Buffer.from(b)),
			fc.string({ unit: 'binary', maxLength: 500 }).map((s) => Buffer.from(s, 'utf8')),
			fc.json().map((j) => Buffer.from(j, 'utf8')),
			fc.jsonValue().map((v) =>
				Buffer.from(
					JSON.stringify({
						...(typeof v === 'object' && v !== null && !Array.isArray(v) ? v : { v }),
						type: 'sale.created',
					}) ?? 'null',
					'utf8',
				),
			),
			fc
				.constantFrom(
					'',
					'null',
					'[]',
					'{}',
					'{"events":[]}',
					'\ufeff{"id":"evt_bom","type":"sale.created","data":{}}',
					'not json',
					'{"id":1,"type":"sale.created","data":{}}',
				)
				.map((s) => Buffer.from(s, 'utf8')),
		),
		fc.boolean(),
		anyContentType,
	)
	.chain(([body, signed, contentType]) =>
		fc.record({
			kind: fc.constant(signed ? 'signed, not an envelope' : 'random body'),
			expect: fc.constant<Expectation>(signed ? 'signed' : 'reject'),
			ids: fc.constant([] as string[]),
			body: fc.constant(body),
			contentType: fc.constant(contentType),
			signature: signed ? fc.constant(signMandoPayload(body, secret())) : badSignature(body),
		}),
	);

/** Bodies of 1 MiB, 8 MiB, exactly n8n's limit and one byte over; signed correctly or not. */
const large = fc
	.tuple(fc.constantFrom(1 << 20, 8 << 20, PAYLOAD_LIMIT, PAYLOAD_LIMIT + 1), fc.boolean())
	.map(([size, signed]) => ({
		kind:
			size > PAYLOAD_LIMIT ? 'over the payload limit' : signed ? 'large, valid' : 'large, forged',
		expect: (signed && size <= PAYLOAD_LIMIT ? 'accept' : 'reject') as Expectation,
		ids: [] as string[],
		large: { size, signed },
		contentType: 'application/json',
		signature: null,
	}));

const delivery: fc.Arbitrary<FuzzDelivery> = fc.oneof(
	{ weight: 200, arbitrary: valid },
	{ weight: 50, arbitrary: validOddType },
	{ weight: 300, arbitrary: forged },
	{ weight: 150, arbitrary: mutated },
	{ weight: 300, arbitrary: random },
	{ weight: 2, arbitrary: large },
);

/** Builds a large body: one envelope padded to exactly `size` bytes. */
function largeBody(
	size: number,
	signed: boolean,
): { body: Buffer; ids: string[]; signature: string } {
	const id = `${signed && size <= PAYLOAD_LIMIT ? 'evt_ok_large_' : 'evt_forged_large_'}${randomBytes(8).toString('hex')}`;
	const head = JSON.stringify({
		id,
		type: 'product.updated',
		created: new Date().toISOString(),
		data: { note: '' },
	});
	const pad = size - Buffer.byteLength(head);
	const body = Buffer.from(head.replace('"note":""', `"note":"${'x'.repeat(pad)}"`), 'utf8');
	return {
		body,
		ids: [id],
		signature: signed ? signMandoPayload(body, secret()) : signMandoPayload(body, 'not-the-secret'),
	};
}

interface Outcome {
	delivery: FuzzDelivery;
	status: number;
	text: string;
	ids: string[];
}

async function post(d: FuzzDelivery): Promise<Outcome> {
	let { body, ids, signature } = d;
	if (d.large) ({ body, ids, signature } = largeBody(d.large.size, d.large.signed));
	const headers: Record<string, string> = {};
	if (d.contentType !== null) headers['content-type'] = d.contentType;
	if (signature !== null) headers['x-mando-signature'] = signature;
	try {
		const res = await fetch(url, {
			method: 'POST',
			headers,
			body: body!,
			signal: AbortSignal.timeout(30_000),
		});
		return { delivery: d, status: res.status, text: await res.text(), ids };
	} catch (error) {
		// a header value fetch refuses to send (e.g. control characters) never reaches n8n
		if (
			error instanceof TypeError &&
			/header/i.test(
				String((error as Error).message) + String((error as { cause?: Error }).cause?.message),
			)
		) {
			return { delivery: d, status: -1, text: '', ids };
		}
		// status 0: no answer (connection error, or none within 30 s)
		return {
			delivery: d,
			status: 0,
			text: String((error as { cause?: Error }).cause ?? error),
			ids,
		};
	}
}

async function sendAll(batch: FuzzDelivery[]): Promise<Outcome[]> {
	const out: Outcome[] = new Array(batch.length);
	let next = 0;
	await Promise.all(
		Array.from({ length: CONCURRENCY }, async () => {
			while (next < batch.length) {
				const i = next++;
				out[i] = await post(batch[i]);
			}
		}),
	);
	return out;
}

describe('reliability: fuzzed deliveries into a real n8n', () => {
	test(`5 fuzz: ${BATCH * BATCHES} generated deliveries → 0 answers 5xx, 0 executions from unverified input, every correctly signed one accepted`, async () => {
		const started = Date.now();
		const outcomes: Outcome[] = [];
		const byKind = new Map<string, Record<string, number>>();
		await fc.assert(
			fc.asyncProperty(
				fc.array(delivery, { minLength: BATCH, maxLength: BATCH }),
				async (batch) => {
					const results = await sendAll(batch);
					outcomes.push(...results);
					for (const r of results) {
						const counts = byKind.get(r.delivery.kind) ?? {};
						counts[r.status] = (counts[r.status] ?? 0) + 1;
						byKind.set(r.delivery.kind, counts);
					}
					// n8n itself answers 500 to a body over its limit, before any node runs (its body
					// parser's error): counted apart, and such a body must not be accepted.
					const bad = results.filter(
						(r) =>
							r.status !== -1 &&
							(r.status === 0 ||
								(r.status >= 500 && r.delivery.kind !== 'over the payload limit') ||
								(r.delivery.expect === 'reject' && r.status < 400) ||
								(r.delivery.expect === 'signed' &&
									r.status >= 300 &&
									JSON_TYPES.includes(r.delivery.contentType as string) &&
									!parsedByN8nFirst(r)) ||
								(r.delivery.kind === 'valid' || r.delivery.kind === 'large, valid'
									? r.status !== 200
									: false)),
					);
					if (bad.length) {
						const b = bad[0];
						throw new Error(
							`${bad.length} unexpected answers; first: ${b.delivery.kind} content-type=${JSON.stringify(b.delivery.contentType)} → ${b.status} ${b.text.slice(0, 300)}`,
						);
					}
				},
			),
			{ numRuns: BATCHES, seed: SEED, endOnFailure: true },
		);
		const sent = outcomes.filter((o) => o.status !== -1);
		const acceptedIds = sent
			.filter((o) => o.delivery.expect === 'accept' && o.status >= 200 && o.status < 300)
			.flatMap((o) => o.ids);
		const refusedValid = sent.filter(
			(o) => o.delivery.expect === 'accept' && !(o.status >= 200 && o.status < 300),
		);
		// ids a signed odd body vouches for: whatever the trigger's own parser finds in it
		const signedIds = new Set(
			sent
				.filter((o) => o.delivery.expect === 'signed' && o.delivery.body)
				.flatMap((o) => parseMandoDelivery(o.delivery.body!).events.map((e) => e.id)),
		);
		const emittedAll = await waitForEmitted(stage.n8n, wf.id, acceptedIds.length, 300_000, 3000);
		const emitted = emittedAll.filter((id) => !signedIds.has(id) || acceptedIds.includes(id));
		const fromSignedOdd = emittedAll.length - emitted.length;
		const { lost, duplicated, foreign } = lostAndDuplicated(acceptedIds, emitted);
		const fivexx = sent.filter((o) => o.status >= 500 || o.status === 0).length;
		const overLimit = sent.filter((o) => o.delivery.kind === 'over the payload limit');
		const overLimit5xx = overLimit.filter((o) => o.status >= 500).length;
		log(
			`fuzz: ${sent.length} deliveries sent (${outcomes.length - sent.length} had a header fetch cannot send), seed ${SEED}; answers by kind:`,
		);
		for (const [kind, counts] of byKind) log(`  ${kind}: ${JSON.stringify(counts)}`);
		const oddRefused = refusedValid.filter((o) => o.delivery.kind === 'valid, odd content type');
		log(
			`fuzz: ${acceptedIds.length} events accepted → ${emitted.length} emitted (+${fromSignedOdd} from the usable members of ${signedIds.size} ids in signed odd bodies); lost ${lost}, duplicated ${duplicated}, from unverified input ${foreign}; correctly signed but refused: ${refusedValid.length} (odd content types: ${JSON.stringify(countBy(oddRefused.map((o) => `${o.delivery.contentType} → ${o.status}`)))})`,
		);
		const scan = await scanForSecrets(stage.n8n, [stage.apiKey, stage.webhookSecret], []);
		const inAnswers = sent.reduce(
			(n, o) => n + countOccurrences(o.text, [stage.apiKey, stage.webhookSecret]),
			0,
		);
		recordFigures({
			scenario: '5 Fuzz',
			eventsSent: sent.length,
			executions: (await allExecutions(stage.n8n, wf.id, false)).length,
			lost,
			duplicated,
			answers5xx: fivexx,
			forgedExecutions: foreign,
			secretOccurrences: scan.total + inAnswers,
			durationS: (Date.now() - started) / 1000,
			note: `fast-check seed ${SEED}, ${CONCURRENCY} at a time, legacy expression engine; ${acceptedIds.length} signed events accepted, ${sent.length - acceptedIds.length} refused; 5xx: n8n's own answer to ${overLimit5xx} of ${overLimit.length} bodies over its 16 MiB limit`,
		});
		expect(fivexx - overLimit5xx).toBe(0);
		expect(overLimit.every((o) => o.status >= 400)).toBe(true);
		expect(foreign).toBe(0);
		expect({ lost, duplicated }).toEqual({ lost: 0, duplicated: 0 });
		expect(refusedValid.filter((o) => o.delivery.kind !== 'valid, odd content type')).toEqual([]);
		expect(sent.length).toBeGreaterThanOrEqual(10_000 - 50);
		expect(scan.total + inAnswers).toBe(0);
		// every emitted event came from a correctly signed delivery
		expect(
			emittedEventIds(await allExecutions(stage.n8n, wf.id)).every(
				(id) => id.startsWith('evt_ok_') || id.startsWith('evt_odd_') || signedIds.has(id),
			),
		).toBe(true);
		expect(fromSignedOdd).toBeLessThanOrEqual(signedIds.size);
	});
});

/**
 * n8n's own answer to a JSON content type whose body is not JSON: 422 "Failed to parse request
 * body", from its body parser before any node runs (Mando sends JSON, so it never meets this).
 */
function parsedByN8nFirst(outcome: { status: number; text: string }): boolean {
	return outcome.status === 422 && outcome.text.includes('Failed to parse request body');
}

function countBy(values: string[]): Record<string, number> {
	const out: Record<string, number> = {};
	for (const v of values) out[v] = (out[v] ?? 0) + 1;
	return out;
}
