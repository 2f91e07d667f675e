/**
 * One poller per app for new ledger rows, fanned out to every open /api/events stream. Rows come
 * from every process writing the ledger, so it polls the store for id > last rather than
 * listening in-process; with no stream open it does not poll at all.
 */
import type { CallRow, CallStore } from '../ledger/store.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';

/** Rows read per poll step; a larger backlog drains over further steps without sleeping. */
export const FEED_BATCH = 200;

export interface FeedSubscription {
  /** Resolves with the rows committed since the last call, or [] after waitMs without any. */
  next(waitMs: number): Promise<CallRow[]>;
  close(): void;
}

export interface CallFeed {
  subscribe(): FeedSubscription;
  /** Streams open now. */
  readonly size: number;
}

export interface CallFeedDeps {
  calls: CallStore;
  pollMs: number;
  logger: Logger;
}

interface Subscriber {
  queue: CallRow[];
  wake: (() => void) | null;
}

export function createCallFeed(deps: CallFeedDeps): CallFeed {
  const subscribers = new Set<Subscriber>();
  let last: number | null = null;
  let timer: NodeJS.Timeout | null = null;
  let polling = false;

  async function poll(): Promise<void> {
    timer = null;
    polling = true;
    try {
      last ??= await deps.calls.maxId();
      for (;;) {
        const rows = await deps.calls.after(last, FEED_BATCH);
        const newest = rows.at(-1);
        if (!newest) break;
        last = newest.id;
        for (const s of subscribers) {
          s.queue.push(...rows);
          s.wake?.();
        }
        if (rows.length < FEED_BATCH) break;
      }
    } catch (error) {
      deps.logger.warn('live feed could not read the ledger; will retry', { error: errorMessage(error) });
    }
    polling = false;
    if (subscribers.size > 0) timer = setTimeout(() => void poll(), deps.pollMs);
  }

  return {
    get size() {
      return subscribers.size;
    },
    subscribe() {
      const s: Subscriber = { queue: [], wake: null };
      subscribers.add(s);
      if (subscribers.size === 1 && timer === null && !polling) {
        last = null; // rows written while nobody listened are each stream's own backlog
        void poll();
      }
      return {
        async next(waitMs) {
          if (s.queue.length === 0) {
            await new Promise<void>((resolve) => {
              const t = setTimeout(resolve, waitMs);
              s.wake = () => (clearTimeout(t), resolve());
            });
            s.wake = null;
          }
          return s.queue.splice(0);
        },
        close() {
          subscribers.delete(s);
          s.wake?.();
          if (subscribers.size === 0 && timer !== null) {
            clearTimeout(timer);
            timer = null;
          }
        },
      };
    },
  };
}
