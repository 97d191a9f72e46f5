/**
 * `sluice replay --topic T --from <offset|timestamp> [--to …] [--partition P]`: re-runs
 * Kafka records through the router's code under a consumer group of its own. Locally it
 * consumes the topic directly; on AWS it adds a temporary event source mapping to the router
 * function (see lib/replay/aws-replay.ts) and says how to remove it.
 */

import { execFileSync } from 'node:child_process';
import { Admin } from '@platformatic/kafka';
import { EventParser } from '../../functions/events/parse-event';
import { readRouterConfig } from '../../functions/router/config';
import type { RouterDeps } from '../../functions/router/route-batch';
import { CODE_VERSION } from '../../functions/shared/code-version';
import { type Log, MetricCounter, type MetricSink } from '../../functions/shared/telemetry';
import { ROUTER_FUNCTION } from '../../functions/topology/functions';
import { BUCKETS, ROUTER_QUEUES } from '../../functions/topology/topology';
import { ROUTES } from '../../functions/workers/jobs';
import { count, textTable } from '../../shared/text-table';
import type { CliContext } from '../lib/context';
import { EXIT, writeJson } from '../lib/io';
import { ProgressBar } from '../lib/progress';
import { type AwsReplayStarted, startAwsReplay } from '../lib/replay/aws-replay';
import { type LocalReplayResult, replayLocally } from '../lib/replay/local-replay';
import { describePosition, parsePosition } from '../lib/replay/positions';
import { planReplay, type ReplayPlan } from '../lib/replay/replay-plan';

export interface ReplayOptions {
  readonly topic: string;
  readonly from: string;
  readonly to?: string;
  readonly partition?: number;
  readonly batchSize: number;
  readonly brokers?: string;
  readonly groupId?: string;
  readonly function?: string;
  readonly json?: boolean;
  /** Local replay: stop waiting for records after this long without any. */
  readonly idleTimeoutMs?: number;
}

/**
 * @example
 * ```ts
 * process.exitCode = await replay(context, { topic: 'orders.events', from: '2026-11-28T10:00:00Z', batchSize: 100 });
 * ```
 */
export async function replay(context: CliContext, options: ReplayOptions): Promise<number> {
  const from = parsePosition(options.from, '--from');
  const to = options.to === undefined ? undefined : parsePosition(options.to, '--to');
  const groupId = options.groupId ?? defaultGroupId(context, options.topic);
  if (!context.local) {
    const started = await startAwsReplay(context.lambda, {
      functionName: options.function ?? context.name(ROUTER_FUNCTION.name),
      topic: options.topic,
      from,
      ...(to ? { to } : {}),
      ...(options.partition !== undefined ? { partition: options.partition } : {}),
      consumerGroupId: groupId,
      batchSize: options.batchSize,
    });
    if (options.json) writeJson(context.io, { mode: 'aws', ...started });
    else context.io.stdout(`${renderAwsReplay(started)}\n`);
    return EXIT.ok;
  }

  const brokers = context.kafkaBrokers(options.brokers);
  const admin = new Admin({ clientId: 'sluice-cli-replay', bootstrapBrokers: brokers });
  let plan: ReplayPlan;
  try {
    plan = await planReplay(admin, options.topic, from, to, options.partition);
  } finally {
    await admin.close().catch(() => undefined);
  }
  context.io.stderr(
    `replaying ${count(plan.total)} record(s) of ${plan.topic} from ${describePosition(from)}${
      to ? ` to ${describePosition(to)}` : ''
    } as consumer group ${groupId}\n`,
  );
  const progress = new ProgressBar(context.io, 'replay', plan.total);
  const result = await replayLocally(plan, {
    brokers,
    groupId,
    batchSize: options.batchSize,
    deps: await routerDeps(context),
    eventSourceArn: `arn:aws:kafka:local:000000000000:cluster/sluice-${context.stage}/local`,
    idleTimeoutMs: options.idleTimeoutMs ?? 10_000,
    progress,
    ...(context.io.signal ? { signal: context.io.signal } : {}),
  });
  progress.finish(result.replayed, `${result.deadLettered} dead-lettered`);
  const report = {
    mode: 'local' as const,
    topic: plan.topic,
    groupId,
    planned: plan.total,
    ...result,
  };
  if (options.json) writeJson(context.io, report);
  else context.io.stdout(`${renderLocalReplay(report)}\n`);
  return result.complete ? EXIT.ok : EXIT.error;
}

function defaultGroupId(context: CliContext, topic: string): string {
  const stamp = new Date()
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, '');
  return context.name(`replay-${topic.replace(/[^a-zA-Z0-9-]/g, '-')}-${stamp}`);
}

/** The router's dependencies for this stage, built from the topology like the deployed ones. */
async function routerDeps(context: CliContext): Promise<RouterDeps> {
  const dlqUrl = await context.queues.url(ROUTER_QUEUES.ingestDlq);
  const config = readRouterConfig({
    ...context.io.env,
    SLUICE_STAGE: context.stage,
    SLUICE_QUEUE_URL_BASE: dlqUrl.slice(0, dlqUrl.lastIndexOf('/') + 1),
    SLUICE_CLAIM_CHECK_BUCKET: context.name(BUCKETS.claimCheck),
  });
  return {
    sqs: context.sqs,
    s3: context.s3,
    config,
    parser: new EventParser(),
    routes: ROUTES,
    log: errorsTo(context),
    // Metrics are the deployed router's business; the CLI reports its own counts.
    counter: new MetricCounter(DISCARD_METRICS),
    codeVersion: codeVersion(context.io.env),
    now: () => new Date(),
  };
}

const DISCARD_METRICS: MetricSink = {
  addMetric: () => undefined,
  addDimensions: () => undefined,
  singleMetric: () => DISCARD_METRICS,
  publishStoredMetrics: () => undefined,
  hasStoredMetrics: () => false,
};

/** The router's warnings (dead-lettered records) are counted; only errors are printed. */
function errorsTo(context: CliContext): Log {
  const ignore = () => undefined;
  return {
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (message, ...extra) =>
      context.io.stderr(`router: ${message} ${JSON.stringify(extra)}\n`),
  };
}

/** Dead letters written by a replay carry this version: the build's, else git's, else none. */
function codeVersion(env: NodeJS.ProcessEnv): string {
  if (CODE_VERSION !== 'unversioned') return CODE_VERSION;
  if (env.SLUICE_CODE_VERSION) return env.SLUICE_CODE_VERSION;
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    return 'unversioned';
  }
}

/** Pure. */
export function renderLocalReplay(
  report: LocalReplayResult & { topic: string; groupId: string; planned: number },
): string {
  const table = textTable(
    ['PARTITION', 'REACHED', 'END'],
    report.reached
      .filter((r) => r.offset !== r.end || report.planned > 0)
      .map((r) => [String(r.partition), r.offset, r.end]),
    ['right', 'right', 'right'],
  );
  const summary = `${report.complete ? 'DONE' : 'INCOMPLETE'}: ${count(report.replayed)} of ${count(report.planned)} record(s) of ${report.topic} replayed — ${count(report.routed)} routed to jobs, ${count(report.skipped)} skipped (no route), ${count(report.deadLettered)} dead-lettered.`;
  const lines = [table, '', summary, `Consumer group: ${report.groupId}`];
  if (report.deadLettered > 0) lines.push('See what failed: sluice dlq show ingest-dlq');
  if (!report.complete)
    lines.push(
      'Stopped before the end (interrupted, or no records arrived for a while); run again from REACHED.',
    );
  return lines.join('\n');
}

/** Pure. */
export function renderAwsReplay(started: AwsReplayStarted): string {
  return [
    `Created replay mapping ${started.uuid} (${started.state}) on ${started.functionName}:`,
    `  topic ${started.topic} from ${started.startingPositionTimestamp}, consumer group ${started.consumerGroupId}`,
    `  cluster ${started.eventSourceArn} (settings copied from mapping ${started.copiedFrom})`,
    '',
    'It runs the router on every record from that time on, beside the live mapping, until you delete it.',
    'Job ids are deterministic, so records already processed become duplicates the workers drop.',
    `Watch it:  ${started.followUp.status}   (and its OffsetLag metric in CloudWatch)`,
    `Delete it: ${started.followUp.delete}`,
  ].join('\n');
}
