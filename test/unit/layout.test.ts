/**
 * test/unit mirrors the source tree: `test/unit/<dir>/<name>.test.ts` tests
 * `<root>/<dir>/<name>.ts` (or the folder `<root>/<dir>/<name>/`), where the root is
 * `functions/` by default, dropped from the test's path, and any other root is kept as the
 * test path's first folder (`local/`, `cli/`, `infra/`, `bench/`, `shared/`).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(__dirname, '..', '..');
const UNIT = join(ROOT, 'test', 'unit');

/** Roots kept in the test's path; everything else is under `functions/`. */
const KEPT_ROOTS = ['local', 'cli', 'infra', 'bench', 'shared'];

/**
 * Tests with no one source file of their own: each tests across modules, or a file that
 * is not TypeScript. Keep this list short; a test of one module goes where the module is.
 */
const EXCEPTIONS = new Set([
  // This test: the layout of test/unit itself.
  'layout.test.ts',
  // Every TSDoc example in the tree.
  'docs/examples.test.ts',
  // Every event schema's patterns against ReDoS.
  'events/redos.test.ts',
  // The runtime's throttling across retry schedule, limiter and batch runs.
  'jobs/backpressure.test.ts',
  // Hostile inputs against the job runtime and the router, end to end in-process.
  'jobs/hostile-jobs.test.ts',
  'router/hostile-records.test.ts',
  // Property test of the whole routing path (msk-batch, route-batch, dead-letter ledger).
  'router/router.property.test.ts',
  // docker-compose.yml at the checkout's root (the LocalStack path).
  'local/docker-compose.test.ts',
]);

function testFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return testFiles(path);
    return entry.name.endsWith('.test.ts') ? [relative(UNIT, path)] : [];
  });
}

/** The source paths (file or folder) a test file under test/unit may mirror. */
function mirroredSources(testPath: string): string[] {
  const base = testPath.replace(/\.test\.ts$/, '');
  const roots = KEPT_ROOTS.includes(base.split('/')[0] ?? '') ? ['', 'functions'] : ['functions'];
  return roots.flatMap((root) => [join(root, `${base}.ts`), join(root, base)]);
}

describe('test/unit layout', () => {
  const files = testFiles(UNIT);

  it('finds the unit tests', () => {
    expect(files.length).toBeGreaterThan(50);
  });

  it('mirrors a source path for every unit test', () => {
    const orphans = files
      .filter((file) => !EXCEPTIONS.has(file))
      .filter((file) => !mirroredSources(file).some((source) => existsSync(join(ROOT, source))));
    expect(orphans).toEqual([]);
  });

  it('lists only exceptions that exist', () => {
    expect([...EXCEPTIONS].filter((file) => !files.includes(file))).toEqual([]);
  });
});
