import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { copyLedger } from '../ledger/copy-ledger.js';
import { ledgerOptions, openStore } from '../ledger/open-store.js';

const USAGE =
  'cometapi-mcp ledger copy --to postgres://user:pass@host:5432/db | FILE.db [--from FILE.db | postgres://…]';

/** `cometapi-mcp ledger copy`: the configured ledger (or --from) into another, with progress on stderr. */
export async function runLedgerCommand(
  argv: string[],
  config: Config,
  write: (text: string) => void,
  progress: (text: string) => void = (text) => process.stderr.write(text),
): Promise<void> {
  const [action, ...rest] = argv;
  if (action !== 'copy') throw new BadInputError(`usage: ${USAGE}`);
  const { values } = parseArgs({
    args: rest,
    options: { to: { type: 'string' }, from: { type: 'string' }, batch: { type: 'string', default: '2000' } },
    strict: true,
  });
  if (!values.to) throw new BadInputError(`name the target ledger: ${USAGE}`);
  const batch = Number(values.batch);
  if (!Number.isInteger(batch) || batch < 1 || batch > 50_000)
    throw new BadInputError(`--batch must be a whole number from 1 to 50000 (got "${values.batch}")`);
  const from = await openStore(ledgerOptions(config, values.from));
  try {
    const to = await openStore(ledgerOptions(config, values.to));
    const abort = new AbortController();
    // Ctrl-C stops between batches; everything committed so far stays and the next run resumes.
    const stop = () => abort.abort();
    process.once('SIGINT', stop);
    try {
      const report = await copyLedger(from, to, {
        batch,
        signal: abort.signal,
        onProgress: (copied, total) =>
          progress(`\rcopying calls: ${copied.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`),
      });
      progress('\n');
      const named = (copied: string[], kept: string[]) =>
        [
          copied.length > 0 ? `copied ${copied.join(', ')}` : 'none copied',
          ...(kept.length > 0 ? [`kept the target's ${kept.join(', ')}`] : []),
        ].join('; ');
      write(
        `${abort.signal.aborted ? 'Interrupted' : 'Copied'} ${from.location} → ${to.location}: ` +
          `${report.calls} calls copied now (${report.earlierCalls} by earlier runs), ` +
          `quotas: ${named(report.quotasCopied, report.quotasKept)}, ${report.alertsCopied} alerts copied, ` +
          `stored prices: ${named(report.pricesCopied, report.pricesKept)}, ` +
          `low-balance alerts: ${named(report.balanceRulesCopied, report.balanceRulesKept)}.\n`,
      );
    } finally {
      process.off('SIGINT', stop);
      await to.close();
    }
  } finally {
    await from.close();
  }
}
