/**
 * The SQL both engines use to read what the ledger metered for CometAPI's bill: the one place the
 * cost column is read for balance and reconciliation. `p` spells a placeholder per engine.
 */
import { BILLABLE_SQL } from './billable-sql.js';

type Param = (name: 'provider' | 'from' | 'to') => string;

/** Metered nano-USD of one provider since a time: params provider, from. */
export const meteredSinceSql = (p: Param): string =>
  `SELECT COALESCE(SUM(cost_nano_usd), 0) AS cost FROM calls WHERE provider = ${p('provider')} AND ts >= ${p('from')} AND ${BILLABLE_SQL}`;

/** Per model over [from, to): params provider, from, to. */
export const meteredByModelSql = (p: Param): string =>
  `SELECT COALESCE(model_used, model_requested) AS model, COUNT(*) AS requests,
     COALESCE(SUM(cost_nano_usd), 0) AS cost_nano,
     SUM(CASE WHEN cost_nano_usd IS NULL THEN 1 ELSE 0 END) AS unpriced
   FROM calls WHERE provider = ${p('provider')} AND ts >= ${p('from')} AND ts < ${p('to')} AND ${BILLABLE_SQL}
   GROUP BY COALESCE(model_used, model_requested) ORDER BY model`;
