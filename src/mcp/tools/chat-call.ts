import { usdFromNano, type CallRecord } from '../../ledger/calls.js';
import type { Operation } from '../../metering.js';
import type { ChatMessage, ChatValue } from '../../upstream/client.js';
import { roughTokenCount, streamedUsage } from '../../upstream/usage.js';

export interface ChatCall {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  max_tokens?: number;
  fallbackModels?: readonly string[];
  signal?: AbortSignal;
  /** Told of each streamed piece, with the model it came from. */
  onDelta?: (model: string) => void;
}

/** The one chat operation on the metering path, for the chat and compare_models tools alike. */
export function chatOperation(call: ChatCall): Operation<ChatValue> {
  const onDelta = call.onDelta;
  const prompt = call.messages.map((m) => m.content);
  // The last attempt's answer as far as it streamed, for a call cut off midway.
  let streamed = '';
  return {
    model: call.model,
    fallbackModels: call.fallbackModels,
    // The answer is buffered and sent whole, so a stream broken midway may simply be restarted.
    stream: true,
    estimate: {
      prompt_tokens: roughTokenCount(prompt),
      max_completion_tokens: call.max_tokens ?? 1024,
      images: 0,
    },
    attempt: (client, attemptModel) => {
      streamed = '';
      return client.chat(
        {
          model: attemptModel,
          messages: call.messages,
          temperature: call.temperature,
          max_tokens: call.max_tokens,
          onDelta: (delta) => {
            streamed += delta;
            onDelta?.(attemptModel);
          },
        },
        call.signal,
      );
    },
    // Cancelled by the client: the upstream bills the prompt and whatever it generated before the
    // cut, so the row records both, estimated, as the proxy does for an abandoned stream.
    partialUsage: async () => (call.signal?.aborted ? streamedUsage({ usage: null, text: streamed }, prompt) : null),
  };
}

/** The figures every chat-like result reports, read from the call's ledger row. */
export function callFigures(record: CallRecord, callId: number) {
  return {
    usage: {
      prompt_tokens: record.prompt_tokens,
      completion_tokens: record.completion_tokens,
      total_tokens: record.prompt_tokens + record.completion_tokens,
      estimated: record.usage_estimated,
    },
    cost_usd: record.cost_nano_usd === null ? null : usdFromNano(record.cost_nano_usd),
    latency_ms: record.duration_ms ?? 0,
    ttft_ms: record.ttft_ms,
    retries: record.retries,
    fallback_from: record.fallback_from,
    call_id: callId,
  };
}
