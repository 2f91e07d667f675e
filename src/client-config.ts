import { fileURLToPath } from 'node:url';

export const CLIENTS = ['cherry', 'claude', 'cursor', 'vscode'] as const;
export type SetupClient = (typeof CLIENTS)[number];
export const isClient = (value: string): value is SetupClient => (CLIENTS as readonly string[]).includes(value);

/** dist/client-config.js → dist/cli.js: the file MCP clients should start. */
const cliPath = () => fileURLToPath(new URL('./cli.js', import.meta.url));

/** The server entry for each client's config format, with real absolute paths filled in. */
export function clientConfig(client: SetupClient, key: string): object {
  const base = { command: process.execPath, args: [cliPath()], env: { COMETAPI_KEY: key } };
  switch (client) {
    case 'cherry':
      // timeout (seconds) + longRunning: image calls outlast CherryStudio's 60 s default; progress resets the clock.
      return {
        mcpServers: { cometapi: { name: 'CometAPI', type: 'stdio', ...base, timeout: 300, longRunning: true } },
      };
    case 'vscode':
      return { servers: { cometapi: { type: 'stdio', ...base } } };
    default:
      return { mcpServers: { cometapi: base } };
  }
}
