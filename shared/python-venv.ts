/**
 * Python tools from PyPI (moto for the local stack, cfn-lint for the templates), each in a
 * virtual environment in the download cache keyed on the hash of its pinned requirements and
 * constraints, so a changed pin gets a fresh environment and nothing lands in the repository.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { runCommand } from './run-command';

/** Marks a finished install: a venv cannot be built elsewhere and renamed (absolute paths). */
const COMPLETE_MARKER = 'sluice-install-complete';

export interface PinnedVenv {
  /** Names the tool in progress lines and the cache folder (`<cacheDir>/<tool>/<hash>/venv`). */
  readonly tool: string;
  readonly cacheDir: string;
  readonly requirements: string;
  /** A pip constraints file; optional so a tool can pin with its requirements alone. */
  readonly constraints: string;
  readonly logFile: string;
  readonly progress: (message: string) => void;
  readonly env?: NodeJS.ProcessEnv;
  /** The interpreter to build the environment with; default `$SLUICE_PYTHON`, else `python3`. */
  readonly python?: string;
}

/** The environment's folder for the current pins. */
export async function pinnedVenvDir(options: PinnedVenv): Promise<string> {
  const hash = createHash('sha256')
    .update(await readFile(options.requirements))
    .update(existsSync(options.constraints) ? await readFile(options.constraints) : '')
    .digest('hex')
    .slice(0, 12);
  return join(options.cacheDir, options.tool, hash, 'venv');
}

/**
 * Creates the virtual environment and installs the pins unless a complete one exists, showing
 * each downloaded wheel; returns the environment's folder.
 *
 * @example
 * ```ts
 * const venv = await ensurePinnedVenv({ tool: 'cfn-lint', cacheDir, requirements,
 *   constraints, logFile, progress: console.log });
 * const cfnLint = join(venv, 'bin', 'cfn-lint');
 * ```
 */
export async function ensurePinnedVenv(options: PinnedVenv): Promise<string> {
  const { progress } = options;
  const venv = await pinnedVenvDir(options);
  if (existsSync(join(venv, COMPLETE_MARKER))) return venv;
  await rm(venv, { recursive: true, force: true });
  mkdirSync(dirname(venv), { recursive: true });
  const started = Date.now();
  const python = options.python ?? (options.env ?? process.env).SLUICE_PYTHON ?? 'python3';
  progress(`creating a Python virtual environment with ${python} in ${venv}`);
  await runCommand({ command: python, args: ['-m', 'venv', venv], logFile: options.logFile });
  progress(`downloading ${options.tool} and its dependencies from PyPI`);
  const constraints = existsSync(options.constraints) ? ['-c', options.constraints] : [];
  await runCommand({
    command: join(venv, 'bin', 'pip'),
    args: [
      'install',
      '--disable-pip-version-check',
      '--progress-bar',
      'off',
      '-r',
      options.requirements,
      ...constraints,
    ],
    logFile: options.logFile,
    onLine: (line) => {
      // "  Downloading moto-5.2.5-py3-none-any.whl (5.4 MB)"; skip the metadata-only fetches.
      const wheel = /^\s*Downloading (\S+\.(?:whl|tar\.gz)) \(([^)]*)\)/.exec(line);
      if (wheel) progress(`  ${wheel[1]} (${wheel[2]})`);
    },
  });
  await writeFile(join(venv, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  progress(`${options.tool} ready in ${((Date.now() - started) / 1000).toFixed(1)} s: ${venv}`);
  return venv;
}
