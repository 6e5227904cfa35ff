import type {
	IDataObject,
	ILoadOptionsFunctions,
	INodeListSearchItems,
	INodeListSearchResult,
} from 'n8n-workflow';

import { asNodeError, isNotFound, mandoOffsetPage } from '../shared/transport';
import { LOCATOR_TARGETS, type LocatorTarget } from './locators';

/**
 * The "From List" lists of the Mando node's resource locators (n8n `listSearch` methods): the
 * active records of one resource, read a page at a time through the shared transport and
 * filtered by the search text (name, product number, date). Mando documents no name search, so
 * the filtering happens here.
 */

/** Records read per request. */
export const SEARCH_PAGE_SIZE = 100;

/** Most pages read for one answer while a search text finds few matches; the list goes on on scroll. */
export const SEARCH_MAX_PAGES_PER_ANSWER = 10;

/** Formats a record as a list entry; `text` is what the search text is matched against. */
interface Entry {
	item: INodeListSearchItems;
	text: string;
}

const str = (v: unknown): string =>
	v === undefined || v === null ? '' : typeof v === 'string' ? v : String(v as number);

/** Each target's list entry. */
const ENTRY: Record<LocatorTarget, (r: IDataObject) => Entry> = {
	product: (r) => {
		const number = str(r.productid);
		const price = str(r.base_price);
		const details = [number && `No. ${number}`, price && `${price} €`].filter(Boolean);
		return {
			item: {
				name: str(r.name) || str(r.id),
				value: str(r.id),
				description: details.join(' · ') || undefined,
			},
			text: [r.name, r.receipt_name, r.productid].map(str).join(' '),
		};
	},
	customer: (r) => {
		const details = [str(r.customer_number), str(r.email)].filter(Boolean);
		return {
			item: {
				name: str(r.name) || str(r.id),
				value: str(r.id),
				description: details.join(' · ') || undefined,
			},
			text: [r.name, r.customer_number, r.email, r.phone].map(str).join(' '),
		};
	},
	businessDay: (r) => {
		const state = r.closed_at ? 'closed' : r.opened_at ? 'open' : '';
		return {
			item: {
				name: `${str(r.date) || str(r.id)}${state ? ` (${state})` : ''}`,
				value: str(r.id),
			},
			text: [r.date, state].map(str).join(' '),
		};
	},
	location: named,
	department: named,
	group: named,
};

function named(r: IDataObject): Entry {
	return {
		item: { name: str(r.name) || str(r.id), value: str(r.id) },
		text: str(r.name),
	};
}

/** Business days newest first; everything else by name. */
function sortEntries(target: LocatorTarget, items: INodeListSearchItems[]): INodeListSearchItems[] {
	return target === 'businessDay'
		? items.sort((a, b) => b.name.localeCompare(a.name))
		: items.sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * One answer of a list search: from page `paginationToken` (default 1) on, the active records of
 * `target` whose name (or number, date) contains `filter` (any case), reading further pages while
 * a filter leaves fewer than {@link SEARCH_PAGE_SIZE} matches, at most
 * {@link SEARCH_MAX_PAGES_PER_ANSWER}. A `paginationToken` comes back while more pages remain.
 * An account without the resource (404) gives an empty list.
 *
 * @throws NodeApiError from Mando (e.g. 401 for a wrong API key)
 */
export async function searchRecords(
	this: ILoadOptionsFunctions,
	target: LocatorTarget,
	filter?: string,
	paginationToken?: string,
): Promise<INodeListSearchResult> {
	const wanted = (filter ?? '').trim().toLowerCase();
	let page = Math.max(1, Number.parseInt(paginationToken ?? '1', 10) || 1);
	const results: INodeListSearchItems[] = [];
	for (let read = 0; read < SEARCH_MAX_PAGES_PER_ANSWER; read++) {
		let answer;
		try {
			answer = await mandoOffsetPage.call(
				this,
				`/secure/${LOCATOR_TARGETS[target].path}`,
				{ active: true },
				page,
				SEARCH_PAGE_SIZE,
			);
		} catch (error) {
			if (isNotFound(error)) return { results: [] };
			throw asNodeError(this, error);
		}
		const entries = (answer.items as IDataObject[]).map(ENTRY[target]);
		results.push(
			...entries.filter((e) => !wanted || e.text.toLowerCase().includes(wanted)).map((e) => e.item),
		);
		page++;
		if (!answer.more) return { results: sortEntries(target, results) };
		if (results.length >= SEARCH_PAGE_SIZE) break;
	}
	return { results: sortEntries(target, results), paginationToken: String(page) };
}

/** The `listSearch` methods of the Mando node, by name (see `LOCATOR_TARGETS[…].searchMethod`). */
export const listSearch = {
	async searchProducts(this: ILoadOptionsFunctions, filter?: string, token?: string) {
		return await searchRecords.call(this, 'product', filter, token);
	},
	async searchCustomers(this: ILoadOptionsFunctions, filter?: string, token?: string) {
		return await searchRecords.call(this, 'customer', filter, token);
	},
	async searchBusinessDays(this: ILoadOptionsFunctions, filter?: string, token?: string) {
		return await searchRecords.call(this, 'businessDay', filter, token);
	},
	async searchLocations(this: ILoadOptionsFunctions, filter?: string, token?: string) {
		return await searchRecords.call(this, 'location', filter, token);
	},
	async searchDepartments(this: ILoadOptionsFunctions, filter?: string, token?: string) {
		return await searchRecords.call(this, 'department', filter, token);
	},
	async searchGroups(this: ILoadOptionsFunctions, filter?: string, token?: string) {
		return await searchRecords.call(this, 'group', filter, token);
	},
};
