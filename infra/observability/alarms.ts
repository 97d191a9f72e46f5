/**
 * The alarms, each to the ops topic (ALARM and OK): a message visible in any DLQ, DLQ growth,
 * a dead letter close to being dropped by retention, the age of the oldest message of each
 * source queue, error rate and throttles of every function, the router's consumer lag and
 * schema-version skew. Thresholds come from the stage configuration.
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  type IMetric,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { resourceName } from '../../functions/topology/naming';
import type { StageConfig } from '../config/schema';
import {
  deadLetterGrowth,
  errorRate,
  lambdaMetric,
  queueMetric,
  queuePairs,
  schemaSkew,
  sluiceFunctions,
} from './metrics';

export interface SluiceAlarmsProps {
  readonly config: StageConfig;
  readonly topic: ITopic;
  /** Whether the router has MSK mappings (offset lag exists only then). */
  readonly hasKafka: boolean;
}

interface AlarmSpec {
  readonly id: string;
  readonly description: string;
  readonly metric: IMetric;
  readonly threshold: number;
  readonly evaluationPeriods?: number;
  readonly comparison?: ComparisonOperator;
}

/**
 * @example
 * ```ts
 * const alarms = new SluiceAlarms(stack, 'Alarms', { config, topic, hasKafka: true });
 * alarms.alarms.length;
 * ```
 */
export class SluiceAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: SluiceAlarmsProps) {
    super(scope, id);
    const { config } = props;
    const thresholds = config.alarms;
    const action = new SnsAction(props.topic);
    const add = (spec: AlarmSpec) => {
      const alarm = new Alarm(this, spec.id, {
        alarmName: resourceName(config.stage, spec.id),
        alarmDescription: spec.description,
        metric: spec.metric,
        threshold: spec.threshold,
        evaluationPeriods: spec.evaluationPeriods ?? 1,
        comparisonOperator:
          spec.comparison ?? ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    const retentionSeconds = Duration.days(config.queues.dlqRetentionDays).toSeconds();
    const warnAt = retentionSeconds - thresholds.dlqRetentionWarningHours * 3600;
    for (const { source, deadLetter } of queuePairs(config.stage)) {
      add({
        id: `dlq-visible-${deadLetter}`,
        description: `A message is visible in ${deadLetter}: inspect with "sluice dlq show", fix, then redrive (runbook: cli/README.md).`,
        metric: queueMetric(deadLetter, 'ApproximateNumberOfMessagesVisible'),
        threshold: 1,
      });
      add({
        id: `dlq-growth-${deadLetter}`,
        description: `${deadLetter} grew by ${thresholds.dlqGrowthPerFiveMinutes}+ messages in 5 minutes: failures are ongoing.`,
        metric: deadLetterGrowth(deadLetter),
        threshold: thresholds.dlqGrowthPerFiveMinutes,
      });
      add({
        id: `dlq-retention-${deadLetter}`,
        description: `The oldest message in ${deadLetter} is ${thresholds.dlqRetentionWarningHours} h from being dropped by retention: redrive or archive it now.`,
        metric: queueMetric(deadLetter, 'ApproximateAgeOfOldestMessage', Duration.minutes(5)),
        threshold: warnAt,
      });
      add({
        id: `oldest-message-${source}`,
        description: `The oldest message in ${source} is older than ${thresholds.oldestMessageAgeSeconds} s: the worker is stuck, throttled or failing.`,
        metric: queueMetric(source, 'ApproximateAgeOfOldestMessage', Duration.minutes(5)),
        threshold: thresholds.oldestMessageAgeSeconds,
      });
    }

    const functions = sluiceFunctions(config.stage);
    for (const fn of functions) {
      add({
        id: `error-rate-${fn.key}`,
        description: `${fn.functionName}: more than ${thresholds.errorRatePercent} % of invocations failed in 5 minutes.`,
        metric: errorRate(fn.functionName),
        threshold: thresholds.errorRatePercent,
        comparison: ComparisonOperator.GREATER_THAN_THRESHOLD,
      });
      add({
        id: `throttles-${fn.key}`,
        description: `${fn.functionName} was throttled: reserved concurrency or the account quota is too small for its event sources.`,
        metric: lambdaMetric(fn.functionName, 'Throttles'),
        threshold: 1,
      });
    }

    const [router, replay] = functions;
    if (!router || !replay) throw new Error('router and replay functions missing');
    // With the mappings' own metrics, offset lag is alarmed per topic (EventSourceMonitoring).
    if (props.hasKafka && !config.eventSourceMetrics) {
      add({
        id: 'offset-lag-router',
        description: `The router is more than ${thresholds.offsetLag} records behind a topic for 15 minutes.`,
        metric: lambdaMetric(router.functionName, 'OffsetLag', 'Maximum'),
        threshold: thresholds.offsetLag,
        evaluationPeriods: 3,
      });
    }
    add({
      id: 'schema-skew',
      description:
        'Records of an unknown type or schema version arrived: a producer is ahead of this code. They wait in the ingest DLQ; deploy a version that reads them, then redrive.',
      metric: schemaSkew(router, replay),
      threshold: 1,
    });
  }
}
