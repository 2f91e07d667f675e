/**
 * The dashboard's files (dashboard/ at the package root, its message catalogs in dashboard/locales/)
 * and uPlot and i18next from node_modules, served by the sidecar itself: no CDN, so the page works
 * offline and makes no third-party requests.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

/** dashboard/ sits three levels above both src/sidecar/routes and dist/sidecar/routes. */
export const DASHBOARD_DIR = fileURLToPath(new URL('../../../dashboard/', import.meta.url));

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json; charset=utf-8',
};

/**
 * Scripts and styles only from this origin; connect-src 'self' keeps fetch/EventSource on the
 * sidecar. No inline anything: uPlot and the page set positions through CSSOM (element.style),
 * which style-src does not restrict; the browser test fails on any CSP violation.
 */
const CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export interface StaticRoutesOptions {
  dashboardDir?: string;
}

function packageDir(name: string): string {
  return path.dirname(createRequire(import.meta.url).resolve(`${name}/package.json`));
}

export function createStaticRoutes(options: StaticRoutesOptions = {}): Hono {
  const dashboardDir = options.dashboardDir ?? DASHBOARD_DIR;
  const uplotDir = path.join(packageDir('uplot'), 'dist');
  const vendorFiles = new Map([
    ['uPlot.iife.min.js', path.join(uplotDir, 'uPlot.iife.min.js')],
    ['uPlot.min.css', path.join(uplotDir, 'uPlot.min.css')],
    // i18next's ES module build is one file without imports, so the page can import it as is.
    ['i18next.js', path.join(packageDir('i18next'), 'dist', 'esm', 'i18next.js')],
  ]);
  const routes = new Hono();

  const send = async (file: string, cacheControl: string) => {
    const type = TYPES[path.extname(file)] ?? 'application/octet-stream';
    const headers: Record<string, string> = { 'Content-Type': type, 'Cache-Control': cacheControl };
    if (type.startsWith('text/html')) headers['Content-Security-Policy'] = CSP;
    try {
      return new Response(await readFile(file), { status: 200, headers });
    } catch {
      return new Response('not found', { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' } });
    }
  };

  routes.get('/', () => send(path.join(dashboardDir, 'index.html'), 'no-cache'));
  routes.get('/vendor/:file', (c) => {
    const file = vendorFiles.get(c.req.param('file'));
    return file ? send(file, 'public, max-age=86400') : c.text('not found', 404);
  });
  routes.get('/locales/:file{[A-Za-z-]+\\.json}', (c) =>
    send(path.join(dashboardDir, 'locales', c.req.param('file')), 'no-cache'),
  );
  // Flat names only (no slashes, no dot-files), so a request can never leave dashboard/.
  routes.get('/:file{[A-Za-z0-9_-][A-Za-z0-9_.-]*\\.(?:js|css|svg|png|html|json)}', (c) =>
    send(path.join(dashboardDir, c.req.param('file')), 'no-cache'),
  );
  return routes;
}
