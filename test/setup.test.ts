import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runSetupCommand } from '../src/commands/setup.js';

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
