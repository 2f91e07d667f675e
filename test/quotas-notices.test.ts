import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { LoggingMessageNotificationSchema, type LoggingMessageNotification } from '@modelcontextprotocol/sdk/types.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ALERT_LOGGER } from '../src/alerts/notify.js';
import { setQuota } from '../src/quotas/manage.js';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';

let h: GatewayHarness;
beforeEach(async () => {
  h = await startGatewayHarness();
});
afterEach(async () => h.close());

async function connect(name: string) {
  const client = new Client({ name, version: '1.0.0' });
  const alerts: LoggingMessageNotification['params'][] = [];
  client.setNotificationHandler(
    LoggingMessageNotificationSchema,
    (n) => void (n.params.logger === ALERT_LOGGER && alerts.push(n.params)),
  );
  const transport = new StreamableHTTPClientTransport(new URL(`${h.url}/mcp`));
  await client.connect(transport);
  return { client, transport, alerts };
}

describe('quota alerts over MCP Streamable HTTP', () => {
  it('reach every connected session as a warning, and closed sessions stop listening', async () => {
    setQuota(
      h.runtime.store.quotas,
      { name: 'http-requests', metric: 'requests', period: 'day', limit: 2, thresholds: [50] },
      { defaultTimeZone: 'UTC', now: Date.now(), mode: 'upsert' },
    );
    const busy = await connect('busy-agent');
    const watcher = await connect('watching-agent');
    expect(h.runtime.quotas.notices.subscribers).toBe(2);

    await busy.client.callTool({ name: 'chat', arguments: { prompt: 'one', max_tokens: 10 } });
    const expected = {
      level: 'warning',
      logger: ALERT_LOGGER,
      data: expect.objectContaining({ quota: 'http-requests', threshold: 50, used: 1, limit: 2 }),
    };
    await expect.poll(() => busy.alerts).toEqual([expected]);
    await expect.poll(() => watcher.alerts).toEqual([expected]);
    expect(String((busy.alerts[0]?.data as { message: string }).message)).toContain("quota 'http-requests' passed 50%");

    // Ending the session (DELETE /mcp) closes its server, which leaves the notice board.
    await watcher.transport.terminateSession();
    await watcher.client.close();
    await expect.poll(() => h.runtime.quotas.notices.subscribers).toBe(1);
    await busy.client.close();
  });
});
