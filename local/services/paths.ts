import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** This checkout's root folder (two levels above local/services). */
export const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');

/** Runtime state of all services: `<repo>/.services` (gitignored). */
export const servicesRoot = join(repoRoot, '.services');

/**
 * The download cache shared by all checkouts: `$SLUICE_CACHE_DIR`, else `~/.cache/sluice`.
 * Never inside the repository, so a fresh clone reuses what an earlier one fetched.
 */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const configured = env.SLUICE_CACHE_DIR;
  return configured ? resolve(configured) : join(homedir(), '.cache', 'sluice');
}

/** Files the stack keeps for one service under `.services/<name>/`. */
export interface ServicePaths {
  readonly stateDir: string;
  readonly logFile: string;
  readonly pidFile: string;
  /** Output of the last install (Maven, pip), for when a download fails. */
  readonly installLog: string;
}

/** Paths of one service's state folder. */
export function servicePaths(name: string): ServicePaths {
  const stateDir = join(servicesRoot, name);
  return {
    stateDir,
    logFile: join(stateDir, `${name}.log`),
    pidFile: join(stateDir, 'pid'),
    installLog: installLogFile({ stateDir }),
  };
}

/** Where a service's install output (Maven, pip) is kept, for when a download fails. */
export function installLogFile(ctx: { readonly stateDir: string }): string {
  return join(ctx.stateDir, 'install.log');
}

/** Resolves a file that ships beside a service module, e.g. `kafka/server.properties`. */
export function serviceAsset(...parts: string[]): string {
  return join(repoRoot, 'local', 'services', ...parts);
}
