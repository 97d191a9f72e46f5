/**
 * CloudWatch Logs and EMF as Lambda would ingest them: every line a function writes to stdout
 * or stderr during an invocation is a log event, counted (not printed) for the function whose
 * invocation wrote it, plus the 26 bytes of metadata CloudWatch Logs bills per event and the
 * platform's START, END and REPORT lines of each invocation. EMF lines (JSON with `_aws`) also
 * name metric series: one per namespace, metric name and dimension values, which CloudWatch
 * bills as one custom metric a month however often it is written.
 * Lines written outside an invocation (the bench's own output) pass through.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';

/** CloudWatch Logs bills each event's UTF-8 bytes plus 26 bytes. */
const EVENT_OVERHEAD_BYTES = 26;
/**
 * START, END and REPORT lines of one invocation, with their overhead: "START RequestId: <uuid>
 * Version: $LATEST" (~70 bytes), "END RequestId: <uuid>" (~52), "REPORT RequestId: <uuid>
 * Duration: … Billed Duration: … Memory Size: … Max Memory Used: …" (~160).
 */
export const PLATFORM_BYTES_PER_INVOCATION = 70 + 52 + 160 + 3 * EVENT_OVERHEAD_BYTES;

interface EmfDirective {
  readonly Namespace?: string;
  readonly Dimensions?: readonly (readonly string[])[];
  readonly Metrics?: readonly { readonly Name?: string }[];
}

export interface LogUsage {
  readonly fn: string;
  lines: number;
  bytes: number;
  emfLines: number;
}

export class LogMeter {
  private readonly usage = new Map<string, LogUsage>();
  private readonly series = new Set<string>();
  private restoreStreams: (() => void) | undefined;

  constructor(private readonly scope: AsyncLocalStorage<string>) {}

  /** Starts counting; `stop()` gives the streams back. */
  start(): void {
    const out = process.stdout.write.bind(process.stdout);
    const err = process.stderr.write.bind(process.stderr);
    const meter = (original: typeof process.stdout.write) =>
      ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        const fn = this.scope.getStore();
        if (fn === undefined) return (original as (...args: unknown[]) => boolean)(chunk, ...rest);
        this.count(fn, typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
        const callback = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
        callback?.();
        return true;
      }) as typeof process.stdout.write;
    process.stdout.write = meter(out);
    process.stderr.write = meter(err);
    this.restoreStreams = () => {
      process.stdout.write = out;
      process.stderr.write = err;
    };
  }

  stop(): void {
    this.restoreStreams?.();
    this.restoreStreams = undefined;
  }

  functions(): LogUsage[] {
    return [...this.usage.values()];
  }

  /** Distinct EMF metric series seen (namespace, metric name, dimension values). */
  metricSeries(): number {
    return this.series.size;
  }

  private count(fn: string, text: string): void {
    let usage = this.usage.get(fn);
    if (!usage) {
      usage = { fn, lines: 0, bytes: 0, emfLines: 0 };
      this.usage.set(fn, usage);
    }
    for (const line of text.split('\n')) {
      if (line.length === 0) continue;
      usage.lines += 1;
      usage.bytes += Buffer.byteLength(line) + EVENT_OVERHEAD_BYTES;
      if (line.startsWith('{') && line.includes('"_aws"')) {
        usage.emfLines += 1;
        this.addSeries(line);
      }
    }
  }

  private addSeries(line: string): void {
    let document: Record<string, unknown>;
    try {
      document = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return;
    }
    const aws = document._aws as { CloudWatchMetrics?: readonly EmfDirective[] } | undefined;
    for (const directive of aws?.CloudWatchMetrics ?? []) {
      for (const dimensions of directive.Dimensions ?? [[]]) {
        const values = dimensions.map((d) => `${d}=${String(document[d])}`).join(',');
        for (const metric of directive.Metrics ?? []) {
          this.series.add(`${directive.Namespace}|${metric.Name}|${values}`);
        }
      }
    }
  }
}
