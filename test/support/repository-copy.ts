/**
 * A temporary copy of the repository for tests that change its source (the job scaffolder):
 * the folders and files a typecheck, a synth and a test run read, with `node_modules` a
 * symlink to this checkout's.
 */
import { cpSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';

/** This checkout's root. */
export const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

const FOLDERS = ['functions', 'infra', 'local', 'cli', 'shared', 'bench', 'test'];
const FILES = [
  'package.json',
  'package-lock.json',
  'tsconfig.json',
  'biome.json',
  'cdk.json',
  '.gitignore',
  'vitest.config.ts',
  'vitest.chaos.config.ts',
  'vitest.localstack.config.ts',
];
/** What no check reads: dependencies (linked instead), services' state, build output. */
const SKIPPED = new Set(['node_modules', '.services', 'cdk.out', '.cache', '.venv']);

export interface RepositoryCopy {
  readonly root: string;
  /** Deletes the copy (the linked node_modules stays). */
  remove(): void;
}

/**
 * @example
 * ```ts
 * const copy = copyRepository();
 * // … change and check copy.root …
 * copy.remove();
 * ```
 */
export function copyRepository(): RepositoryCopy {
  const root = mkdtempSync(join(tmpdir(), 'sluice-copy-'));
  for (const folder of FOLDERS) {
    cpSync(join(REPOSITORY_ROOT, folder), join(root, folder), {
      recursive: true,
      filter: (source) => !SKIPPED.has(basename(source)),
    });
  }
  for (const file of FILES) cpSync(join(REPOSITORY_ROOT, file), join(root, file));
  symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), join(root, 'node_modules'), 'dir');
  return { root, remove: () => rmSync(root, { recursive: true, force: true }) };
}
