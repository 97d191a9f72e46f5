/**
 * The stage's CloudWatch dashboard: the router (records by outcome, unknown types and
 * versions, offset lag), every queue (depth, age of the oldest message, DLQ depth), every
 * job's outcomes and every function (errors, throttles, duration).
 */
import { Dashboard, GraphWidget, type IWidget, TextWidget } from 'aws-cdk-lib/aws-cloudwatch';
import type { Construct } from 'constructs';
import { resourceName } from '../../functions/topology/naming';
import { METRICS } from '../../functions/topology/topology';
import {
  lambdaMetric,
  queueMetric,
  queuePairs,
  schemaSkew,
  sluiceFunctions,
  sluiceMetric,
} from './metrics';

const WIDTH = 8;
/** Five jobs side by side in one 24-column row. */
const JOB_WIDGET_WIDTH = 4;

/**
 * @example
 * ```ts
 * sluiceDashboard(stack, 'dev', true);
 * ```
 */
export function sluiceDashboard(scope: Construct, stage: string, hasKafka: boolean): Dashboard {
  const functions = sluiceFunctions(stage);
  const [router, replay] = functions;
  if (!router || !replay) throw new Error('router and replay functions missing');
  const rows: IWidget[][] = [];
  const r = METRICS.router;
  rows.push([
    new TextWidget({
      markdown: `# Sluice ${stage}\nRunbook: cli/README.md#runbook`,
      width: 24,
      height: 2,
    }),
  ]);
  rows.push([
    new GraphWidget({
      title: 'Router: records by outcome',
      width: WIDTH,
      left: [
        r.recordsReceived,
        r.jobsEnqueued,
        r.recordsSkipped,
        r.recordsDeadLettered,
        r.claimChecks,
      ].map((name) => sluiceMetric(router, name)),
    }),
    new GraphWidget({
      title: 'Replay: records',
      width: WIDTH,
      left: [r.recordsReplayed, r.jobsEnqueued, r.recordsDeadLettered].map((name) =>
        sluiceMetric(replay, name),
      ),
    }),
    new GraphWidget({
      title: hasKafka ? 'Unknown type/version · offset lag' : 'Unknown type/version',
      width: WIDTH,
      left: [schemaSkew(router, replay)],
      ...(hasKafka ? { right: [lambdaMetric(router.functionName, 'OffsetLag', 'Maximum')] } : {}),
    }),
  ]);
  for (const { source, deadLetter } of queuePairs(stage)) {
    rows.push([
      new GraphWidget({
        title: `${source}: depth`,
        width: WIDTH,
        left: [queueMetric(source, 'ApproximateNumberOfMessagesVisible')],
      }),
      new GraphWidget({
        title: `${source}: age of oldest message (s)`,
        width: WIDTH,
        left: [queueMetric(source, 'ApproximateAgeOfOldestMessage')],
      }),
      new GraphWidget({
        title: `${deadLetter}: depth`,
        width: WIDTH,
        left: [queueMetric(deadLetter, 'ApproximateNumberOfMessagesVisible')],
      }),
    ]);
  }
  const j = METRICS.jobs;
  rows.push(
    functions
      .filter((fn) => fn.job)
      .map(
        (fn) =>
          new GraphWidget({
            title: `${fn.job}: outcomes`,
            width: JOB_WIDGET_WIDTH,
            left: [j.succeeded, j.retried, j.deadLettered, j.discarded, j.throttled].map((name) =>
              sluiceMetric(fn, name),
            ),
          }),
      ),
  );
  for (const fn of functions) {
    rows.push([
      new GraphWidget({
        title: `${fn.functionName}: errors · throttles`,
        width: WIDTH,
        left: [lambdaMetric(fn.functionName, 'Errors'), lambdaMetric(fn.functionName, 'Throttles')],
      }),
      new GraphWidget({
        title: `${fn.functionName}: duration p99 (ms)`,
        width: WIDTH,
        left: [lambdaMetric(fn.functionName, 'Duration', 'p99')],
      }),
      new GraphWidget({
        title: `${fn.functionName}: invocations`,
        width: WIDTH,
        left: [lambdaMetric(fn.functionName, 'Invocations')],
      }),
    ]);
  }
  const dashboard = new Dashboard(scope, 'Dashboard', {
    dashboardName: resourceName(stage, 'pipeline'),
  });
  for (const row of rows) dashboard.addWidgets(...row);
  return dashboard;
}
