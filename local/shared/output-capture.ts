/**
 * Sends everything this process writes to stdout and stderr — the functions' JSON log lines,
 * as in Lambda — to a file instead: `npm run dev` keeps its screen for the summary, tests
 * keep their output readable, and the logs stay on disk as evidence.
 */
import { createWriteStream, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export interface OutputCapture {
  readonly logFile: string;
  /** Writes to the real stdout and stderr, which the capture bypasses. */
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  /** Gives stdout and stderr back and closes the file. */
  restore(): Promise<void>;
}

/**
 * @example
 * ```ts
 * const capture = captureOutput('.services/dev/pipeline.log');
 * capture.stdout('only this reaches the terminal\n');
 * await capture.restore();
 * ```
 */
export function captureOutput(logFile: string): OutputCapture {
  mkdirSync(dirname(logFile), { recursive: true });
  const log = createWriteStream(logFile, { flags: 'a' });
  const write = process.stdout.write.bind(process.stdout);
  const writeError = process.stderr.write.bind(process.stderr);
  const toLog = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    log.write(chunk);
    const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
    callback?.();
    return true;
  }) as typeof process.stdout.write;
  process.stdout.write = toLog;
  process.stderr.write = toLog;
  return {
    logFile,
    stdout: (text) => write(text),
    stderr: (text) => writeError(text),
    restore() {
      process.stdout.write = write;
      process.stderr.write = writeError;
      return new Promise((resolve) => log.end(resolve));
    },
  };
}
