/**
 * The handler process of an execution environment (runtime-main.ts), forked by the init
 * program: its init phase, its invocations, its exit. A timed-out or crashed handler process
 * is killed and replaced by a new one, as Lambda resets an execution environment.
 */
import { type ChildProcess, fork } from 'node:child_process';
import type { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { type InvokeMessage, isRuntimeMessage, type RuntimeMessage } from './ipc-messages';
import type { OutputCollector } from './output-collector';
import type { ErrorDocument } from './protocol';

/** How the init phase ended. */
export type InitOutcome =
  | { readonly ok: true; readonly initDurationMs: number }
  | { readonly ok: false; readonly error: ErrorDocument };

/** How an invocation in the handler process ended: its result, or the process's exit. */
export type HandlerProcessOutcome =
  | { readonly kind: 'result'; readonly result: Extract<RuntimeMessage, { type: 'result' }> }
  | { readonly kind: 'exit'; readonly code: number | null; readonly signal: NodeJS.Signals | null };

export interface HandlerProcessOptions {
  /** The bundled runtime-main program. */
  readonly script: string;
  readonly cwd: string;
  readonly env: NodeJS.ProcessEnv;
  /** Heap ceiling in MiB (`--max-old-space-size`), from the function's memory setting. */
  readonly heapMiB: number;
  /** ES modules loaded before the handler (`--import`). */
  readonly preload: readonly string[];
  readonly output: OutputCollector;
}

export class HandlerProcess {
  /** Resolves when the handler module is loaded or failed to load (or the process died). */
  readonly init: Promise<InitOutcome>;
  private readonly child: ChildProcess;
  private readonly exit: Promise<HandlerProcessOutcome & { kind: 'exit' }>;
  private alive = true;
  private onResult: ((outcome: HandlerProcessOutcome) => void) | undefined;

  /**
   * @example
   * ```ts
   * const handler = new HandlerProcess({ script, cwd, env: process.env, heapMiB: 460,
   *   preload: [], output });
   * if ((await handler.init).ok) await handler.invoke(message);
   * ```
   */
  constructor(options: HandlerProcessOptions) {
    const started = performance.now();
    this.child = fork(options.script, [], {
      cwd: options.cwd,
      env: options.env,
      execArgv: [
        `--max-old-space-size=${options.heapMiB}`,
        ...options.preload.flatMap((module) => ['--import', pathToFileURL(module).href]),
      ],
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    options.output.attach([this.child.stdout as Readable, this.child.stderr as Readable]);
    this.exit = new Promise((resolve) => {
      this.child.once('exit', (code, signal) => {
        this.alive = false;
        resolve({ kind: 'exit', code, signal });
      });
    });
    this.init = new Promise<InitOutcome>((resolve) => {
      this.child.on('message', (message: unknown) => {
        if (!isRuntimeMessage(message)) return;
        if (message.type === 'ready') {
          resolve({ ok: true, initDurationMs: performance.now() - started });
        } else if (message.type === 'init-error') {
          resolve({ ok: false, error: message.error });
        } else {
          this.onResult?.({ kind: 'result', result: message });
        }
      });
      void this.exit.then(({ code, signal }) =>
        resolve({
          ok: false,
          error: {
            errorType: 'Runtime.ExitError',
            errorMessage: `Runtime exited during init with error: ${exitDescription(code, signal)}`,
          },
        }),
      );
    });
  }

  /** False once the process has exited. */
  get running(): boolean {
    return this.alive;
  }

  /** Sends one invocation; resolves with its result, or with the process's exit. */
  invoke(message: InvokeMessage): Promise<HandlerProcessOutcome> {
    const result = new Promise<HandlerProcessOutcome>((resolve) => {
      this.onResult = (outcome) => {
        this.onResult = undefined;
        resolve(outcome);
      };
    });
    this.child.send(message);
    return Promise.race([result, this.exit]);
  }

  /** Ends the process at once (a timeout, a reset, a shutdown); resolves once it is gone. */
  async kill(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exit;
  }
}

/** `exit status 1` or `signal: killed`, as Lambda describes a runtime's exit. */
export function exitDescription(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal === 'SIGKILL') return 'signal: killed';
  if (signal) return `signal: ${signal}`;
  return `exit status ${code ?? 0}`;
}
