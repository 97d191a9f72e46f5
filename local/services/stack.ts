import {
  type DownResult,
  downService,
  type LifecycleOptions,
  type ServiceStatus,
  serviceStatus,
  type UpResult,
  upService,
} from './lifecycle';
import { cacheDir } from './paths';
import { selectServices } from './registry';
import type { ServiceDefinition } from './service';

export type { DownResult, ServiceStatus, UpResult } from './lifecycle';

/** Options of servicesUp/servicesDown/servicesStatus; all optional. */
export interface StackOptions {
  /** Progress lines; by default printed as `[name] message` on stderr. */
  readonly progress?: (name: string, message: string) => void;
  /** Per-service wait for health after start; 90 s by default. */
  readonly healthTimeoutMs?: number;
}

function printProgress(name: string, message: string): void {
  process.stderr.write(`[${name}] ${message}\n`);
}

function lifecycleOptions(options: StackOptions): LifecycleOptions {
  return {
    cacheDir: cacheDir(),
    progress: options.progress ?? printProgress,
    healthTimeoutMs: options.healthTimeoutMs ?? 90_000,
  };
}

/** Runs `op` on every service in parallel; one error naming each failed service. */
async function eachService<T>(
  defs: readonly ServiceDefinition[],
  op: (def: ServiceDefinition) => Promise<T>,
  verb: string,
): Promise<T[]> {
  const settled = await Promise.allSettled(defs.map(op));
  const failures = settled.flatMap((result, i) =>
    result.status === 'rejected'
      ? [
          `${defs[i]?.name}: ${result.reason instanceof Error ? result.reason.message : String(result.reason)}`,
        ]
      : [],
  );
  if (failures.length > 0) throw new Error(`could not ${verb}:\n${failures.join('\n')}`);
  return settled.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

/**
 * Starts the named services (all but the opt-in LocalStack when none are named), in parallel, and waits until each
 * answers its health check. Idempotent: healthy services, including ones something else
 * started on the same port, are left alone. Throws when any service cannot be brought up,
 * after the others have finished.
 */
export function servicesUp(
  names: readonly string[] = [],
  options: StackOptions = {},
): Promise<UpResult[]> {
  const settings = lifecycleOptions(options);
  return eachService(selectServices(names, false), (def) => upService(def, settings), 'start');
}

/** Stops the named services (all when none are named) that this checkout started. */
export function servicesDown(
  names: readonly string[] = [],
  options: StackOptions = {},
): Promise<DownResult[]> {
  const settings = lifecycleOptions(options);
  return eachService(selectServices(names), (def) => downService(def, settings), 'stop');
}

/** State, pid, ports, memory and log file of every service. */
export function servicesStatus(options: StackOptions = {}): Promise<ServiceStatus[]> {
  const settings = lifecycleOptions(options);
  return eachService(selectServices(), (def) => serviceStatus(def, settings), 'read the status of');
}
