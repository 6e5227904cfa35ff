/**
 * The Mando node's parameter names: the form (`resources/`) declares its parameters with these
 * names and the operations (`operations.ts`, `execute.ts`) read them through the same constants.
 * The API's own field names (`name`, `base_price`, …) are not here: they are the specs' field names.
 */
export const PARAMETER = {
	/** The Resource dropdown. */
	resource: 'resource',
	/** The Operation dropdown. */
	operation: 'operation',
	/** The record ID (GUID) of Get, Update, Delete, Rename and Stock; also Create's Custom ID. */
	id: 'id',
	/** Create's "Additional Fields" collection. */
	additionalFields: 'additionalFields',
	/** Update's "Update Fields" collection. */
	updateFields: 'updateFields',
	/** Update's "Clear Fields": fields to empty in Mando. */
	clearFields: 'clearFields',
	/** Get Many's Return All. */
	returnAll: 'returnAll',
	/** Get Many's Limit. */
	limit: 'limit',
	/** Get Many's Filters collection. */
	filters: 'filters',
	/** Business Day Rename's New Date. */
	newDate: 'newDate',
	/** The retry Options collection (`maxAttempts`, `maxTotalWaitSeconds`). */
	options: 'options',
	/** Options: most attempts per request. */
	maxAttempts: 'maxAttempts',
	/** Options: most seconds spent waiting between attempts. */
	maxTotalWaitSeconds: 'maxTotalWaitSeconds',
	/** Options: most seconds one attempt may take. */
	requestTimeoutSeconds: 'requestTimeoutSeconds',
	/** Options: most seconds one request may take in all, attempts and waits included. */
	totalTimeSeconds: 'totalTimeSeconds',
} as const;
