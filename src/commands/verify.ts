import type { Config } from '../config.js';
import { createTranslator, type Translate } from '../i18n.js';
import type { Logger } from '../log.js';
import { chatOperation } from '../mcp/tools/chat-call.js';
import { MeteredCallError } from '../metering.js';
import { createRuntime } from '../runtime.js';

/**
 * Like CherryStudio's "Save & Verify": one tiny metered call with the configured key. The report
 * is in the language `t` speaks; the reason for a failure stays the (English) error message.
 */
export async function runVerifyCommand(
  config: Config,
  logger: Logger,
  write: (text: string) => void,
  t: Translate = createTranslator('en'),
): Promise<boolean> {
  if (!config.key) {
    write(`${t('cli.verify.noKey')}\n`);
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
    const values = {
      host: new URL(config.baseUrl).host,
      model: r.model_used ?? model,
      duration: r.duration_ms ?? '?',
      ttft: r.ttft_ms ?? '?',
      tokens: r.prompt_tokens + r.completion_tokens,
      retries: r.retries,
    };
    const engine = runtime.store.engine === 'postgres' ? 'PostgreSQL' : 'SQLite';
    write(`${t('cli.verify.ok', values)}\n${t('cli.verify.ledger', { engine, location: runtime.store.location })}\n`);
    return true;
  } catch (error) {
    write(`${t('cli.verify.failed', { reason: error instanceof MeteredCallError ? error.message : String(error) })}\n`);
    return false;
  } finally {
    await runtime.close();
  }
}
