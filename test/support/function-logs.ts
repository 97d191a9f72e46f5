/**
 * Evidence for a failed run: the functions' logs (Powertools JSON lines, which they write to
 * stdout and stderr as in Lambda) of a test file go to `.services/test-logs/<name>.log`
 * instead of the console, and a failed test names that file.
 */
import { join } from 'node:path';
import { afterAll, afterEach } from 'vitest';
import { servicesRoot } from '../../local/services/paths';
import { captureOutput } from '../../local/shared/output-capture';

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
  const capture = captureOutput(join(servicesRoot, 'test-logs', `${name}.log`));
  afterEach((context) => {
    if (context.task.result?.state === 'fail') {
      capture.stderr(`The functions' logs of this run: ${capture.logFile}\n`);
    }
  });
  afterAll(() => capture.restore());
  return capture.logFile;
}
