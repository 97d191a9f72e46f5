/**
 * Where this checkout and the download cache are: used by the local stack, the template
 * lint and the ops CLI alike.
 */
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's root folder (one level above shared/). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..');

/**
 * The download cache shared by all checkouts: `$SLUICE_CACHE_DIR`, else `~/.cache/sluice`.
 * Never inside the repository, so a fresh clone reuses what an earlier one fetched.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SLUICE_CACHE_DIR;
  return configured ? resolve(configured) : join(homedir(), '.cache', 'sluice');
}
