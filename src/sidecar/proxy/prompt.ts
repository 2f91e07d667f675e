/**
 * What a request's prompt says, per API: its texts (for the quota check's rough size, and for
 * counting with the tokenizer when an upstream reports no usage) and the most it may answer.
 */
import type { CallEstimate } from '../../metering.js';
import { roughTokenCount } from '../../upstream/usage.js';
import type { Endpoint } from './request.js';

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A string, or the text of each part of a list of content parts (OpenAI's and Anthropic's alike). */
export function textsOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (!Array.isArray(value)) return [];
  return value.flatMap((part) =>
    typeof part === 'string' ? [part] : isRecord(part) && typeof part.text === 'string' ? [part.text] : [],
  );
}

const contentsOf = (list: unknown): string[] =>
  Array.isArray(list) ? list.flatMap((m) => (isRecord(m) ? textsOf(m.content) : [])) : [];

/** The prompt's texts: chat and Messages `messages` (and Anthropic's `system`), Responses `instructions` and `input`. */
export function promptTexts(endpoint: Endpoint, json: Record<string, unknown> | null): string[] {
  if (json === null) return [];
  switch (endpoint) {
    case 'chat':
      return contentsOf(json.messages);
    case 'messages':
      return [...textsOf(json.system), ...contentsOf(json.messages)];
    case 'responses': {
      const input = typeof json.input === 'string' ? [json.input] : contentsOf(json.input);
      return [...textsOf(json.instructions), ...input];
    }
    default:
      return textsOf(json.input);
  }
}

function positiveInt(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}

export function estimateFor(endpoint: Endpoint, json: Record<string, unknown>): CallEstimate {
  const prompt_tokens = roughTokenCount(promptTexts(endpoint, json));
  switch (endpoint) {
    case 'chat': {
      const cap = positiveInt(json.max_completion_tokens) ?? positiveInt(json.max_tokens) ?? 1024;
      return { prompt_tokens, max_completion_tokens: cap, images: 0 };
    }
    case 'responses':
      return { prompt_tokens, max_completion_tokens: positiveInt(json.max_output_tokens) ?? 1024, images: 0 };
    case 'messages':
      // max_tokens is required by the Messages API; 1024 only guards a request the upstream will refuse.
      return { prompt_tokens, max_completion_tokens: positiveInt(json.max_tokens) ?? 1024, images: 0 };
    case 'embeddings':
      return { prompt_tokens, max_completion_tokens: 0, images: 0 };
    case 'images':
      return {
        prompt_tokens: roughTokenCount(textsOf(json.prompt)),
        max_completion_tokens: 0,
        images: positiveInt(json.n) ?? 1,
      };
    case 'speech':
      return { prompt_tokens: 0, max_completion_tokens: 0, images: 0, characters: textsOf(json.input).join('').length };
    default:
      return { prompt_tokens: 0, max_completion_tokens: 0, images: 0 };
  }
}
