import { createRequire } from 'node:module';

/** Read from package.json, which sits one level above both src/ and dist/. */
export function packageVersion(): string {
  return (createRequire(import.meta.url)('../package.json') as { version: string }).version;
}
