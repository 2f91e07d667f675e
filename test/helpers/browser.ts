/**
 * What the dashboard's browser tests share: Debian's chromium (skipped, saying how to install it,
 * when it is missing; a failure instead under CI=true), launched headless as the project's
 * standards say, and a live sidecar on a free 127.0.0.1 port.
 */
import fs from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { describe, it } from 'vitest';
import { startSidecar, type RunningSidecar, type SidecarServeOptions } from '../../src/sidecar/serve.js';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);

/** Call once at the top of a browser test file; `what` names it in the skip message. */
export function requireChromium(what: string): void {
  if (!HAS_CHROMIUM && process.env.CI !== 'true')
    process.stderr.write(`${what} skipped: ${CHROMIUM} not found (install it with: apt-get install -y chromium)\n`);
  describe.runIf(!HAS_CHROMIUM && process.env.CI === 'true')(`${what} in CI`, () => {
    it('needs Chromium', () => {
      throw new Error(`${CHROMIUM} is missing; CI must install it (apt-get install -y chromium) to run the ${what}`);
    });
  });
}

/** A fresh headless Chromium (its own temporary profile). */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** The sidecar in live mode on a free 127.0.0.1 port; throws when it cannot start. */
export async function startLiveSidecar(
  options: Omit<SidecarServeOptions, 'mode' | 'host' | 'port'>,
): Promise<RunningSidecar> {
  const started = await startSidecar({ ...options, mode: 'live', host: '127.0.0.1', port: 0 });
  if (!started) throw new Error('could not start the sidecar');
  return started;
}
