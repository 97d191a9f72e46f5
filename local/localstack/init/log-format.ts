/**
 * Lambda's log lines for Node.js functions: START, END and REPORT around each invocation,
 * and `console` output as `<ISO time>\t<request id>\t<LEVEL>\t<message>`.
 */

/** What the REPORT line of one invocation says. */
export interface ReportLineFields {
  readonly requestId: string;
  readonly durationMs: number;
  readonly memorySizeMiB: number;
  /** Peak resident memory of the handler process so far; undefined when unknown. */
  readonly maxMemoryUsedMiB: number | undefined;
  /** Set on the first invocation of a freshly started handler process. */
  readonly initDurationMs?: number;
  /** `timeout` or `error` (the handler process died); absent for a normal end. */
  readonly status?: 'timeout' | 'error';
}

/** `START RequestId: <id> Version: <version>` */
export function startLine(requestId: string, version: string): string {
  return `START RequestId: ${requestId} Version: ${version}`;
}

/** `END RequestId: <id>` */
export function endLine(requestId: string): string {
  return `END RequestId: ${requestId}`;
}

/**
 * The REPORT line, tab-separated as Lambda writes it.
 *
 * @example
 * ```ts
 * reportLine({ requestId: 'r1', durationMs: 2.71, memorySizeMiB: 128, maxMemoryUsedMiB: 67 });
 * // 'REPORT RequestId: r1\tDuration: 2.71 ms\tBilled Duration: 3 ms\tMemory Size: 128 MB\tMax Memory Used: 67 MB'
 * ```
 */
export function reportLine(report: ReportLineFields): string {
  const fields = [
    `REPORT RequestId: ${report.requestId}`,
    `Duration: ${report.durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(report.durationMs))} ms`,
    `Memory Size: ${report.memorySizeMiB} MB`,
    `Max Memory Used: ${report.maxMemoryUsedMiB ?? 0} MB`,
  ];
  if (report.initDurationMs !== undefined) {
    fields.push(`Init Duration: ${report.initDurationMs.toFixed(2)} ms`);
  }
  if (report.status) fields.push(`Status: ${report.status}`);
  return fields.join('\t');
}

/**
 * One `console` call as Lambda's Node.js runtime writes it: multi-line messages stay one
 * record (their line breaks are kept).
 *
 * @example
 * ```ts
 * consoleLine('INFO', 'r1', 'hello', new Date(0)); // '1970-01-01T00:00:00.000Z\tr1\tINFO\thello'
 * ```
 */
export function consoleLine(
  level: 'INFO' | 'WARN' | 'ERROR' | 'DEBUG' | 'TRACE',
  requestId: string | undefined,
  message: string,
  now: Date = new Date(),
): string {
  return `${now.toISOString()}\t${requestId ?? 'undefined'}\t${level}\t${message}`;
}

/** The message Lambda gives a timed-out invocation (also its log line). */
export function timeoutMessage(requestId: string, timeoutSeconds: number, now = new Date()) {
  return `${now.toISOString()} ${requestId} Task timed out after ${timeoutSeconds.toFixed(2)} seconds`;
}
