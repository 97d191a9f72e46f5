/**
 * Property tests of the router (handleMskEvent) on generated MSK batches: valid events of
 * every type in structured and binary mode, broken events (schema violations, unknown type
 * or version, no dataversion, not JSON, JSON but not an object), random bytes, absent/null/
 * empty/non-UTF-8 keys, odd headers and values larger than the SQS limit. They run against
 * an in-memory SQS and S3 (support/property/sink.ts) that is healthy or fails by a generated
 * plan, and every record is judged on its own by (topic, partition, offset) in
 * support/property/oracle.ts.
 *
 * Hostile sizes are among the records (nesting past the limit, 80,000-character strings, too
 * many headers, huge keys, a parser that throws). Two properties deliver a batch again and
 * again, as Lambda does, while SQS, S3 and the dead-letter ledger fail at random positions,
 * until it gets through: then every dead-lettered record has exactly one dead letter.
 *
 * Runs: 4,000 + 2,000 + 1,500 + 1,500 = 9,000 batches of 0-30 records. On failure
 * fast-check prints the seed; FC_SEED=<seed> replays it, FC_RUNS_FACTOR=<x> scales the runs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EventParser } from '../../../functions/events/parse-event';
import { jobQueueUrl } from '../../../functions/router/config';
import { ingestDeadLetterId } from '../../../functions/router/dead-letter-ledger';
import type { MskRouterDeps } from '../../../functions/router/msk-batch';
import { handleMskEvent, type KafkaBatchResponse } from '../../../functions/router/msk-batch';
import { TransientError } from '../../../functions/shared/errors';
import { MetricCounter } from '../../../functions/shared/telemetry';
import type { Routes } from '../../../functions/topology/topology';
import { JOB_NAMES, ROUTES } from '../../../functions/workers/jobs';
import {
  checkCalls,
  type Handling,
  judge,
  type OracleContext,
} from '../../support/property/oracle';
import {
  EVENT_TYPE_NAMES,
  type GeneratedBatch,
  mskBatch,
  TRAP_MARKER,
} from '../../support/property/records';
import {
  endingFaults,
  type FaultPlan,
  FaultyLedger,
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
/** The production parser, except that it throws on records carrying the trap marker. */
class TrappedParser extends EventParser {
  override parse(text: string, headers: ReadonlyMap<string, string>) {
    if (text.includes(TRAP_MARKER)) throw new RangeError('Maximum call stack size exceeded');
    return super.parse(text, headers);
  }
}

function harness(reportBatchItemFailures: boolean, maxBytes?: number) {
  const base = testRouterDeps({
    parser: new TrappedParser(),
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
  const deps = runDeps(h, routes, sendMaxAttempts, new FaultyLedger(plan));
  const outcome = await invoke(batch.event, deps);
  const context = oracleContext(deps, routes);
  const verdict = judge(batch.records, h.sink, context);
  verdict.problems.push(...checkCalls(h.sink.calls, deps.config.maxMessageBytes));
  return { verdict, outcome };
}

/**
 * Deps for one run. Attempts vary per run, so they override the parsed config; log, metrics
 * and the ledger start empty so nothing is carried from run to run.
 */
function runDeps(
  h: Harness,
  routes: Routes,
  sendMaxAttempts: number,
  ledger: MskRouterDeps['ledger'],
): MskRouterDeps {
  return {
    ...h.base,
    routes,
    ledger,
    config: { ...h.base.config, sendMaxAttempts },
    log: captureLog(),
    counter: new MetricCounter(captureMetrics()),
  };
}

async function invoke(
  event: GeneratedBatch['event'],
  deps: MskRouterDeps,
): Promise<Run['outcome']> {
  try {
    return { ok: true, value: await handleMskEvent(event, deps) };
  } catch (error) {
    return { ok: false, error };
  }
}

function oracleContext(deps: MskRouterDeps, routes: Routes, redelivered = false): OracleContext {
  return {
    config: deps.config,
    routes,
    codeVersion: deps.codeVersion,
    enqueuedAt: deps.now().toISOString(),
    redelivered,
  };
}

/**
 * Delivers the batch as Lambda does until an invocation gets through: on-demand mode, the
 * whole batch again after a failure; ReportBatchItemFailures, each reported partition again
 * from its reported offset. Faults are positional and end, so it does.
 */
async function deliverUntilDone(
  h: Harness,
  batch: GeneratedBatch,
  routes: Routes,
  plan: FaultPlan,
  sendMaxAttempts: number,
): Promise<{ deliveries: number; verdict: ReturnType<typeof judge>; ledger: FaultyLedger }> {
  h.sink.reset(plan);
  const ledger = new FaultyLedger(plan);
  const deps = runDeps(h, routes, sendMaxAttempts, ledger);
  let records = batch.records;
  let deliveries = 0;
  for (;;) {
    deliveries++;
    if (deliveries > 200) throw new Error('the batch never got through');
    const event: Record<string, (typeof records)[number]['record'][]> = {};
    for (const r of records) {
      const list = event[partitionOf(r)] ?? [];
      list.push(r.record);
      event[partitionOf(r)] = list;
    }
    const outcome = await invoke({ records: event } as GeneratedBatch['event'], deps);
    if (!outcome.ok) {
      expect(outcome.error).toBeInstanceOf(TransientError);
      expect(h.base.config.reportBatchItemFailures).toBe(false);
      continue;
    }
    const failures = outcome.value?.batchItemFailures ?? [];
    if (failures.length === 0) break;
    const resume = new Map(
      failures.map(({ itemIdentifier: { partition, offset } }) => [partition, offset]),
    );
    expect(resume.size).toBe(failures.length); // one entry per partition
    records = records.filter((r) => {
      const from = resume.get(partitionOf(r));
      return from !== undefined && r.record.offset >= from;
    });
  }
  const verdict = judge(batch.records, h.sink, oracleContext(deps, routes, deliveries > 1));
  verdict.problems.push(...checkCalls(h.sink.calls, deps.config.maxMessageBytes));
  // Exactly one dead letter per dead-lettered record; a second only where SQS took a letter
  // whose id the ledger then failed to record (the documented residual window).
  batch.records.forEach((r, i) => {
    const count = verdict.letterCounts[i] ?? 0;
    const lost = ledger.lost.get(ingestDeadLetterId(r.record, deps.codeVersion)) ?? 0;
    if (count > 1 + lost) {
      verdict.problems.push(
        `${partitionOf(r)}@${r.record.offset} (${r.label}): ${count} dead letters over ${deliveries} deliveries`,
      );
    }
  });
  return { deliveries, verdict, ledger };
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
  // Every property draws a batch of records and the routes they meet first.
  const batchesWithRoutes = [mskBatch(MAX_RECORDS), routesArb] as const;

  it(
    'with a healthy SQS, routes, skips or dead-letters every record exactly once',
    async () => {
      const coverage = new Coverage();
      await fc.assert(
        fc.asyncProperty(
          ...batchesWithRoutes,
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
            .concat(['SCHEMA_VIOLATION', 'JOB_REJECTED', 'LIMIT_EXCEEDED', 'ROUTER_ERROR'])
            .map((reason) => `dead letter ${reason}`),
        ]),
      ).toEqual([]);
    },
    TIMEOUT_MS,
  );

  it(
    'with SQS or S3 down, on-demand mode fails the batch, never dead-lettering a record twice',
    async () => {
      const coverage = new Coverage();
      await fc.assert(
        fc.asyncProperty(
          ...batchesWithRoutes,
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
              coverage.add('job unsent');
              expect(outcome.ok).toBe(false);
            }
            expect(Math.max(0, ...verdict.letterCounts)).toBeLessThanOrEqual(1);
            if (recoverable(plan, maxAttempts)) {
              if (h.sink.faults > 0) coverage.add('recovered by retries');
              expect(outcome.ok).toBe(true);
            }
          },
        ),
        params(2000),
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

  it.each([
    ['on-demand mode', onDemand],
    ['ReportBatchItemFailures', reporting],
  ] as const)(
    'delivered again until it gets through (%s), each dead-lettered record has one dead letter',
    async (_mode, harnessArb) => {
      const coverage = new Coverage();
      const jobQueueUrls = queueUrls.filter((url) => url !== config.ingestDlqUrl);
      await fc.assert(
        fc.asyncProperty(
          ...batchesWithRoutes,
          harnessArb,
          endingFaults(jobQueueUrls),
          fc.constantFrom(1, 2, 3),
          async (batch, routes, h, plan, maxAttempts) => {
            const { deliveries, verdict, ledger } = await deliverUntilDone(
              h,
              batch,
              routes,
              plan,
              maxAttempts,
            );
            expect(verdict.problems).toEqual([]);
            expect(unhandled(batch, verdict.handling)).toEqual([]);
            coverage.add(deliveries > 1 ? 'delivered again' : 'delivered once');
            if (deliveries > 2) coverage.add('delivered three times or more');
            if (ledger.lost.size > 0) coverage.add('ledger record lost');
            batch.records.forEach((_r, i) => {
              if (verdict.handling[i] === 'dead-lettered' && deliveries > 1) {
                coverage.add('dead letter over redeliveries');
              }
              if (verdict.handling[i] === 'dead-lettered' && verdict.letterCounts[i] === 1) {
                coverage.add('one dead letter');
              }
              const reason = verdict.deadLettered.get(i);
              if (reason) coverage.add(`dead letter ${reason}`);
            });
          },
        ),
        params(1500),
      );
      expect(
        coverage.missing([
          'delivered again',
          'delivered three times or more',
          'dead letter over redeliveries',
          'one dead letter',
          'dead letter JOB_REJECTED',
          'dead letter LIMIT_EXCEEDED',
          'dead letter ROUTER_ERROR',
        ]),
      ).toEqual([]);
    },
    TIMEOUT_MS,
  );
});
