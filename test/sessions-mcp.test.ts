import { describe, expect, it } from 'vitest';
import { readQuotaState, readQuotaStates } from '../src/quotas/report.js';
import { createApp } from '../src/sidecar/app.js';
import { startHarness, textOf } from './helpers/harness.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { allCalls } from './helpers/ledger.js';
import { capEverySession, linkedClient, sessionsFromRows } from './helpers/sessions.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const LOOP_ENV = { COMETAPI_MCP_LOOP_WARN_AT: '3', COMETAPI_MCP_LOOP_REFUSE_AFTER: '5' };

describe.each(ledgerEngines('sessions over in-memory MCP'))('sessions over in-memory MCP ($name)', (engine) => {
  it('gives each connection its own session on every row; the view and /api/sessions sum the rows exactly', async () => {
    const h = await startHarness({ engine, clientName: 'first-client' });
    try {
      const second = await linkedClient(h.runtime, 'second-client');
      await h.call('chat', { prompt: 'one' });
      await h.call('create_embeddings', { input: ['a', 'b'] });
      await second.call('chat', { prompt: 'two' });
      h.sim.enqueueFault({ kind: 'status', status: 400, message: 'bad (simulated)' });
      await second.call('chat', { prompt: 'three' });
      const rows = await allCalls(h.runtime.store);
      const [a, b] = [rows[0]?.session, rows[2]?.session];
      expect(a).toMatch(UUID);
      expect(b).toMatch(UUID);
      expect(a).not.toBe(b);
      expect(rows.map((r) => r.session)).toEqual([a, a, b, b]);

      const expected = sessionsFromRows(rows);
      const view = await h.runtime.store.sessions.list({ from: 0, to: Date.now() + 1 }, 10);
      expect(view.map((s) => s.session).sort()).toEqual([a, b].sort());
      for (const s of view) {
        const { cost_usd, ...rest } = expected.get(s.session) ?? { cost_usd: NaN };
        expect(s).toMatchObject({ session: s.session, ...rest });
        expect(s.cost_usd).toBeCloseTo(cost_usd, 9);
      }
      // Most expensive first.
      expect(view.map((s) => s.cost_usd)).toEqual([...view.map((s) => s.cost_usd)].sort((x, y) => y - x));
      expect(view.find((s) => s.session === b)).toMatchObject({ client: 'second-client', requests: 2, errors: 1 });

      const app = createApp({ store: h.runtime.store, config: h.config, logger: h.runtime.logger, mode: 'live' });
      const api = (await (await app.request('/api/sessions?range=1h')).json()) as { sessions: unknown[] };
      expect(api.sessions).toEqual(JSON.parse(JSON.stringify(view)));
      const drill = (await (await app.request(`/api/calls?session=${b}`)).json()) as { calls: { session: string }[] };
      expect(drill.calls).toHaveLength(2);
      expect(drill.calls.every((c) => c.session === b)).toBe(true);

      const usage = await second.call('get_usage', { since: 'today', by: 'session' });
      expect(textOf(usage)).toMatch(new RegExp(`^This session \\(${b}\\): 2 calls`));
      expect(usage.structuredContent).toMatchObject({ this_session: { key: b, requests: 2, errors: 1 } });
      await second.client.close();
    } finally {
      await h.close();
    }
  });

  it('loop guard: warns from the Nth identical call, refuses after M, and a different argument resets it', async () => {
    const h = await startHarness({ engine, env: LOOP_ENV });
    try {
      const texts: string[] = [];
      for (let i = 1; i <= 6; i++) texts.push(textOf(await h.call('chat', { prompt: 'same again' })));
      expect(texts.slice(0, 2).every((t) => !t.includes('loop guard'))).toBe(true);
      for (const [i, t] of texts.slice(2, 5).entries())
        expect(t).toMatch(new RegExp(`^\\[loop guard\\] This is the ${i + 3}(rd|th) identical chat call`));
      expect(texts[5]).toMatch(/^loop guard: refused the 6th identical chat call in session /);
      const rows = await allCalls(h.runtime.store);
      expect(rows.map((r) => r.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'blocked']);
      expect(rows[5]).toMatchObject({ error_type: 'loop_guard', session: rows[0]?.session, prompt_tokens: 0 });
      // The refused call never reached the upstream.
      expect(h.sim.requests).toBe(5);

      // Another session repeating the same call is counted on its own.
      const other = await linkedClient(h.runtime, 'other');
      expect(textOf(await other.call('chat', { prompt: 'same again' }))).not.toContain('loop guard');
      // A different argument resets the count, so the first call again starts from one.
      expect(textOf(await h.call('chat', { prompt: 'something else' }))).not.toContain('loop guard');
      const again = await h.call('chat', { prompt: 'same again' });
      expect(again.isError).toBeFalsy();
      expect(textOf(again)).not.toContain('loop guard');
      await other.client.close();
    } finally {
      await h.close();
    }
  });

  it('a --scope session hard quota refuses only the session that reached it, with alerts once per session', async () => {
    const h = await startHarness({ engine });
    try {
      await capEverySession(h.runtime.store, 'per-session', 2);
      const other = await linkedClient(h.runtime, 'other');
      await h.call('chat', { prompt: 'a1' });
      await h.call('chat', { prompt: 'a2' });
      const refused = await h.call('chat', { prompt: 'a3' });
      const session = (await allCalls(h.runtime.store))[0]?.session ?? '';
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain(
        `quota 'per-session' (session=${session}) reached: 2 requests of 2 requests used today`,
      );
      expect(textOf(refused)).toContain('cometapi-mcp quota set --name per-session --limit 4');
      for (const prompt of ['b1', 'b2']) expect((await other.call('chat', { prompt })).isError).toBeFalsy();
      expect((await other.call('chat', { prompt: 'b3' })).isError).toBe(true);

      const rows = await allCalls(h.runtime.store);
      expect(rows.map((r) => r.status)).toEqual(['ok', 'ok', 'blocked', 'ok', 'ok', 'blocked']);
      const alerts = await h.runtime.store.alerts.recent(50);
      const fired = alerts.map((a) => `${a.session === session ? 'A' : 'B'}:${a.threshold}`).sort();
      expect(fired).toEqual(['A:100', 'A:50', 'A:80', 'B:100', 'B:50', 'B:80']);
      // Listed without a caller (quota list, the dashboard): the session that has used the most.
      await h.call('chat', { prompt: 'not counted: refused' });
      const perSession = await capEverySession(h.runtime.store, 'per-session', 3);
      await other.call('chat', { prompt: 'b4' });
      const listed = await readQuotaStates(h.runtime.store, Date.now());
      const otherSession = (await allCalls(h.runtime.store)).at(-1)?.session;
      expect(listed).toMatchObject([{ scope: `session=${otherSession}`, used: 3, limit: 3, percent: 100 }]);
      // One quota on its own (quota set's confirmation, /api/quotas/:name) reads the same.
      expect(await readQuotaState(h.runtime.store, perSession, Date.now())).toEqual(listed[0]);
      const usage = await h.call('get_usage', {});
      expect(usage.structuredContent).toMatchObject({ quotas: [{ scope: `session=${session}`, used: 2, limit: 3 }] });
      await other.client.close();
    } finally {
      await h.close();
    }
  });
});
