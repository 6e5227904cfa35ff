import http from 'http';
import type { AddressInfo } from 'net';

import { httpRequest } from '../emulator/client';
import type { HttpRequestOptions } from '../emulator/client';
import { startEmulator } from '../emulator/server';
import type { Emulator, EmulatorOptions } from '../emulator/server';

/**
 * The emulator's own tests' set-up: one emulator and one local webhook receiver per test, with
 * retries scaled down so Mando's 2 h 36 min schedule runs in about a second.
 */

export const API_KEY = 'test-key';
export const SECRET = 'test-secret';
/** 1 min → 6 ms, 5 min → 30 ms, 30 min → 180 ms, 2 h → 720 ms. */
export const TIME_SCALE = 0.0001;

export interface Received {
	at: number;
	headers: http.IncomingHttpHeaders;
	raw: Buffer;
}

/** A local webhook receiver; `respond` decides each answer (a status, or 'hang' to never answer). */
export interface Receiver {
	url: string;
	received: Received[];
	respond: (n: number) => number | 'hang';
	close(): Promise<void>;
}

async function startReceiver(respond: Receiver['respond'] = () => 200): Promise<Receiver> {
	const receiver = { received: [] as Received[], respond } as Receiver;
	const server = http.createServer((req, res) => {
		const chunks: Buffer[] = [];
		req.on('data', (c: Buffer) => chunks.push(c));
		req.on('end', () => {
			receiver.received.push({ at: Date.now(), headers: req.headers, raw: Buffer.concat(chunks) });
			const answer = receiver.respond(receiver.received.length);
			if (answer === 'hang') return;
			res.writeHead(answer, { 'content-type': 'text/plain' }).end('ok');
		});
	});
	await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
	receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
	receiver.close = () =>
		new Promise<void>((resolve) => {
			server.close(() => resolve());
			server.closeAllConnections();
		});
	return receiver;
}

/** The emulator and receiver of the running test (set by {@link boot}). */
export let emulator: Emulator;
export let receiver: Receiver;

/** Starts an emulator (test key and secret, http allowed, fast retries, no café records) and a receiver. */
export async function boot(
	options: EmulatorOptions = {},
	respond?: Receiver['respond'],
): Promise<void> {
	emulator = await startEmulator({
		apiKey: API_KEY,
		webhookSecret: SECRET,
		allowHttp: true,
		timeScale: TIME_SCALE,
		seed: 'empty',
		...options,
	});
	receiver = await startReceiver(respond);
}

/** Closes the emulator and the receiver after each test of the calling file. */
export function closeAfterEach(): void {
	afterEach(async () => {
		await emulator?.close();
		await receiver?.close();
	});
}

/** An API request with the test key. */
export function api(path: string, options: HttpRequestOptions = {}) {
	return httpRequest(emulator.url + path, {
		...options,
		headers: { authorization: `Bearer ${API_KEY}`, ...(options.headers ?? {}) },
	});
}

/** Creates a webhook to the receiver through the API. */
export async function createWebhook(
	events: string[] = ['sale.created'],
): Promise<{ id: string; secret?: string }> {
	const res = await api('/secure/webhook', {
		method: 'POST',
		json: { url: receiver.url, events, active: true, description: 'test' },
	});
	expect(res.status).toBe(201);
	return res.body as { id: string; secret?: string };
}
