/**
 * The loop guard: the same tool (or proxy endpoint) called with identical arguments (or an
 * identical body) again and again in one session is warned about, then refused. State is per
 * process, in memory and bounded: each session keeps the fingerprint of its last call and the
 * times it was repeated within the window; sessions past the cap are dropped least recently used
 * first. See docs/decisions/0021-sessions-and-loop-guard.md.
 */
import { createHash } from 'node:crypto';

export interface LoopGuardSettings {
  enabled: boolean;
  /** The Nth identical call within the window gets a warning. */
  warnAt: number;
  /** Identical calls beyond this many within the window are refused. */
  refuseAfter: number;
  windowMs: number;
  /** Sessions tracked at most; the least recently seen is forgotten past this. */
  maxSessions: number;
}

export const DEFAULT_LOOP_GUARD: LoopGuardSettings = {
  enabled: true,
  warnAt: 8,
  refuseAfter: 20,
  windowMs: 300_000,
  maxSessions: 4096,
};

export type LoopVerdict = { kind: 'ok'; count: number } | { kind: 'warn' | 'refuse'; count: number; message: string };

export interface LoopGuard {
  /** Counts one call of `what` (a tool or endpoint) with this fingerprint in the session. */
  observe(session: string, what: string, fingerprint: string, now: number): LoopVerdict;
  readonly trackedSessions: number;
  /** False when switched off: callers then skip fingerprinting altogether. */
  readonly enabled: boolean;
}

interface SessionRepeats {
  /** What was called and its fingerprint. */
  key: string;
  /** When each identical call in a row was made, oldest first; at most refuseAfter + 1 kept. */
  times: number[];
}

/** A short digest of what identifies a repeat: the tool's arguments or the request's bytes. */
export function fingerprintOf(content: string | Buffer): string {
  return createHash('sha256').update(content).digest('base64url');
}

const ordinal = (n: number): string => {
  const tens = n % 100;
  const suffix = tens >= 11 && tens <= 13 ? 'th' : (['th', 'st', 'nd', 'rd'][n % 10] ?? 'th');
  return `${n}${suffix}`;
};

export function createLoopGuard(settings: LoopGuardSettings): LoopGuard {
  const sessions = new Map<string, SessionRepeats>();
  const seconds = Math.round(settings.windowMs / 1000);

  function verdict(session: string, what: string, count: number): LoopVerdict {
    if (count > settings.refuseAfter)
      return {
        kind: 'refuse',
        count,
        message:
          `loop guard: refused the ${ordinal(count)} identical ${what} call in session ${session} within ${seconds} s ` +
          `(at most ${settings.refuseAfter} are allowed). Change the arguments, or wait ${seconds} s; ` +
          'COMETAPI_MCP_LOOP_REFUSE_AFTER raises the limit and COMETAPI_MCP_LOOP_GUARD=off turns the guard off.',
      };
    if (count >= settings.warnAt)
      return {
        kind: 'warn',
        count,
        message:
          `[loop guard] This is the ${ordinal(count)} identical ${what} call in this session within ${seconds} s. ` +
          `If you are repeating yourself, stop and change approach: after ${settings.refuseAfter} such calls they are refused.`,
      };
    return { kind: 'ok', count };
  }

  return {
    observe(session, what, fingerprint, now) {
      if (!settings.enabled) return { kind: 'ok', count: 0 };
      const key = `${what}\u0000${fingerprint}`;
      const seen = sessions.get(session);
      // Re-inserted on every call, so the Map's order is least recently seen first.
      sessions.delete(session);
      const repeats: SessionRepeats =
        seen?.key === key ? { key, times: seen.times.filter((t) => t > now - settings.windowMs) } : { key, times: [] };
      repeats.times.push(now);
      if (repeats.times.length > settings.refuseAfter + 1) repeats.times.shift();
      sessions.set(session, repeats);
      if (sessions.size > settings.maxSessions) sessions.delete(sessions.keys().next().value ?? session);
      return verdict(session, what, repeats.times.length);
    },
    get trackedSessions() {
      return sessions.size;
    },
    enabled: settings.enabled,
  };
}
