/**
 * Lambda's bill for the handlers run in-process: each invocation's duration, measured around
 * the handler call and rounded up to the millisecond as Lambda bills it, times the memory the
 * function is configured with (the CDK stacks' values for the default stage). The handler runs
 * inside an AsyncLocalStorage scope naming its function, so the request meter and the log
 * meter know whose requests and lines they see.
 *
 * On Lambda each invocation has an environment of its own and DynamoDB serves requests in
 * parallel; here every handler shares one process, two cores and a moto that serves one
 * request at a time (local/services/moto/serve.py), so invocations running side by side would
 * each measure the others' work. By default the meter therefore runs invocations one at a
 * time (`alone`): a duration is the invocation's own work — its jobs still run side by side
 * within it, against local services slower than AWS's — and the time spent waiting for the
 * turn is not billed. `concurrent` measures them as they overlap: an upper bound that grows
 * with the machine's load.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type { JobName } from '../../functions/topology/topology';
import { defaultStageConfig } from '../../infra/config/defaults';

/** Memory the CDK stacks give a job's worker without an override (infra/constructs/job-worker.ts). */
const WORKER_DEFAULT_MIB = 512;
/** The replay function's memory (infra/stacks/pipeline-stack.ts). */
const REPLAY_MIB = 512;

/**
 * @example
 * ```ts
 * configuredMemoryMiB('router'); // 1024 with the default stage
 * ```
 */
export function configuredMemoryMiB(fn: 'router' | 'replay' | JobName, stage = 'dev'): number {
  const config = defaultStageConfig(stage);
  if (fn === 'router') return config.router.memoryMiB;
  if (fn === 'replay') return REPLAY_MIB;
  return config.jobs[fn]?.memoryMiB ?? WORKER_DEFAULT_MIB;
}

export interface FunctionUsage {
  readonly fn: string;
  readonly memoryMiB: number;
  invocations: number;
  billedMs: number;
  gbSeconds: number;
}

/** How invocations are measured: one at a time (their own work) or as they overlap. */
export type InvocationTiming = 'alone' | 'concurrent';

export class LambdaMeter {
  readonly scope = new AsyncLocalStorage<string>();
  private readonly usage = new Map<string, FunctionUsage>();
  /** Settles when the invocation running alone ends; the next one waits for it. */
  private turn: Promise<void> = Promise.resolve();

  constructor(readonly timing: InvocationTiming = 'alone') {}

  /**
   * @example
   * ```ts
   * const router = lambda.wrap('router', 1024, handlers.router);
   * ```
   */
  wrap<E, R>(fn: string, memoryMiB: number, handler: (event: E) => Promise<R>) {
    const usage: FunctionUsage = { fn, memoryMiB, invocations: 0, billedMs: 0, gbSeconds: 0 };
    this.usage.set(fn, usage);
    const measured = (event: E): Promise<R> =>
      this.scope.run(fn, async () => {
        const started = performance.now();
        try {
          return await handler(event);
        } finally {
          const billedMs = Math.ceil(performance.now() - started);
          usage.invocations += 1;
          usage.billedMs += billedMs;
          usage.gbSeconds += (memoryMiB / 1024) * (billedMs / 1000);
        }
      });
    if (this.timing === 'concurrent') return measured;
    return (event: E): Promise<R> => {
      const result = this.turn.then(() => measured(event));
      this.turn = result.then(
        () => undefined,
        () => undefined,
      );
      return result;
    };
  }

  functions(): FunctionUsage[] {
    return [...this.usage.values()];
  }
}
