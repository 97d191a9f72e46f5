/**
 * Collects what a handler process writes to stdout and stderr, line by line, into the logs of
 * the invocation under way (or of the init phase before it), copies every line to the
 * environment's own log, and notices the end markers the handler process writes after each
 * invocation.
 */
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { END_MARKER } from './ipc-messages';

export class OutputCollector {
  private lines: string[] = [];
  /** Request ids whose end marker each stream has shown. */
  private readonly markers = [new Set<string>(), new Set<string>()];
  private readonly waiters = new Set<() => void>();

  /**
   * @example
   * ```ts
   * const output = new OutputCollector((line) => log.write(`${line}\n`));
   * output.attach([child.stdout, child.stderr]);
   * await output.settled('r1', 1_000);
   * output.take(); // every line since the last take
   * ```
   */
  constructor(private readonly echo: (line: string) => void) {}

  /** Collects the output of a (new) handler process; lines already collected are kept. */
  attach(streams: readonly [Readable, Readable]): void {
    streams.forEach((stream, index) => {
      createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on('line', (line) => {
        if (line.startsWith(END_MARKER)) {
          this.markers[index]?.add(line.slice(END_MARKER.length + 1));
          for (const wake of this.waiters) wake();
          return;
        }
        this.lines.push(line);
        this.echo(line);
      });
    });
  }

  /** Adds a line of the init program's own (START, END, REPORT, a timeout). */
  add(line: string): void {
    this.lines.push(line);
    this.echo(line);
  }

  /** Resolves once both streams showed `requestId`'s end marker, or after `timeoutMs`. */
  settled(requestId: string, timeoutMs: number): Promise<void> {
    const done = () => this.markers.every((seen) => seen.has(requestId));
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        for (const seen of this.markers) seen.delete(requestId);
        resolve();
      };
      const check = () => {
        if (done()) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Every line collected since the last call, as one text; the buffer starts over. */
  take(): string {
    const text = this.lines.join('\n');
    this.lines = [];
    return text;
  }
}
