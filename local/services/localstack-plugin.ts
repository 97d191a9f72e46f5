/**
 * Sluice's LocalStack plugin package (local/localstack/plugin/: the process runtime executor
 * and the moto-backed DynamoDB provider) built into this checkout's state folder — never into
 * the virtual environment, which the download cache shares between checkouts. LocalStack
 * finds the plugins through the package's entry points once it is on PYTHONPATH.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { cp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { runCommand } from '../../shared/run-command';
import { repoRoot } from './paths';

/** The plugin package's source folder. */
export const pluginSource = join(repoRoot, 'local', 'localstack', 'plugin');

const COMPLETE_MARKER = 'sluice-plugin-complete';

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && (e.name.endsWith('.py') || e.name === 'pyproject.toml'))
    .filter((e) => !e.parentPath.includes('__pycache__'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** A digest of the plugin's source: a changed file gets a fresh build. */
async function sourceDigest(): Promise<string> {
  const hash = createHash('sha256');
  for (const file of await sourceFiles(pluginSource)) {
    hash
      .update(relative(pluginSource, file))
      .update('\0')
      .update(await readFile(file));
  }
  return hash.digest('hex').slice(0, 12);
}

/**
 * Builds the plugin package with the environment's pip (offline: setuptools is in the
 * environment) unless this version of the source is built already; returns the folder to
 * put on PYTHONPATH.
 *
 * @example
 * ```ts
 * const pythonPath = await ensurePluginBuilt({ venv, stateDir, logFile });
 * ```
 */
export async function ensurePluginBuilt(options: {
  readonly venv: string;
  readonly stateDir: string;
  readonly logFile: string;
}): Promise<string> {
  const root = join(options.stateDir, 'plugin');
  const target = join(root, await sourceDigest());
  if (existsSync(join(target, COMPLETE_MARKER))) return target;
  await rm(root, { recursive: true, force: true }); // older builds too
  const copy = join(root, 'source');
  await mkdir(root, { recursive: true });
  // Built from a copy: pip writes build/ and *.egg-info next to the source.
  await cp(pluginSource, copy, {
    recursive: true,
    filter: (path) => !path.includes('__pycache__'),
  });
  await runCommand({
    command: join(options.venv, 'bin', 'pip'),
    args: [
      'install',
      '--disable-pip-version-check',
      '--no-deps',
      '--no-build-isolation',
      '--no-index',
      '--target',
      target,
      copy,
    ],
    logFile: options.logFile,
  });
  await rm(copy, { recursive: true, force: true });
  await writeFile(join(target, COMPLETE_MARKER), `${new Date().toISOString()}\n`);
  return target;
}
