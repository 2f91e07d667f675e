#!/usr/bin/env node
import { loadConfig, secretsOf } from './config.js';
import { BadInputError, ConfigError, LedgerOpenError, errorMessage } from './errors.js';
import { createLogger } from './log.js';
import { packageVersion } from './version.js';

const HELP = `cometapi-mcp — CometAPI tools for MCP clients, with a usage ledger and dashboard

Usage:
  cometapi-mcp              MCP server over stdio (what CherryStudio, Claude Desktop or Cursor start)
  cometapi-mcp serve        the dashboard, JSON API and /metrics on http://127.0.0.1:8790
  cometapi-mcp demo         the dashboard fed by a built-in simulated upstream (no key, no cost)
                            [--calls N] stop after N calls and print the usage table
  cometapi-mcp start        demo when COMETAPI_KEY is unset, serve otherwise (npm start)
  cometapi-mcp usage        [--since today|week|month|all|24h|7d|YYYY-MM-DD] [--by model|tool|client|provider|source|status|session|day]
                            [--json | --csv] [--db FILE|postgres://…]
  cometapi-mcp quota        set --name NAME --metric tokens|cost|requests|images --period day|week|month --limit N
                            [--scope global|session|model=ID|tool=NAME|client=NAME|provider=NAME] [--hard] [--thresholds 50,80,100]
                            | list [--json] | rm NAME   (budgets with alerts; --hard refuses calls past the limit)
  cometapi-mcp prices       the price table in use and the ledger's unpriced models; set MODEL --input USD
                            --output USD … [--reprice-since DATE] [--yes] stores a price every process uses
                            (and recomputes stored costs); unset MODEL
  cometapi-mcp balance      CometAPI's balance as last stored [--refresh] [--json]; low-balance alerts:
                            balance alert set NAME --below USD | alert list | alert rm NAME
  cometapi-mcp reconcile    [--since 7d] [--json]: per billing day, what CometAPI billed beside what the ledger
                            metered, days more than 2 % apart flagged with the likely cause (stored as history)
  cometapi-mcp ledger copy  --to postgres://…|FILE.db [--from …]: copy calls, quotas, alerts, stored prices and
                            low-balance alerts into another ledger (a personal one into the team's, or back); run
                            again to copy only what is new
  cometapi-mcp verify       one tiny call to check the key and model, with its latency
  cometapi-mcp bench        time models the seed article's way: --models a,b [--runs 30] [--max-tokens 128]
                            [--prompt TEXT] [--simulated] [--json]; every run is a ledger row (source bench)
  cometapi-mcp setup        print the config to paste into an MCP client [--client cherry|claude|cursor|vscode],
                            or to meter a coding agent through the proxy [--client claude-code|codex]
  cometapi-mcp --version

Environment: COMETAPI_KEY, COMETAPI_BASE_URL, COMETAPI_QUERY_KEY, COMETAPI_KEY_NAME, COMETAPI_BILLING_TZ, COMETAPI_MCP_DB, COMETAPI_MCP_DATABASE_URL, COMETAPI_CHAT_MODEL, … (see README.md)
`;

/** setup and verify speak the language of LC_ALL / LC_MESSAGES / LANG when we have it. */
async function translatorFromEnv() {
  const { createTranslator, localeFromEnv } = await import('./i18n.js');
  return createTranslator(localeFromEnv(process.env));
}

async function main(argv: string[]): Promise<number> {
  const [command = 'stdio', ...rest] = argv;
  const stdout = (text: string) => process.stdout.write(text);
  if (command === '--help' || command === '-h' || command === 'help') return (stdout(HELP), 0);
  if (command === '--version' || command === '-v') return (stdout(packageVersion() + '\n'), 0);
  const config = loadConfig(process.env);
  // Interactive commands print their own output; their logs stay quiet unless asked for.
  const level = process.env.COMETAPI_MCP_LOG_LEVEL || command === 'stdio' ? config.logLevel : 'warn';
  const logger = createLogger({ level, secrets: secretsOf(config) });
  // Commands are loaded on demand so the stdio server starts without loading the sidecar or demo.
  switch (command) {
    case 'stdio':
      await (await import('./commands/stdio.js')).runStdioCommand(config, logger);
      return 0;
    case 'serve':
      await (await import('./commands/serve.js')).runServeCommand(config, logger, 'live');
      return 0;
    case 'start':
      if (config.key) {
        await (await import('./commands/serve.js')).runServeCommand(config, logger, 'live');
        return 0;
      }
      return (await import('./commands/demo.js')).runDemoCommand(rest, config, logger, stdout);
    case 'demo':
      return (await import('./commands/demo.js')).runDemoCommand(rest, config, logger, stdout);
    case 'usage':
      await (await import('./commands/usage.js')).runUsageCommand(rest, config, stdout);
      return 0;
    case 'quota':
      await (await import('./commands/quota.js')).runQuotaCommand(rest, config, stdout);
      return 0;
    case 'prices': {
      const { confirmOnStdin } = await import('./commands/confirm.js');
      return (await import('./commands/prices.js')).runPricesCommand(rest, config, stdout, { confirm: confirmOnStdin });
    }
    case 'balance':
      await (await import('./commands/balance.js')).runBalanceCommand(rest, config, stdout);
      return 0;
    case 'reconcile':
      await (await import('./commands/reconcile.js')).runReconcileCommand(rest, config, stdout);
      return 0;
    case 'bench':
      return (await import('./commands/bench.js')).runBenchCommand(rest, config, logger, stdout);
    case 'ledger':
      await (await import('./commands/ledger.js')).runLedgerCommand(rest, config, stdout);
      return 0;
    case 'setup':
      (await import('./commands/setup.js')).runSetupCommand(rest, config, stdout, await translatorFromEnv());
      return 0;
    case 'verify': {
      const { runVerifyCommand } = await import('./commands/verify.js');
      return (await runVerifyCommand(config, logger, stdout, await translatorFromEnv())) ? 0 : 1;
    }
    default:
      process.stderr.write(`Unknown command "${command}".\n\n${HELP}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // Config and input errors are the user's to fix: say what, without a stack trace.
    const known =
      error instanceof ConfigError ||
      error instanceof BadInputError ||
      error instanceof LedgerOpenError ||
      (error instanceof Error && error.name === 'QueryServiceError') ||
      (error instanceof Error &&
        error.name === 'TypeError' &&
        'code' in error &&
        String(error.code).startsWith('ERR_PARSE_ARGS'));
    process.stderr.write(
      `cometapi-mcp: ${known ? errorMessage(error) : error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exitCode = known ? 2 : 1;
  },
);
