/**
 * One execution environment as LocalStack sees it: reports ready once the handler's init
 * phase ended, runs each invocation in the handler process with the function's timeout, and
 * reports the invocation's Lambda-style logs and then its response or error. A timeout kills
 * the handler process (reported as `Sandbox.Timedout`) and starts a fresh one, as Lambda
 * resets the environment; so does a handler process that dies.
 */
import { exitDescription, HandlerProcess } from './handler-process';
import type { InvokeMessage } from './ipc-messages';
import { endLine, reportLine, startLine, timeoutMessage } from './log-format';
import { OutputCollector } from './output-collector';
import {
  callbackUrls,
  type ErrorDocument,
  type InvokeRequest,
  type RuntimeEndpoint,
} from './protocol';

export interface SupervisorSettings {
  readonly endpoint: RuntimeEndpoint;
  /** The bundled handler-process program. */
  readonly runtimeScript: string;
  /** ES modules the handler process loads first (the `localhost` resolver). */
  readonly preload: readonly string[];
  readonly taskRoot: string;
  /** The environment of the handler process: the function's, as LocalStack composed it. */
  readonly env: NodeJS.ProcessEnv;
  readonly timeoutSeconds: number;
  readonly memorySizeMiB: number;
  readonly functionVersion: string;
  /** POSTs a callback to LocalStack (protocol.ts `postCallback`, or a test double). */
  readonly post: (url: string, body: string) => Promise<void>;
  /** Every log line also goes here (the environment's own log file). */
  readonly echo: (line: string) => void;
}

/** The handler's heap ceiling: 90 % of the memory setting, the rest for the process itself. */
export function heapCeilingMiB(memorySizeMiB: number): number {
  return Math.max(16, Math.floor(memorySizeMiB * 0.9));
}

/** What the supervisor reports to LocalStack for one invocation: the response, or an error. */
type InvocationReply =
  | { readonly kind: 'response'; readonly body: string }
  | {
      readonly kind: 'error';
      readonly error: ErrorDocument;
      readonly status?: 'timeout' | 'error';
    };

export class Supervisor {
  private readonly output: OutputCollector;
  private handlerProcess: HandlerProcess | undefined;
  /** The init duration to report with the next invocation (first one after a start). */
  private pendingInitMs: number | undefined;
  private busy = false;

  /**
   * @example
   * ```ts
   * const supervisor = new Supervisor({ endpoint, runtimeScript, preload: [], taskRoot, env, timeoutSeconds: 3,
   *   memorySizeMiB: 128, functionVersion: '$LATEST', post: postCallback, echo: console.log });
   * await supervisor.start();        // POSTs …/status/<id>/ready
   * await supervisor.invoke(request); // POSTs …/logs, then …/response or …/error
   * ```
   */
  constructor(private readonly settings: SupervisorSettings) {
    this.output = new OutputCollector(settings.echo);
  }

  /** Starts the handler process and reports ready, or the init error as a startup error. */
  async start(): Promise<void> {
    const init = await this.handler().init;
    const { endpoint, post } = this.settings;
    if (init.ok) {
      this.pendingInitMs = init.initDurationMs;
      await post(callbackUrls.ready(endpoint), '');
    } else {
      await post(callbackUrls.startupError(endpoint), JSON.stringify(init.error));
    }
  }

  /** Runs one invocation and reports it; throws if one is already running. */
  async invoke(request: InvokeRequest): Promise<void> {
    if (this.busy) throw new Error('an invocation is already running in this environment');
    this.busy = true;
    const requestId = request['invoke-id'];
    const { timeoutSeconds, endpoint, post } = this.settings;
    const began = performance.now();
    const deadlineMs = Date.now() + timeoutSeconds * 1000;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutSeconds * 1000);
    });
    try {
      const handlerProcess = this.handler();
      this.output.add(startLine(requestId, this.settings.functionVersion));
      const outcome = await this.run(handlerProcess, request, deadlineMs, timedOut);
      const initDurationMs = this.pendingInitMs;
      this.pendingInitMs = undefined;
      if (outcome.kind === 'error' && outcome.status === 'timeout') {
        this.output.add(timeoutMessage(requestId, timeoutSeconds));
      }
      this.output.add(endLine(requestId));
      this.output.add(
        reportLine({
          requestId,
          durationMs: performance.now() - began,
          memorySizeMiB: this.settings.memorySizeMiB,
          maxMemoryUsedMiB: this.maxMemoryUsedMiB,
          ...(initDurationMs === undefined ? {} : { initDurationMs }),
          ...(outcome.kind === 'error' && outcome.status ? { status: outcome.status } : {}),
        }),
      );
      await post(
        callbackUrls.logs(endpoint, requestId),
        JSON.stringify({ logs: this.output.take() }),
      );
      if (outcome.kind === 'response') {
        await post(callbackUrls.response(endpoint, requestId), outcome.body);
      } else {
        await post(callbackUrls.error(endpoint, requestId), JSON.stringify(outcome.error));
      }
    } finally {
      clearTimeout(timer);
      this.busy = false;
    }
  }

  /** Ends the handler process. */
  async stop(): Promise<void> {
    await this.handlerProcess?.kill();
  }

  private maxMemoryUsedMiB: number | undefined;

  private async run(
    handlerProcess: HandlerProcess,
    request: InvokeRequest,
    deadlineMs: number,
    timedOut: Promise<'timeout'>,
  ): Promise<InvocationReply> {
    const requestId = request['invoke-id'];
    const timeout = async (): Promise<InvocationReply> => {
      await this.reset(handlerProcess);
      return {
        kind: 'error',
        status: 'timeout',
        error: {
          errorType: 'Sandbox.Timedout',
          errorMessage: timeoutMessage(requestId, this.settings.timeoutSeconds),
        },
      };
    };
    // A handler process started for this invocation (after a reset) initialises inside it.
    const init = await Promise.race([handlerProcess.init, timedOut]);
    if (init === 'timeout') return timeout();
    if (!init.ok) {
      await this.reset(handlerProcess, false);
      return { kind: 'error', status: 'error', error: init.error };
    }
    const message: InvokeMessage = {
      type: 'invoke',
      requestId,
      invokedFunctionArn: request['invoked-function-arn'],
      payload: request.payload,
      traceId: request['trace-id'],
      deadlineMs,
    };
    const outcome = await Promise.race([handlerProcess.invoke(message), timedOut]);
    if (outcome === 'timeout') return timeout();
    if (outcome.kind === 'exit') {
      this.handlerProcess = undefined; // the next invocation starts a new one
      return {
        kind: 'error',
        status: 'error',
        error: {
          errorType: 'Runtime.ExitError',
          errorMessage: `RequestId: ${requestId} Error: Runtime exited with error: ${exitDescription(outcome.code, outcome.signal)}`,
        },
      };
    }
    await this.output.settled(requestId, 1_000);
    const { result } = outcome;
    this.maxMemoryUsedMiB = Math.ceil(result.maxRssKiB / 1024);
    if (result.error) return { kind: 'error', error: result.error };
    return { kind: 'response', body: result.body ?? 'null' };
  }

  /** Kills a handler process; with `restart`, starts its successor at once (a warm init). */
  private async reset(handlerProcess: HandlerProcess, restart = true): Promise<void> {
    await handlerProcess.kill();
    if (this.handlerProcess === handlerProcess) this.handlerProcess = undefined;
    if (restart) this.handler();
  }

  /** The running handler process, or a new one. */
  private handler(): HandlerProcess {
    if (this.handlerProcess?.running) return this.handlerProcess;
    const { runtimeScript, taskRoot, env, memorySizeMiB } = this.settings;
    const handlerProcess = new HandlerProcess({
      script: runtimeScript,
      cwd: taskRoot,
      env,
      heapMiB: heapCeilingMiB(memorySizeMiB),
      preload: this.settings.preload,
      output: this.output,
    });
    this.handlerProcess = handlerProcess;
    void handlerProcess.init.then((init) => {
      if (init.ok && this.handlerProcess === handlerProcess)
        this.pendingInitMs = init.initDurationMs;
    });
    return handlerProcess;
  }
}
