import { afterEach, describe, expect, it } from 'vitest';
import { textOf } from './helpers/harness.js';
import { startQuotaHarness, type QuotaHarness } from './helpers/quota-harness.js';
import { allCalls } from './helpers/ledger.js';
import { ledgerEngines } from './helpers/ledger-engines.js';

const ENGINES = ledgerEngines('hard quota tests');

describe.each(ENGINES)('$name ledger', (engine) => {
  let h: QuotaHarness;
  afterEach(async () => {
    await h.close();
  });

  const rows = () => allCalls(h.runtime.store);
  const alerts = async () => (await h.runtime.store.alerts.recent(100)).reverse();

  describe('hard quotas', () => {
    it('refuse the call before the upstream is touched, record it as blocked and say how to raise the limit', async () => {
      h = await startQuotaHarness({ engine, timeZone: 'America/New_York', now: Date.parse('2025-06-01T16:00:00Z') });
      await h.quota({ name: 'daily-requests', metric: 'requests', period: 'day', limit: 2, hard: true });
      expect((await h.call('chat', { prompt: 'one' })).isError).toBeFalsy();
      expect((await h.call('chat', { prompt: 'two' })).isError).toBeFalsy();
      expect(h.sim.requests).toBe(2);

      const refused = await h.call('chat', { prompt: 'three' });
      expect(refused.isError).toBe(true);
      expect(h.sim.requests).toBe(2);
      expect(textOf(refused)).toContain(
        "quota 'daily-requests' reached: 2 requests of 2 requests used today (America/New_York); raise it with `cometapi-mcp quota set --name daily-requests --limit 4`",
      );
      // New York midnight after 1 June, in New York time.
      expect(textOf(refused)).toContain('wait until 2025-06-02 00:00');
      expect((await rows()).at(-1)).toMatchObject({
        status: 'blocked',
        error_type: 'quota_exceeded',
        tool: 'chat',
        prompt_tokens: 0,
      });
      // Blocked calls use nothing, so they do not count toward the quota themselves.
      expect((await h.runtime.quotas.states())[0]).toMatchObject({ used: 2, limit: 2, percent: 100 });
    });

    it('cost: reserves the estimate (prompt + max_tokens at the model price) and names the figures', async () => {
      h = await startQuotaHarness({ engine });
      // gpt-4o: $2.50 / $10 per million tokens; 100,000 reserved output tokens alone are $1.
      await h.quota({ name: 'daily-cost', metric: 'cost', period: 'day', limit: 0.5, hard: true });
      const refused = await h.call('chat', { prompt: 'hi', model: 'gpt-4o', max_tokens: 100_000 });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain(
        "quota 'daily-cost' would be exceeded: $0.00 of $0.50 used today (UTC), and this call may use up to $1.00; lower max_tokens, " +
          'or raise it with `cometapi-mcp quota set --name daily-cost --limit 2`',
      );
      expect(h.sim.requests).toBe(0);
      // The same question with a modest max_tokens fits.
      expect((await h.call('chat', { prompt: 'hi', model: 'gpt-4o', max_tokens: 100 })).isError).toBeFalsy();
      expect(h.sim.requests).toBe(1);
    });

    it('cost: refuses a model with no price, since its cost could not be counted', async () => {
      h = await startQuotaHarness({ engine });
      await h.quota({ name: 'budget', metric: 'cost', period: 'month', limit: 5, hard: true });
      const refused = await h.call('chat', { prompt: 'hi', model: 'sim-unpriced-model' });
      expect(refused.isError).toBe(true);
      expect(textOf(refused)).toContain("model 'sim-unpriced-model' has no known price");
      expect(textOf(refused)).toContain('COMETAPI_MCP_PRICES');
      expect(h.sim.requests).toBe(0);
      // A soft quota does not stand in the way.
      await h.quota({ name: 'budget', hard: false });
      await h.call('chat', { prompt: 'hi', model: 'sim-unpriced-model' });
      expect(h.sim.requests).toBe(1);
    });

    it('tokens and images: counted from the call estimate, each scope only for its own calls', async () => {
      h = await startQuotaHarness({ engine, clientName: 'Cherry Studio' });
      await h.quota({
        name: 'images',
        metric: 'images',
        period: 'week',
        limit: 3,
        hard: true,
        scope: 'tool=generate_image',
      });
      await h.quota({
        name: 'mini-tokens',
        metric: 'tokens',
        period: 'day',
        limit: 500,
        hard: true,
        scope: 'model=gpt-4o-mini',
      });
      await h.quota({
        name: 'cursor-only',
        metric: 'requests',
        period: 'day',
        limit: 1,
        hard: true,
        scope: 'client=Cursor',
      });
      await h.quota({
        name: 'other-provider',
        metric: 'requests',
        period: 'day',
        limit: 1,
        hard: true,
        scope: 'provider=openrouter',
      });

      expect((await h.call('generate_image', { prompt: 'a cat', n: 2 })).isError).toBeFalsy();
      const tooMany = await h.call('generate_image', { prompt: 'a dog', n: 2 });
      expect(textOf(tooMany)).toContain(
        "quota 'images' (tool=generate_image) would be exceeded: 2 images of 3 images used this week",
      );
      expect((await h.call('generate_image', { prompt: 'a dog', n: 1 })).isError).toBeFalsy();

      // 500 tokens: the default reservation of 1,024 output tokens does not fit, 100 does.
      const big = await h.call('chat', { prompt: 'hello', model: 'gpt-4o-mini' });
      expect(textOf(big)).toContain("quota 'mini-tokens' (model=gpt-4o-mini) would be exceeded");
      expect(textOf(big)).toContain('lower max_tokens');
      expect((await h.call('chat', { prompt: 'hello', model: 'gpt-4o-mini', max_tokens: 100 })).isError).toBeFalsy();
      // Another model, the client "Cherry Studio" and provider "cometapi" are outside the other scopes.
      expect((await h.call('chat', { prompt: 'hello', model: 'gpt-4o' })).isError).toBeFalsy();
      expect((await h.call('chat', { prompt: 'again', model: 'gpt-4o' })).isError).toBeFalsy();
      expect((await rows()).map((r) => r.status)).toEqual(['ok', 'blocked', 'ok', 'blocked', 'ok', 'ok', 'ok']);
      expect(h.sim.requests).toBe(5);
    });
  });

  describe('alerts', () => {
    it('a soft quota only alerts: once per threshold, to the MCP client, stderr and the alerts table', async () => {
      h = await startQuotaHarness({ engine, now: Date.parse('2025-06-01T10:00:00Z') });
      await h.quota({ name: 'soft-requests', metric: 'requests', period: 'day', limit: 4, thresholds: [50, 100] });
      for (let i = 0; i < 6; i++) expect((await h.call('chat', { prompt: `call ${i}` })).isError).toBeFalsy();
      expect(h.sim.requests).toBe(6);
      expect((await alerts()).map((a) => [a.threshold, a.used_amount, a.delivery])).toEqual([
        [50, 2, 'no-webhook'],
        [100, 4, 'no-webhook'],
      ]);
      expect((await alerts())[1]?.message).toContain(
        "quota 'soft-requests' passed 100%: 4 requests of 4 requests used today (UTC) (100%); soft quota, calls continue",
      );
      expect(h.notices.map((n) => [n.level, n.logger, (n.data as { threshold: number }).threshold])).toEqual([
        ['warning', 'cometapi-mcp/quotas', 50],
        ['warning', 'cometapi-mcp/quotas', 100],
      ]);
      expect(h.logs.filter((l) => l.includes('quota alert:'))).toHaveLength(2);

      // A new day is a new period: the 50 % alert fires again.
      h.clock.now = Date.parse('2025-06-02T00:00:00Z');
      await h.call('chat', { prompt: 'x' });
      await h.call('chat', { prompt: 'y' });
      expect((await alerts()).map((a) => [a.threshold, new Date(a.period_start).toISOString()])).toEqual([
        [50, '2025-06-01T00:00:00.000Z'],
        [100, '2025-06-01T00:00:00.000Z'],
        [50, '2025-06-02T00:00:00.000Z'],
      ]);
    });

    it('a hard quota that starts refusing fires its limit alert even before usage reaches 100 %', async () => {
      h = await startQuotaHarness({ engine });
      await h.quota({ name: 'tokens', metric: 'tokens', period: 'day', limit: 1000, hard: true });
      await h.call('chat', { prompt: 'hi', max_tokens: 50 });
      expect(await alerts()).toEqual([]);
      await h.call('chat', { prompt: 'hi', max_tokens: 5000 });
      expect((await alerts()).map((a) => a.threshold)).toEqual([100]);
      expect((await alerts())[0]?.message).toMatch(/refused a call that would have passed 100%/);
    });

    it('get_usage reports each quota so an agent can watch its own budget', async () => {
      h = await startQuotaHarness({ engine, timeZone: 'Asia/Tokyo', now: Date.parse('2025-06-01T03:00:00Z') });
      await h.quota({ name: 'daily-cost', metric: 'cost', period: 'day', limit: 5, hard: true });
      await h.quota({ name: 'week-requests', metric: 'requests', period: 'week', limit: 100, scope: 'tool=chat' });
      await h.call('chat', { prompt: 'hello', model: 'gpt-4o' });
      const result = await h.call('get_usage', { since: 'today' });
      const s = result.structuredContent as { quotas: Record<string, unknown>[] };
      const cost = ((await rows())[0]?.cost_nano_usd ?? 0) / 1e9;
      expect(s.quotas).toEqual([
        expect.objectContaining({
          name: 'daily-cost',
          scope: 'global',
          metric: 'cost',
          period: 'day',
          used: cost,
          limit: 5,
          hard: true,
          percent: Math.round((cost / 5) * 1000) / 10,
          time_zone: 'Asia/Tokyo',
          resets_at: '2025-06-01T15:00:00.000Z',
        }),
        expect.objectContaining({
          name: 'week-requests',
          scope: 'tool=chat',
          used: 1,
          limit: 100,
          percent: 1,
          hard: false,
          resets_at: '2025-06-01T15:00:00.000Z',
        }),
      ]);
      expect(textOf(result)).toContain('- daily-cost (global, cost per day, hard): $');
      expect(textOf(result)).toContain(
        '- week-requests (tool=chat, requests per week, soft): 1 requests of 100 requests (1%)',
      );
    });
  });
});
