import type { UpstreamError } from './errors.js';

/** Turns an upstream failure into a sentence a person can act on. Never includes a key. */
export function describeUpstreamError(
  error: UpstreamError,
  model: string,
  provider: string,
  retries: number,
  keyEnv: string | null = 'COMETAPI_KEY',
): string {
  const after = retries === 0 ? '' : ` after ${retries} ${retries === 1 ? 'retry' : 'retries'}`;
  const status = error.status ? ` (HTTP ${error.status})` : '';
  switch (error.type) {
    case 'model_not_found':
      return `model '${model}' is not offered by ${provider}${status}. Call list_models to see the models you can use, or pick another with the "model" argument.`;
    case 'auth':
      if (keyEnv === 'COMETAPI_KEY') {
        return `${provider} rejected the API key${status}. Check COMETAPI_KEY in this server's env (it should start with sk-) and that the key is active in your CometAPI console.`;
      }
      return keyEnv
        ? `${provider} rejected the API key${status}. Check ${keyEnv} in this server's env and that the key is active with ${provider}.`
        : `${provider} refused the request as unauthorized${status}; it is configured without a key: name one with "api_key_env" in the config file.`;
    case 'insufficient_quota':
      return `${provider} says your account has no credit left${status}. Top up your CometAPI balance, then try again.`;
    case 'rate_limit':
      return `${provider} rate-limited the request${status} and it still failed${after}. Wait a moment and try again, or make fewer calls at once.`;
    case 'timeout':
      return `${provider} did not answer in time${after}: ${error.message}. Try again, choose a faster model, or raise COMETAPI_TIMEOUT_MS.`;
    case 'server_error':
      return `${provider} had a server error${status}${after}. Try again shortly or pass fallback_models to fail over to another model.`;
    case 'malformed_response':
      return `${provider} sent an answer that could not be read${after}: ${error.message}. This is usually a passing upstream fault: try again, or pass fallback_models.`;
    case 'connection_error':
      return `the connection to ${provider} failed${after}: ${error.message}. Check your network and ${keyEnv === 'COMETAPI_KEY' ? 'COMETAPI_BASE_URL' : `the provider's base_url in the config file`}.`;
    case 'bad_request':
      return `${provider} refused the request for model '${model}'${status}: ${error.message}`;
    default:
      return `the call to ${provider} failed${status}${after}: ${error.message}`;
  }
}
