import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSetupCommand } from '../src/commands/setup.js';
import { BUILT_CLI, tempDir } from './helpers/harness.js';

const output = (argv: string[]) => {
  let text = '';
  runSetupCommand(argv, { host: '127.0.0.1', port: 8790, token: undefined }, (t) => (text += t));
  return text;
};

describe('setup', () => {
  it('prints a CherryStudio import with long-running settings and a one-click link that decodes to the same JSON', () => {
    const text = output(['--client', 'cherry']);
    const json = text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);
    const parsed = JSON.parse(json) as {
      mcpServers: { cometapi: { command: string; args: string[]; timeout: number; longRunning: boolean } };
    };
    const entry = parsed.mcpServers.cometapi;
    expect(entry).toMatchObject({ command: process.execPath, timeout: 300, longRunning: true });
    expect(entry.args[0]).toMatch(/cli\.js$/);
    const link = /cherrystudio:\/\/mcp\/install\?servers=(\S+)/.exec(text)?.[1] ?? '';
    expect(JSON.parse(Buffer.from(link, 'base64').toString())).toEqual(parsed);
  });

  it('uses the servers key for VS Code and rejects unknown clients', () => {
    expect(output(['--client', 'vscode'])).toContain('"servers"');
    expect(() => output(['--client', 'emacs'])).toThrow(
      /--client must be one of cherry, claude, cursor, vscode, claude-code, codex/,
    );
  });

  it('points at a file that exists once built', () => {
    const text = output(['--client', 'claude']);
    const file = /"args": \[\s*"([^"]+)"/.exec(text)?.[1] ?? '';
    expect(file.endsWith('cli.js')).toBe(true);
    // From src/ the path is src/cli.js (the TypeScript source's sibling); from dist/ it is dist/cli.js.
    expect(fs.existsSync(file.replace(/\.js$/, '.ts')) || fs.existsSync(file)).toBe(true);
  });
});

describe('setup in the language of LC_ALL / LANG (the built CLI)', () => {
  const run = (locale: Record<string, string>) => {
    const home = tempDir('cometapi-mcp-setup-');
    try {
      const env = { PATH: process.env.PATH ?? '', HOME: home, COMETAPI_MCP_DATA_DIR: home, ...locale };
      return execFileSync(process.execPath, [BUILT_CLI, 'setup', '--client', 'cherry'], { env, encoding: 'utf8' });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  };
  const english = run({ LANG: 'en_US.UTF-8' });
  const jsonOf = (text: string) => text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1);

  it.each([
    [
      { LANG: 'de_DE.UTF-8' },
      'Fügen Sie dies in CherryStudio → Einstellungen → MCP-Server → Hinzufügen → Aus JSON importieren ein und tragen Sie Ihren Schlüssel bei COMETAPI_KEY ein:',
      'Oder öffnen Sie diesen Link, um es mit einem Klick zu installieren (danach den Schlüssel eintragen):',
    ],
    [
      { LANG: 'zh_CN.UTF-8' },
      '请粘贴到 CherryStudio → 设置 → MCP 服务器 → 添加 → 从 JSON 导入，并在 COMETAPI_KEY 中填入你的密钥：',
      '或者打开以下链接一键安装（安装后再修改密钥）：',
    ],
    [
      { LANG: 'en_US.UTF-8', LC_ALL: 'es_ES.UTF-8' },
      'Pegue esto en CherryStudio → Configuración → Servidores MCP → Agregar → Importar desde JSON y ponga su clave en COMETAPI_KEY:',
      'O abra este enlace para instalarlo con un clic (y luego edite la clave):',
    ],
  ])('speaks %o, with the same JSON and link as in English', (locale, paste, link) => {
    const text = run(locale);
    expect(text.startsWith(`${paste}\n`)).toBe(true);
    expect(text).toContain(`\n${link}\ncherrystudio://mcp/install?servers=`);
    expect(jsonOf(text)).toBe(jsonOf(english));
    expect(text.split('\n').at(-2)).toBe(english.split('\n').at(-2));
  });

  it('stays English for C and for languages without a catalog', () => {
    expect(english.startsWith('Paste into CherryStudio → Settings → MCP Servers → Add → Import from JSON')).toBe(true);
    expect(run({ LANG: 'fr_FR.UTF-8' })).toBe(english);
    expect(run({ LANG: 'de_DE.UTF-8', LC_ALL: 'C' })).toBe(english);
  });
});
