import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.js';
import { checkedSessionId, proxySessionId } from '../src/sessions/ids.js';
import { createLoopGuard, DEFAULT_LOOP_GUARD, fingerprintOf } from '../src/sessions/loop-guard.js';

describe('session ids are untrusted input', () => {
  it('keeps ids real tools send and ignores markup, control characters and overlong ids', () => {
    for (const id of ['4a5eb630-db9d-4f8e-a10b-1c8c181f89c4', 'run.42:step_7', 'A'.repeat(128)])
      expect(checkedSessionId(id)).toBe(id);
    for (const id of ['<script>', 'a b', 'line\nbreak', '-leading-dash', '', 'A'.repeat(129), 'päd'])
      expect(checkedSessionId(id)).toBeNull();
  });

  it('prefers Claude Code’s header, then Codex’s session-id and thread-id, X-Session-Id, then traceparent', () => {
    const trace = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(proxySessionId({ 'x-claude-code-session-id': 'cc', 'session-id': 'codex', traceparent: trace })).toBe('cc');
    expect(proxySessionId({ 'session-id': 'codex', 'thread-id': 'thread', 'x-session-id': 'x' })).toBe('codex');
    // A bad id in one header falls through to the next.
    expect(proxySessionId({ 'session-id': '<bad>', 'x-session-id': 'good' })).toBe('good');
    expect(proxySessionId({ traceparent: trace })).toBe('4bf92f3577b34da6a3ce929d0e0e4736');
    expect(proxySessionId({ traceparent: '00-not-a-trace-01' })).toBeNull();
    expect(proxySessionId({})).toBeNull();
  });
});

describe('loop guard state', () => {
  const settings = { ...DEFAULT_LOOP_GUARD, warnAt: 2, refuseAfter: 3, windowMs: 10_000, maxSessions: 3 };
  const same = fingerprintOf('{"prompt":"again"}');

  it('counts only repeats within the window, and forgets the least recently seen session past its cap', () => {
    const guard = createLoopGuard(settings);
    const kinds = [0, 1, 2, 3].map((i) => guard.observe('s', 'chat', same, i * 1000).kind);
    expect(kinds).toEqual(['ok', 'warn', 'warn', 'refuse']);
    // 10 s after the first calls they have left the window: counting starts afresh.
    expect(guard.observe('s', 'chat', same, 13_500).kind).toBe('ok');
    // The same arguments to another tool are another call.
    expect(guard.observe('s', 'embed', same, 13_600)).toEqual({ kind: 'ok', count: 1 });

    for (const session of ['a', 'b', 'c', 'd']) guard.observe(session, 'chat', same, 20_000);
    expect(guard.trackedSessions).toBe(3);
    // 's' was seen least recently, so it was dropped first: its next call counts from one.
    expect(guard.observe('s', 'embed', same, 20_100).count).toBe(1);
  });

  it('says nothing when switched off', () => {
    const guard = createLoopGuard({ ...settings, enabled: false });
    for (let i = 0; i < 10; i++) expect(guard.observe('s', 'chat', same, i).kind).toBe('ok');
    expect(guard.trackedSessions).toBe(0);
  });

  it('is configured from the environment and refuses a warning set above the refusal', () => {
    expect(loadConfig({}).loopGuard).toEqual(DEFAULT_LOOP_GUARD);
    expect(loadConfig({ COMETAPI_MCP_LOOP_GUARD: 'off', COMETAPI_MCP_LOOP_WINDOW_S: '60' }).loopGuard).toMatchObject({
      enabled: false,
      windowMs: 60_000,
    });
    expect(() => loadConfig({ COMETAPI_MCP_LOOP_WARN_AT: '30' })).toThrow(
      /COMETAPI_MCP_LOOP_WARN_AT: must not be above COMETAPI_MCP_LOOP_REFUSE_AFTER \(20\)/,
    );
    expect(() => loadConfig({ COMETAPI_MCP_LOOP_REFUSE_AFTER: 'many' })).toThrow(/COMETAPI_MCP_LOOP_REFUSE_AFTER/);
  });
});
