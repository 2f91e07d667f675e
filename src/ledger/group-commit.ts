/**
 * Group commit: rows handed in close together are written by one transaction. Each caller's
 * promise settles only after the transaction holding its row has committed (or failed), so an
 * acknowledged row is exactly as durable as with one commit per row. A batch is flushed when it
 * reaches `maxRows`, or once the event loop has finished its current turn (setImmediate), so a
 * row waits for at most the rest of the turn that produced it — and for any write in flight.
 */

export interface GroupCommitOptions {
  /** Rows per transaction at most. */
  maxRows: number;
}

export const DEFAULT_GROUP_COMMIT: GroupCommitOptions = { maxRows: 256 };

/** Writes one batch in one transaction and returns each row's id, in order; throws on failure, having written none. */
export type BatchWriter<T> = (batch: readonly T[]) => Promise<readonly number[]> | readonly number[];

interface Pending<T> {
  item: T;
  resolve: (id: number) => void;
  reject: (error: unknown) => void;
}

export interface GroupCommit<T> {
  /** Resolves with the row's id once it is committed. */
  push(item: T): Promise<number>;
  /** Resolves when every row pushed so far has been written or failed. */
  drain(): Promise<void>;
}

export function createGroupCommit<T>(write: BatchWriter<T>, options: GroupCommitOptions): GroupCommit<T> {
  let queue: Pending<T>[] = [];
  let scheduled = false;
  let writing: Promise<void> | null = null;

  async function writeBatch(batch: Pending<T>[]): Promise<void> {
    try {
      const ids = await write(batch.map((p) => p.item));
      batch.forEach((p, i) => p.resolve(ids[i] ?? 0));
    } catch (error) {
      for (const p of batch) p.reject(error);
    }
  }

  /** Writes queued rows, one batch at a time, until the queue is empty. */
  async function flush(): Promise<void> {
    while (queue.length > 0) {
      const batch = queue.slice(0, options.maxRows);
      queue = queue.slice(batch.length);
      await writeBatch(batch);
    }
  }

  function start(): void {
    if (writing) return; // the running flush picks the new rows up when its batch is done
    writing = flush().finally(() => {
      writing = null;
      if (queue.length > 0) schedule();
    });
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    setImmediate(() => {
      scheduled = false;
      start();
    });
  }

  return {
    push(item) {
      const promise = new Promise<number>((resolve, reject) => queue.push({ item, resolve, reject }));
      if (queue.length >= options.maxRows) start();
      else schedule();
      return promise;
    },
    async drain() {
      for (;;) {
        if (writing) await writing;
        else if (queue.length > 0) start();
        else if (scheduled) await new Promise((resolve) => setImmediate(resolve));
        else return;
      }
    },
  };
}
