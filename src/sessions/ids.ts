/**
 * Session ids are untrusted text from whoever calls: kept only when short and made of the
 * characters real ids use (UUIDs, W3C trace ids, Codex/Claude Code ids), otherwise ignored. They
 * are shown with textContent only, never as HTML. See docs/decisions/0021-sessions-and-loop-guard.md.
 */
import type { IncomingHttpHeaders } from 'node:http';

export const MAX_SESSION_ID_LENGTH = 128;
const SESSION_ID = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

/** The id if it is acceptable, else null (the caller then has no session). */
export function checkedSessionId(raw: string | null | undefined): string | null {
  const id = raw?.trim();
  if (!id || id.length > MAX_SESSION_ID_LENGTH || !SESSION_ID.test(id)) return null;
  return id;
}

/** Headers a proxy caller may name its session with, in order of preference. */
export const SESSION_HEADERS = ['x-claude-code-session-id', 'session-id', 'thread-id', 'x-session-id'] as const;

/** version-traceid-parentid-flags; an all-zero trace id is invalid by the W3C spec. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The session a proxied request belongs to: Claude Code's x-claude-code-session-id, Codex CLI's
 * session-id (or its thread-id), X-Session-Id, else the trace id of a W3C traceparent; null when
 * none is sent or none passes the check.
 */
export function proxySessionId(headers: IncomingHttpHeaders): string | null {
  for (const name of SESSION_HEADERS) {
    const id = checkedSessionId(header(headers, name));
    if (id) return id;
  }
  const trace = TRACEPARENT.exec(header(headers, 'traceparent')?.trim().toLowerCase() ?? '')?.[1];
  return trace && !/^0+$/.test(trace) ? trace : null;
}
