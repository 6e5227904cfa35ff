import type { IDataObject, IPollFunctions } from 'n8n-workflow';
import { NodeOperationError } from 'n8n-workflow';

import type { MandoBusinessDay, MandoEvent, MandoEventType, MandoSale } from '../shared/events';
import {
	asNodeError,
	mandoApiRequestBody,
	mandoGetAll,
	mandoGetAllCursor,
	type MandoCursorPage,
} from '../shared/transport';
import {
	diffBusinessDays,
	isBusinessDayPollState,
	type BusinessDayPollState,
} from './businessDayPoll';
import {
	DEFAULT_MAX_SALES_PER_POLL,
	initialSalesState,
	isSalesPollState,
	pollSales,
	saleCreatedEvent,
	SALES_CREATED_FROM_PARAM,
	type SalesPollResult,
	type SalesPollState,
} from './salesPoll';

/**
 * The node's static data (`node` scope): its position in the sales list and the business days'
 * last seen states. A part is dropped while its events are not selected, so selecting them again
 * starts from then, not from an old position.
 */
interface PollingStaticData extends IDataObject {
	sales?: SalesPollState & IDataObject;
	businessDays?: BusinessDayPollState & IDataObject;
}

/** The Mando API path of the cursor-paged sales list (contract "Lists and pagination"). */
export const SALES_PATH = '/secure/sales';

/** The Mando API path of the business-day list (offset-paged; contract "Entities"). */
export const BUSINESS_DAY_PATH = '/secure/businessday';

/** The event types this trigger can poll without reading a whole catalogue every poll. */
export const POLLED_EVENT_TYPES: readonly MandoEventType[] = [
	'sale.created',
	'businessday.opened',
	'businessday.closed',
];

/** The business-day event types; any of them makes a poll read the business-day list. */
export const BUSINESS_DAY_EVENT_TYPES: readonly MandoEventType[] = [
	'businessday.opened',
	'businessday.closed',
];

/**
 * Why the other events are not offered, with the cost of polling them (the README's
 * "Webhook or polling?" section gives the same figures). Offset lists cost ceil(N / 1000)
 * requests for N records (pages of 1000, contract "Lists and pagination").
 */
export const UNPOLLED_EVENTS_NOTICE =
	'Products, customers and stock cannot be polled affordably: their lists have no "changed since" filter, so every poll would read the whole list: ceil(N / 1000) requests per poll for N records (10,000 products polled every minute = 600 requests an hour). Voided sales change old records, which the sales cursor never shows again. Use the Mando Trigger (webhooks) for those events. Business-day events read every business day each poll: one request per poll up to 1,000 days.';

/**
 * One poll of the sales list through the `mandoApi` credential; see {@link pollSales}.
 *
 * @throws NodeApiError from the transport (after its retries), except one refused cursor
 */
export async function pollSalesWith(
	this: IPollFunctions,
	state: SalesPollState,
	maxPerPoll: number,
): Promise<SalesPollResult> {
	return await pollSales(
		async (query) =>
			(await mandoApiRequestBody.call(this, {
				method: 'GET',
				path: SALES_PATH,
				qs: query as IDataObject,
			})) as MandoCursorPage<MandoSale>,
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
export async function latestSaleEvent(
	this: IPollFunctions,
	now = Date.now(),
): Promise<MandoEvent<'sale.created'> | undefined> {
	for (const window of TEST_EVENT_WINDOWS_MS) {
		const since = new Date(now - window).toISOString();
		const sales = (await mandoGetAllCursor.call(this, SALES_PATH, {
			[SALES_CREATED_FROM_PARAM]: since,
		})) as MandoSale[];
		if (sales.length > 0)
			return saleCreatedEvent(sales[sales.length - 1], new Date(now).toISOString());
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
export async function latestBusinessDayEvent(
	this: IPollFunctions,
	types: readonly string[],
	now = Date.now(),
): Promise<MandoEvent | undefined> {
	const events = diffBusinessDays(
		{ open: {}, closed: {} },
		await listBusinessDays.call(this),
		now,
	).events.filter((e) => types.includes(e.type));
	return events[events.length - 1];
}

/** Keys (`workflowId:nodeId`) of the polls running in this process. */
const pollsRunning = new Set<string>();

/**
 * One poll in trigger mode: reads what is new and moves the stored position; returns the new
 * events, oldest first per source (sales, then business days). Poll Times with several entries can
 * start a poll while the last one still reads; both would start from the same position and emit
 * the same events, so the later one returns null at once.
 *
 * @throws NodeApiError / NodeOperationError; the stored position is then unchanged
 */
export async function pollEvents(
	this: IPollFunctions,
	wantsSales: boolean,
	dayTypes: readonly string[],
): Promise<MandoEvent[] | null> {
	const key = `${this.getWorkflow().id}:${this.getNode().id}`;
	if (pollsRunning.has(key)) return null;
	pollsRunning.add(key);
	try {
		return await pollOnce.call(this, wantsSales, dayTypes);
	} finally {
		pollsRunning.delete(key);
	}
}

async function pollOnce(
	this: IPollFunctions,
	wantsSales: boolean,
	dayTypes: readonly string[],
): Promise<MandoEvent[]> {
	const staticData = this.getWorkflowStaticData('node') as PollingStaticData;
	const where = { workflowId: this.getWorkflow().id, node: this.getNode().name };
	const events: MandoEvent[] = [];
	let salesState: SalesPollState | undefined;
	let dayState: BusinessDayPollState | undefined;
	try {
		if (wantsSales) {
			const state = isSalesPollState(staticData.sales) ? staticData.sales : firstSalesState(this);
			const maxPerPoll = this.getNodeParameter(
				'options.maxPerPoll',
				DEFAULT_MAX_SALES_PER_POLL,
			) as number;
			const result = await pollSalesWith.call(this, state, maxPerPoll);
			if (result.cursorExpired) {
				this.logger.info(
					`Mando Polling Trigger: Mando no longer accepted the stored sales cursor; read on from the last sale seen (${state.watermark})`,
					where,
				);
			}
			if (result.bounded) {
				this.logger.info(
					`Mando Polling Trigger: ${result.events.length} sales this poll (Max Events per Poll); the rest come at the next poll`,
					where,
				);
			}
			salesState = result.state;
			events.push(...result.events);
		}
		if (dayTypes.length > 0) {
			const previous = isBusinessDayPollState(staticData.businessDays)
				? staticData.businessDays
				: undefined;
			const diff = diffBusinessDays(previous, await listBusinessDays.call(this));
			dayState = diff.state;
			events.push(...diff.events.filter((e) => dayTypes.includes(e.type)));
		}
	} catch (error) {
		throw asNodeError(this, error);
	}
	// The position moves only once every read succeeded, so a failed poll loses nothing.
	if (salesState) staticData.sales = salesState as SalesPollState & IDataObject;
	else delete staticData.sales;
	if (dayState) staticData.businessDays = dayState as BusinessDayPollState & IDataObject;
	else delete staticData.businessDays;
	// n8n saves the node's static data when a poll emits items, and on publishing.
	return events;
}

/** The sales position of a first activation: now, or the "Start From" option. */
function firstSalesState(ctx: IPollFunctions): SalesPollState {
	try {
		return initialSalesState(Date.now(), ctx.getNodeParameter('options.startFrom', '') as string);
	} catch (error) {
		throw new NodeOperationError(ctx.getNode(), (error as Error).message, {
			description: 'Set Start From to a date, or clear it.',
		});
	}
}
