import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { ledgerOptions, openStore } from '../ledger/open-store.js';
import { USAGE_GROUPS, isUsageGroup } from '../ledger/store.js';
import { parseSince } from '../time.js';
import { formatUsageCsv, formatUsageTable } from '../usage-format.js';

/** Prints the usage table (text, JSON or CSV) from the ledger. */
export async function runUsageCommand(
  argv: string[],
  config: Config,
  write: (text: string) => void,
  now = Date.now(),
): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      since: { type: 'string', default: 'month' },
      by: { type: 'string', default: 'model' },
      json: { type: 'boolean', default: false },
      csv: { type: 'boolean', default: false },
      db: { type: 'string' },
    },
    strict: true,
  });
  const by = values.by;
  if (!isUsageGroup(by)) {
    throw new BadInputError(`--by must be one of ${USAGE_GROUPS.join(', ')} (got "${by}")`);
  }
  const store = await openStore(ledgerOptions(config, values.db));
  try {
    const report = await store.queries.usageReport({
      since: parseSince(values.since, now, config.timeZone),
      until: now + 1,
      by,
      timeZone: config.timeZone,
    });
    if (values.json) write(JSON.stringify(report, null, 2) + '\n');
    else if (values.csv) write(formatUsageCsv(report));
    else write(formatUsageTable(report) + '\n');
  } finally {
    await store.close();
  }
}
