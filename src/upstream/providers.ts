import type { RoutingConfig } from '../config-file.js';
import { MissingKeyError } from '../errors.js';
import { createUpstreamClient, type UpstreamClient } from './client.js';

/** Where one model string goes: which provider's client, and the model id that provider knows. */
export interface Route {
  provider: string;
  client: UpstreamClient;
  model: string;
  /** The environment variable holding this provider's key, for messages; null if it takes none. */
  keyEnv: string | null;
}

export interface ProviderRouter {
  /** Throws MissingKeyError when the model's provider has no key configured. */
  resolve(model: string): Route;
  /** The config file's fallback chain for a model as the caller named it (empty if none). */
  fallbacks(model: string): readonly string[];
  /** The built-in provider's client; null without COMETAPI_KEY. */
  readonly defaultClient: UpstreamClient | null;
  /** Providers from the config file that can be called (their key is set, or they need none). */
  readonly configuredClients: readonly { name: string; client: UpstreamClient }[];
}

export interface ProviderRouterOptions {
  /** The built-in provider: CometAPI, or the simulator in the demo. */
  defaultProvider: { name: string; baseUrl: string; apiKey: string | undefined; keyEnv: string };
  routing: RoutingConfig;
  timeoutMs: number;
  maxResponseBytes: number;
  now?: () => number;
}

interface ProviderEntry {
  name: string;
  keyEnv: string | null;
  /** null: the key's variable is named but not set. */
  client: UpstreamClient | null;
}

// Local servers (Ollama, vLLM) take no key, but the openai package insists on one.
const NO_KEY = 'no-key-needed';

/**
 * Routes a model string to a provider. A routing-table entry is looked up first; then a
 * `provider/` prefix routes only when that provider is configured, because CometAPI's own
 * model ids may contain "/" too (e.g. `meta-llama/llama-3-8b`). Everything else goes to the
 * built-in provider unchanged.
 */
export function createProviderRouter(options: ProviderRouterOptions): ProviderRouter {
  const client = (name: string, baseUrl: string, apiKey: string, timeoutMs: number) =>
    createUpstreamClient({
      provider: name,
      baseUrl,
      apiKey,
      timeoutMs,
      maxResponseBytes: options.maxResponseBytes,
      now: options.now,
    });

  const d = options.defaultProvider;
  const builtIn: ProviderEntry = {
    name: d.name,
    keyEnv: d.keyEnv,
    client: d.apiKey ? client(d.name, d.baseUrl, d.apiKey, options.timeoutMs) : null,
  };
  const providers = new Map<string, ProviderEntry>();
  for (const p of options.routing.providers) {
    const key = p.apiKeyEnv === null ? NO_KEY : p.apiKey;
    providers.set(p.name, {
      name: p.name,
      keyEnv: p.apiKeyEnv,
      client: key ? client(p.name, p.baseUrl, key, p.timeoutMs ?? options.timeoutMs) : null,
    });
  }
  const routes = new Map(Object.entries(options.routing.routes));
  const fallbacks = new Map(Object.entries(options.routing.fallbacks));

  function split(target: string): { entry: ProviderEntry; model: string } {
    const slash = target.indexOf('/');
    const named = slash > 0 ? providers.get(target.slice(0, slash)) : undefined;
    if (named && slash < target.length - 1) return { entry: named, model: target.slice(slash + 1) };
    return { entry: builtIn, model: target };
  }

  return {
    resolve(model) {
      // One level only: a route's target is not looked up again, so routes cannot loop.
      const { entry, model: providerModel } = split(routes.get(model) ?? model);
      if (!entry.client) {
        throw entry === builtIn || entry.keyEnv === null
          ? new MissingKeyError()
          : new MissingKeyError({ provider: entry.name, envVar: entry.keyEnv });
      }
      return { provider: entry.name, client: entry.client, model: providerModel, keyEnv: entry.keyEnv };
    },
    fallbacks: (model) => fallbacks.get(model) ?? [],
    defaultClient: builtIn.client,
    configuredClients: [...providers.values()].flatMap((p) => (p.client ? [{ name: p.name, client: p.client }] : [])),
  };
}
