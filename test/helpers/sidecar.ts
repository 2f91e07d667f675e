/** A real sidecar for tests: on a free 127.0.0.1 port, live unless told otherwise. */
import type { SidecarMode } from '../../src/sidecar/app.js';
import { startSidecar, type RunningSidecar, type SidecarServeOptions } from '../../src/sidecar/serve.js';

export type TestSidecarOptions = Omit<SidecarServeOptions, 'mode' | 'host' | 'port'> & { mode?: SidecarMode };

/** Throws when it cannot start (a free port always binds, so that is a failure, not a skip). */
export async function startTestSidecar({ mode = 'live', ...options }: TestSidecarOptions): Promise<RunningSidecar> {
  const started = await startSidecar({ ...options, mode, host: '127.0.0.1', port: 0 });
  if (!started) throw new Error('could not start the sidecar');
  return started;
}
