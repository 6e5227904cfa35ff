import type {
	IDataObject,
	IExecuteFunctions,
	IHttpRequestOptions,
	ILoadOptionsFunctions,
	INode,
} from 'n8n-workflow';

import { Mando } from '../../nodes/Mando/Mando.node';
import { startEmulator, type Emulator } from '../emulator/server';

/**
 * A minimal n8n-like context for running the Mando node's code in unit tests against the emulator.
 * Its `helpers.httpRequestWithAuthentication` does a real HTTP call with `fetch` and the Bearer
 * header, standing in for n8n's HTTP helper (which the node's code calls); everything else is
 * the node's own code.
 */

/** The node the fake context reports (`getNode()`), as n8n would for a Mando node. */
export const TEST_NODE: INode = {
	id: 'test-node',
	name: 'Mando',
	type: 'CUSTOM.mando',
	typeVersion: 1,
	position: [0, 0],
	parameters: {},
};

/** The parameter at a dotted `name`; `{ found: false }` when a key on the way is absent (not when it holds `undefined`). */
function lookup(params: IDataObject, name: string): { found: boolean; value: unknown } {
	let value: unknown = params;
	for (const key of name.split('.')) {
		if (!value || typeof value !== 'object' || !(key in value))
			return { found: false, value: undefined };
		value = (value as IDataObject)[key];
	}
	return { found: true, value };
}

/** Stand-in for n8n's `httpRequestWithAuthentication` on the `mandoApi` credential. */
async function httpRequest(apiKey: string, options: IHttpRequestOptions) {
	const url = new URL(options.url);
	for (const [key, value] of Object.entries(options.qs ?? {})) {
		if (value !== undefined) url.searchParams.set(key, String(value));
	}
	const timeout =
		typeof options.timeout === 'number' ? AbortSignal.timeout(options.timeout) : undefined;
	const res = await fetch(url, {
		signal: timeout,
		method: options.method ?? 'GET',
		headers: {
			...(options.headers as Record<string, string>),
			Authorization: `Bearer ${apiKey}`,
			...(options.body ? { 'Content-Type': 'application/json' } : {}),
		},
		body: options.body === undefined ? undefined : JSON.stringify(options.body),
	}).catch((error: Error) => {
		// n8n's helper (axios) reports its `timeout` as ECONNABORTED
		if (timeout?.aborted)
			throw Object.assign(new Error(`timeout of ${String(options.timeout)}ms exceeded`), {
				code: 'ECONNABORTED',
			});
		throw error;
	});
	const text = await res.text();
	let body: unknown = text;
	try {
		body = text ? JSON.parse(text) : undefined;
	} catch {
		// keep the text
	}
	return { statusCode: res.status, headers: Object.fromEntries(res.headers), body };
}

/** Options of {@link runNode} and {@link fakeContext}. */
export interface FakeOptions {
	emulator: Emulator;
	/** One parameter object per input item. */
	items: IDataObject[];
	continueOnFail?: boolean;
	apiKey?: string;
	/** What `getExecutionId()` answers; default `test-execution`. */
	executionId?: string;
	/** The context's `runIndex` (n8n's run of the node within the execution); default 0. */
	runIndex?: number;
	/** What `getTimezone()` answers (the workflow's time zone); default `UTC`. */
	timezone?: string;
	/** Run as n8n runs the node's AI tool variant (node type `…mandoTool`). */
	asTool?: boolean;
}

/** An `IExecuteFunctions`-like (and `ILoadOptionsFunctions`-like) object over the emulator. */
export function fakeContext(options: FakeOptions): IExecuteFunctions & ILoadOptionsFunctions {
	const apiKey = options.apiKey ?? options.emulator.config().apiKey;
	const debug: string[] = [];
	const ctx = {
		getNode: () => (options.asTool ? { ...TEST_NODE, type: `${TEST_NODE.type}Tool` } : TEST_NODE),
		getExecutionId: () => options.executionId ?? 'test-execution',
		runIndex: options.runIndex ?? 0,
		getTimezone: () => options.timezone ?? 'UTC',
		getInputData: () => options.items.map((_, i) => ({ json: { input: i } })),
		getCredentials: async () => ({ apiKey, baseUrl: options.emulator.url, webhookSecret: '' }),
		continueOnFail: () => options.continueOnFail ?? false,
		getNodeParameter(name: string, itemIndex = 0, fallback?: unknown) {
			const { found, value } = lookup(options.items[itemIndex] ?? {}, name);
			// An expression that resolves to undefined is returned as undefined by n8n, fallback or not.
			if (found) return value;
			if (fallback !== undefined) return fallback;
			throw new Error(`Could not get parameter "${name}"`);
		},
		logger: {
			debug: (m: string) => debug.push(m),
			info: () => undefined,
			warn: () => undefined,
			error: () => undefined,
		},
		helpers: {
			async httpRequestWithAuthentication(_type: string, request: IHttpRequestOptions) {
				return await httpRequest(apiKey, request);
			},
		},
		debug,
	};
	return ctx as unknown as IExecuteFunctions & ILoadOptionsFunctions;
}

/** Runs the Mando node's `execute` with one parameter object per item; returns output items. */
export async function runNode(options: FakeOptions) {
	const [out] = await new Mando().execute.call(fakeContext(options));
	return out;
}

/** Runs the node with one item and returns the output JSONs. */
export async function run(emulator: Emulator, params: IDataObject): Promise<IDataObject[]> {
	return (await runNode({ emulator, items: [params] })).map((i) => i.json);
}

/**
 * Starts an emulator with `apiKey` for the test file (closed after it), resets it before each
 * test, and hands it to `set`. It starts empty (locations and taxes only) unless `seed` says
 * `cafe`, so tests count exactly the records they seed.
 */
export function useEmulator(
	apiKey: string,
	set: (emulator: Emulator) => void,
	seed: 'cafe' | 'empty' = 'empty',
): void {
	let emulator: Emulator | undefined;
	beforeAll(async () => {
		emulator = await startEmulator({ apiKey, seed });
		set(emulator);
	});
	afterAll(async () => emulator?.close());
	beforeEach(() => emulator?.reset());
}
