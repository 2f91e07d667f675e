/**
 * Prometheus metrics derived from the ledger, so they count calls from every process writing the
 * file, not just this one. Each scrape first catches up on rows with id > the last one seen
 * (SQLite hands out ids in commit order), then prom-client formats the per-app registry.
 */
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { usdFromNano } from '../ledger/calls.js';
import type { CallStatus, MetricSourceRow, QueryStore } from '../ledger/store.js';

const CALL_LABELS = ['model', 'tool', 'client', 'status'] as const;
const USAGE_LABELS = ['model', 'tool', 'client'] as const;
const ERROR_LABELS = ['model', 'tool', 'client', 'error_type'] as const;
const LATENCY_BUCKETS_S = [0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];
const TTFT_BUCKETS_S = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
/** Rows read per step; between steps other requests get a turn during the first big catch-up. */
const CHUNK = 20_000;

type UsageLabels = Record<(typeof USAGE_LABELS)[number], string>;
type CallLabels = UsageLabels & { status: CallStatus };

/** Running integer totals for one (model, tool, client); money in nano-USD so sums stay exact. */
interface Series {
  labels: UsageLabels;
  prompt: number;
  completion: number;
  costNano: number;
  unpriced: number;
  estimated: number;
  retries: number;
  byStatus: Map<CallStatus, { labels: CallLabels; n: number }>;
  byErrorType: Map<string, number>;
}

export interface LedgerMetrics {
  readonly registry: Registry;
  /** Reads new ledger rows into the metrics; concurrent scrapes share one catch-up. */
  refresh(): Promise<void>;
}

export function createLedgerMetrics(queries: QueryStore): LedgerMetrics {
  const registry = new Registry();
  const registers = [registry];
  const series = new Map<string, Series>();
  let lastId = 0;
  let lastCallSeconds = 0;
  let inFlight: Promise<void> | null = null;

  // Counters are re-emitted from the integer totals on each scrape: exact, and no float drift.
  const usageCounter = (name: string, help: string, pick: (s: Series) => number) =>
    new Counter({
      name,
      help,
      labelNames: USAGE_LABELS,
      registers,
      collect() {
        this.reset();
        for (const s of series.values()) this.inc(s.labels, pick(s));
      },
    });
  new Counter({
    name: 'cometapi_requests_total',
    help: 'Metered calls, by outcome (status ok, error or blocked).',
    labelNames: CALL_LABELS,
    registers,
    collect() {
      this.reset();
      for (const s of series.values()) for (const { labels, n } of s.byStatus.values()) this.inc(labels, n);
    },
  });
  new Counter({
    name: 'cometapi_errors_total',
    help: 'Failed or blocked calls, by error type.',
    labelNames: ERROR_LABELS,
    registers,
    collect() {
      this.reset();
      for (const s of series.values())
        for (const [errorType, n] of s.byErrorType) this.inc({ ...s.labels, error_type: errorType }, n);
    },
  });
  usageCounter('cometapi_prompt_tokens_total', 'Prompt (input) tokens.', (s) => s.prompt);
  usageCounter('cometapi_completion_tokens_total', 'Completion (output) tokens.', (s) => s.completion);
  usageCounter('cometapi_cost_usd_total', 'Cost in USD of priced calls; see cometapi_unpriced_calls_total.', (s) =>
    usdFromNano(s.costNano),
  );
  usageCounter(
    'cometapi_unpriced_calls_total',
    'Billable calls whose model has no price (cost unknown, not 0).',
    (s) => s.unpriced,
  );
  usageCounter(
    'cometapi_estimated_usage_calls_total',
    'Calls whose token counts were estimated locally.',
    (s) => s.estimated,
  );
  usageCounter('cometapi_retries_total', 'Extra upstream attempts (retries) made inside calls.', (s) => s.retries);
  new Gauge({
    name: 'cometapi_last_call_timestamp_seconds',
    help: 'Start time of the newest call in the ledger.',
    registers,
    collect() {
      this.set(lastCallSeconds);
    },
  });
  // Histograms have no "set", so they are fed value by value as rows arrive (once per row, ever).
  const duration = new Histogram({
    name: 'cometapi_request_duration_seconds',
    help: 'Call duration including retries (blocked calls excluded).',
    labelNames: CALL_LABELS,
    buckets: LATENCY_BUCKETS_S,
    registers,
  });
  const ttft = new Histogram({
    name: 'cometapi_ttft_seconds',
    help: 'Time to first token of streamed calls.',
    labelNames: USAGE_LABELS,
    buckets: TTFT_BUCKETS_S,
    registers,
  });

  const seriesFor = (row: MetricSourceRow, client: string): Series => {
    const key = `${row.model}\u0000${row.tool}\u0000${client}`;
    let s = series.get(key);
    if (!s) {
      const labels = { model: row.model, tool: row.tool, client };
      s = {
        labels,
        prompt: 0,
        completion: 0,
        costNano: 0,
        unpriced: 0,
        estimated: 0,
        retries: 0,
        byStatus: new Map(),
        byErrorType: new Map(),
      };
      series.set(key, s);
    }
    return s;
  };

  const add = (row: MetricSourceRow) => {
    const s = seriesFor(row, row.client ?? '');
    let outcome = s.byStatus.get(row.status);
    if (!outcome) {
      outcome = { labels: { ...s.labels, status: row.status }, n: 0 };
      s.byStatus.set(row.status, outcome);
    }
    outcome.n += 1;
    if (row.status !== 'ok') {
      const errorType = row.error_type ?? 'unknown';
      s.byErrorType.set(errorType, (s.byErrorType.get(errorType) ?? 0) + 1);
    }
    s.prompt += row.prompt_tokens;
    s.completion += row.completion_tokens;
    s.costNano += row.cost_nano_usd ?? 0;
    s.unpriced += row.unpriced;
    s.estimated += row.usage_estimated;
    s.retries += row.retries;
    if (row.duration_ms !== null && row.status !== 'blocked') duration.observe(outcome.labels, row.duration_ms / 1000);
    if (row.ttft_ms !== null) ttft.observe(s.labels, row.ttft_ms / 1000);
    if (row.ts / 1000 > lastCallSeconds) lastCallSeconds = row.ts / 1000;
  };

  const catchUp = async () => {
    for (;;) {
      const rows = await queries.metricRows(lastId, CHUNK);
      for (const row of rows) {
        add(row);
        lastId = row.id;
      }
      if (rows.length < CHUNK) return;
      await yieldToEventLoop();
    }
  };

  return {
    registry,
    refresh: async () => {
      inFlight ??= catchUp().finally(() => {
        inFlight = null;
      });
      await inFlight;
    },
  };
}
