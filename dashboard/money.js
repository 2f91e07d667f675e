// The one rule for showing an amount of USD, shared by the dashboard, the CLI, the MCP tools and
// the usage view: whole dollars from $1,000, cents from $1, and below that two significant digits
// (at least cents, at most nine decimals: the ledger counts whole nano-USD). So a 10-token
// embedding shows as $0.0000002, not $0.00.

const NANO_DIGITS = 9;

/** A formatter for USD amounts in the locale's own number format ("0,0000002 $" in German). */
export function createUsdFormat(locale) {
  const money = (options) => new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', ...options });
  const dollars = money({ maximumFractionDigits: 0 });
  const cents = money({ minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const small = money({ minimumFractionDigits: 2, maximumFractionDigits: NANO_DIGITS });
  const nano = 10 ** -NANO_DIGITS;
  return (value) => {
    if (value === 0) return cents.format(0);
    const abs = Math.abs(value);
    if (abs >= 1000) return dollars.format(value);
    if (abs >= 1) return cents.format(value);
    // Below one nano-USD is not an amount the ledger holds (an average, say): say so.
    if (abs < nano) return `${value > 0 ? '<' : '>'}${small.format(value > 0 ? nano : -nano)}`;
    return small.format(Number(value.toPrecision(2)));
  };
}
