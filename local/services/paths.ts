import { join } from 'node:path';
import { repoRoot } from '../../shared/paths';

// The checkout and the download cache are not the local stack's own: other tools need them too.
export { cacheDir, repoRoot } from '../../shared/paths';

/** Runtime state of all services: `<repo>/.services` (gitignored). */
export const servicesRoot = join(repoRoot, '.services');

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
