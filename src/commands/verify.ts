import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { chatOperation } from '../mcp/tools/chat-call.js';
import { MeteredCallError } from '../metering.js';
import { createRuntime } from '../runtime.js';

/** Like CherryStudio's "Save & Verify": one tiny metered call with the configured key. */
export async function runVerifyCommand(
  config: Config,
  logger: Logger,
  write: (text: string) => void,
): Promise<boolean> {
  if (!config.key) {
    write(
      'COMETAPI_KEY is not set. Export it (export COMETAPI_KEY=sk-...) or put it in your MCP client config, then run verify again.\n',
    );
    return false;
  }
  const runtime = await createRuntime({ config, logger });
  const model = config.models.chat;
  try {
    const result = await runtime.metering.run(
      { source: 'mcp-stdio', client: 'cometapi-mcp verify', tool: 'verify' },
      chatOperation({
        model,
        messages: [{ role: 'user', content: 'Reply with OK.' }],
        max_tokens: 5,
        fallbackModels: [],
      }),
    );
    const r = result.record;
    write(
      `OK: key accepted by ${new URL(config.baseUrl).host}, model ${r.model_used ?? model} answered in ${r.duration_ms} ms ` +
        `(first token after ${r.ttft_ms ?? '?'} ms, ${r.prompt_tokens + r.completion_tokens} tokens, retries ${r.retries}).\n` +
        `Recorded in the ${runtime.store.engine === 'postgres' ? 'PostgreSQL' : 'SQLite'} ledger ${runtime.store.location}.\n`,
    );
    return true;
  } catch (error) {
    write(`FAILED: ${error instanceof MeteredCallError ? error.message : String(error)}\n`);
    return false;
  } finally {
    await runtime.close();
  }
}
