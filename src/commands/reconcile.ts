import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { DEFAULT_PROVIDER } from '../config-file.js';
import { createTranslator, localeFromEnv } from '../i18n.js';
import { ledgerOptions, openStore } from '../ledger/open-store.js';
import { formatReconciliation } from '../balance/format.js';
import { presentReconciliation } from '../balance/present.js';
import { parseDays, reconcileDays } from '../balance/reconcile.js';
import { createQueryService } from '../upstream/query-service.js';

export const RECONCILE_HELP = `cometapi-mcp reconcile [--since 7d] [--json] [--provider NAME] [--db FILE|postgres://…]`;

/** `reconcile`: CometAPI's bill per day beside the ledger's, stored as history. */
export async function runReconcileCommand(
  argv: string[],
  config: Config,
  write: (text: string) => void,
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string', default: '7d' },
      json: { type: 'boolean', default: false },
      provider: { type: 'string', default: DEFAULT_PROVIDER },
      db: { type: 'string' },
    },
    strict: true,
  });
  const days = parseDays(values.since);
  const store = await openStore(ledgerOptions(config, values.db));
  try {
    const result = await reconcileDays(
      {
        store,
        service: createQueryService(config.query),
        provider: values.provider,
        clock: Date.now,
        timeZone: config.query.billingTimeZone,
        days,
      },
      { store: true },
    );
    const presented = presentReconciliation(result.days, result.time_zone, result.suspects);
    const t = createTranslator(localeFromEnv(process.env));
    write(values.json ? `${JSON.stringify(presented, null, 2)}\n` : `${formatReconciliation(presented, t)}\n`);
  } finally {
    await store.close();
  }
}
