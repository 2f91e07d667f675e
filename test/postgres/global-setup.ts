/**
 * One PostgreSQL for the whole vitest run: COMETAPI_MCP_TEST_DATABASE_URL when set, else a
 * throwaway cluster started here and stopped at the end. Test files each create their own
 * databases on it (./cluster.ts). Without PostgreSQL it provides null and those tests skip.
 */
import type { TestProject } from 'vitest/node';
import { ENV_URL, findPostgresBin, startCluster } from './server.js';

export default async function setup(project: TestProject): Promise<(() => void) | undefined> {
  const fromEnv = process.env[ENV_URL];
  const bin = fromEnv ? null : findPostgresBin();
  if (!fromEnv && !bin) {
    project.provide('postgresAdminUrl', null);
    return undefined;
  }
  const cluster = bin ? await startCluster(bin) : null;
  project.provide('postgresAdminUrl', fromEnv ?? cluster?.adminUrl ?? null);
  return cluster ? () => cluster.stop() : undefined;
}
