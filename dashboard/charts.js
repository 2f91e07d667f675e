// Time-series charts with uPlot (served from /vendor, loaded as a classic script before this module).

const HEIGHT = 200;
/** Whole-number tick steps for counts, so an axis never reads 0, 1, 1, 2, 2. */
const COUNT_STEPS = Array.from({ length: 12 }, (_, e) => [1, 2, 5].map((m) => m * 10 ** e)).flat();

function cssVar(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

function withAlpha(hex, alpha) {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return hex;
  return `rgba(${parseInt(m[1], 16)}, ${parseInt(m[2], 16)}, ${parseInt(m[3], 16)}, ${alpha})`;
}

/** What each chart shows: series labels (catalog keys), colours (CSS variables) and how to read a point. */
const SPECS = [
  {
    id: 'chart-requests',
    series: [
      { label: 'series.requests', color: '--series-1', pick: (p) => p.requests, bars: true },
      // Drawn over the request bars from zero, so each bar shows its failed share in red.
      { label: 'series.errors', color: '--error', pick: (p) => p.errors, bars: true },
    ],
    kind: 'count',
  },
  {
    id: 'chart-tokens',
    series: [
      { label: 'series.prompt', color: '--series-1', pick: (p) => p.prompt_tokens, fill: true },
      { label: 'series.completion', color: '--series-2', pick: (p) => p.completion_tokens, fill: true },
    ],
    kind: 'count',
  },
  {
    id: 'chart-cost',
    series: [{ label: 'series.cost', color: '--series-3', pick: (p) => p.cost_usd, bars: true }],
    kind: 'usd',
  },
];

function options(spec, width, { format, i18n }) {
  const muted = cssVar('--muted');
  const grid = cssVar('--grid');
  const axis = {
    stroke: muted,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: '11px system-ui, sans-serif',
  };
  const formatValue = spec.kind === 'usd' ? (v) => format.usd(v) : (v) => format.compact(v);
  return {
    width,
    height: HEIGHT,
    ms: 1,
    // Axis and legend times in the ledger's zone, matching the API's day buckets.
    tzDate: (ms) => uPlot.tzDate(new Date(ms), format.timeZone),
    cursor: { drag: { x: false, y: false }, points: { size: 6 } },
    legend: { live: true },
    scales: { x: { time: true }, y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      // uPlot's own time labels are English ("Dec 2"): the locale's Intl formats instead.
      { ...axis, values: (u, splits) => splits.map((ms) => format.axisTime(ms, u.scales.x.max - u.scales.x.min)) },
      {
        ...axis,
        incrs: spec.kind === 'count' ? COUNT_STEPS : undefined,
        values: (u, values) => values.map((v) => (spec.kind === 'usd' ? format.usd(v) : format.compact(v))),
        // Wide enough for the longest label ("$0.0015"), measured in characters of the 11px font.
        size: (u, values) => (values ? Math.max(...values.map((v) => String(v).length)) * 7 + 16 : 40),
      },
    ],
    series: [
      { label: i18n.t('series.time'), value: (u, ms) => (ms === null ? '' : format.when(ms)) },
      ...spec.series.map((s) => {
        const color = cssVar(s.color);
        return {
          label: i18n.t(s.label),
          stroke: color,
          width: s.bars ? 0 : 2,
          fill: s.bars ? withAlpha(color, 0.75) : s.fill ? withAlpha(color, 0.14) : undefined,
          points: { show: false },
          paths: s.bars ? uPlot.paths.bars({ size: [0.72, 24], gap: 1 }) : undefined,
          value: (u, v) => (v === null ? '–' : formatValue(v)),
        };
      }),
    ],
  };
}

/** Creates the three charts; update() feeds /api/timeseries, rebuild() follows a theme change. */
export function createCharts(format, i18n) {
  const charts = new Map();
  let lastData = null;

  const dataFor = (spec, points) => [points.map((p) => p.t), ...spec.series.map((s) => points.map(s.pick))];

  const build = () => {
    for (const spec of SPECS) {
      const container = document.getElementById(spec.id);
      if (!container) continue;
      charts.get(spec.id)?.destroy();
      const data = lastData ? dataFor(spec, lastData) : [[], ...spec.series.map(() => [])];
      const opts = options(spec, Math.max(container.clientWidth, 200), { format, i18n });
      charts.set(spec.id, new uPlot(opts, data, container));
    }
  };

  const resize = new ResizeObserver((entries) => {
    for (const entry of entries) {
      const chart = charts.get(entry.target.id);
      const width = Math.floor(entry.contentRect.width);
      if (chart && width > 0 && width !== chart.width) chart.setSize({ width, height: HEIGHT });
    }
  });
  for (const spec of SPECS) {
    const container = document.getElementById(spec.id);
    if (container) resize.observe(container);
  }
  matchMedia('(prefers-color-scheme: dark)').addEventListener('change', build);
  build();

  return {
    update(timeseries) {
      lastData = timeseries.points;
      for (const spec of SPECS) charts.get(spec.id)?.setData(dataFor(spec, lastData));
    },
    rebuild: build,
  };
}
