/**
 * A progress bar on stderr. At a terminal it redraws one line in place; elsewhere (logs,
 * CI, tests) it prints a line at each quarter and at the end, so output stays readable.
 */
import type { CliIo } from './io';

const WIDTH = 24;

/**
 * @example
 * ```ts
 * const bar = new ProgressBar(io, 'moving', 120);
 * bar.update(30, '2 back in the DLQ');
 * bar.finish(120, 'done');
 * ```
 */
export class ProgressBar {
  private lastQuarter = -1;
  private lastLine = '';

  constructor(
    private readonly io: CliIo,
    private readonly label: string,
    private total: number,
  ) {}

  /** The bar as text, e.g. `moving [######------------------]  25% 30/120 note`. */
  render(done: number, note = ''): string {
    const total = Math.max(this.total, done, 1);
    const filled = Math.round((done / total) * WIDTH);
    const pct = `${Math.floor((done / total) * 100)}%`.padStart(4);
    const bar = `${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}`;
    return `${this.label} [${bar}] ${pct} ${done}/${Math.max(this.total, done)}${note ? ` ${note}` : ''}`;
  }

  /** The total can grow (a queue receiving more while it is moved). */
  setTotal(total: number): void {
    this.total = total;
  }

  update(done: number, note = ''): void {
    if (this.io.interactive) {
      this.io.stderr(`\r\x1b[2K${this.render(done, note)}`);
      return;
    }
    const quarter = Math.floor((done / Math.max(this.total, 1)) * 4);
    if (quarter > this.lastQuarter) {
      this.lastQuarter = quarter;
      this.printLine(this.render(done, note));
    }
  }

  /** Draws the final state and ends the line. */
  finish(done: number, note = ''): void {
    if (this.io.interactive) this.io.stderr(`\r\x1b[2K${this.render(done, note)}\n`);
    else this.printLine(this.render(done, note));
  }

  private printLine(line: string): void {
    if (line === this.lastLine) return;
    this.lastLine = line;
    this.io.stderr(`${line}\n`);
  }
}
