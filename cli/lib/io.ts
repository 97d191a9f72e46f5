/**
 * Where a command writes and what it may read from its surroundings. The entry point passes
 * the process's streams; tests pass collectors, so every command runs in-process.
 */

export interface CliIo {
  /** Tables and `--json` documents: what a person or a script reads. */
  readonly stdout: (text: string) => void;
  /** Progress, notes and warnings: never mixed into machine output. */
  readonly stderr: (text: string) => void;
  /** The environment: AWS variables, SLUICE_STAGE, SLUICE_LOCAL. */
  readonly env: NodeJS.ProcessEnv;
  /** Stops long operations (Ctrl-C at a terminal, a test aborting halfway). */
  readonly signal?: AbortSignal;
  /** True at a terminal: progress bars redraw in place instead of printing lines. */
  readonly interactive?: boolean;
}

/** Exit codes, so scripts can tell a guard stop from a crash. */
export const EXIT = {
  ok: 0,
  /** Something failed: a call, a missing resource. */
  error: 1,
  /** The command line was wrong. */
  usage: 2,
  /** A guard stopped on purpose (failing canary, failures above the threshold). */
  stopped: 3,
} as const;

/** An error whose message is meant for the person at the terminal, with its exit code. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

/**
 * Writes `lines` to `write`, each ending in a newline.
 *
 * @example
 * ```ts
 * writeLines(io.stdout, ['QUEUE  DEPTH', 'ingest-dlq  3']);
 * ```
 */
export function writeLines(write: (text: string) => void, lines: readonly string[]): void {
  for (const line of lines) write(`${line}\n`);
}

/** Prints a value as pretty JSON on stdout (machine output of `--json`). */
export function writeJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
