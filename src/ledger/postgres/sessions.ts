import type pg from 'pg';
import { presentSession, sessionListSql, type RawSessionSummary, type SessionStore } from '../sessions.js';

const LIST_SQL = sessionListSql((condition) => `COUNT(*) FILTER (WHERE ${condition})`, '$1', '$2', '$3');

export function createPgSessionStore(pool: pg.Pool): SessionStore {
  return {
    list: async (range, limit) =>
      (await pool.query<RawSessionSummary>(LIST_SQL, [range.from, range.to, limit])).rows.map(presentSession),
  };
}
