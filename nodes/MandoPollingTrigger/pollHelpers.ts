import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import type { MandoBusinessDay, MandoEvent, MandoEventType, MandoSale } from '../shared/events';
import { mandoApiRequestBody, mandoGetAll, mandoGetAllCursor, type MandoCursorPage } from '../shared/transport';
import { diffBusinessDays } from './businessDayPoll';
import { pollSales, saleCreatedEvent, SALES_CREATED_FROM_PARAM, type SalesPollResult, type SalesPollState } from './salesPoll';

/** The Mando API path of the cursor-paged sales list (contract "Lists and pagination"). */
export const SALES_PATH = '/secure/sales';

/** The Mando API path of the business-day list (offset-paged; contract "Entities"). */
export const BUSINESS_DAY_PATH = '/secure/businessday';

/** The event types this trigger can poll without reading a whole catalogue every poll. */
export const POLLED_EVENT_TYPES: readonly MandoEventType[] = ['sale.created', 'businessday.opened', 'businessday.closed'];

/** The business-day event types; any of them makes a poll read the business-day list. */
export const BUSINESS_DAY_EVENT_TYPES: readonly MandoEventType[] = ['businessday.opened', 'businessday.closed'];

/**
 * Why the other events are not offered, with the cost of polling them (the README's
 * "Webhook or polling?" section gives the same figures). Offset lists cost ceil(N / 1000)
 * requests for N records (pages of 1000, contract "Lists and pagination").
 */
export const UNPOLLED_EVENTS_NOTICE =
	"Products, customers and stock cannot be polled affordably: their lists have no \"changed since\" filter, so every poll would read the whole list: ceil(N / 1000) requests per poll for N records (10,000 products polled every minute = 600 requests an hour). Voided sales change old records, which the sales cursor never shows again. Use the Mando Trigger (webhooks) for those events. Business-day events read every business day each poll: one request per poll up to 1,000 days.";

/**
 * One poll of the sales list through the `mandoApi` credential; see {@link pollSales}.
 *
 * @throws NodeApiError from the transport (after its retries), except one refused cursor
 */
export async function pollSalesWith(this: IPollFunctions, state: SalesPollState, maxPerPoll: number): Promise<SalesPollResult> {
	return await pollSales(
		async (query) =>
			(await mandoApiRequestBody.call(this, { method: 'GET', path: SALES_PATH, qs: query as IDataObject })) as MandoCursorPage<MandoSale>,
		state,
		maxPerPoll,
	);
}

/** Windows "Fetch Test Event" looks back through, shortest first: 10 min, 1 h, 1 day, 30 days. */
const TEST_EVENT_WINDOWS_MS = [10 * 60_000, 3_600_000, 86_400_000, 30 * 86_400_000];

/**
 * The newest sale of the last 30 days as a `sale.created` item, for "Fetch Test Event": reads the
 * shortest window (see {@link TEST_EVENT_WINDOWS_MS}) that holds a sale, so a busy shop pays one
 * request and a quiet one a few. Undefined when there is none.
 */
export async function latestSaleEvent(this: IPollFunctions, now = Date.now()): Promise<MandoEvent<'sale.created'> | undefined> {
	for (const window of TEST_EVENT_WINDOWS_MS) {
		const since = new Date(now - window).toISOString();
		const sales = (await mandoGetAllCursor.call(this, SALES_PATH, { [SALES_CREATED_FROM_PARAM]: since })) as MandoSale[];
		if (sales.length > 0) return saleCreatedEvent(sales[sales.length - 1], new Date(now).toISOString());
	}
	return undefined;
}

/** Every business day, through the `mandoApi` credential: ceil(days / 1000) requests. */
export async function listBusinessDays(this: IPollFunctions): Promise<MandoBusinessDay[]> {
	return (await mandoGetAll.call(this, BUSINESS_DAY_PATH)) as MandoBusinessDay[];
}

/**
 * The newest business-day event of the selected types among the days Mando lists now (every day
 * as if first seen), for "Fetch Test Event"; undefined when there is none.
 */
export async function latestBusinessDayEvent(this: IPollFunctions, types: readonly string[], now = Date.now()): Promise<MandoEvent | undefined> {
	const events = diffBusinessDays({ open: {}, closed: {} }, await listBusinessDays.call(this), now).events.filter((e) => types.includes(e.type));
	return events[events.length - 1];
}
