/**
 * Alarms and a dashboard on the event source mappings' own metrics (MetricsConfig, stage
 * setting `eventSourceMetrics`): records a mapping dropped (lost: retries or record age ran
 * out with no destination), invocations that keep failing (a blocked partition, a throttled
 * worker), and per-topic consumer offset lag. Built in the pipeline stack, beside the mappings:
 * the metrics are keyed by mapping UUID, and an export of those UUIDs to another stack would
 * block replacing a mapping. Alarm actions name the ops topic by its ARN
 * (`sluice-<stage>-ops`, created by the observability stack) instead of importing it.
 */
import { Stack } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IWidget,
  type Metric,
  Stats,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { resourceName } from '../../functions/topology/naming';
import type { AlarmConfig } from '../config/schema';
import { type MappingMetricName, mappingMetric } from './metrics';

/** A mapping to watch: `key` names its alarms (`esm-dropped-<key>`). */
export interface MonitoredMapping {
  readonly key: string;
  readonly description: string;
  readonly mappingId: string;
  readonly kind: 'kafka' | 'sqs';
}

export interface EventSourceMonitoringProps {
  readonly stage: string;
  readonly mappings: readonly MonitoredMapping[];
  readonly thresholds: AlarmConfig;
}

/**
 * The ops topic's ARN, from its name: the observability stack creates it.
 *
 * @example
 * ```ts
 * Topic.fromTopicArn(scope, 'OpsTopic', opsTopicArn(scope, 'dev'));
 * ```
 */
export function opsTopicArn(scope: Construct, stage: string): string {
  return Stack.of(scope).formatArn({
    service: 'sns',
    resource: resourceName(stage, 'ops'),
  });
}

const EVENT_COUNTS: MappingMetricName[] = [
  'PolledEventCount',
  'InvokedEventCount',
  'FailedInvokeEventCount',
  'DroppedEventCount',
];
const KAFKA_ERRORS: MappingMetricName[] = [
  'PollingErrorCount',
  'InvokeErrorCount',
  'CommitErrorCount',
  'OnFailureDestinationDeliveryErrorCount',
];

/**
 * @example
 * ```ts
 * new EventSourceMonitoring(stack, 'MappingMonitoring', { stage: 'dev', thresholds: config.alarms,
 *   mappings: [{ key: 'job-audit', description: 'audit queue', mappingId: source.eventSourceMappingId, kind: 'sqs' }] });
 * ```
 */
export class EventSourceMonitoring extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: EventSourceMonitoringProps) {
    super(scope, id);
    const { stage, thresholds } = props;
    const action = new SnsAction(Topic.fromTopicArn(this, 'OpsTopic', opsTopicArn(this, stage)));
    const add = (
      name: string,
      description: string,
      metric: Metric,
      threshold: number,
      evaluationPeriods = 1,
    ) => {
      const alarm = new Alarm(this, name, {
        alarmName: resourceName(stage, name),
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };

    const rows: IWidget[][] = [
      [
        new TextWidget({
          markdown: `# Sluice ${stage}: event source mappings\nRunbook: cli/README.md#runbook`,
          width: 24,
          height: 2,
        }),
      ],
    ];
    for (const mapping of props.mappings) {
      const metric = (name: MappingMetricName, statistic?: string) =>
        mappingMetric(mapping.mappingId, name, statistic);
      add(
        `esm-dropped-${mapping.key}`,
        `${mapping.description}: the mapping dropped records (retries or record age ran out with no destination, or a record could not be delivered): they are lost unless replayed from the source.`,
        metric('DroppedEventCount'),
        1,
      );
      add(
        `esm-failed-${mapping.key}`,
        `${mapping.description}: invocations failed in ${thresholds.failedInvokePeriods} periods of 5 minutes in a row (a blocked partition, a failing or throttled function).`,
        metric('FailedInvokeEventCount'),
        1,
        thresholds.failedInvokePeriods,
      );
      const row: IWidget[] = [
        new GraphWidget({
          title: `${mapping.description}: events`,
          width: 8,
          left: EVENT_COUNTS.map((name) => metric(name)),
        }),
      ];
      if (mapping.kind === 'kafka') {
        add(
          `esm-offset-lag-${mapping.key}`,
          `${mapping.description}: the consumer is more than ${thresholds.offsetLag} records behind for 15 minutes.`,
          metric('MaxOffsetLag', Stats.MAXIMUM),
          thresholds.offsetLag,
          3,
        );
        row.push(
          new GraphWidget({
            title: `${mapping.description}: offset lag`,
            width: 8,
            left: [metric('MaxOffsetLag', Stats.MAXIMUM), metric('SumOffsetLag', Stats.MAXIMUM)],
          }),
          new GraphWidget({
            title: `${mapping.description}: errors`,
            width: 8,
            left: KAFKA_ERRORS.map((name) => metric(name)),
          }),
        );
      }
      rows.push(row);
    }
    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: resourceName(stage, 'event-sources'),
    });
    for (const row of rows) this.dashboard.addWidgets(...row);
  }
}
