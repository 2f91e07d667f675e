import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BadInputError } from '../errors.js';

const CLIENTS = ['cherry', 'claude', 'cursor', 'vscode'] as const;
type SetupClient = (typeof CLIENTS)[number];
const isClient = (value: string): value is SetupClient => (CLIENTS as readonly string[]).includes(value);

/** dist/commands/setup.js → dist/cli.js: the file MCP clients should start. */
const cliPath = () => fileURLToPath(new URL('../cli.js', import.meta.url));

/** The server entry for each client's config format, with real absolute paths filled in. */
export function clientConfig(client: SetupClient, key: string): object {
  const base = { command: process.execPath, args: [cliPath()], env: { COMETAPI_KEY: key } };
  switch (client) {
    case 'cherry':
      // timeout (seconds) + longRunning: image calls outlast CherryStudio's 60 s default; progress resets the clock.
      return { mcpServers: { cometapi: { name: 'CometAPI', type: 'stdio', ...base, timeout: 300, longRunning: true } } };
    case 'vscode':
      return { servers: { cometapi: { type: 'stdio', ...base } } };
    default:
      return { mcpServers: { cometapi: base } };
  }
}

/** `cometapi-mcp setup --client cherry`: prints the JSON to paste (and CherryStudio's one-click link). */
export function runSetupCommand(argv: string[], write: (text: string) => void): void {
  const { values } = parseArgs({ args: argv, options: { client: { type: 'string', default: 'cherry' } }, strict: true });
  const client = values.client;
  if (!isClient(client)) throw new BadInputError(`--client must be one of ${CLIENTS.join(', ')} (got "${client}")`);
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
