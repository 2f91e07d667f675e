/**
 * MCP over Streamable HTTP (spec 2025-11-25) for the sidecar's /mcp: one McpServer per session,
 * each with the SDK's web-standard transport, which does the protocol's HTTP part (POST answers
 * as JSON or SSE, the GET stream, DELETE to end a session, MCP-Protocol-Version checks). Host,
 * Origin and the token are checked by the sidecar's middleware before a request gets here.
 *
 * Sessions live in memory, bounded in number and idle time: an old or idle one is closed when a
 * new one needs room, so a client that never says DELETE cannot grow the process without end.
 */
import { randomUUID } from 'node:crypto';
import { WebStandardStreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { isInitializeRequest } from '@modelcontextprotocol/sdk/types.js';
import { Hono, type Context } from 'hono';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { ServerDeps } from './deps.js';
import { createServer } from './server.js';

export interface McpHttpOptions {
  /** Deps for each session's server; their `source` should be 'mcp-http'. */
  serverDeps: ServerDeps;
  logger: Logger;
  /** Open sessions kept at most; the least recently used one is closed past this (default 64). */
  maxSessions?: number;
  /** A session unused for this long is closed when another starts (default 30 minutes). */
  idleMs?: number;
  now?: () => number;
}

export interface McpHttp {
  /** Mount at /mcp: `app.route('/mcp', mcp.routes)`. */
  routes: Hono;
  readonly sessionCount: number;
  close(): Promise<void>;
}

interface Session {
  transport: WebStandardStreamableHTTPServerTransport;
  server: McpServer;
  lastSeen: number;
}

/** JSON-RPC error bodies for what is refused before a transport sees it. */
function rpcError(c: Context, status: 400 | 404, code: number, message: string): Response {
  return c.json({ jsonrpc: '2.0', error: { code, message }, id: null }, status);
}

export function createMcpHttp(options: McpHttpOptions): McpHttp {
  const maxSessions = options.maxSessions ?? 64;
  const idleMs = options.idleMs ?? 30 * 60_000;
  const now = options.now ?? Date.now;
  const sessions = new Map<string, Session>();

  async function closeSession(id: string, why: string): Promise<void> {
    const session = sessions.get(id);
    if (!session) return;
    sessions.delete(id);
    options.logger.debug('mcp http session closed', { why });
    await session.server
      .close()
      .catch((error: unknown) => options.logger.warn('closing an MCP session failed', { error: errorMessage(error) }));
  }

  /** Makes room for one more session: idle ones go first, then the least recently used. */
  async function makeRoom(): Promise<void> {
    const cutoff = now() - idleMs;
    const idle = [...sessions].filter(([, s]) => s.lastSeen < cutoff).map(([id]) => id);
    await Promise.all(idle.map((id) => closeSession(id, 'idle')));
    while (sessions.size >= maxSessions) {
      let oldest: [string, Session] | undefined;
      for (const entry of sessions) if (!oldest || entry[1].lastSeen < oldest[1].lastSeen) oldest = entry;
      if (!oldest) break;
      await closeSession(oldest[0], 'too many sessions');
    }
  }

  async function startSession(c: Context): Promise<Response> {
    let body: unknown;
    try {
      body = await c.req.json();
    } catch {
      return rpcError(c, 400, -32700, 'Parse error: the body is not valid JSON');
    }
    if (!isInitializeRequest(body)) {
      return rpcError(
        c,
        400,
        -32000,
        'Bad Request: send initialize first, then the Mcp-Session-Id header it returns on every request',
      );
    }
    await makeRoom();
    // Made here, not by the transport, so the server records it on every row from the first call.
    const sessionId = randomUUID();
    const server = createServer({ ...options.serverDeps, session: sessionId });
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: () => sessionId,
      onsessioninitialized: (id) => {
        sessions.set(id, { transport, server, lastSeen: now() });
      },
      onsessionclosed: (id) => closeSession(id, 'ended by the client'),
    });
    transport.onclose = () => {
      if (transport.sessionId) sessions.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport.handleRequest(c.req.raw, { parsedBody: body });
  }

  const routes = new Hono();
  routes.all('/', async (c) => {
    const id = c.req.header('mcp-session-id');
    if (id === undefined) {
      if (c.req.method === 'POST') return startSession(c);
      return rpcError(
        c,
        400,
        -32000,
        'Bad Request: the Mcp-Session-Id header is required; start a session with initialize (POST)',
      );
    }
    const session = sessions.get(id);
    // 404 tells a client its session is gone (expired or closed), so it starts a new one.
    if (!session)
      return rpcError(c, 404, -32001, 'Session not found: it ended or expired; send initialize to start a new one');
    session.lastSeen = now();
    return session.transport.handleRequest(c.req.raw);
  });

  return {
    routes,
    get sessionCount() {
      return sessions.size;
    },
    close: async () => {
      await Promise.all([...sessions.keys()].map((id) => closeSession(id, 'server shutting down')));
    },
  };
}
