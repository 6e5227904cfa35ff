import type { IDataObject, IPollFunctions } from 'n8n-workflow';

import type { MandoEvent, MandoEventType, MandoSale } from '../shared/events';
import { mandoApiRequestBody, mandoGetAllCursor, type MandoCursorPage } from '../shared/transport';
import { pollSales, saleCreatedEvent, SALES_CREATED_FROM_PARAM, type SalesPollResult, type SalesPollState } from './salesPoll';

/** The Mando API path of the cursor-paged sales list (contract "Lists and pagination"). */
export const SALES_PATH = '/secure/sales';

/** The event types this trigger can poll without reading a whole catalogue every poll. */
export const POLLED_EVENT_TYPES: readonly MandoEventType[] = ['sale.created'];

/**
 * Why the other events are not offered, with the cost of polling them (the README's
 * "Webhook or polling?" section gives the same figures). Offset lists cost ceil(N / 1000)
 * requests for N records (pages of 1000, contract "Lists and pagination").
 */
export const UNPOLLED_EVENTS_NOTICE =
	"Only new sales can be polled cheaply: Mando's sales list has a cursor. Products, customers, stock and business days have no \"changed since\" filter, so polling them means reading the whole list every poll: ceil(N / 1000) requests per poll for N records (10,000 products polled every minute = 600 requests an hour). Voided sales change old records, which a cursor never shows again. Use the Mando Trigger (webhooks) for those events.";

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
