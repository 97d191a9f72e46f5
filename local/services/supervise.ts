/**
 * Brings back local services that die while a long run uses them: a crashed moto or broker
 * would otherwise fail every later test file after its full hook timeout (a CI run that lost
 * moto took 53 minutes to fail). Each restart is reported loudly, and stopping returns the
 * services restarted so the caller can fail the run: the crash is still a finding to chase,
 * in the service's log, and a restarted service has lost what it held (moto reloads its last
 * clean-stop state, ElasticMQ its queues without their messages).
 */
import { servicesUp } from './stack';

export interface SuperviseOptions {
  /** How often the services' health is checked. Default 30 s. */
  readonly everyMs?: number;
  /** Told about each service that was found dead and started again, or could not be. */
  readonly report: (message: string) => void;
}

/**
 * Checks every default service (not the opt-in LocalStack) at an interval and starts any that
 * is not running; returns a function that stops supervising (and waits for a check under way)
 * and resolves with the names of the services it restarted, in order.
 *
 * @example
 * ```ts
 * const stop = superviseServices({ report: (message) => console.error(message) });
 * // ... the run ...
 * const restarted = await stop();
 * if (restarted.length > 0) throw new Error(`restarted during the run: ${restarted.join(', ')}`);
 * ```
 */
export function superviseServices(options: SuperviseOptions): () => Promise<string[]> {
  const everyMs = options.everyMs ?? 30_000;
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> = Promise.resolve();
  const restarted: string[] = [];

  const check = async (): Promise<void> => {
    try {
      const results = await servicesUp([], { progress: () => undefined });
      for (const result of results.filter((r) => r.outcome === 'started')) {
        restarted.push(result.name);
        options.report(
          `${result.name} was not running and was started again (pid ${result.pid}): see its log`,
        );
      }
    } catch (error) {
      options.report(
        `could not bring services back: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  };
  const schedule = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = check().finally(schedule);
    }, everyMs);
    timer.unref();
  };
  schedule();
  return async () => {
    stopped = true;
    clearTimeout(timer);
    await running;
    // One last look: a service that died since the last check would otherwise go unnoticed.
    await check();
    return [...restarted];
  };
}
