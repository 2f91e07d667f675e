/**
 * Builds the usage view (an MCP App) into one self-contained HTML document,
 * dist/views/usage.html: the script (ext-apps App, uPlot, our code) bundled by esbuild and
 * inlined, the styles inlined, and a CSP that allows only those two inline blocks (by hash) and
 * nothing from the network. Run by `npm run build`.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = fileURLToPath(new URL('..', import.meta.url));
const source = path.join(root, 'views/usage');
const output = path.join(root, 'dist/views/usage.html');

const sha256 = (text: string) => `'sha256-${createHash('sha256').update(text).digest('base64')}'`;

/** Refuses content that would end its inline block early. */
function inlinable(text: string, tag: 'script' | 'style'): string {
  if (new RegExp(`</${tag}`, 'i').test(text)) throw new Error(`build-view: the ${tag} contains </${tag}`);
  return text;
}

const bundle = await build({
  entryPoints: [path.join(source, 'main.ts')],
  bundle: true,
  write: false,
  format: 'iife',
  platform: 'browser',
  target: 'es2022',
  minify: true,
  legalComments: 'none',
});
const script = inlinable(bundle.outputFiles[0]?.text ?? '', 'script');
const style = inlinable(
  [
    fs.readFileSync(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8'),
    fs.readFileSync(path.join(source, 'view.css'), 'utf8'),
  ].join('\n'),
  'style',
);

// The hashes cover each block's exact text, so the template places them without indentation.
const csp = [
  "default-src 'none'",
  `script-src ${sha256(script)}`,
  `style-src ${sha256(style)}`,
  'img-src data:',
  "connect-src 'none'",
  "frame-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');
const template = fs.readFileSync(path.join(source, 'index.html'), 'utf8');
const html = template
  .replace('%CSP%', () => csp)
  .replace(/<style>\s*%STYLE%\s*<\/style>/, () => `<style>${style}</style>`)
  .replace(/<script>\s*%SCRIPT%\s*<\/script>/, () => `<script>${script}</script>`);
if (html.includes('%')) {
  const left = ['%CSP%', '%STYLE%', '%SCRIPT%'].filter((p) => html.includes(p));
  if (left.length) throw new Error(`build-view: placeholders left in the template: ${left.join(', ')}`);
}
fs.mkdirSync(path.dirname(output), { recursive: true });
fs.writeFileSync(output, html);
process.stderr.write(`build-view: wrote ${path.relative(root, output)} (${Math.round(html.length / 1024)} KiB)\n`);
