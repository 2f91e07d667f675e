import { parseArgs } from 'node:util';
import { BadInputError } from '../errors.js';
import { CLIENTS, clientConfig, isClient } from '../client-config.js';
import { createTranslator, type Translate } from '../i18n.js';

/**
 * `cometapi-mcp setup --client cherry`: prints the JSON to paste (and CherryStudio's one-click
 * link), in the language `t` speaks; a bad --client stays an English error, like every error.
 */
export function runSetupCommand(
  argv: string[],
  write: (text: string) => void,
  t: Translate = createTranslator('en'),
): void {
  const { values } = parseArgs({
    args: argv,
    options: { client: { type: 'string', default: 'cherry' } },
    strict: true,
  });
  const client = values.client;
  if (!isClient(client)) throw new BadInputError(`--client must be one of ${CLIENTS.join(', ')} (got "${client}")`);
  // Never print the configured key: the user pastes theirs into the client's env.
  const json = JSON.stringify(clientConfig(client, 'sk-your-key'), null, 2);
  write(`${t('cli.setup.paste', { where: t(`cli.setup.where.${client}`) })}\n\n${json}\n`);
  if (client === 'cherry') {
    const link = `cherrystudio://mcp/install?servers=${Buffer.from(json).toString('base64')}`;
    write(`\n${t('cli.setup.link')}\n${link}\n`);
  }
}
