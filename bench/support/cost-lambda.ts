/**
 * Lambda's bill for the handlers run in-process: each invocation's duration, measured around
 * the handler call and rounded up to the millisecond as Lambda bills it, times the memory the
 * function is configured with (the CDK stacks' values for the default stage). The handler runs
 * inside an AsyncLocalStorage scope naming its function, so the request meter and the log
 * meter know whose requests and lines they see.
 *
 * In-process durations on a shared machine include waiting for the CPU while other handlers
 * run: GB-seconds measured here are an upper bound of what Lambda, one environment per
 * invocation, would bill.
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

export class LambdaMeter {
  readonly scope = new AsyncLocalStorage<string>();
  private readonly usage = new Map<string, FunctionUsage>();

  /**
   * @example
   * ```ts
   * const router = lambda.wrap('router', 1024, handlers.router);
   * ```
   */
  wrap<E, R>(fn: string, memoryMiB: number, handler: (event: E) => Promise<R>) {
    const usage: FunctionUsage = { fn, memoryMiB, invocations: 0, billedMs: 0, gbSeconds: 0 };
    this.usage.set(fn, usage);
    return (event: E): Promise<R> =>
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
  }

  functions(): FunctionUsage[] {
    return [...this.usage.values()];
  }
}
