// Live refresh: the event stream and the refresh scheduler.

const REFRESH_DEBOUNCE_MS = 400;
const REFRESH_MAX_WAIT_MS = 3000;

/**
 * Debounced with a cap: bursts of calls cause one refresh, steady traffic still refreshes every few
 * seconds. Refreshes are also spaced by 4x the last one's duration, so on a huge ledger (30-day
 * range over a million rows) one open dashboard keeps the sidecar busy at most ~20% of the time.
 */
export function createRefreshScheduler(run, onError) {
  let timer = null;
  let firstAsk = 0;
  let running = false;
  let pending = false;
  let lastEnd = 0;
  let lastDuration = 0;
  const fire = async () => {
    timer = null;
    running = true;
    const started = Date.now();
    try {
      await run();
    } catch (error) {
      onError(error);
    } finally {
      running = false;
      lastEnd = Date.now();
      lastDuration = lastEnd - started;
      if (pending) {
        pending = false;
        schedule();
      }
    }
  };
  const schedule = () => {
    if (running) {
      pending = true;
      return;
    }
    const now = Date.now();
    if (timer === null) firstAsk = now;
    clearTimeout(timer);
    const debounce = Math.min(REFRESH_DEBOUNCE_MS, firstAsk + REFRESH_MAX_WAIT_MS - now);
    const spacing = lastEnd + 4 * lastDuration - now;
    timer = setTimeout(fire, Math.max(0, debounce, spacing));
  };
  return schedule;
}

/**
 * Follows /api/events. New calls come from every process writing the ledger; the browser's
 * EventSource reconnects by itself and resumes from the last event id.
 */
export function connectEvents({ onCall, onState }) {
  const source = new EventSource('/api/events');
  source.addEventListener('open', () => onState('open'));
  source.addEventListener('error', () => onState('error'));
  source.addEventListener('call', (event) => onCall(JSON.parse(event.data)));
  return source;
}
