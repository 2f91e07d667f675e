import OpenAI from 'openai';
import { withDeadline } from '../deadline.js';
import { createAudioMethods, type SpeechAudio, type SpeechRequest, type TranscriptionRequest } from './audio.js';
import { cappedFetch } from './body-cap.js';
import { toUpstreamError } from './errors.js';
import { estimateChatUsage, usageFromWire, countTokens, emptyUsage, type Usage } from './usage.js';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface ChatRequest {
  model: string;
  messages: ChatMessage[];
  temperature?: number;
  max_tokens?: number;
  /** Called with each piece of text as it streams in. */
  onDelta?: (text: string) => void;
}

export interface ChatValue {
  text: string;
  finishReason: string | null;
}

export interface EmbeddingsRequest {
  model: string;
  input: string[];
  dimensions?: number;
}

export interface ImagesRequest {
  model: string;
  prompt: string;
  n: number;
  size?: string;
}

export interface GeneratedImage {
  data: Buffer;
  mimeType: string;
  revisedPrompt: string | null;
}

export interface ModelInfo {
  id: string;
  owned_by: string | null;
}

/** What one attempt against the upstream returns. */
export interface Attempt<T> {
  value: T;
  modelUsed: string;
  usage: Usage;
  ttftMs: number | null;
  requestId: string | null;
  httpStatus: number;
}

export interface UpstreamClientOptions {
  provider: string;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
  /** Answers larger than this are refused (see docs/decisions, oversize cap). */
  maxResponseBytes: number;
  now?: () => number;
  fetch?: typeof fetch;
}

export interface UpstreamClient {
  readonly provider: string;
  readonly baseUrl: string;
  chat(request: ChatRequest, signal?: AbortSignal): Promise<Attempt<ChatValue>>;
  embeddings(request: EmbeddingsRequest, signal?: AbortSignal): Promise<Attempt<number[][]>>;
  images(request: ImagesRequest, signal?: AbortSignal): Promise<Attempt<GeneratedImage[]>>;
  models(signal?: AbortSignal): Promise<ModelInfo[]>;
  speech(request: SpeechRequest, signal?: AbortSignal): Promise<Attempt<SpeechAudio>>;
  transcription(request: TranscriptionRequest, signal?: AbortSignal): Promise<Attempt<string>>;
}

/** The only place that speaks to an upstream through the `openai` package. */
export function createUpstreamClient(options: UpstreamClientOptions): UpstreamClient {
  const now = options.now ?? Date.now;
  const fetchImpl = cappedFetch(options.fetch ?? fetch, options.maxResponseBytes);
  // Retries are ours (counted and recorded), so the package's own are off; so is its console
  // logging: every failure it would print is classified, recorded and reported by us.
  const openai = new OpenAI({
    apiKey: options.apiKey,
    baseURL: options.baseUrl,
    maxRetries: 0,
    timeout: options.timeoutMs,
    fetch: fetchImpl,
    logLevel: 'off',
  });
  const secrets = [options.apiKey];

  /** Runs one attempt under its own deadline and converts whatever it throws. */
  const attempt = <T>(signal: AbortSignal | undefined, run: (signal: AbortSignal) => Promise<T>): Promise<T> =>
    withDeadline(options.timeoutMs, signal, async (combined, timedOut) => {
      try {
        return await run(combined);
      } catch (error) {
        throw toUpstreamError(error, { timedOut: timedOut(), timeoutMs: options.timeoutMs, secrets });
      }
    });

  return {
    provider: options.provider,
    baseUrl: options.baseUrl,
    ...createAudioMethods(openai, attempt),

    chat: (request, signal) =>
      attempt(signal, async (combined) => {
        const started = now();
        const {
          data: stream,
          response,
          request_id,
        } = await openai.chat.completions
          .create(
            {
              model: request.model,
              messages: request.messages,
              temperature: request.temperature,
              max_tokens: request.max_tokens,
              stream: true,
              stream_options: { include_usage: true },
            },
            { signal: combined },
          )
          .withResponse();
        let text = '';
        let ttftMs: number | null = null;
        let finishReason: string | null = null;
        let modelUsed = request.model;
        let usage: Usage | null = null;
        for await (const chunk of stream) {
          if (chunk.model) modelUsed = chunk.model;
          if (chunk.usage) usage = usageFromWire(chunk.usage);
          const choice = chunk.choices[0];
          const delta = choice?.delta?.content;
          if (delta) {
            ttftMs ??= now() - started;
            text += delta;
            request.onDelta?.(delta);
          }
          if (choice?.finish_reason) finishReason = choice.finish_reason;
        }
        // The SDK ends an aborted stream quietly, as if it were complete: a cut-off answer is a
        // cancellation (or a timeout), never a success with half the text.
        if (combined.aborted) throw new OpenAI.APIUserAbortError();
        usage ??= await estimateChatUsage(
          request.messages.map((m) => m.content),
          text,
        );
        return {
          value: { text, finishReason },
          modelUsed,
          usage,
          ttftMs,
          requestId: request_id,
          httpStatus: response.status,
        };
      }),

    embeddings: (request, signal) =>
      attempt(signal, async (combined) => {
        const { data, response, request_id } = await openai.embeddings
          .create({ model: request.model, input: request.input, dimensions: request.dimensions }, { signal: combined })
          .withResponse();
        const vectors = [...data.data].sort((a, b) => a.index - b.index).map((d) => d.embedding);
        const usage = data.usage
          ? usageFromWire(data.usage)
          : { ...emptyUsage(), prompt_tokens: await countTokens(request.input), estimated: true };
        return {
          value: vectors,
          modelUsed: data.model || request.model,
          usage,
          ttftMs: null,
          requestId: request_id,
          httpStatus: response.status,
        };
      }),

    images: (request, signal) =>
      attempt(signal, async (combined) => {
        // gpt-image-* always answer in base64 and reject response_format; older models default to URLs.
        const wantsFormat = !request.model.startsWith('gpt-image');
        const { data, response, request_id } = await openai.images
          .generate(
            {
              model: request.model,
              prompt: request.prompt,
              n: request.n,
              ...(request.size ? { size: request.size as OpenAI.ImageGenerateParams['size'] } : {}),
              ...(wantsFormat ? { response_format: 'b64_json' as const } : {}),
            },
            { signal: combined },
          )
          .withResponse();
        const images: GeneratedImage[] = [];
        for (const item of data.data ?? []) {
          images.push(await imageFromItem(item, fetchImpl, combined));
        }
        const usage = data.usage ? usageFromWire(data.usage) : emptyUsage();
        usage.images = images.length;
        return {
          value: images,
          modelUsed: request.model,
          usage,
          ttftMs: null,
          requestId: request_id,
          httpStatus: response.status,
        };
      }),

    models: (signal) =>
      attempt(signal, async (combined) => {
        const page = await openai.models.list({ signal: combined });
        return page.data.map((m) => ({ id: m.id, owned_by: m.owned_by ?? null }));
      }),
  };
}

function sniffMimeType(data: Buffer): string {
  if (data.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (data[0] === 0xff && data[1] === 0xd8) return 'image/jpeg';
  if (data.subarray(0, 4).toString('latin1') === 'RIFF' && data.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  if (data.subarray(0, 3).toString('latin1') === 'GIF') return 'image/gif';
  return 'application/octet-stream';
}

/** Some upstreams answer with a URL instead of base64: fetch it, since clients won't. */
async function imageFromItem(
  item: OpenAI.Image,
  fetchImpl: typeof fetch,
  signal: AbortSignal,
): Promise<GeneratedImage> {
  const revisedPrompt = item.revised_prompt ?? null;
  if (item.b64_json) {
    const data = Buffer.from(item.b64_json, 'base64');
    return { data, mimeType: sniffMimeType(data), revisedPrompt };
  }
  if (!item.url) throw new SyntaxError('image answer had neither b64_json nor url');
  const res = await fetchImpl(item.url, { signal });
  if (!res.ok) throw new Error(`could not download the generated image (HTTP ${res.status})`);
  const data = Buffer.from(await res.arrayBuffer());
  const declared = res.headers.get('content-type');
  return {
    data,
    mimeType: declared?.startsWith('image/') ? declared.split(';')[0]! : sniffMimeType(data),
    revisedPrompt,
  };
}
