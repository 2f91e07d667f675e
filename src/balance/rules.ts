/** The one check of a low-balance rule, shared by `balance alert set` and PUT /api/balance/rules/:name. */
import { BadInputError } from '../errors.js';
import { nanoFromUsd } from '../ledger/store.js';

const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export interface BalanceRuleInput {
  name: string;
  belowNano: number;
}

/** `below` as typed ("5", "$5") or sent (5); throws BadInputError saying what to give. */
export function parseBalanceRule(name: string, below: unknown): BalanceRuleInput {
  if (!NAME.test(name))
    throw new BadInputError(
      'give the alert a name of 1–64 letters, digits, ".", "_" or "-", such as low-balance',
      'invalid_balance_rule',
    );
  const amount = typeof below === 'string' ? Number(below.trim().replace(/^\$/, '')) : below;
  if (typeof amount !== 'number' || !(Number.isFinite(amount) && amount > 0 && amount <= 1e9))
    throw new BadInputError(
      `below must be an amount of USD above 0, e.g. 5 (got ${JSON.stringify(below) ?? 'nothing'})`,
      'invalid_balance_rule',
    );
  return { name, belowNano: nanoFromUsd(amount) };
}
