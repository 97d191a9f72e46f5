/**
 * The metrics alarms and the dashboard read, built from names alone — queue and function
 * names follow `sluice-<stage>-<name>` and Sluice's own metric names come from the topology
 * module — so this stack references no other stack's resources.
 */

import { Duration } from 'aws-cdk-lib';
import { MathExpression, Metric, Stats } from 'aws-cdk-lib/aws-cloudwatch';
import {
  jobFunction,
  REPLAY_FUNCTION,
  ROUTER_FUNCTION,
  type SluiceFunctionName,
} from '../../functions/topology/functions';
import { resourceName } from '../../functions/topology/naming';
import { type JobName, jobQueues, METRICS, ROUTER_QUEUES } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';

const FIVE_MINUTES = Duration.minutes(5);

/** A queue Sluice owns and, for a source queue, its dead-letter queue. */
export interface QueuePair {
  readonly source: string;
  readonly deadLetter: string;
}

/** Every source queue with its DLQ, physical names. */
export function queuePairs(stage: string): QueuePair[] {
  const pairs: QueuePair[] = [
    { source: ROUTER_QUEUES.replay, deadLetter: ROUTER_QUEUES.ingestDlq },
  ];
  for (const job of JOB_NAMES) {
    const { queue, dlq } = jobQueues(job);
    pairs.push({ source: queue, deadLetter: dlq });
  }
  return pairs.map((p) => ({
    source: resourceName(stage, p.source),
    deadLetter: resourceName(stage, p.deadLetter),
  }));
}

/** A function Sluice deploys: its physical name and the Powertools `service` it reports as. */
export interface SluiceFunctionRef {
  readonly key: string;
  readonly functionName: string;
  readonly service: string;
  readonly job?: JobName;
}

function physical(stage: string, fn: SluiceFunctionName) {
  return { functionName: resourceName(stage, fn.name), service: fn.service };
}

/** The router, the replay function and one worker per job. */
export function sluiceFunctions(stage: string): SluiceFunctionRef[] {
  return [
    { key: 'router', ...physical(stage, ROUTER_FUNCTION) },
    { key: 'replay', ...physical(stage, REPLAY_FUNCTION) },
    ...JOB_NAMES.map((job) => ({
      key: `job-${job}`,
      ...physical(stage, jobFunction(job)),
      job,
    })),
  ];
}

export function queueMetric(
  queueName: string,
  metricName: 'ApproximateNumberOfMessagesVisible' | 'ApproximateAgeOfOldestMessage',
  period = Duration.minutes(1),
): Metric {
  return new Metric({
    namespace: 'AWS/SQS',
    metricName,
    dimensionsMap: { QueueName: queueName },
    statistic: Stats.MAXIMUM,
    period,
  });
}

export function lambdaMetric(
  functionName: string,
  metricName: 'Errors' | 'Invocations' | 'Throttles' | 'Duration' | 'OffsetLag',
  statistic: string = Stats.SUM,
  period = FIVE_MINUTES,
): Metric {
  return awsLambdaMetric({ FunctionName: functionName }, metricName, statistic, period);
}

/** A metric of the AWS/Lambda namespace with the given dimensions. */
function awsLambdaMetric(
  dimensionsMap: Record<string, string>,
  metricName: string,
  statistic: string,
  period: Duration,
): Metric {
  return new Metric({ namespace: 'AWS/Lambda', metricName, dimensionsMap, statistic, period });
}

/** Errors as a percentage of invocations (0 when idle). */
export function errorRate(functionName: string): MathExpression {
  return new MathExpression({
    expression: 'IF(invocations > 0, 100 * errors / invocations, 0)',
    usingMetrics: {
      errors: lambdaMetric(functionName, 'Errors'),
      invocations: lambdaMetric(functionName, 'Invocations'),
    },
    label: `${functionName} error %`,
    period: FIVE_MINUTES,
  });
}

/** New messages in a DLQ over the last five minutes (growth of its depth). */
export function deadLetterGrowth(queueName: string): MathExpression {
  return new MathExpression({
    expression: 'DIFF(depth)',
    usingMetrics: {
      depth: queueMetric(queueName, 'ApproximateNumberOfMessagesVisible', FIVE_MINUTES),
    },
    label: `${queueName} growth`,
    period: FIVE_MINUTES,
  });
}

/** A Sluice metric as a function publishes its total: with the function's default dimensions. */
export function sluiceMetric(fn: SluiceFunctionRef, metricName: string): Metric {
  return new Metric({
    namespace: METRICS.namespace,
    metricName,
    dimensionsMap: {
      service: fn.service,
      ...(fn.job ? { [METRICS.dimensions.job]: fn.job } : {}),
    },
    statistic: Stats.SUM,
    period: FIVE_MINUTES,
  });
}

/** Records of a type or version this code does not know, router and replay together. */
export function schemaSkew(router: SluiceFunctionRef, replay: SluiceFunctionRef): MathExpression {
  return new MathExpression({
    expression: 'FILL(router, 0) + FILL(replay, 0)',
    usingMetrics: {
      router: sluiceMetric(router, METRICS.router.unknownSchemas),
      replay: sluiceMetric(replay, METRICS.router.unknownSchemas),
    },
    label: 'Unknown types and schema versions',
    period: FIVE_MINUTES,
  });
}

/** Metrics an event source mapping publishes with MetricsConfig (`eventSourceMetrics`). */
export type MappingMetricName =
  | 'PolledEventCount'
  | 'InvokedEventCount'
  | 'FailedInvokeEventCount'
  | 'DroppedEventCount'
  | 'OnFailureDestinationDeliveredEventCount'
  | 'PollingErrorCount'
  | 'InvokeErrorCount'
  | 'OnFailureDestinationDeliveryErrorCount'
  | 'CommitErrorCount'
  | 'MaxOffsetLag'
  | 'SumOffsetLag';

/**
 * One mapping's metric, by its UUID (the `EventSourceMappingUUID` dimension of AWS/Lambda).
 *
 * @example
 * ```ts
 * mappingMetric(mapping.eventSourceMappingId, 'DroppedEventCount');
 * ```
 */
export function mappingMetric(
  mappingId: string,
  metricName: MappingMetricName,
  statistic: string = Stats.SUM,
  period = FIVE_MINUTES,
): Metric {
  return awsLambdaMetric({ EventSourceMappingUUID: mappingId }, metricName, statistic, period);
}
