/**
 * The faults the chaos suite injects into the local services: a process killed without
 * warning and started again, a process frozen (SIGSTOP) and thawed (SIGCONT), a clean
 * restart. Each acts on the process group recorded in the service's pid file, so helpers
 * a service forked share its fate, as they would in a real outage.
 */
import { servicePaths } from '../services/paths';
import { readPidFile } from '../services/pid-file';
import { servicesDown, servicesUp } from '../services/stack';

/** A service of the local stack, as `npm run services` names it. */
export type ServiceName = 'kafka' | 'sqs' | 'moto' | 'opensearch';

async function pidOf(service: ServiceName): Promise<number> {
  const record = await readPidFile(servicePaths(service).pidFile);
  if (!record) throw new Error(`${service} was not started by sluice: no pid file to act on`);
  return record.pid;
}

function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    process.kill(pid, signal);
  }
}

async function gone(pid: number): Promise<void> {
  for (;;) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(100);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

const quiet = { progress: () => undefined };

/**
 * SIGKILL, down for `downMs`, then started again (and healthy): a crash and a restart.
 *
 * @example
 * ```ts
 * await crashAndRestart('opensearch', 20_000);
 * ```
 */
export async function crashAndRestart(service: ServiceName, downMs: number): Promise<void> {
  const pid = await pidOf(service);
  signalGroup(pid, 'SIGKILL');
  await gone(pid);
  await sleep(downMs);
  await servicesUp([service], quiet);
}

/**
 * A clean restart (SIGTERM, then start): what `npm run services -- down/up` does. Services
 * that keep state across restarts (ElasticMQ, moto) keep it through this.
 *
 * @example
 * ```ts
 * await restart('sqs', 5_000);
 * ```
 */
export async function restart(service: ServiceName, downMs: number): Promise<void> {
  await servicesDown([service], quiet);
  await sleep(downMs);
  await servicesUp([service], quiet);
}

/**
 * Freezes the service for `pausedMs` (SIGSTOP), then lets it go on (SIGCONT): requests hang
 * instead of failing, as with a stalled host or a long garbage collection.
 *
 * @example
 * ```ts
 * await freeze('moto', 20_000);
 * ```
 */
export async function freeze(service: ServiceName, pausedMs: number): Promise<void> {
  const pid = await pidOf(service);
  signalGroup(pid, 'SIGSTOP');
  try {
    await sleep(pausedMs);
  } finally {
    signalGroup(pid, 'SIGCONT');
  }
}
