/**
 * What to paste to send a coding agent's own traffic through the metering proxy: Claude Code
 * (Anthropic Messages, ANTHROPIC_BASE_URL) and Codex CLI (a Responses provider in
 * ~/.codex/config.toml). The proxy token, when one is configured, is printed: the output is the
 * user's own setup, asked for on their own terminal, and the agent cannot work without it.
 */
import { isLoopbackHost } from './sidecar/security.js';

export const PROXY_CLIENTS = ['claude-code', 'codex'] as const;
export type ProxyClient = (typeof PROXY_CLIENTS)[number];
export const isProxyClient = (value: string): value is ProxyClient =>
  (PROXY_CLIENTS as readonly string[]).includes(value);

export interface ProxyTarget {
  host: string;
  port: number;
  token: string | undefined;
}

/** Where a client on this machine reaches the sidecar: a wildcard bind is reached over loopback. */
export function sidecarOrigin(target: ProxyTarget): string {
  const wildcard = target.host === '0.0.0.0' || target.host === '::';
  const host = wildcard || isLoopbackHost(target.host) ? '127.0.0.1' : target.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${target.port}`;
}

/** Without a proxy token any value passes; Claude Code needs one so it does not ask to log in. */
const PLACEHOLDER_TOKEN = 'cometapi-mcp';

export function proxySetupText(client: ProxyClient, target: ProxyTarget): string {
  const origin = sidecarOrigin(target);
  const start = 'Start the proxy first (`cometapi-mcp serve`, or the stdio server with its sidecar).';
  if (client === 'claude-code') {
    const env = { ANTHROPIC_BASE_URL: origin, ANTHROPIC_AUTH_TOKEN: target.token ?? PLACEHOLDER_TOKEN };
    const exports = Object.entries(env)
      .map(([name, value]) => `export ${name}=${value}`)
      .join('\n');
    return (
      `${start} Then run Claude Code with:\n\n${exports}\nclaude\n\n` +
      `Or keep them in ~/.claude/settings.json:\n\n${JSON.stringify({ env }, null, 2)}\n`
    );
  }
  const toml = [
    'model_provider = "cometapi"',
    '',
    '[model_providers.cometapi]',
    'name = "CometAPI (metered by cometapi-mcp)"',
    `base_url = "${origin}/v1"`,
    'wire_api = "responses"',
    ...(target.token ? ['env_key = "COMETAPI_MCP_TOKEN"'] : []),
  ].join('\n');
  const token = target.token
    ? `\n\nand set the proxy token where Codex runs:\n\nexport COMETAPI_MCP_TOKEN=${target.token}`
    : '';
  return `${start} Then add to ~/.codex/config.toml:\n\n${toml}${token}\n`;
}
