import { existsSync } from 'node:fs';
import { mkdir, readFile, rename } from 'node:fs/promises';
import { servicePaths } from './paths';
import {
  isRecordedProcessAlive,
  type PidRecord,
  readPidFile,
  removePidFile,
  writePidFile,
} from './pid-file';
import { isPortFree, portOwnerPid, processCommandLine } from './ports';
import { residentBytes, stopProcess } from './processes';
import type { ServiceContext, ServiceDefinition } from './service';
import { answersWithin, sleep } from './wait';

// One install at a time across services: the Maven-based installers share one local
// repository, which is not safe for concurrent writers. Starts still overlap installs.
let installQueue: Promise<unknown> = Promise.resolve();

function queueInstall(def: ServiceDefinition, ctx: ServiceContext): Promise<void> {
  const run = installQueue.then(() => def.install(ctx));
  installQueue = run.catch(() => undefined);
  return run;
}

/** The service's own health check, bounded in case it has no timeout of its own. */
function isHealthy(def: ServiceDefinition, ctx: ServiceContext): Promise<boolean> {
  return answersWithin(() => def.healthy(ctx), 6_000);
}

/** How `up` left one service. */
export interface UpResult {
  readonly name: string;
  /** started: by this call; running: already ours and healthy; external: healthy, not ours. */
  readonly outcome: 'started' | 'running' | 'external';
  readonly pid: number | undefined;
  readonly seconds: number;
}

/** How `down` left one service. */
export interface DownResult {
  readonly name: string;
  readonly outcome: 'terminated' | 'killed' | 'not-running' | 'external-left-alone';
  readonly pid: number | undefined;
}

/** One row of the status table. */
export interface ServiceStatus {
  readonly name: string;
  /** running: ours and healthy; external: healthy, not started by us; unhealthy: ours, no answer. */
  readonly state: 'running' | 'external' | 'unhealthy' | 'stopped';
  readonly pid: number | undefined;
  readonly ports: readonly number[];
  readonly rssBytes: number | undefined;
  /** The enforced memory ceiling: a JVM's heap, moto's address space; undefined: none. */
  readonly memoryLimitMiB: number | undefined;
  readonly logFile: string;
}

/** Settings shared by the lifecycle operations. */
export interface LifecycleOptions {
  readonly cacheDir: string;
  readonly progress: (name: string, message: string) => void;
  /** How long `up` waits for a started service to answer its health check. */
  readonly healthTimeoutMs: number;
}

async function contextFor(
  def: ServiceDefinition,
  options: LifecycleOptions,
): Promise<ServiceContext> {
  const paths = servicePaths(def.name);
  await mkdir(paths.stateDir, { recursive: true });
  return {
    cacheDir: options.cacheDir,
    stateDir: paths.stateDir,
    logFile: paths.logFile,
    progress: (message) => options.progress(def.name, message),
  };
}

async function logTail(logFile: string, lines = 15): Promise<string> {
  const text = await readFile(logFile, 'utf8').catch(() => '');
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

async function ownLiveProcess(pidFile: string): Promise<PidRecord | undefined> {
  const record = await readPidFile(pidFile);
  if (record === undefined) return undefined;
  if (await isRecordedProcessAlive(record)) return record;
  await removePidFile(pidFile); // stale: the process is gone
  return undefined;
}

/** Fails at once, naming the culprit, when a port is taken by something that is not healthy. */
async function assertPortsFree(def: ServiceDefinition): Promise<void> {
  for (const port of def.ports) {
    if (await isPortFree(port)) continue;
    const owner = await portOwnerPid(port);
    const who = owner ? `pid ${owner} (${await processCommandLine(owner)})` : 'another process';
    throw new Error(
      `port ${port} is taken by ${who}, which does not answer as ${def.name}: stop it or free the port`,
    );
  }
}

/** Polls the health check until it passes; fails early if the process dies. */
async function waitHealthy(
  def: ServiceDefinition,
  ctx: ServiceContext,
  record: PidRecord,
  timeoutMs: number,
): Promise<void> {
  const started = Date.now();
  let nextReport = started + 5_000;
  while (!(await isHealthy(def, ctx))) {
    if (!(await isRecordedProcessAlive(record))) {
      throw new Error(
        `exited before becoming healthy; ${ctx.logFile} ends with:\n${await logTail(ctx.logFile)}`,
      );
    }
    const now = Date.now();
    if (now - started > timeoutMs) {
      throw new Error(
        `pid ${record.pid} not healthy after ${timeoutMs / 1000} s; ${ctx.logFile} ends with:\n${await logTail(ctx.logFile)}`,
      );
    }
    if (now >= nextReport) {
      ctx.progress(`waiting for health (${Math.round((now - started) / 1000)} s)`);
      nextReport = now + 5_000;
    }
    await sleep(500);
  }
}

/**
 * Brings one service up: leaves a healthy one alone (ours or someone else's), waits for one
 * of ours that is still starting, otherwise checks its ports, installs, starts and waits for
 * health. A service that does not become healthy in time is stopped again.
 */
export async function upService(
  def: ServiceDefinition,
  options: LifecycleOptions,
): Promise<UpResult> {
  const began = Date.now();
  const seconds = () => (Date.now() - began) / 1000;
  const ctx = await contextFor(def, options);
  const { pidFile, logFile } = servicePaths(def.name);
  const own = await ownLiveProcess(pidFile);
  if (await isHealthy(def, ctx)) {
    if (own === undefined) ctx.progress('already answering (not started by sluice): left alone');
    return {
      name: def.name,
      outcome: own ? 'running' : 'external',
      pid: own?.pid,
      seconds: seconds(),
    };
  }
  if (own !== undefined) {
    ctx.progress(`pid ${own.pid} is running but not healthy yet: waiting`);
    await waitHealthy(def, ctx, own, options.healthTimeoutMs);
    return { name: def.name, outcome: 'running', pid: own.pid, seconds: seconds() };
  }
  await assertPortsFree(def);
  await queueInstall(def, ctx);
  if (existsSync(logFile)) await rename(logFile, `${logFile}.1`); // keep one previous run
  const pid = await def.start(ctx);
  await writePidFile(pidFile, pid);
  const record = (await readPidFile(pidFile)) ?? { pid, startTicks: undefined };
  ctx.progress(`started pid ${pid}, log ${logFile}`);
  try {
    await waitHealthy(def, ctx, record, options.healthTimeoutMs);
  } catch (error) {
    await stopProcess(record, 5_000);
    await removePidFile(pidFile);
    throw error;
  }
  ctx.progress(`healthy after ${seconds().toFixed(1)} s`);
  return { name: def.name, outcome: 'started', pid, seconds: seconds() };
}

/**
 * Stops one service that this checkout started (SIGTERM, then SIGKILL after a grace period).
 * A healthy service without our pid file belongs to someone else and is left alone.
 */
export async function downService(
  def: ServiceDefinition,
  options: LifecycleOptions,
): Promise<DownResult> {
  const ctx = await contextFor(def, options);
  const { pidFile } = servicePaths(def.name);
  const record = await readPidFile(pidFile);
  if (record === undefined) {
    const external = await isHealthy(def, ctx);
    return {
      name: def.name,
      outcome: external ? 'external-left-alone' : 'not-running',
      pid: undefined,
    };
  }
  const outcome = await stopProcess(record);
  await removePidFile(pidFile);
  return { name: def.name, outcome, pid: record.pid };
}

/** Reports one service's state, pid, memory and log file. */
export async function serviceStatus(
  def: ServiceDefinition,
  options: LifecycleOptions,
): Promise<ServiceStatus> {
  const ctx = await contextFor(def, options);
  const { pidFile, logFile } = servicePaths(def.name);
  const own = await ownLiveProcess(pidFile);
  const healthy = await isHealthy(def, ctx);
  const firstPort = def.ports[0];
  const pid =
    own?.pid ?? (healthy && firstPort !== undefined ? await portOwnerPid(firstPort) : undefined);
  const state = own ? (healthy ? 'running' : 'unhealthy') : healthy ? 'external' : 'stopped';
  return {
    name: def.name,
    state,
    pid,
    ports: def.ports,
    rssBytes: pid === undefined ? undefined : await residentBytes(pid),
    memoryLimitMiB: def.memoryLimitMiB,
    logFile,
  };
}
