import { presentSession, sessionListSql, type RawSessionSummary, type SessionStore } from '../sessions.js';
import type { TimeRange } from '../queries/range.js';
import type { Db } from './open.js';

export function createSqliteSessionStore(db: Db): SessionStore {
  const list = db.prepare<[TimeRange & { limit: number }], RawSessionSummary>(
    sessionListSql((condition) => `CAST(TOTAL(${condition}) AS INTEGER)`, '@from', '@to', '@limit'),
  );
  return { list: async (range, limit) => list.all({ ...range, limit }).map(presentSession) };
}
