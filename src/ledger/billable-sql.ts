/**
 * A call the upstream bills: it answered, or it used something before failing. Blocked calls and
 * failures that consumed nothing are not billed, so their NULL cost is not "unpriced". The same
 * text in both engines, so pricing, repricing and reconciliation all count the same calls.
 */
export const BILLABLE_SQL = "(status = 'ok' OR prompt_tokens + completion_tokens + images > 0)";
