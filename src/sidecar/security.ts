/**
 * Request checks for the sidecar. It listens on loopback, but any web page the user visits can
 * make the browser send requests there, so:
 *  - Host must name this machine (blocks DNS rebinding: evil.example resolving to 127.0.0.1),
 *  - Origin, when sent, must be this same origin (blocks cross-site fetch/POST),
 *  - with a token configured, /api, /metrics, /mcp and /v1 need `Authorization: Bearer <token>`
 *    (or `x-api-key: <token>`, as Anthropic clients send it, or the HttpOnly cookie set by opening
 *    the dashboard once as /?token=<token>).
 * Desktop apps that call /v1 from a file:// or app:// page (CherryStudio is an Electron app) send
 * that page's origin; no web site can, so those origins are accepted there (as Ollama does).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { Context, MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';

export const TOKEN_COOKIE = 'cometapi_mcp_token';

export interface SecurityOptions {
  /** The host the server is bound to (config.host). Wildcards (0.0.0.0, ::) accept IP-literal Hosts. */
  boundHost: string;
  /** Extra host names to accept, e.g. a name in /etc/hosts pointing here. */
  allowedHosts?: readonly string[];
  token?: string | undefined;
  /** Path prefixes that need the token when one is configured. */
  protectedPrefixes?: readonly string[];
  /** Origins besides this one that may call any route (exact match on the Origin header). */
  allowedOrigins?: readonly string[];
}

export const DEFAULT_PROTECTED_PREFIXES: readonly string[] = ['/api/', '/metrics', '/mcp', '/v1/'];

/** Paths that enforce their own, per-endpoint body limits (uploads to /v1 exceed the default). */
export const SELF_LIMITED_PREFIXES: readonly string[] = ['/v1/'];

/** Origins of pages inside desktop apps (Electron, Tauri, VS Code webviews): never a web site's. */
const DESKTOP_APP_ORIGIN = /^(?:file|app|tauri|vscode-webview|vscode-file):\/\//i;

const LOOPBACK_NAMES = new Set(['localhost', '127.0.0.1', '::1']);

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return LOOPBACK_NAMES.has(bare) || bare.endsWith('.localhost') || /^127\.\d+\.\d+\.\d+$/.test(bare);
}

function hostnameOf(hostHeader: string): string | null {
  try {
    const url = new URL(`http://${hostHeader}`);
    // Reject userinfo/path tricks: the header must be exactly host[:port].
    if (url.username || url.password || url.pathname !== '/' || url.search) return null;
    return url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return null;
  }
}

/** Compares in constant time; hashing first makes lengths equal without leaking them. */
export function tokensEqual(given: string, expected: string): boolean {
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

function forbidden(c: Context, message: string): Response {
  return c.json({ error: message }, 403);
}

/** The request's Host header, or the URL's host when there is none (in-process app.request()). */
function requestHost(c: Context): string {
  return c.req.header('host') ?? new URL(c.req.url).host;
}

export function createSecurityMiddleware(options: SecurityOptions): MiddlewareHandler {
  const bound = options.boundHost.replace(/^\[|\]$/g, '').toLowerCase();
  const wildcard = bound === '0.0.0.0' || bound === '::';
  const extra = new Set((options.allowedHosts ?? []).map((h) => h.toLowerCase()));
  const prefixes = options.protectedPrefixes ?? DEFAULT_PROTECTED_PREFIXES;
  const extraOrigins = new Set(options.allowedOrigins ?? []);
  const token = options.token;

  const hostAllowed = (hostname: string) =>
    isLoopbackHost(hostname) ||
    extra.has(hostname) ||
    (!wildcard && hostname === bound) ||
    (wildcard && isIP(hostname) !== 0);

  const hasValidToken = (c: Context, expected: string): boolean => {
    const header = c.req.header('authorization');
    const bearer = header?.match(/^Bearer\s+(\S+)\s*$/i)?.[1];
    const candidate = bearer ?? c.req.header('x-api-key') ?? getCookie(c, TOKEN_COOKIE);
    return candidate !== undefined && tokensEqual(candidate, expected);
  };

  return async (c, next) => {
    const host = requestHost(c);
    const hostname = hostnameOf(host);
    if (!hostname || !hostAllowed(hostname)) {
      return forbidden(
        c,
        `Host '${host.slice(0, 100)}' is not allowed: open the dashboard as http://127.0.0.1 or http://localhost on this machine (this check blocks DNS-rebinding attacks)`,
      );
    }
    const origin = c.req.header('origin');
    const desktopApp = origin !== undefined && c.req.path.startsWith('/v1/') && DESKTOP_APP_ORIGIN.test(origin);
    if (origin !== undefined && !sameOrigin(origin, host) && !desktopApp && !extraOrigins.has(origin)) {
      return forbidden(
        c,
        `Origin '${origin.slice(0, 100)}' is not allowed: only pages served by this sidecar may call it`,
      );
    }
    if (token !== undefined) {
      const path = c.req.path;
      // Opening /?token=… once stores the token in an HttpOnly cookie, since EventSource cannot send headers.
      const offered = path === '/' ? c.req.query('token') : undefined;
      if (offered !== undefined) {
        if (!tokensEqual(offered, token)) return c.json({ error: 'wrong token in ?token=' }, 401);
        setCookie(c, TOKEN_COOKIE, token, { httpOnly: true, sameSite: 'Strict', path: '/' });
        return c.redirect('/', 303);
      }
      if (prefixes.some((p) => path === p.replace(/\/$/, '') || path.startsWith(p)) && !hasValidToken(c, token)) {
        c.header('WWW-Authenticate', 'Bearer realm="cometapi-mcp"');
        return c.json(
          {
            error:
              'this sidecar requires a token: send "Authorization: Bearer <COMETAPI_MCP_TOKEN>", or open the dashboard once as /?token=<COMETAPI_MCP_TOKEN>',
          },
          401,
        );
      }
    }
    await next();
  };
}

function sameOrigin(origin: string, host: string): boolean {
  try {
    const url = new URL(origin);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.host === new URL(`http://${host}`).host;
  } catch {
    // "null" (sandboxed frames, file://) and garbage are not this origin.
    return false;
  }
}

/** Caps request bodies on everything but GET/HEAD and `exempt` paths; 413 with a JSON message past the limit. */
export function createBodyLimit(
  maxBytes: number,
  exempt: readonly string[] = SELF_LIMITED_PREFIXES,
): MiddlewareHandler {
  const limit = bodyLimit({
    maxSize: maxBytes,
    onError: (c) => c.json({ error: `request body is larger than the ${maxBytes}-byte limit` }, 413),
  });
  return async (c, next) =>
    c.req.method === 'GET' || c.req.method === 'HEAD' || exempt.some((p) => c.req.path.startsWith(p))
      ? next()
      : limit(c, next);
}

/** Baseline response headers: no sniffing, no framing, no referrer leaks. */
export function createSecurityHeaders(): MiddlewareHandler {
  return async (c, next) => {
    await next();
    c.header('X-Content-Type-Options', 'nosniff');
    c.header('X-Frame-Options', 'DENY');
    c.header('Referrer-Policy', 'no-referrer');
  };
}
