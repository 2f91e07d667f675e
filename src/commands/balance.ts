import { parseArgs } from 'node:util';
import type { Config } from '../config.js';
import { BadInputError } from '../errors.js';
import { createTranslator, localeFromEnv } from '../i18n.js';
import { ledgerOptions, openStore } from '../ledger/open-store.js';
import { createLogger } from '../log.js';
import { formatBalance } from '../balance/format.js';
import { readBalanceState } from '../balance/present.js';
import { parseBalanceRule } from '../balance/rules.js';
import { refreshBalance } from '../balance/snapshot.js';
import { formatAmount } from '../quotas/format.js';
import { createQueryService } from '../upstream/query-service.js';

export const BALANCE_HELP = `cometapi-mcp balance [--refresh] [--json] [--db FILE|postgres://…]
  cometapi-mcp balance alert set NAME --below USD | alert list | alert rm NAME`;

/**
 * `balance`: the last stored balance (the sidecar refreshes it); `--refresh` asks CometAPI now.
 * `balance alert …`: low-balance rules, delivered like quota alerts.
 */
export async function runBalanceCommand(argv: string[], config: Config, write: (text: string) => void): Promise<void> {
  const alert = argv[0] === 'alert';
  const action = alert ? argv[1] : undefined;
  if (alert && action !== 'set' && action !== 'list' && action !== 'rm')
    throw new BadInputError(
      `balance alert needs set, list or rm${action ? ` (got "${action}")` : ''}.\nUsage: ${BALANCE_HELP}`,
    );
  const { values, positionals } = parseArgs({
    args: alert ? argv.slice(2) : argv,
    options: {
      refresh: { type: 'boolean', default: false },
      json: { type: 'boolean', default: false },
      below: { type: 'string' },
      db: { type: 'string' },
    },
    allowPositionals: alert,
    strict: true,
  });
  const t = createTranslator(localeFromEnv(process.env));
  const store = await openStore(ledgerOptions(config, values.db));
  try {
    if (action === 'rm') {
      const name = positionals[0] ?? '';
      if (!(await store.balance.removeRule(name))) throw new BadInputError(`no balance alert named "${name}"`);
      return write(`removed balance alert "${name}"\n`);
    }
    if (action === 'set') {
      const input = parseBalanceRule(positionals[0] ?? '', values.below);
      const rule = await store.balance.setRule(input.name, input.belowNano, Date.now());
      const below = formatAmount('cost', rule.below_nano);
      return write(`balance alert "${rule.name}": alerts once each time the balance falls below ${below}\n`);
    }
    if (values.refresh) {
      const logger = createLogger({ level: 'warn', secrets: config.query.key ? [config.query.key] : [] });
      await refreshBalance({ store, service: createQueryService(config.query), logger, clock: Date.now });
    }
    const [state, rules] = await Promise.all([readBalanceState(store), store.balance.rules()]);
    write(values.json ? `${JSON.stringify({ ...state, rules }, null, 2)}\n` : `${formatBalance(state, rules, t)}\n`);
  } finally {
    await store.close();
  }
}
