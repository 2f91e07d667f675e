import fs from 'node:fs';
import Anthropic from '@anthropic-ai/sdk';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSetupCommand } from '../src/commands/setup.js';
import type { ProxyTarget } from '../src/proxy-setup.js';
import { startGatewayHarness, type GatewayHarness } from './helpers/gateway.js';
import { allCalls } from './helpers/ledger.js';

const TOKEN = 'local-token-setup-0123456789';

const setup = (client: string, target: ProxyTarget) => {
  let text = '';
  runSetupCommand(['--client', client], target, (t) => (text += t));
  return text;
};
const exported = (text: string, name: string) => new RegExp(`^export ${name}=(\\S+)$`, 'm').exec(text)?.[1];
const tomlValue = (text: string, key: string) => new RegExp(`^${key} = "([^"]*)"$`, 'm').exec(text)?.[1];

/** `setup --client claude-code|codex` prints values that work against a live proxy, and the README shows them. */
describe('setup for coding agents', () => {
  let h: GatewayHarness;
  let target: ProxyTarget;
  beforeAll(async () => {
    h = await startGatewayHarness({ env: { COMETAPI_MCP_TOKEN: TOKEN } });
    target = { host: h.config.host, port: Number(new URL(h.url).port), token: TOKEN };
  });
  afterAll(async () => h.close());
  const lastRow = async () => (await allCalls(h.runtime.store)).at(-1);

  it('Claude Code: the printed environment reaches the proxy, and settings.json holds the same values', async () => {
    const text = setup('claude-code', target);
    const baseURL = exported(text, 'ANTHROPIC_BASE_URL');
    const authToken = exported(text, 'ANTHROPIC_AUTH_TOKEN');
    expect(baseURL).toBe(h.url);
    const settings = JSON.parse(text.slice(text.indexOf('{'), text.lastIndexOf('}') + 1)) as {
      env: Record<string, string>;
    };
    expect(settings.env).toEqual({ ANTHROPIC_BASE_URL: baseURL, ANTHROPIC_AUTH_TOKEN: authToken });
    // Claude Code sends ANTHROPIC_AUTH_TOKEN as a bearer token.
    const client = new Anthropic({ apiKey: null, authToken, baseURL, maxRetries: 0 });
    const message = await client.messages.create({
      model: 'claude-sonnet-4-5-20250929',
      max_tokens: 32,
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(message.content.length).toBeGreaterThan(0);
    expect(await lastRow()).toMatchObject({ tool: '/v1/messages', status: 'ok' });
  });

  it('Codex: the printed provider speaks Responses to the proxy with the token from its env_key', async () => {
    const text = setup('codex', target);
    expect(tomlValue(text, 'model_provider')).toBe('cometapi');
    expect(tomlValue(text, 'wire_api')).toBe('responses');
    const envKey = tomlValue(text, 'env_key') ?? '';
    const client = new OpenAI({
      apiKey: exported(text, envKey),
      baseURL: tomlValue(text, 'base_url'),
      maxRetries: 0,
    });
    const answer = await client.responses.create({ model: 'gpt-5-mini', input: 'hi' });
    expect(answer.output_text.length).toBeGreaterThan(0);
    expect(await lastRow()).toMatchObject({ tool: '/v1/responses', status: 'ok' });
  });

  it('without a proxy token: a placeholder for Claude Code, no env_key for Codex; the README shows exactly these', () => {
    const defaults: ProxyTarget = { host: '127.0.0.1', port: 8790, token: undefined };
    const claude = setup('claude-code', defaults);
    const codex = setup('codex', defaults);
    expect(exported(claude, 'ANTHROPIC_AUTH_TOKEN')).toBe('cometapi-mcp');
    expect(codex).not.toContain('env_key');
    expect(claude + codex).not.toContain(TOKEN);
    const readme = fs.readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain('## Meter Claude Code and Codex');
    for (const block of [claude, codex]) {
      const pasted = block.slice(block.indexOf('\n\n') + 2).split('\n\n')[0] ?? '';
      expect(pasted.length).toBeGreaterThan(20);
      expect(readme).toContain(pasted);
    }
  });
});
