/**
 * The code version Sluice writes into job messages and dead letters: the same for a CDK
 * deploy (infra/app.ts), the local stack (local/dev) and the router benchmark, so it lives
 * beside neither the infrastructure nor the local tools.
 */
import { execFileSync } from 'node:child_process';

/** The git SHA of the working tree, written into dead letters as the code version. */
export function gitCodeVersion(cwd: string = process.cwd()): string {
  if (process.env.SLUICE_CODE_VERSION) return process.env.SLUICE_CODE_VERSION;
  try {
    const sha = execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], {
      cwd,
      encoding: 'utf8',
    }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], {
      cwd,
      encoding: 'utf8',
    }).trim();
    return dirty ? `${sha}-dirty` : sha;
  } catch {
    return 'unversioned';
  }
}
