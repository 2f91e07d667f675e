import { parseArgs } from 'node:util';
import { BadInputError } from '../errors.js';
import { CLIENTS, clientConfig, isClient, type SetupClient } from '../client-config.js';
import { isProxyClient, PROXY_CLIENTS, proxySetupText, type ProxyTarget } from '../proxy-setup.js';

/**
 * `cometapi-mcp setup --client cherry`: prints the JSON to paste (and CherryStudio's one-click link);
 * `--client claude-code|codex`: the environment or config that sends the agent through the proxy.
 */
export function runSetupCommand(argv: string[], target: ProxyTarget, write: (text: string) => void): void {
  const { values } = parseArgs({
    args: argv,
    options: { client: { type: 'string', default: 'cherry' } },
    strict: true,
  });
  const client = values.client;
  if (isProxyClient(client)) return write(proxySetupText(client, target));
  if (!isClient(client))
    throw new BadInputError(`--client must be one of ${[...CLIENTS, ...PROXY_CLIENTS].join(', ')} (got "${client}")`);
  // Never print the configured key: the user pastes theirs into the client's env.
  const json = JSON.stringify(clientConfig(client, 'sk-your-key'), null, 2);
  const where: Record<SetupClient, string> = {
    cherry: 'CherryStudio → Settings → MCP Servers → Add → Import from JSON',
    claude: 'Claude Desktop → Settings → Developer → Edit Config (claude_desktop_config.json)',
    cursor: 'Cursor → ~/.cursor/mcp.json',
    vscode: 'VS Code → .vscode/mcp.json',
  };
  write(`Paste into ${where[client]}, and put your key in COMETAPI_KEY:\n\n${json}\n`);
  if (client === 'cherry') {
    const link = `cherrystudio://mcp/install?servers=${Buffer.from(json).toString('base64')}`;
    write(`\nOr open this link to install it in one click (then edit the key):\n${link}\n`);
  }
}
