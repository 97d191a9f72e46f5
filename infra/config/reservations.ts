/**
 * Who reserves how much concurrency in a stage, from its configuration alone: what the
 * stacks set and what `sluice preflight` compares with the account's quota.
 */
import type { JobName } from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import type { JobOverrides, StageConfig } from './schema';

/** A job's SQS mapping cap and its function's reservation (undefined: none). */
export interface JobConcurrency {
  /** Undefined in provisioned mode (pollers instead of a cap). */
  readonly maxConcurrency?: number;
  readonly reserved?: number;
}

/**
 * The job's mapping cap and reservation: by default the reservation equals the cap (the
 * smallest one the throttling-trap guard accepts); provisioned mode has no cap, so no default
 * reservation.
 *
 * @example
 * ```ts
 * jobConcurrency('audit', { maxConcurrency: 4 }, true); // { maxConcurrency: 4, reserved: 4 }
 * ```
 */
export function jobConcurrency(
  job: JobName,
  overrides: JobOverrides,
  reserveConcurrency: boolean,
): JobConcurrency {
  const maxConcurrency = overrides.pollers
    ? undefined
    : (overrides.maxConcurrency ?? JOBS[job].settings.maxConcurrency);
  const reserved =
    overrides.reservedConcurrency === undefined
      ? (maxConcurrency ?? null)
      : overrides.reservedConcurrency;
  return {
    ...(maxConcurrency !== undefined ? { maxConcurrency } : {}),
    ...(reserveConcurrency && reserved !== null ? { reserved } : {}),
  };
}

/**
 * The replay function's reservation: its own setting, else its mapping's cap.
 *
 * @example
 * ```ts
 * replayReservation(defaultStageConfig('dev')); // 2
 * ```
 */
export function replayReservation(config: StageConfig): number | undefined {
  const own = config.replay.reservedConcurrency;
  const value = own === undefined ? config.replay.maxConcurrency : own;
  return config.reserveConcurrency && value !== null ? value : undefined;
}

/**
 * The router's reservation (none unless set).
 *
 * @example
 * ```ts
 * routerReservation(defaultStageConfig('dev')); // undefined
 * ```
 */
export function routerReservation(config: StageConfig): number | undefined {
  const value = config.router.reservedConcurrency;
  return config.reserveConcurrency && value !== null ? value : undefined;
}

/**
 * Every reservation of the stage by function (logical name), and their sum.
 *
 * @example
 * ```ts
 * stageReservations(defaultStageConfig('dev')).total; // 47
 * ```
 */
export function stageReservations(config: StageConfig): {
  readonly byFunction: Readonly<Record<string, number>>;
  readonly total: number;
} {
  const byFunction: Record<string, number> = {};
  const router = routerReservation(config);
  if (router !== undefined) byFunction.router = router;
  const replay = replayReservation(config);
  if (replay !== undefined) byFunction.replay = replay;
  for (const job of JOB_NAMES) {
    const { reserved } = jobConcurrency(job, config.jobs[job] ?? {}, config.reserveConcurrency);
    if (reserved !== undefined) byFunction[`job-${job}`] = reserved;
  }
  const total = Object.values(byFunction).reduce((sum, n) => sum + n, 0);
  return { byFunction, total };
}
