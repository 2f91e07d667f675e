/**
 * Whether the usage sidecar answers on the configured port (from this process or another
 * window's), so the usage view can link to the full dashboard only when it is really there.
 */
import type { Config } from '../config.js';
import { urlHost } from '../sidecar/serve.js';

const PROBE_TIMEOUT_MS = 500;

/** The dashboard's URL when /api/info answers like our sidecar (401: it wants the token), else null. */
export async function probeDashboard(config: Pick<Config, 'host' | 'port'>): Promise<string | null> {
  const url = `http://${urlHost(config.host)}:${config.port}`;
  try {
    const response = await fetch(`${url}/api/info`, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    if (response.status === 401) return `${url}/`;
    if (!response.ok) return null;
    const info: unknown = await response.json();
    return typeof info === 'object' && info !== null && 'ledger_path' in info ? `${url}/` : null;
  } catch {
    return null; // not running, or not ours: no link
  }
}
