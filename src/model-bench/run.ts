import { chatOperation } from '../mcp/tools/chat-call.js';
import { MeteredCallError, type Metering } from '../metering.js';
import { sampleStats, type SampleStats } from './stats.js';

export interface ModelBenchOptions {
  models: readonly string[];
  /** Runs per model; the article's method asks for at least 30. */
  runs: number;
  prompt: string;
  maxTokens: number;
  onProgress?: (model: string, done: number, runs: number) => void;
  signal?: AbortSignal;
}

export interface ModelBenchResult {
  model: string;
  runs: number;
  ok: number;
  errors: number;
  ttft_ms: SampleStats;
  total_ms: SampleStats;
  /** Completion tokens over the streaming time after the first token. */
  tokens_per_s: SampleStats;
  cost_usd: number;
  last_error: string | null;
}

/** Runs each model in turn, one call at a time, every call metered (source "bench") like any other. */
export async function runModelBench(metering: Metering, options: ModelBenchOptions): Promise<ModelBenchResult[]> {
  const results: ModelBenchResult[] = [];
  for (const model of options.models) {
    const ttft: number[] = [];
    const total: number[] = [];
    const rate: number[] = [];
    let ok = 0;
    let done = 0;
    let cost = 0;
    let lastError: string | null = null;
    for (; done < options.runs && !options.signal?.aborted; done++) {
      try {
        const result = await metering.run(
          { source: 'bench', client: 'cometapi-mcp bench', tool: 'bench' },
          // Fallbacks would measure another model under this one's name.
          {
            ...chatOperation({
              model,
              messages: [{ role: 'user', content: options.prompt }],
              max_tokens: options.maxTokens,
              signal: options.signal,
            }),
            fallbackModels: [],
          },
        );
        const r = result.record;
        ok++;
        cost += result.costUsd ?? 0;
        if (r.duration_ms !== null) total.push(r.duration_ms);
        if (r.ttft_ms !== null) ttft.push(r.ttft_ms);
        const streaming = (r.duration_ms ?? 0) - (r.ttft_ms ?? 0);
        if (r.ttft_ms !== null && streaming > 0) rate.push((r.completion_tokens / streaming) * 1000);
      } catch (error) {
        if (!(error instanceof MeteredCallError)) throw error;
        lastError = error.message;
      }
      options.onProgress?.(model, done + 1, options.runs);
    }
    results.push({
      model,
      runs: done,
      ok,
      errors: done - ok,
      ttft_ms: sampleStats(ttft),
      total_ms: sampleStats(total),
      tokens_per_s: sampleStats(rate),
      cost_usd: cost,
      last_error: lastError,
    });
  }
  return results;
}
