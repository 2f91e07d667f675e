// Number and time formatting in the user's locale and the ledger's configured time zone.

export function createFormat(timeZone) {
  const integer = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
  const compactNumber = new Intl.NumberFormat(undefined, { notation: 'compact', maximumFractionDigits: 1 });
  const timeOnly = new Intl.DateTimeFormat(undefined, {
    timeZone,
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  });
  const dateTime = new Intl.DateTimeFormat(undefined, {
    timeZone,
    month: 'short',
    day: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
  });
  const full = new Intl.DateTimeFormat(undefined, { timeZone, dateStyle: 'medium', timeStyle: 'long' });
  const dayKey = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
  const dayStart = (ms) => dayKey.format(ms);

  const usd = (value) => {
    if (value === null || value === undefined) return '–';
    if (value === 0) return '$0.00';
    const abs = Math.abs(value);
    if (abs >= 1000) return `$${integer.format(value)}`;
    if (abs >= 1) return `$${value.toFixed(2)}`;
    // Costs are whole micro-USD, so anything smaller is not a real amount.
    if (abs < 0.000001) return value > 0 ? '<$0.000001' : '>-$0.000001';
    // Under $1: two significant digits, at least cents ($0.045, $0.50, $0.0015), never "$0.05" for 4.5 cents.
    const short = String(Number(value.toPrecision(2)));
    const decimals = short.split('.')[1]?.length ?? 0;
    return `$${decimals < 2 ? Number(short).toFixed(2) : short}`;
  };

  const duration = (ms) => {
    if (ms === null || ms === undefined) return '–';
    if (ms < 1000) return `${Math.round(ms)}\u00a0ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)}\u00a0s`;
    return `${(ms / 60_000).toFixed(1)}\u00a0min`;
  };

  return {
    timeZone,
    int: (n) => integer.format(n),
    /** 12.3K / 4.5M for headline figures; exact below 10,000. */
    compact: (n) => (Math.abs(n) < 10_000 ? integer.format(n) : compactNumber.format(n)),
    usd,
    percent: (rate) =>
      rate === null || rate === undefined ? '–' : `${(rate * 100).toFixed(rate > 0 && rate < 0.001 ? 2 : 1)}%`,
    duration,
    /** Short for today's calls, with the date otherwise. */
    when: (ms) => (dayStart(ms) === dayStart(Date.now()) ? timeOnly.format(ms) : dateTime.format(ms)),
    full: (ms) => full.format(ms),
  };
}
