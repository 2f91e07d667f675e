import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Hono } from 'hono';
import { ConfigError } from '../src/errors.js';
import { silentLogger } from '../src/log.js';
import { createApp } from '../src/sidecar/app.js';
import { startSidecar } from '../src/sidecar/serve.js';
import { ledgerConfig, tempLedger, type TempLedger } from './helpers/ledger.js';
import { startTestSidecar } from './helpers/sidecar.js';

const TOKEN = 'test-token-0123456789abcdef';

let temp: TempLedger;
let open: Hono;
let guarded: Hono;

beforeAll(() => {
  temp = tempLedger();
  open = createApp({
    store: temp.store,
    config: ledgerConfig(temp),
    logger: silentLogger,
    mode: 'live',
    maxBodyBytes: 1000,
  });
  guarded = createApp({
    store: temp.store,
    config: ledgerConfig(temp, { COMETAPI_MCP_TOKEN: TOKEN }),
    logger: silentLogger,
    mode: 'live',
  });
});
afterAll(() => temp.cleanup());

const request = (app: Hono, path: string, headers: Record<string, string> = {}, init: RequestInit = {}) =>
  app.request(`http://127.0.0.1:8790${path}`, { ...init, headers: { Host: '127.0.0.1:8790', ...headers } });

describe('Host check (DNS rebinding)', () => {
  it.each(['evil.example.com', 'evil.example.com:8790', '127.0.0.1.evil.example', 'user@127.0.0.1:8790'])(
    'Host %s → 403 on every route',
    async (host) => {
      for (const path of ['/', '/api/summary', '/metrics', '/api/events']) {
        const res = await request(open, path, { Host: host });
        expect(res.status).toBe(403);
        expect(((await res.json()) as { error: string }).error).toContain('is not allowed');
      }
    },
  );

  it.each(['127.0.0.1:8790', 'localhost:8790', '[::1]:8790', 'localhost'])('Host %s is accepted', async (host) => {
    expect((await request(open, '/api/info', { Host: host })).status).toBe(200);
  });
});

describe('Origin check', () => {
  it('refuses other origins and "null" with a clear 403, accepts the same origin, and never sends CORS headers', async () => {
    for (const origin of ['http://evil.example', 'http://127.0.0.1:9999', 'null']) {
      const res = await request(open, '/api/summary', { Origin: origin });
      expect(res.status).toBe(403);
      expect(((await res.json()) as { error: string }).error).toContain(`Origin '${origin}' is not allowed`);
    }
    const same = await request(open, '/api/summary', { Origin: 'http://127.0.0.1:8790' });
    expect(same.status).toBe(200);
    expect(same.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await request(
      open,
      '/api/summary',
      { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'GET' },
      { method: 'OPTIONS' },
    );
    expect(preflight.status).toBe(403);
  });
});

describe('bearer token when COMETAPI_MCP_TOKEN is set', () => {
  it('401 without or with a wrong token on /api and /metrics; 200 with the right one', async () => {
    for (const path of ['/api/summary', '/api/events', '/metrics']) {
      const missing = await request(guarded, path);
      expect(missing.status).toBe(401);
      expect(missing.headers.get('www-authenticate')).toContain('Bearer');
      expect(((await missing.json()) as { error: string }).error).toContain('Authorization: Bearer');
      expect((await request(guarded, path, { Authorization: 'Bearer wrong-token-0123456789' })).status).toBe(401);
    }
    expect((await request(guarded, '/api/summary', { Authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await request(guarded, '/metrics', { Authorization: `bearer ${TOKEN}` })).status).toBe(200);
  });

  it('opening /?token= once sets an HttpOnly SameSite cookie that EventSource and fetch then send', async () => {
    expect((await request(guarded, '/?token=wrong')).status).toBe(401);
    const login = await request(guarded, `/?token=${TOKEN}`);
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/');
    const cookie = login.headers.get('set-cookie') ?? '';
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);
    const pair = cookie.split(';')[0] ?? '';
    expect((await request(guarded, '/api/summary', { Cookie: pair })).status).toBe(200);
  });

  it('leaves the static dashboard page open: it holds no data', async () => {
    const res = await request(guarded, '/');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
  });
});

describe('body size limit on non-GET routes', () => {
  it('413 with a JSON message past the limit', async () => {
    const res = await request(
      open,
      '/api/summary',
      { 'Content-Type': 'application/json' },
      { method: 'POST', body: 'x'.repeat(2000) },
    );
    expect(res.status).toBe(413);
    expect(((await res.json()) as { error: string }).error).toContain('1000-byte limit');
  });
});

describe('startSidecar', () => {
  it('refuses to bind beyond loopback without a token', async () => {
    await expect(
      startSidecar({
        store: temp.store,
        config: ledgerConfig(temp),
        logger: silentLogger,
        mode: 'live',
        host: '0.0.0.0',
        port: 0,
      }),
    ).rejects.toBeInstanceOf(ConfigError);
  });

  it('resolves null when the port is taken, so a stdio server can carry on without a dashboard', async () => {
    const first = await startTestSidecar({
      store: temp.store,
      config: ledgerConfig(temp),
      logger: silentLogger,
    });
    try {
      const second = await startSidecar({
        store: temp.store,
        config: ledgerConfig(temp),
        logger: silentLogger,
        mode: 'live',
        host: '127.0.0.1',
        port: first.port,
      });
      expect(second).toBeNull();
      const res = await fetch(`${first.url}/api/info`);
      expect(res.status).toBe(200);
    } finally {
      await first.close();
    }
    // Closed means closed: the port is free again.
    await new Promise<void>((resolve, reject) => {
      const probe = net
        .createServer()
        .once('error', reject)
        .listen(first.port, '127.0.0.1', () => probe.close(() => resolve()));
    });
  });

  it('over a real socket, a foreign Host header is refused', async () => {
    const sidecar = await startTestSidecar({
      store: temp.store,
      config: ledgerConfig(temp),
      logger: silentLogger,
    });
    try {
      const status = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(sidecar.port, '127.0.0.1', () =>
          socket.write('GET /api/info HTTP/1.1\r\nHost: rebind.example:80\r\nConnection: close\r\n\r\n'),
        );
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('end', () => resolve(data.split('\r\n')[0] ?? ''));
        socket.on('error', reject);
      });
      expect(status).toBe('HTTP/1.1 403 Forbidden');
    } finally {
      await sidecar.close();
    }
  });
});
