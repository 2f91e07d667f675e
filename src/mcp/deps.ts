import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { RequestHandlerExtra } from '@modelcontextprotocol/sdk/shared/protocol.js';
import type { CallToolResult, ServerNotification, ServerRequest } from '@modelcontextprotocol/sdk/types.js';
import type { NoticeBoard } from '../alerts/notices.js';
import type { Config } from '../config.js';
import type { CallSource, LedgerStore } from '../ledger/store.js';
import type { Logger } from '../log.js';
import type { CallContext, Metering } from '../metering.js';
import { fingerprintOf, type LoopGuard } from '../sessions/loop-guard.js';
import type { ModelCatalog } from '../upstream/catalog.js';

export interface ServerDeps {
  metering: Metering;
  store: LedgerStore;
  config: Config;
  logger: Logger;
  catalog: ModelCatalog;
  /** How this server is reached; recorded on every row. */
  source: CallSource;
  clock?: () => number;
  /** Quota alerts for this process; each server passes them to its client as notifications/message. */
  notices?: NoticeBoard;
  /**
   * This connection's session id, recorded on every row: the Streamable HTTP session id; absent,
   * createServer makes one (a stdio process or an in-memory link is one session).
   */
  session?: string;
  /** The process's loop guard, shared by its sessions. */
  loopGuard?: LoopGuard;
}

export type ToolExtra = RequestHandlerExtra<ServerRequest, ServerNotification>;

/**
 * Who is calling: the MCP client's own name from `initialize` (what per-client usage is keyed
 * on) and this connection's session. Given the tool's arguments, the call is also counted by the
 * loop guard, once per tool call.
 */
export function callContext(server: McpServer, deps: ServerDeps, tool: string, args?: unknown): CallContext {
  const session = deps.session ?? null;
  const now = (deps.clock ?? Date.now)();
  const loop =
    session && deps.loopGuard?.enabled && args !== undefined
      ? deps.loopGuard.observe(session, tool, fingerprintOf(JSON.stringify(args) ?? ''), now)
      : undefined;
  return { source: deps.source, client: server.server.getClientVersion()?.name ?? null, tool, session, loop };
}

/** Puts the loop guard's warning first in the result's text, where the model reads it. */
export function withLoopWarning<R extends CallToolResult>(ctx: CallContext, result: R): R {
  if (ctx.loop?.kind !== 'warn') return result;
  const [first, ...rest] = result.content;
  const content: CallToolResult['content'] =
    first?.type === 'text'
      ? [{ ...first, text: `${ctx.loop.message}\n\n${first.text}` }, ...rest]
      : [{ type: 'text', text: ctx.loop.message }, ...result.content];
  return { ...result, content };
}

/**
 * Sends notifications/progress when the client asked for them (a progressToken), at most every
 * `minIntervalMs`, so long calls keep clients such as CherryStudio (longRunning) from timing out.
 */
export function progressReporter(extra: ToolExtra, minIntervalMs = 250) {
  const token = extra._meta?.progressToken;
  let last = 0;
  return (progress: number, message?: string, force = false): void => {
    if (token === undefined) return;
    const now = Date.now();
    if (!force && now - last < minIntervalMs) return;
    last = now;
    extra
      .sendNotification({ method: 'notifications/progress', params: { progressToken: token, progress, message } })
      .catch(() => undefined); // a client that went away must not fail the call
  };
}

/** Keeps progress flowing while a call with no natural progress (an image) runs. */
export async function withHeartbeat<T>(
  report: ReturnType<typeof progressReporter>,
  message: string,
  run: () => Promise<T>,
): Promise<T> {
  let beats = 0;
  report(beats, message, true);
  const timer = setInterval(() => report(++beats, `${message} (${beats * 5}s)`, true), 5_000);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}
