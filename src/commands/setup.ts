import { parseArgs } from 'node:util';
import { BadInputError } from '../errors.js';
import { CLIENTS, clientConfig, isClient } from '../client-config.js';
import { createTranslator, type Translate } from '../i18n.js';
import { isProxyClient, PROXY_CLIENTS, proxySetupText, type ProxyTarget } from '../proxy-setup.js';

/**
 * `cometapi-mcp setup --client cherry`: prints the JSON to paste (and CherryStudio's one-click link);
 * `--client claude-code|codex`: the environment or config that sends the agent through the proxy.
 * In the language `t` speaks; a bad --client stays an English error, like every error.
 */
export function runSetupCommand(
  argv: string[],
  target: ProxyTarget,
  write: (text: string) => void,
  t: Translate = createTranslator('en'),
): void {
  const { values } = parseArgs({
    args: argv,
    options: { client: { type: 'string', default: 'cherry' } },
    strict: true,
  });
  const client = values.client;
  if (isProxyClient(client)) return write(proxySetupText(client, target, t));
  if (!isClient(client))
    throw new BadInputError(`--client must be one of ${[...CLIENTS, ...PROXY_CLIENTS].join(', ')} (got "${client}")`);
  // Never print the configured key: the user pastes theirs into the client's env.
  const json = JSON.stringify(clientConfig(client, 'sk-your-key'), null, 2);
  write(`${t('cli.setup.paste', { where: t(`cli.setup.where.${client}`) })}\n\n${json}\n`);
  if (client === 'cherry') {
    const link = `cherrystudio://mcp/install?servers=${Buffer.from(json).toString('base64')}`;
    write(`\n${t('cli.setup.link')}\n${link}\n`);
  }
}
