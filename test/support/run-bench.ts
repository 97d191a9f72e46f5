/**
 * Runs a benchmark as `npm run bench:…` does (tsx, from the checkout) and reads what every
 * bench promises: exit status 0 — else the test fails with the bench's own explanation, the
 * tail of its stderr — and a JSON summary on the last line of stdout.
 */
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../../shared/paths';

export interface BenchRun<Summary> {
  /** The last stdout line, parsed. */
  readonly summary: Summary;
  /** Every stdout line (a bench prints nothing else there). */
  readonly stdoutLines: readonly string[];
  /** The human output: tables and progress. */
  readonly stderr: string;
}

/**
 * @example
 * ```ts
 * const { summary } = runBench<{ docsPerSecond: number }>('bench/index-product.ts', ['--docs', '250'], 60_000);
 * ```
 */
export function runBench<Summary>(
  script: string,
  args: readonly string[],
  timeoutMs: number,
): BenchRun<Summary> {
  const run = spawnSync('npx', ['tsx', script, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (run.status !== 0) {
    throw new Error(
      `${script} ${args.join(' ')} ended with ${run.status ?? run.signal ?? run.error}:\n${run.stderr.slice(-3_000)}`,
    );
  }
  const stdoutLines = run.stdout.trim().split('\n');
  return {
    summary: JSON.parse(stdoutLines.at(-1) ?? '') as Summary,
    stdoutLines,
    stderr: run.stderr,
  };
}
