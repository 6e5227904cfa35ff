import { waitUntil, type N8n } from './n8n';

/**
 * The Mando Trigger's registration as n8n has saved it in the database (the workflow's static
 * data, read through the public API), as opposed to what a running trigger holds in memory.
 */

/** The saved production registration's fields the tests read (the sealed secret stays unread). */
export interface SavedRegistration {
	webhookId: string;
	account: string;
	sealedSecret?: string;
}

/** The production registration of `nodeName` as saved in the database, or undefined. */
export async function savedRegistration(
	n8n: N8n,
	workflowId: string,
	nodeName = 'Mando Trigger',
): Promise<SavedRegistration | undefined> {
	const wf = await n8n.api<{ staticData?: Record<string, unknown> | string | null }>(
		'GET',
		`/workflows/${workflowId}`,
	);
	// PostgreSQL (queue mode) may hand it over as JSON text
	const data = (typeof wf.staticData === 'string' ? JSON.parse(wf.staticData) : wf.staticData) as
		Record<string, unknown> | null | undefined;
	const node = data?.[`node:${nodeName}`] as
		{ registrations?: { production?: SavedRegistration } } | undefined;
	const reg = node?.registrations?.production;
	return reg && typeof reg.webhookId === 'string' ? reg : undefined;
}

/**
 * Waits up to `timeoutMs` until the saved registration satisfies `match` (e.g. names a webhook a
 * health check made), and returns the saved registration at the end either way.
 */
export async function waitForSavedRegistration(
	n8n: N8n,
	workflowId: string,
	match: (reg: SavedRegistration | undefined) => boolean,
	timeoutMs = 15_000,
): Promise<SavedRegistration | undefined> {
	let reg: SavedRegistration | undefined;
	await waitUntil(async () => match((reg = await savedRegistration(n8n, workflowId))), timeoutMs);
	return reg;
}
