/**
 * Makes `console` write Lambda-style lines (`<time>\t<request id>\t<LEVEL>\t<message>`) as the
 * Node.js runtime does: log/info → INFO, warn → WARN, error → ERROR, debug → DEBUG, trace →
 * TRACE. Code that writes to process.stdout itself (Powertools Logger) is left as it is.
 */
import { format } from 'node:util';
import { consoleLine } from './log-format';

type Level = Parameters<typeof consoleLine>[0];

/**
 * @example
 * ```ts
 * let requestId: string | undefined;
 * captureConsole(() => requestId);
 * requestId = 'r1';
 * console.info('hi'); // stdout: 2026-…Z\tr1\tINFO\thi
 * ```
 */
export function captureConsole(currentRequestId: () => string | undefined): void {
  const write =
    (level: Level, stream: NodeJS.WriteStream) =>
    (...args: unknown[]) => {
      stream.write(`${consoleLine(level, currentRequestId(), format(...args))}\n`);
    };
  console.log = write('INFO', process.stdout);
  console.info = write('INFO', process.stdout);
  console.warn = write('WARN', process.stderr);
  console.error = write('ERROR', process.stderr);
  console.debug = write('DEBUG', process.stdout);
  console.trace = write('TRACE', process.stderr);
}
