import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { setTimeout as delay } from 'node:timers/promises';
import type { LoopGuardSettings } from '../sessions/loop-guard.js';

export const DEMO_CLIENTS = ['Cherry Studio', 'Claude Desktop', 'Cursor', 'inspector-cli'] as const;

interface DemoCall {
  weight: number;
  name: string;
  args: (random: () => number) => Record<string, unknown>;
}

const TOPICS = [
  'summarise this release note',
  'translate "good morning" to German',
  'write a haiku about SQLite',
  'explain retries with jitter',
  'name three uses of embeddings',
];
const pick = <T>(items: readonly T[], random: () => number): T => items[Math.floor(random() * items.length)] as T;

/** A mix like a real day: mostly chat across models, some embeddings and images, a few mistakes. */
const CALLS: DemoCall[] = [
  {
    weight: 40,
    name: 'chat',
    args: (r) => ({
      prompt: pick(TOPICS, r),
      model: pick(['gpt-4o-mini', 'gpt-4o', 'gemini-2.5-flash', 'deepseek-v3'], r),
    }),
  },
  {
    weight: 12,
    name: 'chat',
    args: (r) => ({ prompt: pick(TOPICS, r), model: 'claude-sonnet-4-20250514', max_tokens: 200 }),
  },
  { weight: 15, name: 'create_embeddings', args: (r) => ({ input: [pick(TOPICS, r), pick(TOPICS, r)] }) },
  {
    weight: 6,
    name: 'generate_image',
    args: (r) => ({ prompt: `a comet over ${pick(['a lake', 'mountains', 'a city'], r)}`, model: 'gpt-image-1' }),
  },
  {
    weight: 5,
    name: 'chat',
    args: (r) => ({ prompt: pick(TOPICS, r), model: 'gpt-5x-preview', fallback_models: ['gpt-4o-mini'] }),
  },
  {
    weight: 4,
    name: 'text_to_speech',
    args: (r) => ({ text: pick(TOPICS, r), voice: pick(['alloy', 'nova', 'onyx'], r), format: 'wav' }),
  },
  { weight: 3, name: 'get_usage', args: () => ({ since: 'today' }) },
];

/** Every tenth call asks for a model that does not exist, so the error views always have something to show. */
const UNKNOWN_MODEL_CALL: DemoCall = {
  weight: 0,
  name: 'chat',
  args: () => ({ prompt: 'hello', model: 'gpt-5x-preview' }),
};

function pickCall(random: () => number): DemoCall {
  const total = CALLS.reduce((sum, c) => sum + c.weight, 0);
  let roll = random() * total;
  for (const call of CALLS) {
    roll -= call.weight;
    if (roll < 0) return call;
  }
  return CALLS[0] as DemoCall;
}

export interface TrafficOptions {
  createServer: () => McpServer;
  random: () => number;
  /** Stop after this many calls (undefined: until the signal aborts). */
  calls?: number;
  minPauseMs: number;
  maxPauseMs: number;
  signal: AbortSignal;
  onCall?: (client: string, tool: string, ok: boolean) => void;
  /** Identical calls one extra session makes in a row, so the loop guard shows (0: none). */
  loopCalls?: number;
}

/** The same question again and again, as an agent stuck in a loop asks it. */
const LOOPING_CALL = {
  name: 'chat',
  arguments: { prompt: 'is the build green yet?', model: 'gpt-4o-mini', max_tokens: 8 },
};
const SESSIONS_PER_CLIENT = 2;

/** Past the guard's limit, so its warning and its refusal both show; none when the guard is off. */
export const demoLoopCalls = (guard: LoopGuardSettings): number => (guard.enabled ? guard.refuseAfter + 2 : 0);

/**
 * Real MCP client sessions, two per client name (two windows of one app), each talking to its own
 * server instance, in parallel; plus one Cursor session stuck in a loop when loopCalls is set.
 */
export async function runDemoTraffic(options: TrafficOptions): Promise<number> {
  const connect = async (name: string) => {
    const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
    const client = new Client({ name, version: '1.0.0' });
    await Promise.all([options.createServer().connect(serverTransport), client.connect(clientTransport)]);
    return { name, client };
  };
  const names = DEMO_CLIENTS.flatMap((name) => Array.from({ length: SESSIONS_PER_CLIENT }, () => name));
  const sessions = await Promise.all(names.map(connect));
  const looping = options.loopCalls ? await connect('Cursor') : null;
  let started = 0;
  const more = () => !options.signal.aborted && (options.calls === undefined || started < options.calls);
  // Like several client windows open at once: each session calls, pauses, calls again.
  const loop = async (session: (typeof sessions)[number]) => {
    while (more()) {
      const call = started++ % 10 === 3 ? UNKNOWN_MODEL_CALL : pickCall(options.random);
      const result = await session.client.callTool({ name: call.name, arguments: call.args(options.random) });
      options.onCall?.(session.name, call.name, result.isError !== true);
      const pause = options.minPauseMs + options.random() * (options.maxPauseMs - options.minPauseMs);
      await delay(pause, undefined, { signal: options.signal }).catch(() => undefined);
    }
  };
  const loopOnce = async (session: (typeof sessions)[number]) => {
    for (let i = 0; i < (options.loopCalls ?? 0) && !options.signal.aborted; i++) {
      const result = await session.client.callTool(LOOPING_CALL);
      options.onCall?.(session.name, LOOPING_CALL.name, result.isError !== true);
      await delay(options.minPauseMs / 4, undefined, { signal: options.signal }).catch(() => undefined);
    }
  };
  try {
    await Promise.all([...sessions.map(loop), ...(looping ? [loopOnce(looping)] : [])]);
  } finally {
    await Promise.all([...sessions, ...(looping ? [looping] : [])].map((s) => s.client.close()));
  }
  return started;
}
