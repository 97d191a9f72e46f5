/**
 * Evidence for a failed run: the functions' logs (Powertools JSON lines, which they write to
 * stdout and stderr as in Lambda) of a test file go to `.services/test-logs/<name>.log`
 * instead of the console, and a failed test names that file.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { servicesRoot } from '../../local/services/paths';

/**
 * Call at the top of a test file, before the handler modules are imported.
 *
 * @returns the log file's path
 * @example
 * ```ts
 * const logFile = keepFunctionLogs(`e2e-${run}`);
 * ```
 */
export function keepFunctionLogs(name: string): string {
  const dir = join(servicesRoot, 'test-logs');
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${name}.log`);
  const log = createWriteStream(path, { flags: 'a' });
  const original = { out: process.stdout.write, err: process.stderr.write };
  const toLog = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    log.write(chunk);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = toLog;
  process.stderr.write = toLog;

  afterEach((context) => {
    if (context.task.result?.state === 'fail') {
      original.err.call(process.stderr, `The functions' logs of this run: ${path}\n`);
    }
  });
  afterAll(async () => {
    process.stdout.write = original.out;
    process.stderr.write = original.err;
    await new Promise((resolve) => log.end(resolve));
  });
  return path;
}
