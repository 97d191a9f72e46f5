/**
 * Finds a Python interpreter of one minor version (LocalStack 4.14 needs exactly 3.13): the
 * `SLUICE_PYTHON_3_13`-style override, then `python3.13` on the PATH, then pyenv's versions
 * (`pyenv root`, else ~/.pyenv), newest patch first. Each candidate is asked for its version,
 * so a wrong override or a broken shim is not taken.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The variable that names an interpreter explicitly, e.g. `SLUICE_PYTHON_3_13`. */
export function pythonOverrideVariable(version: string): string {
  return `SLUICE_PYTHON_${version.replace('.', '_')}`;
}

async function reportsVersion(
  python: string,
  version: string,
  env: NodeJS.ProcessEnv,
): Promise<boolean> {
  try {
    const { stdout } = await run(
      python,
      ['-c', 'import sys; print("%d.%d" % sys.version_info[:2])'],
      { timeout: 10_000, env },
    );
    return stdout.trim() === version;
  } catch {
    return false;
  }
}

async function pyenvRoot(env: NodeJS.ProcessEnv): Promise<string> {
  if (env.PYENV_ROOT) return env.PYENV_ROOT;
  try {
    return (await run('pyenv', ['root'], { timeout: 10_000, env })).stdout.trim();
  } catch {
    return join(homedir(), '.pyenv');
  }
}

/** pyenv's installs of `version` (e.g. 3.13.0, 3.13.2), newest patch first. */
function pyenvCandidates(root: string, version: string): string[] {
  const versions = join(root, 'versions');
  if (!existsSync(versions)) return [];
  const patch = (name: string) => name.slice(version.length + 1);
  // `3.13.2` is one of ours, `3.13.2t` (free-threaded) and `3.13-dev` are not.
  const isDigits = (text: string) =>
    text.length > 0 && [...text].every((c) => c >= '0' && c <= '9');
  return readdirSync(versions)
    .filter((name) => name.startsWith(`${version}.`) && isDigits(patch(name)))
    .sort((a, b) => Number(patch(b)) - Number(patch(a)))
    .map((name) => join(versions, name, 'bin', 'python3'));
}

/**
 * @example
 * ```ts
 * const python = await findPython('3.13'); // e.g. /root/.pyenv/versions/3.13.0/bin/python3
 * ```
 * @throws naming every place it looked, when no interpreter of that version answers
 */
export async function findPython(
  version: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<string> {
  const override = env[pythonOverrideVariable(version)];
  const candidates = [
    ...(override ? [override] : []),
    `python${version}`,
    ...pyenvCandidates(await pyenvRoot(env), version),
  ];
  for (const candidate of candidates) {
    if (await reportsVersion(candidate, version, env)) return candidate;
  }
  throw new Error(
    `Python ${version} not found (tried ${candidates.join(', ')}). Install it (e.g. \`pyenv install ${version}\`) or set ${pythonOverrideVariable(version)} to its python executable.`,
  );
}
