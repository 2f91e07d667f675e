/**
 * Demo traffic from coding agents through the metering proxy, over real HTTP: a Claude-Code-like
 * client on the Messages API (streamed, its long system prompt marked for caching) and a
 * Codex-like client on the Responses API, each sending the headers the real tool sends, its
 * session id among them: each agent works in a few sessions, one task after another.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';

const TASKS = [
  'fix the failing test in src/ledger',
  'add a --json flag to the usage command',
  'explain this stack trace',
  'refactor the retry loop',
];
const CLAUDE_SYSTEM = 'You are Claude Code, an agentic coding tool working in the user’s terminal. '.repeat(30);
const CODEX_INSTRUCTIONS = 'You are Codex, a coding agent running in the user’s repository. '.repeat(30);

export interface AgentTrafficOptions {
  /** The sidecar, e.g. http://127.0.0.1:8790 */
  baseUrl: string;
  token: string | undefined;
  random: () => number;
  /** Stop after this many rounds of one call per agent (undefined: until the signal aborts). */
  rounds?: number;
  minPauseMs: number;
  maxPauseMs: number;
  signal: AbortSignal;
}

/** Rounds an agent stays in one session before it starts the next. */
const ROUNDS_PER_SESSION = 3;

const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;

/** Sends one call and reads the whole answer; false when the proxy refused or failed it. */
async function send(url: string, headers: Record<string, string>, body: object, signal: AbortSignal) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  await res.arrayBuffer();
  return res.ok;
}

function claudeCodeCall(o: AgentTrafficOptions, session: string) {
  return send(
    `${o.baseUrl}/v1/messages`,
    {
      'user-agent': 'claude-cli/2.0.14 (external, cli)',
      'x-claude-code-session-id': session,
      'anthropic-version': '2023-06-01',
      ...(o.token ? { 'x-api-key': o.token } : {}),
    },
    {
      model: pick(['claude-sonnet-4-5-20250929', 'claude-haiku-4-5-20251001'], o.random),
      max_tokens: 400,
      stream: true,
      system: [{ type: 'text', text: CLAUDE_SYSTEM, cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: pick(TASKS, o.random) }],
    },
    o.signal,
  );
}

function codexCall(o: AgentTrafficOptions, session: string) {
  return send(
    `${o.baseUrl}/v1/responses`,
    {
      originator: 'codex_cli_rs',
      'session-id': session,
      'user-agent': 'codex_cli_rs/0.46.0',
      ...(o.token ? { authorization: `Bearer ${o.token}` } : {}),
    },
    { model: 'gpt-5-mini', instructions: CODEX_INSTRUCTIONS, input: pick(TASKS, o.random), stream: o.random() < 0.5 },
    o.signal,
  );
}

/** Returns how many calls were made. */
export async function runAgentTraffic(options: AgentTrafficOptions): Promise<number> {
  let made = 0;
  const sessions = { claude: randomUUID(), codex: randomUUID() };
  for (let round = 0; !options.signal.aborted && (options.rounds === undefined || round < options.rounds); round++) {
    if (round > 0 && round % ROUNDS_PER_SESSION === 0) sessions.claude = randomUUID();
    if (round > 0 && round % ROUNDS_PER_SESSION === 1) sessions.codex = randomUUID();
    for (const [call, session] of [
      [claudeCodeCall, sessions.claude],
      [codexCall, sessions.codex],
    ] as const) {
      if (options.signal.aborted) break;
      await call(options, session).catch(() => false); // the demo goes on whatever one call did
      made++;
    }
    const pause = options.minPauseMs + options.random() * (options.maxPauseMs - options.minPauseMs);
    await delay(pause, undefined, { signal: options.signal }).catch(() => undefined);
  }
  return made;
}
