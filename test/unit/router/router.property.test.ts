/**
 * Property tests of the router (handleMskEvent) on generated MSK batches: valid events of
 * every type in structured and binary mode, broken events (schema violations, unknown type
 * or version, no dataversion, not JSON, JSON but not an object), random bytes, absent/null/
 * empty/non-UTF-8 keys, odd headers and values larger than the SQS limit. They run against
 * an in-memory SQS and S3 (support/property/sink.ts) that is healthy or fails by a generated
 * plan, and every record is judged on its own by (topic, partition, offset) in
 * support/property/oracle.ts.
 *
 * Runs: 4,000 + 3,000 + 3,000 = 10,000 batches of 0-30 records. On failure fast-check
 * prints the seed; FC_SEED=<seed> replays it, FC_RUNS_FACTOR=<x> scales the runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jobQueueUrl } from '../../../functions/router/config';
import { handleMskEvent, type KafkaBatchResponse } from '../../../functions/router/msk-batch';
import type { RouterDeps } from '../../../functions/router/route-batch';
import { TransientError } from '../../../functions/shared/errors';
import { MetricCounter } from '../../../functions/shared/telemetry';
import { JOB_NAMES, ROUTES, type Routes } from '../../../functions/topology/topology';
import {
  checkCalls,
  type Handling,
  judge,
  type OracleContext,
} from '../../support/property/oracle';
import { EVENT_TYPE_NAMES, type GeneratedBatch, mskBatch } from '../../support/property/records';
import {
  type FaultPlan,
  faultPlan,
  NO_FAULTS,
  PropertySink,
  sqsAcceptsText,
} from '../../support/property/sink';
import { captureLog, captureMetrics, testRouterDeps } from '../../support/router';

/** Small enough that padded events and large garbage exercise JOB_REJECTED and the claim check. */
const SMALL_LIMIT = 4096;
const MAX_RECORDS = 30;
const RUNS_FACTOR = Number(process.env.FC_RUNS_FACTOR ?? 1);
const SEED = process.env.FC_SEED === undefined ? undefined : Number(process.env.FC_SEED);
/** Well above the ~10 s a test takes alone, for a loaded CI machine; vitest's default is 30 s. */
const TIMEOUT_MS = 180_000;
const params = (numRuns: number): fc.Parameters<unknown> => ({
  numRuns: Math.max(1, Math.round(numRuns * RUNS_FACTOR)),
  ...(SEED === undefined ? {} : { seed: SEED }),
});

/**
 * One router with its mocked clients, built once per configuration: creating clients and
 * mocks per run would cost more than routing. The 1 MiB limit (production's) is what lets
 * batches reach SQS's 10 entries.
 */
function harness(reportBatchItemFailures: boolean, maxBytes?: number) {
  const base = testRouterDeps({
    env: {
      SLUICE_REPORT_BATCH_ITEM_FAILURES: String(reportBatchItemFailures),
      ...(maxBytes === undefined ? {} : { SLUICE_MAX_MESSAGE_BYTES: String(maxBytes) }),
    },
  });
  const h = { base, sink: new PropertySink(base.sqs, base.s3) };
  // Counterexamples name the configuration instead of dumping the SDK clients.
  const name = `${reportBatchItemFailures ? 'ReportBatchItemFailures' : 'on-demand'} mode, ${base.config.maxMessageBytes}-byte limit`;
  return Object.defineProperty(h, fc.toStringMethod, { value: () => name });
}

type Harness = ReturnType<typeof harness>;

/** Harnesses of one mode: mostly the small limit, sometimes production's. */
function harnesses(reportBatchItemFailures: boolean): fc.Arbitrary<Harness> {
  const small = harness(reportBatchItemFailures, SMALL_LIMIT);
  const large = harness(reportBatchItemFailures);
  return fc.oneof({ weight: 3, arbitrary: fc.constant(small) }, fc.constant(large));
}

/** The production routes, or a random table: some types unrouted, `*` present or not. */
const routesArb: fc.Arbitrary<Routes> = fc.oneof(
  fc.constant(ROUTES),
  fc
    .record({
      own: fc.array(fc.subarray([...JOB_NAMES], { maxLength: 2 }), {
        minLength: EVENT_TYPE_NAMES.length,
        maxLength: EVENT_TYPE_NAMES.length,
      }),
      all: fc.oneof(fc.constant(undefined), fc.subarray([...JOB_NAMES], { maxLength: 2 })),
    })
    .map(({ own, all }) => {
      const routes: Record<string, (typeof JOB_NAMES)[number][]> = {};
      EVENT_TYPE_NAMES.forEach((type, i) => {
        const jobs = own[i] ?? [];
        if (jobs.length > 0) routes[type] = jobs;
      });
      if (all !== undefined) routes['*'] = all;
      return routes;
    }),
);

interface Run {
  verdict: ReturnType<typeof judge>;
  outcome: { ok: true; value: KafkaBatchResponse | undefined } | { ok: false; error: unknown };
}

async function route(
  h: Harness,
  batch: GeneratedBatch,
  routes: Routes,
  plan: FaultPlan,
  sendMaxAttempts = h.base.config.sendMaxAttempts,
): Promise<Run> {
  h.sink.reset(plan);
  // Attempts vary per run, so they override the parsed config; log and metrics start empty
  // so nothing piles up over thousands of runs.
  const deps: RouterDeps = {
    ...h.base,
    routes,
    config: { ...h.base.config, sendMaxAttempts },
    log: captureLog(),
    counter: new MetricCounter(captureMetrics()),
  };
  let outcome: Run['outcome'];
  try {
    outcome = { ok: true, value: await handleMskEvent(batch.event, deps) };
  } catch (error) {
    outcome = { ok: false, error };
  }
  const context: OracleContext = {
    config: deps.config,
    routes,
    codeVersion: deps.codeVersion,
    enqueuedAt: deps.now().toISOString(),
  };
  const verdict = judge(batch.records, h.sink, context);
  verdict.problems.push(...checkCalls(h.sink.calls, deps.config.maxMessageBytes));
  return { verdict, outcome };
}

/** Lines naming every record not fully handled, for failure messages. */
function unhandled(batch: GeneratedBatch, handling: readonly Handling[]): string[] {
  return batch.records.flatMap((r, i) =>
    handling[i] === 'unhandled'
      ? [`${r.record.topic}/${r.record.partition}/${r.record.offset} (${r.label})`]
      : [],
  );
}

/**
 * Whether a job message was tried but never stored for a transient reason. Entries whose
 * characters SQS refuses are left out: that is the sender's fault, and no retry helps.
 */
function someJobUnsent(h: Harness): boolean {
  const stored = new Set(h.sink.stored.map((m) => `${m.queueUrl}\n${m.body}`));
  return h.sink.calls.some(
    (call) =>
      call.queueUrl !== h.base.config.ingestDlqUrl &&
      call.entries.some(
        (e) => sqsAcceptsText(e.body) && !stored.has(`${call.queueUrl}\n${e.body}`),
      ),
  );
}

const partitionOf = (r: GeneratedBatch['records'][number]) =>
  `${r.record.topic}-${r.record.partition}`;

/**
 * Counts what the runs exercised. A property that holds because its generator stopped
 * producing the interesting cases proves nothing, so each test also requires its cases.
 */
class Coverage {
  private readonly counts = new Map<string, number>();

  add(what: string): void {
    this.counts.set(what, (this.counts.get(what) ?? 0) + 1);
  }

  run(batch: GeneratedBatch, { verdict, outcome }: Run, h: Harness): void {
    this.add(outcome.ok ? 'batch resolved' : 'batch failed');
    if (h.sink.calls.some((call) => call.entries.length === 10)) this.add('call of 10 entries');
    if (verdict.claimChecks > 0) this.add('claim check');
    batch.records.forEach((r, i) => {
      const handling = verdict.handling[i];
      this.add(`record ${handling}`);
      if (handling === 'routed' && r.label.startsWith('binary')) this.add('binary routed');
      const reason = verdict.deadLettered.get(i);
      if (reason) this.add(`dead letter ${reason}`);
    });
  }

  /** The cases in `required` that never happened. */
  missing(required: readonly string[]): string[] {
    return required.filter((what) => !this.counts.has(what));
  }
}

/**
 * Whether the faults must be outlasted by the retries: every failing call is transient and
 * there are fewer of them than attempts, so no batch can fail on every attempt.
 */
function recoverable(plan: FaultPlan, attempts: number): boolean {
  const failingCalls = plan.calls.filter((fault) => fault !== 'ok').length;
  return (
    plan.downQueues.length === 0 &&
    plan.flakyModulo === 0 &&
    !plan.s3Down &&
    !plan.puts.includes(true) &&
    failingCalls < attempts
  );
}

describe('router properties', () => {
  const onDemand = harnesses(false);
  const reporting = harnesses(true);
  const { config } = testRouterDeps();
  const queueUrls = [config.ingestDlqUrl, ...JOB_NAMES.map((job) => jobQueueUrl(config, job))];
  const attempts = fc.constantFrom(1, 2, 3, 6);

  it(
    'with a healthy SQS, routes, skips or dead-letters every record exactly once',
    async () => {
      const coverage = new Coverage();
      await fc.assert(
        fc.asyncProperty(
          mskBatch(MAX_RECORDS),
          routesArb,
          fc.oneof(onDemand, reporting),
          async (batch, routes, h) => {
            const run = await route(h, batch, routes, NO_FAULTS);
            coverage.run(batch, run, h);
            expect(run.verdict.problems).toEqual([]);
            expect(unhandled(batch, run.verdict.handling)).toEqual([]);
            expect(run.outcome).toEqual({
              ok: true,
              value: h.base.config.reportBatchItemFailures ? { batchItemFailures: [] } : undefined,
            });
          },
        ),
        params(4000),
      );
      expect(
        coverage.missing([
          'record routed',
          'record skipped',
          'binary routed',
          'claim check',
          'call of 10 entries',
          ...['NOT_DECODABLE', 'NOT_JSON', 'INVALID_ENVELOPE', 'UNKNOWN_TYPE', 'UNKNOWN_VERSION']
            .concat(['SCHEMA_VIOLATION', 'JOB_REJECTED'])
            .map((reason) => `dead letter ${reason}`),
        ]),
      ).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'with a failing SQS or S3, on-demand mode fails the batch instead of dead-lettering early',
    async () => {
      const coverage = new Coverage();
      await fc.assert(
        fc.asyncProperty(
          mskBatch(MAX_RECORDS),
          routesArb,
          onDemand,
          faultPlan(queueUrls),
          attempts,
          async (batch, routes, h, plan, maxAttempts) => {
            const run = await route(h, batch, routes, plan, maxAttempts);
            coverage.run(batch, run, h);
            const { verdict, outcome } = run;
            expect(verdict.problems).toEqual([]);
            if (outcome.ok) {
              // Resolving lets Lambda move on: nothing may be left behind.
              expect(outcome.value).toBeUndefined();
              expect(unhandled(batch, verdict.handling)).toEqual([]);
            } else {
              expect(outcome.error).toBeInstanceOf(TransientError);
            }
            if (someJobUnsent(h)) {
              // Lambda delivers the whole batch again: a dead letter now would be a duplicate then.
              coverage.add('job unsent');
              expect(outcome.ok).toBe(false);
              expect(h.sink.messagesOn(h.base.config.ingestDlqUrl)).toEqual([]);
            }
            if (recoverable(plan, maxAttempts)) {
              if (h.sink.faults > 0) coverage.add('recovered by retries');
              expect(outcome.ok).toBe(true);
            }
          },
        ),
        params(3000),
      );
      expect(
        coverage.missing([
          'batch resolved',
          'batch failed',
          'job unsent',
          'record dead-lettered',
          'recovered by retries',
        ]),
      ).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'with a failing SQS or S3, ReportBatchItemFailures reports the first unhandled offset per partition',
    async () => {
      const coverage = new Coverage();
      await fc.assert(
        fc.asyncProperty(
          mskBatch(MAX_RECORDS),
          routesArb,
          reporting,
          faultPlan(queueUrls),
          attempts,
          async (batch, routes, h, plan, maxAttempts) => {
            const run = await route(h, batch, routes, plan, maxAttempts);
            coverage.run(batch, run, h);
            const { verdict, outcome } = run;
            expect(verdict.problems).toEqual([]);
            if (!outcome.ok) throw outcome.error; // this mode never fails the batch

            // Lambda resumes each partition at the reported offset: everything before it must
            // be done, and nothing from it on may be dead-lettered (it would be again).
            const resume = new Map<string, number>();
            batch.records.forEach((r, i) => {
              if (verdict.handling[i] !== 'unhandled') return;
              const first = resume.get(partitionOf(r));
              if (first === undefined || r.record.offset < first) {
                resume.set(partitionOf(r), r.record.offset);
              }
            });
            const reported = (outcome.value?.batchItemFailures ?? []).map(
              ({ itemIdentifier: { partition, offset } }): [string, number] => [partition, offset],
            );
            expect(reported).toHaveLength(new Map(reported).size); // one entry per partition
            expect(new Map(reported)).toEqual(resume);
            const deadFromResume = batch.records.flatMap((r, i) => {
              const from = resume.get(partitionOf(r));
              if (from === undefined || !verdict.deadLettered.has(i)) return [];
              if (r.record.offset < from) {
                coverage.add('dead letter before resume offset');
                return [];
              }
              return [
                `${partitionOf(r)}@${r.record.offset} dead-lettered; Lambda resumes at ${from}`,
              ];
            });
            expect(deadFromResume).toEqual([]);
            if (resume.size > 0) coverage.add('partition reported');
            if (recoverable(plan, maxAttempts)) expect(reported).toEqual([]);
          },
        ),
        params(3000),
      );
      expect(
        coverage.missing([
          'partition reported',
          'dead letter before resume offset',
          'record unhandled',
          'record routed',
        ]),
      ).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
