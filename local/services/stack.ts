/**
 * Brings the local services up and down, idempotently: a healthy service (ours or anyone's
 * on that port) is left alone; a port held by something that does not answer the health
 * check fails at once with a clear error.
 */
import { mkdir } from 'node:fs/promises';
import { cacheDir, servicePaths } from './paths';
import { isRecordedProcessAlive, readPidFile, removePidFile, writePidFile } from './pid-file';
import { isPortFree, portOwnerPid } from './ports';
import { residentBytes, stopProcess } from './processes';
import { selectServices } from './registry';
import type { ServiceContext, ServiceDefinition } from './service';
import { answersWithin, sleep } from './wait';

/** How long a started service may take to answer its health check. */
export const HEALTH_TIMEOUT_MS = 90_000;

export interface ServiceStatus {
  name: string;
  state: 'healthy' | 'starting' | 'stopped' | 'unhealthy';
  pid?: number;
  ports: readonly number[];
  rssMiB?: number;
  logFile: string;
  /** True when the running instance was not started by this stack. */
  external: boolean;
}

function contextOf(service: ServiceDefinition, progress: (line: string) => void): ServiceContext {
  const paths = servicePaths(service.name);
  return {
    cacheDir: cacheDir(),
    stateDir: paths.stateDir,
    logFile: paths.logFile,
    progress: (message) => progress(`${service.name}: ${message}`),
  };
}

async function isHealthy(service: ServiceDefinition, ctx: ServiceContext): Promise<boolean> {
  return answersWithin(() => service.healthy(ctx), 3_000);
}

/**
 * Installs (sequentially: Maven's cache is not safe for parallel writers) and starts (in
 * parallel) the named services, or all; resolves when every one is healthy.
 *
 * @example
 * ```ts
 * await servicesUp(['sqs', 'moto']);
 * ```
 */
export async function servicesUp(
  names: readonly string[] = [],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  const services = selectServices(names);
  const toStart: ServiceDefinition[] = [];
  for (const service of services) {
    const ctx = contextOf(service, progress);
    await mkdir(ctx.stateDir, { recursive: true });
    if (await isHealthy(service, ctx)) {
      progress(`${service.name}: already healthy`);
      continue;
    }
    for (const port of service.ports) {
      if (!(await isPortFree(port))) {
        const owner = await portOwnerPid(port);
        throw new Error(
          `${service.name}: port ${port} is taken${owner ? ` by pid ${owner}` : ''} and does not answer as ${service.name}; stop that process or free the port`,
        );
      }
    }
    await service.install(ctx);
    toStart.push(service);
  }
  await Promise.all(
    toStart.map(async (service) => {
      const ctx = contextOf(service, progress);
      const started = Date.now();
      const pid = await service.start(ctx);
      await writePidFile(servicePaths(service.name).pidFile, pid);
      progress(`${service.name}: started (pid ${pid}), waiting for health…`);
      while (!(await isHealthy(service, ctx))) {
        const record = await readPidFile(servicePaths(service.name).pidFile);
        if (record && !(await isRecordedProcessAlive(record))) {
          throw new Error(`${service.name}: exited during start; see ${ctx.logFile}`);
        }
        if (Date.now() - started > HEALTH_TIMEOUT_MS) {
          throw new Error(
            `${service.name}: not healthy after ${HEALTH_TIMEOUT_MS / 1000} s; see ${ctx.logFile}`,
          );
        }
        await sleep(500);
      }
      progress(`${service.name}: healthy in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    }),
  );
}

/** Stops the named services (or all) that this stack started, by pid. */
export async function servicesDown(
  names: readonly string[] = [],
  progress: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): Promise<void> {
  await Promise.all(
    selectServices(names).map(async (service) => {
      const { pidFile } = servicePaths(service.name);
      const record = await readPidFile(pidFile);
      if (!record) {
        progress(`${service.name}: not started here`);
        return;
      }
      const how = await stopProcess(record);
      await removePidFile(pidFile);
      progress(`${service.name}: ${how}`);
    }),
  );
}

/** The state of every service, for the status table. */
export async function servicesStatus(): Promise<ServiceStatus[]> {
  return Promise.all(
    selectServices().map(async (service): Promise<ServiceStatus> => {
      const ctx = contextOf(service, () => undefined);
      const record = await readPidFile(servicePaths(service.name).pidFile);
      const ours = record !== undefined && (await isRecordedProcessAlive(record));
      const healthy = await isHealthy(service, ctx);
      const pid = ours ? record?.pid : await portOwnerPid(service.ports[0] as number);
      const rss = pid === undefined ? undefined : await residentBytes(pid);
      return {
        name: service.name,
        state: healthy
          ? 'healthy'
          : ours
            ? 'starting'
            : pid === undefined
              ? 'stopped'
              : 'unhealthy',
        ...(pid !== undefined ? { pid } : {}),
        ports: service.ports,
        ...(rss !== undefined ? { rssMiB: Math.round(rss / 1_048_576) } : {}),
        logFile: ctx.logFile,
        external: healthy && !ours,
      };
    }),
  );
}
