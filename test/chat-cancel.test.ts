/**
 * A chat the MCP client cancels midway: the upstream bills the prompt and what it streamed before
 * the cut, so the row records both, estimated and priced (issue 15). The simulated upstream sends
 * five tokens a second and the client cancels on its third progress notification, so the cut
 * always falls midway, whatever the machine's speed.
 */
import { encode } from 'gpt-tokenizer/encoding/o200k_base';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from './helpers/harness.js';
import { ledgerEngines } from './helpers/ledger-engines.js';
import { allCalls } from './helpers/ledger.js';

const PROMPT = 'Tell me a long story about a ledger that never forgets a single token';

describe.each(ledgerEngines('cancelled chat'))('cancelled chat on $name', (engine) => {
  let h: Harness;
  beforeEach(async () => {
    h = await startHarness({ engine, sim: { tokensPerSecond: 5 } });
  });
  afterEach(() => h.close());

  it('records the prompt and the streamed tokens, estimated and priced', async () => {
    const cancel = new AbortController();
    let progress = 0;
    const call = h.client.callTool(
      { name: 'chat', arguments: { prompt: PROMPT, model: 'gpt-4o-mini', max_tokens: 200 } },
      undefined,
      {
        signal: cancel.signal,
        onprogress: () => {
          if (++progress === 3) cancel.abort('the user pressed stop');
        },
      },
    );
    await expect(call).rejects.toThrow();
    await expect.poll(async () => (await allCalls(h.runtime.store)).length).toBe(1);
    const [row] = await allCalls(h.runtime.store);
    expect(row).toMatchObject({
      status: 'error',
      error_type: 'cancelled',
      usage_estimated: 1,
      model_requested: 'gpt-4o-mini',
    });
    // OpenAI's chat overhead over the o200k count: 3 per message and 3 to prime the reply.
    expect(row?.prompt_tokens).toBe(encode(PROMPT).length + 6);
    const completion = row?.completion_tokens ?? 0;
    expect(completion).toBeGreaterThanOrEqual(3); // at least the three tokens the client heard about
    expect(completion).toBeLessThan(200);
    // gpt-4o-mini: $0.15 / $0.60 per million tokens = 150 / 600 nano-USD per token.
    expect(row?.cost_nano_usd).toBe((row?.prompt_tokens ?? 0) * 150 + completion * 600);
  });
});
