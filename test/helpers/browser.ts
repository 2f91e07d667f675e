/**
 * What the browser tests share: Debian's chromium (skipped, saying how to install it, when it is
 * missing; a failure instead under CI=true), launched headless with the project's flags and a
 * fresh profile.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';
import { describe, it } from 'vitest';

export const CHROMIUM = '/usr/bin/chromium';
export const HAS_CHROMIUM = fs.existsSync(CHROMIUM);

const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

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
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}

export interface ChromiumProfile {
  context: BrowserContext;
  /** Closes the browser and removes its user-data dir. */
  close(): Promise<void>;
}

/** Headless Chromium on a new user-data dir of its own, for tests that reload or keep storage. */
export async function launchChromiumProfile(viewport: { width: number; height: number }): Promise<ChromiumProfile> {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'cometapi-mcp-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
  });
  return {
    context,
    close: async () => {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}
