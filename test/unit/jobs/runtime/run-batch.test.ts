/**
 * A batch job's `load` phase: what it reads reaches performBatch, the next chunk's load
 * overlaps the current chunk's run, chunks still run one at a time and in order, and a
 * throttled chunk leaves later chunks unattempted though they were loaded.
 */
import { describe, expect, it, vi } from 'vitest';
import { defineBatchJob } from '../../../../functions/jobs/define-job';
import { DEFAULT_JOB_SETTINGS, jobDefinition } from '../../../../functions/jobs/job-definition';
import { failed } from '../../../../functions/jobs/outcomes';
import { AimdLimiter } from '../../../../functions/jobs/runtime/aimd-limiter';
import { batchExecutor, type Loader } from '../../../../functions/jobs/runtime/executors';
import { runJobBatch } from '../../../../functions/jobs/runtime/run-batch';
import type { JobContext } from '../../../../functions/jobs/runtime/run-types';
import { ThrottledError } from '../../../../functions/shared/throttling';
import { METRICS } from '../../../../functions/topology/topology';
import { jobMessage, sqsRecord, testJobDeps } from '../../../support/job-runtime-fakes';

const M = METRICS.jobs;

const definition = jobDefinition({
  name: 'index-product',
  description: 'test',
  eventTypes: ['*'],
  batch: true,
  access: {},
  settings: {
    ...DEFAULT_JOB_SETTINGS,
    batchSize: 10,
    chunkSize: 4,
    idempotency: 'natural',
  },
});

type Event = { data: { productId: string } };
const idsOf = (events: readonly unknown[]) => events.map((e) => (e as Event).data.productId);
const idsOfJobs = (jobs: readonly JobContext[]) => idsOf(jobs.map((j) => j.event));

const records = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    sqsRecord(jobMessage('index-product', i), { messageId: `m${i}` }),
  );

describe('batch job load phase', () => {
  it('loads each chunk from its events and hands the result to its performBatch', async () => {
    const kit = testJobDeps(definition);
    const load = vi.fn(async (events: readonly unknown[]) => new Set(idsOf(events)));
    const performBatch = vi.fn(async (jobs: readonly JobContext[], loaded?: Set<string>) =>
      jobs.map((job) =>
        loaded?.has((job.event as Event).data.productId)
          ? undefined
          : failed(new Error('not loaded')),
      ),
    );
    const handler = defineBatchJob(definition, { load, performBatch }, kit.deps);
    const response = await handler({ Records: records(10) });
    expect(response.batchItemFailures).toEqual([]);
    expect(load.mock.calls.map(([events]) => idsOf(events))).toEqual([
      ['prod-0', 'prod-1', 'prod-2', 'prod-3'],
      ['prod-4', 'prod-5', 'prod-6', 'prod-7'],
      ['prod-8', 'prod-9'],
    ]);
    expect(performBatch.mock.calls.map(([jobs]) => idsOfJobs(jobs))).toEqual(
      load.mock.calls.map(([events]) => idsOf(events)),
    );
    expect(kit.metric(M.succeeded)).toBe(10);
    // A duration sample per chunk (each job's share of it), the attempt of every job.
    const samples = (name: string) => kit.metricSink.published.filter((m) => m.name === name);
    expect(samples(M.duration)).toHaveLength(3);
    expect(samples(M.attempts).map((m) => m.value)).toEqual(Array(10).fill(1));
  });

  it('loads the next chunk while the current one runs, and runs chunks one at a time', async () => {
    const kit = testJobDeps(definition);
    const log: string[] = [];
    let running = 0;
    let peak = 0;
    let loads = 0;
    let loadStarted: (() => void) | undefined;
    const handler = defineBatchJob(
      definition,
      {
        load: async (events: readonly unknown[]) => {
          log.push(`load ${idsOf(events)[0]}`);
          loads++;
          loadStarted?.();
        },
        performBatch: async (jobs: readonly JobContext[]) => {
          peak = Math.max(peak, ++running);
          log.push(`run ${idsOfJobs(jobs)[0]}`);
          // Chunks 1 and 2 run until the next chunk's load has begun, with no clock involved
          // (a busy machine cannot reorder it); a runtime that did not load ahead would wait
          // the 2 s out and fail the order below.
          if (loads < 3) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, 2_000);
              loadStarted = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
          loadStarted = undefined;
          log.push(`done ${idsOfJobs(jobs)[0]}`);
          running--;
          return jobs.map(() => undefined);
        },
      },
      kit.deps,
    );
    await handler({ Records: records(10) });
    expect(peak).toBe(1);
    expect(log).toEqual([
      'load prod-0',
      'run prod-0',
      'load prod-4', // started once chunk 1 has started running, before it is done
      'done prod-0',
      'run prod-4',
      'load prod-8',
      'done prod-4',
      'run prod-8',
      'done prod-8',
    ]);
  });

  it('leaves a loaded chunk unattempted when the chunk before it throttled', async () => {
    const limiter = new AimdLimiter({ initial: 4, max: 4 });
    const kit = testJobDeps(definition, { limiter });
    const load = vi.fn(async () => undefined);
    // The throttle is only known when the request comes back, after the next chunk was read
    // (on the event loop's next turn: 50 ms leaves that turn room on a busy machine).
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) => {
      await new Promise((resolve) => setTimeout(resolve, 50));
      return jobs.map(() => failed(new ThrottledError('rejected_execution_exception')));
    });
    const handler = defineBatchJob(definition, { load, performBatch }, kit.deps);
    const response = await handler({ Records: records(10) });
    expect(load).toHaveBeenCalledTimes(2); // chunk 2 was read ahead…
    expect(performBatch).toHaveBeenCalledOnce(); // …but never run
    expect(response.batchItemFailures).toHaveLength(10);
    expect(kit.metric(M.throttled)).toBe(4);
    expect(kit.metric(M.deferred)).toBe(6);
    // Only the throttled chunk's jobs were attempted: only they have records.
    expect(kit.dynamo.table('sluice-test-job-records').size).toBe(4);
  });

  it('reads and loads nothing more once a chunk has throttled before the next turn', async () => {
    const kit = testJobDeps(definition);
    const load = vi.fn(async () => undefined);
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) =>
      jobs.map(() => failed(new ThrottledError('rejected_execution_exception'))),
    );
    const handler = defineBatchJob(definition, { load, performBatch }, kit.deps);
    const response = await handler({ Records: records(10) });
    expect(load).toHaveBeenCalledOnce();
    expect(response.batchItemFailures).toHaveLength(10);
    expect(kit.metric(M.deferred)).toBe(6);
  });

  it('starts no chunk that might outlast the invocation: the rest is deferred, not lost', async () => {
    const kit = testJobDeps(definition);
    // Lambda's clock: 20 s left at the start; every chunk takes 6 s of it.
    let remaining = 20_000;
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) => {
      remaining -= 6_000;
      return jobs.map(() => undefined);
    });
    const handler = defineBatchJob(definition, { performBatch }, kit.deps);
    const response = await handler(
      { Records: records(10) },
      { getRemainingTimeInMillis: () => remaining },
    );
    // 20 s: chunk 1 runs (14 s left); 14 s ≥ 5 s + 1.5 × 6 s: chunk 2 runs (8 s left); stop.
    expect(performBatch).toHaveBeenCalledTimes(2);
    expect(kit.metric(M.succeeded)).toBe(8);
    expect(kit.metric(M.deferred)).toBe(2);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m8', 'm9']);
  });

  it('loads no chunk that time will not let start', async () => {
    const kit = testJobDeps(definition);
    let remaining = 20_000;
    const load = vi.fn(async () => undefined);
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) => {
      remaining -= 6_000;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return jobs.map(() => undefined);
    });
    const handler = defineBatchJob(definition, { load, performBatch }, kit.deps);
    const response = await handler(
      { Records: records(10) },
      { getRemainingTimeInMillis: () => remaining },
    );
    // Chunk 2 was taken while chunk 1 ran (14 s left, nothing measured yet); chunk 3 not:
    // when chunk 2 ran, 8 s < 5 s + 1.5 × 6 s.
    expect(performBatch).toHaveBeenCalledTimes(2);
    expect(load).toHaveBeenCalledTimes(2);
    expect(kit.metric(M.succeeded)).toBe(8);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual(['m8', 'm9']);
  });

  it('runs the chunks after one whose jobs were all settled before running', async () => {
    const kit = testJobDeps(definition);
    const load = vi.fn(async () => undefined);
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) => jobs.map(() => undefined));
    const handler = defineBatchJob(definition, { load, performBatch }, kit.deps);
    const batch = records(10).map((record, i) =>
      i < 4 ? { ...record, body: 'not json' } : record,
    );
    const response = await handler({ Records: batch });
    // Chunk 1 is four bodies that are not jobs: dead-lettered in prepare, nothing to run.
    expect(performBatch.mock.calls.map(([jobs]) => idsOfJobs(jobs))).toEqual([
      ['prod-4', 'prod-5', 'prod-6', 'prod-7'],
      ['prod-8', 'prod-9'],
    ]);
    expect(response.batchItemFailures).toEqual([]);
    expect(kit.metric(M.succeeded)).toBe(6);
  });

  it('defers the jobs of a chunk that could not be taken, and goes on with the next', async () => {
    const kit = testJobDeps(definition);
    // A loader that throws instead of rejecting (defineBatchJob's never does): a bug.
    const load: Loader = (events) => {
      if (idsOf(events).includes('prod-4')) throw new Error('bug in the loader');
      return new Promise((resolve) => setTimeout(() => resolve({ ok: true, value: 1, ms: 0 }), 1));
    };
    const execute = batchExecutor(async (jobs: readonly JobContext[]) => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      return jobs.map(() => undefined);
    });
    const response = await runJobBatch({ Records: records(10) }, kit.deps, execute, load);
    expect(kit.metric(M.succeeded)).toBe(6);
    expect(kit.metric(M.deferred)).toBe(4);
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'm4',
      'm5',
      'm6',
      'm7',
    ]);
    expect(kit.log.entries.filter((e) => e.level === 'error').map((e) => e.message)).toEqual([
      'Next chunk not taken; its jobs are deferred',
    ]);
  });

  it('fails the jobs of a chunk whose load throws, as a throw from performBatch would', async () => {
    const kit = testJobDeps(definition);
    const performBatch = vi.fn(async (jobs: readonly JobContext[]) => jobs.map(() => undefined));
    const handler = defineBatchJob(
      definition,
      {
        load: async (events: readonly unknown[]) => {
          if (idsOf(events).includes('prod-4')) throw new Error('connection reset');
        },
        performBatch,
      },
      kit.deps,
    );
    const response = await handler({ Records: records(10) });
    expect(response.batchItemFailures.map((f) => f.itemIdentifier)).toEqual([
      'm4',
      'm5',
      'm6',
      'm7',
    ]);
    expect(performBatch).toHaveBeenCalledTimes(2);
    expect(kit.metric(M.retried)).toBe(4);
    expect(kit.metric(M.succeeded)).toBe(6);
  });

  it('rejects a chunk size above the batch size, and a chunk size on a job that is not batch', () => {
    const settings = { ...DEFAULT_JOB_SETTINGS, batchSize: 10 };
    expect(() =>
      jobDefinition({ ...definition, settings: { ...settings, chunkSize: 11 } }),
    ).toThrow('chunkSize');
    expect(() =>
      jobDefinition({ ...definition, batch: false, settings: { ...settings, chunkSize: 5 } }),
    ).toThrow('chunkSize is only meaningful for a batch job');
  });
});
