/**
 * Runs one SQS batch of a job: prepare each delivery, run the job (one at a time per
 * delivery, or the whole chunk at once for a batch job) under the container's AIMD limit,
 * settle each result, then put failed deliveries back with their backoff
 * (ChangeMessageVisibilityBatch) and report them in batchItemFailures.
 *
 * A batch job with a `load` phase (reads and preparation, no effects) has it overlap other
 * I/O: a chunk's load runs while its deliveries are prepared (claims, records), and the next
 * chunk's load — its records read only then — while this chunk's request is out. Chunks
 * still run — write — one at a time, in order (schedule.ts).
 *
 * When a job meets throttling, deliveries not yet started are not attempted: they return
 * with a backoff and no attempt is counted (a load already done for them is dropped).
 */
import type { SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { describeError } from '../../shared/errors';
import { beforeDeadline } from './deadline';
import { type Delivery, readDelivery } from './delivery';
import type { Executor, Loaded, Loader } from './executors';
import type { JobDeps } from './job-deps';
import { JobMetrics } from './job-metrics';
import { settlePacks, UnpackedBatch } from './job-packs';
import { prepare } from './prepare';
import { retryDelaySeconds } from './retry-schedule';
import type { BatchRun, Prepared, Ready, Settlement } from './run-types';
import { scheduleChunks, scheduleSingles, type UnitRunner } from './schedule';
import { settleJob } from './settle-job';
import { changeVisibility } from './visibility';

/**
 * @example
 * ```ts
 * const response = await runJobBatch(event, deps, singleExecutor(async ({ event }) => index(event)));
 * ```
 */
export async function runJobBatch(
  event: SQSEvent,
  deps: JobDeps,
  execute: Executor,
  load?: Loader,
  remainingMs?: () => number,
): Promise<SQSBatchResponse> {
  const unpacked = new UnpackedBatch(event, deps.log);
  const batch = new JobBatch(unpacked, deps, execute, load, remainingMs);
  const units: UnitRunner = {
    has: (i) => unpacked.has(i),
    read: (i) => batch.read(i),
    runUnit: (deliveries, loading, running) => batch.runUnit(deliveries, loading, running),
    startLoad: (deliveries) => batch.startLoad(deliveries),
    overlap: load !== undefined,
    remainingMs,
  };
  if (deps.definition.batch) await scheduleChunks(deps, batch.run, units);
  else await scheduleSingles(deps, batch.run, units);
  return batch.finish();
}

/** One SQS batch as it runs: its deliveries, how each was settled, the batch's shared state. */
class JobBatch {
  readonly run: BatchRun;
  /** Per record, in order; undefined until the record's delivery is settled. */
  readonly #settlements: Array<Settlement | undefined> = [];

  constructor(
    private readonly unpacked: UnpackedBatch,
    private readonly deps: JobDeps,
    private readonly execute: Executor,
    private readonly load: Loader | undefined,
    private readonly remainingMs: (() => number) | undefined,
  ) {
    this.run = {
      deps,
      metrics: new JobMetrics(deps.metricSink),
      throttled: false,
      retryAfterSeconds: 0,
      longestUnitMs: 0,
    };
  }

  /**
   * Reads record `i` (its body parsed) when its unit is taken, not all up front: the first
   * chunk starts sooner, later ones are read while an earlier chunk's I/O is out, and only
   * the units in flight are kept alive.
   */
  read(i: number): Delivery {
    return readDelivery(this.unpacked.record(i), i, this.deps.definition);
  }

  /**
   * Starts the load of a chunk from the events its deliveries carry (a claim-checked one is
   * read in prepare: the job loads what is missing itself).
   */
  startLoad(deliveries: readonly Delivery[]): Promise<Loaded> | undefined {
    if (!this.load) return undefined;
    const events = deliveries.flatMap((delivery) =>
      delivery.message && !delivery.problem ? [delivery.message.event] : [],
    );
    return this.load(events);
  }

  /**
   * Runs a unit — a single delivery, or a chunk of a batch job with its load already started;
   * `running` is called when the unit's jobs start.
   */
  async runUnit(
    deliveries: readonly Delivery[],
    loading?: Promise<Loaded>,
    running?: () => void,
  ): Promise<void> {
    const ready = await this.#prepareUnit(deliveries);
    if (ready.length === 0) return;
    const loaded = await loading;
    running?.();
    const started = performance.now();
    const results = await beforeDeadline(
      this.execute(ready, loaded),
      ready.length,
      this.remainingMs,
    );
    this.run.longestUnitMs = Math.max(this.run.longestUnitMs, performance.now() - started);
    // A job's duration includes its share of the load, though that overlapped other work.
    const elapsed = performance.now() - started + (loaded?.ms ?? 0);
    const durationMs = Math.round(elapsed / (this.deps.definition.batch ? ready.length : 1));
    // One sample per run: every job of a chunk took the same share (a sample per job made
    // a 1,000-job batch pay for 1,000 identical values).
    this.run.metrics.duration(durationMs);
    await Promise.all(
      ready.map(async (r, k) => {
        this.#settlements[r.delivery.index] = await settleJob(
          this.run,
          r,
          results[k] ?? { kind: 'success' },
          durationMs,
        ).catch((error: unknown) => {
          // A bug in settling one job must not fail the batch: the message comes back.
          r.context.log.error('Job not settled', { error: describeError(error) });
          return { kind: 'unsettled' } as const;
        });
      }),
    );
  }

  /** Prepares each delivery; those settled already (duplicates, dead letters) are noted. */
  async #prepareUnit(deliveries: readonly Delivery[]): Promise<Ready[]> {
    const prepared = await Promise.all(deliveries.map((delivery) => this.#prepare(delivery)));
    const ready: Ready[] = [];
    prepared.forEach((p, k) => {
      if (p.kind === 'ready') ready.push(p);
      else this.#settlements[(deliveries[k] as Delivery).index] = p.settlement;
    });
    return ready;
  }

  /** Prepares a delivery; a throw (a bug) leaves it unsettled instead of failing the batch. */
  async #prepare(delivery: Delivery): Promise<Prepared> {
    try {
      return await prepare(this.run, delivery);
    } catch (error) {
      this.deps.log.error('Job not prepared', {
        messageId: delivery.messageId,
        error: describeError(error),
      });
      return { kind: 'settled', settlement: { kind: 'unsettled' } };
    }
  }

  /**
   * Defers what was never attempted, puts retried deliveries back with their backoff,
   * publishes the batch's metrics, and answers SQS.
   */
  async finish(): Promise<SQSBatchResponse> {
    this.#deferUnattempted();
    // One settlement per delivered message: a pack's jobs' settlements folded into one.
    const settlements = await settlePacks(this.deps, this.unpacked, this.#settlements);
    const { delivered } = this.unpacked;
    await changeVisibility(this.deps, delivered, settlements);
    this.run.metrics.publish();
    const batchItemFailures = settlements.flatMap((s, i) =>
      s?.kind === 'ack' ? [] : [{ itemIdentifier: delivered.Records[i]?.messageId as string }],
    );
    return { batchItemFailures };
  }

  /**
   * Not attempted because the target throttled or time ran short: back off, uncounted (the
   * packs not reached yet are opened to count their jobs).
   */
  #deferUnattempted(): void {
    const settlements = this.#settlements;
    const count = this.unpacked.count();
    for (let i = 0; i < count; i++) {
      if (settlements[i]) continue;
      const jitter = retryDelaySeconds(this.deps.definition.settings.backoff, 1, this.deps.random);
      settlements[i] = {
        kind: 'retry',
        delaySeconds: Math.ceil(this.run.retryAfterSeconds) + jitter,
      };
      this.run.metrics.count('deferred');
    }
  }
}
