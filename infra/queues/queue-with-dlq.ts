/**
 * A source queue and its dead-letter queue, with the rules that keep dead letters from being
 * lost: the DLQ keeps messages longer than its source (a dead-lettered message keeps its
 * original enqueue time), only its own source may redrive into it, SQS's maxReceiveCount
 * stays a safety net (≥ 5, so Lambda throttling alone cannot dead-letter), and both queues
 * are encrypted and refuse plain HTTP. Physical names are `sluice-<stage>-<logical name>`.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Queue, QueueEncryption, RedrivePermission } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { resourceName } from '../../functions/topology/naming';
import { visibilityTimeoutSeconds } from '../../functions/topology/queue-settings';

/** SQS's own redrive must never beat Lambda throttling: AWS recommends at least 5. */
export const MIN_MAX_RECEIVE_COUNT = 5;

export interface QueueWithDlqProps {
  readonly stage: string;
  /** Logical names, e.g. `job-audit` and `job-audit-dlq`. */
  readonly queueName: string;
  readonly deadLetterQueueName: string;
  readonly visibilityTimeout: Duration;
  readonly maxReceiveCount: number;
  readonly sourceRetention: Duration;
  readonly deadLetterRetention: Duration;
}

/**
 * @example
 * ```ts
 * const { queue, deadLetterQueue } = new QueueWithDlq(stack, 'Replay', {
 *   stage: 'dev', queueName: 'ingest-replay', deadLetterQueueName: 'ingest-dlq',
 *   visibilityTimeout: Duration.minutes(6), maxReceiveCount: 5,
 *   sourceRetention: Duration.days(4), deadLetterRetention: Duration.days(14),
 * });
 * ```
 */
export class QueueWithDlq extends Construct {
  readonly queue: Queue;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: QueueWithDlqProps) {
    super(scope, id);
    const problems: string[] = [];
    if (props.maxReceiveCount < MIN_MAX_RECEIVE_COUNT) {
      problems.push(`maxReceiveCount ${props.maxReceiveCount} < ${MIN_MAX_RECEIVE_COUNT}`);
    }
    if (props.deadLetterRetention.toSeconds() <= props.sourceRetention.toSeconds()) {
      problems.push('the dead-letter queue must keep messages longer than its source');
    }
    if (problems.length > 0) {
      throw new Error(`Queue ${props.queueName}: ${problems.join('; ')}`);
    }
    const name = (logical: string) => resourceName(props.stage, logical);
    const stack = Stack.of(this);
    // The source's ARN is built from its name: a reference would make the queues depend on
    // each other (the source's redrive policy already references the DLQ).
    const sourceArn = stack.formatArn({ service: 'sqs', resource: name(props.queueName) });
    this.deadLetterQueue = new Queue(this, 'DeadLetterQueue', {
      queueName: name(props.deadLetterQueueName),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetention,
      redriveAllowPolicy: {
        redrivePermission: RedrivePermission.BY_QUEUE,
        sourceQueues: [Queue.fromQueueArn(this, 'Source', sourceArn)],
      },
    });
    this.queue = new Queue(this, 'Queue', {
      queueName: name(props.queueName),
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.sourceRetention,
      visibilityTimeout: props.visibilityTimeout,
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount: props.maxReceiveCount },
    });
  }
}

/**
 * {@link visibilityTimeoutSeconds} as a Duration: six times the function timeout plus the
 * batching window.
 *
 * @example
 * ```ts
 * visibilityTimeoutFor(60, 5).toSeconds(); // 365
 * ```
 */
export function visibilityTimeoutFor(timeoutSeconds: number, batchingWindowSeconds: number) {
  return Duration.seconds(visibilityTimeoutSeconds(timeoutSeconds, batchingWindowSeconds));
}
