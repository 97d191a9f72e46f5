/**
 * The router's MSK event source mappings: one per topic, each with its own consumer group (a
 * mapping's group must be unique; the names match the local event-source emulation's), IAM
 * permissions on exactly those topics and groups, and — only in provisioned mode — the
 * error-handling controls, with defaults that keep every record (retries -1, record age -1, no
 * destination).
 */
import { Duration, Fn, Token, Validations } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  type CfnEventSourceMapping,
  type DlqDestinationConfig,
  type EventSourceMapping,
  type IEventSourceDlq,
  type IFunction,
  StartingPosition,
} from 'aws-cdk-lib/aws-lambda';
import { KafkaDlq } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Construct } from 'constructs';
import {
  routerConsumerGroup as consumerGroupOf,
  resourceName,
} from '../../functions/topology/naming';
import { TOPICS, type TopicKey } from '../../functions/topology/topology';
import { routerEventSourceProblems } from '../config/checks';
import type { OnFailureConfig, RouterEventSourceConfig } from '../config/schema';
import { KAFKA_MAPPING_METRICS } from '../constructs/mapping-metrics';
import { acknowledgeWildcardResources } from '../nag/acknowledge';

/**
 * What the execution role needs for the mapping's network interfaces in the cluster's VPC:
 * the EC2 actions of the AWSLambdaMSKExecutionRole managed policy.
 */
export const MSK_MAPPING_NETWORK_ACTIONS = [
  'ec2:CreateNetworkInterface',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeVpcs',
  'ec2:DeleteNetworkInterface',
  'ec2:DescribeSubnets',
  'ec2:DescribeSecurityGroups',
] as const;

/** Pollers when provisioned mode is on and the stage names none. */
export const DEFAULT_POLLERS = { minimum: 1, maximum: 2 } as const;

/** The consumer group of the router's mapping for a topic: `sluice-<stage>-router-<topic>`. */
export function routerConsumerGroup(stage: string, topic: TopicKey): string {
  return consumerGroupOf(stage, TOPICS[topic].name);
}

/**
 * The ARN of a topic or consumer group of a cluster, from the cluster's ARN
 * (`arn:…:kafka:<region>:<account>:cluster/<name>/<uuid>`), for IAM.
 */
export function kafkaResourceArn(
  clusterArn: string,
  kind: 'topic' | 'group',
  name: string,
): string {
  if (!Token.isUnresolved(clusterArn))
    return `${clusterArn.replace(':cluster/', `:${kind}/`)}/${name}`;
  const prefix = Fn.select(0, Fn.split(':cluster/', clusterArn));
  const clusterPath = Fn.select(1, Fn.split(':cluster/', clusterArn));
  return Fn.join('', [prefix, `:${kind}/`, clusterPath, `/${name}`]);
}

/** An S3 on-failure destination that grants only s3:PutObject (CDK's grants read and write). */
class S3PutOnlyDestination implements IEventSourceDlq {
  constructor(private readonly bucketArn: string) {}
  bind(_mapping: unknown, target: IFunction): DlqDestinationConfig {
    const objects = `${this.bucketArn}/*`;
    target.addToRolePolicy(
      new PolicyStatement({ actions: ['s3:PutObject'], resources: [objects] }),
    );
    if (target.role) {
      acknowledgeWildcardResources(
        target.role,
        [objects],
        'Lambda names the failure objects it writes to the configured on-failure bucket: put-only on its objects.',
      );
    }
    return { destination: this.bucketArn };
  }
}

export interface RouterKafkaSourceProps {
  readonly stage: string;
  readonly router: IFunction;
  readonly role: IRole;
  readonly clusterArn: string;
  readonly topics: Readonly<Record<TopicKey, string>>;
  readonly settings: RouterEventSourceConfig;
  /** MetricsConfig (event counts, error counts, offset lag) on every mapping; default off. */
  readonly metrics?: boolean;
}

/**
 * @example
 * ```ts
 * new RouterKafkaSource(stack, 'Kafka', { stage: 'dev', router, role, clusterArn,
 *   topics: config.topics, settings: config.router });
 * ```
 */
export class RouterKafkaSource extends Construct {
  readonly mappings: EventSourceMapping[] = [];
  /** The mapping of each topic, in topology order. */
  readonly mappingsByTopic: { readonly topic: TopicKey; readonly mapping: EventSourceMapping }[] =
    [];

  constructor(scope: Construct, id: string, props: RouterKafkaSourceProps) {
    super(scope, id);
    const { settings, clusterArn } = props;
    const problems = routerEventSourceProblems(settings, Object.values(props.topics));
    if (problems.length > 0) throw new Error(`Router event source: ${problems.join('; ')}`);
    const provisioned = settings.mode === 'provisioned';
    const controls = settings.errorHandling ?? {};
    const keys = Object.keys(TOPICS) as TopicKey[];
    const onFailure = provisioned ? this.destination(controls.onFailure, props) : undefined;
    if (provisioned && onFailure && (controls.retryAttempts ?? -1) === -1) {
      Validations.of(this).addWarning(
        'sluice:kafka-retries-capped',
        'With an on-failure destination Lambda caps "infinite" retries at 10: a record can reach the destination after 10 failed attempts.',
      );
    }

    for (const key of keys) {
      const mapping = props.router.addEventSourceMapping(`Kafka-${key}`, {
        eventSourceArn: clusterArn,
        kafkaTopic: props.topics[key],
        kafkaConsumerGroupId: routerConsumerGroup(props.stage, key),
        startingPosition: StartingPosition[settings.startingPosition],
        batchSize: settings.batchSize,
        maxBatchingWindow: Duration.seconds(settings.batchingWindowSeconds),
        ...(props.metrics ? { metricsConfig: KAFKA_MAPPING_METRICS } : {}),
        ...(provisioned
          ? {
              provisionedPollerConfig: {
                minimumPollers: (settings.pollers ?? DEFAULT_POLLERS).minimum,
                maximumPollers: (settings.pollers ?? DEFAULT_POLLERS).maximum,
              },
              retryAttempts: controls.retryAttempts ?? -1,
              bisectBatchOnError: controls.bisectBatchOnError ?? false,
              reportBatchItemFailures: controls.reportBatchItemFailures ?? true,
              ...(onFailure ? { onFailure, supportS3OnFailureDestination: true } : {}),
              ...((controls.maxRecordAgeSeconds ?? -1) > 0
                ? { maxRecordAge: Duration.seconds(controls.maxRecordAgeSeconds as number) }
                : {}),
            }
          : {}),
      });
      if (provisioned && (controls.maxRecordAgeSeconds ?? -1) === -1) {
        // A Duration cannot say "infinite"; -1 is the service's value for it.
        (mapping.node.defaultChild as CfnEventSourceMapping).addPropertyOverride(
          'MaximumRecordAgeInSeconds',
          -1,
        );
      }
      this.mappings.push(mapping);
      this.mappingsByTopic.push({ topic: key, mapping });
    }
    this.grantConsumption(props, keys);
  }

  /** Whether the router must report failed offsets (SLUICE_REPORT_BATCH_ITEM_FAILURES). */
  static reportsBatchItemFailures(settings: RouterEventSourceConfig): boolean {
    return (
      settings.mode === 'provisioned' && (settings.errorHandling?.reportBatchItemFailures ?? true)
    );
  }

  private destination(
    config: OnFailureConfig | undefined,
    props: RouterKafkaSourceProps,
  ): IEventSourceDlq | undefined {
    if (!config) return undefined;
    if (config.type === 's3') return new S3PutOnlyDestination(config.arn as string);
    const topic = config.topic as string;
    props.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:WriteData'],
        resources: [kafkaResourceArn(props.clusterArn, 'topic', topic)],
      }),
    );
    return new KafkaDlq(topic);
  }

  private grantConsumption(props: RouterKafkaSourceProps, keys: readonly TopicKey[]): void {
    const { clusterArn, role, stage } = props;
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [
          'kafka:DescribeCluster',
          'kafka:DescribeClusterV2',
          'kafka:GetBootstrapBrokers',
          'kafka-cluster:Connect',
          'kafka-cluster:DescribeClusterDynamicConfiguration',
        ],
        resources: [clusterArn],
      }),
    );
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:DescribeTopic', 'kafka-cluster:ReadData'],
        resources: keys.map((key) => kafkaResourceArn(clusterArn, 'topic', props.topics[key])),
      }),
    );
    // The live groups, and the groups `sluice replay` creates for its temporary mappings.
    const replayGroups = kafkaResourceArn(clusterArn, 'group', resourceName(stage, 'replay-*'));
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kafka-cluster:DescribeGroup', 'kafka-cluster:AlterGroup'],
        resources: [
          ...keys.map((key) =>
            kafkaResourceArn(clusterArn, 'group', routerConsumerGroup(stage, key)),
          ),
          replayGroups,
        ],
      }),
    );
    // The mapping's pollers create network interfaces in the cluster's subnets as this role,
    // whether or not the function itself runs in a VPC (AWSLambdaMSKExecutionRole's EC2 actions).
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: [...MSK_MAPPING_NETWORK_ACTIONS],
        resources: ['*'],
      }),
    );
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'The MSK event source pollers’ network interfaces in the cluster’s subnets: the EC2 actions of AWSLambdaMSKExecutionRole, on * because Describe* has no resource-level permissions and Lambda names the interfaces.',
    });
    acknowledgeWildcardResources(
      role,
      [replayGroups],
      'Consumer groups of `sluice replay` are named per run (sluice-<stage>-replay-<topic>-<time>): the router may join only groups with that prefix.',
    );
  }
}
