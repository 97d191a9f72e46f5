/**
 * SQS message move tasks (what "Start DLQ redrive" in the console creates): the latest task
 * of a DLQ, and starting and cancelling one.
 */
import {
  CancelMessageMoveTaskCommand,
  ListMessageMoveTasksCommand,
  type SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { classifyAwsError } from '../../functions/shared/aws-errors';

export interface MoveTask {
  /** RUNNING, COMPLETED, CANCELLING, CANCELLED or FAILED. */
  readonly status: string;
  readonly moved: number;
  /** Messages in the DLQ when the task started (ElasticMQ reports 0 once completed). */
  readonly toMove: number;
  readonly destinationArn?: string;
  readonly startedAt?: number;
  /** AWS returns the handle only while the task runs. */
  readonly taskHandle?: string;
  readonly failureReason?: string;
}

/** The most recent move task of a DLQ, or undefined when it never had one. */
export async function latestMoveTask(
  sqs: SQSClient,
  sourceArn: string,
): Promise<MoveTask | undefined> {
  try {
    const { Results = [] } = await sqs.send(
      new ListMessageMoveTasksCommand({ SourceArn: sourceArn, MaxResults: 1 }),
    );
    const task = Results[0];
    if (!task) return undefined;
    return {
      status: task.Status ?? 'UNKNOWN',
      moved: Number(task.ApproximateNumberOfMessagesMoved ?? 0),
      toMove: Number(task.ApproximateNumberOfMessagesToMove ?? 0),
      ...(task.DestinationArn ? { destinationArn: task.DestinationArn } : {}),
      ...(task.StartedTimestamp !== undefined ? { startedAt: Number(task.StartedTimestamp) } : {}),
      ...(task.TaskHandle ? { taskHandle: task.TaskHandle } : {}),
      ...(task.FailureReason ? { failureReason: task.FailureReason } : {}),
    };
  } catch (error) {
    throw classifyAwsError(error, `ListMessageMoveTasks on ${sourceArn} failed`);
  }
}

/**
 * Starts moving every message of `sourceArn` to `destinationArn`, at most `perSecond`.
 *
 * @returns the task handle
 */
export async function startMoveTask(
  sqs: SQSClient,
  sourceArn: string,
  destinationArn: string,
  perSecond: number,
): Promise<string> {
  try {
    const { TaskHandle } = await sqs.send(
      new StartMessageMoveTaskCommand({
        SourceArn: sourceArn,
        DestinationArn: destinationArn,
        MaxNumberOfMessagesPerSecond: perSecond,
      }),
    );
    return TaskHandle ?? '';
  } catch (error) {
    throw classifyAwsError(error, `StartMessageMoveTask ${sourceArn} → ${destinationArn} failed`);
  }
}

/**
 * Cancels a running task; messages already moved stay moved.
 *
 * @returns how many it had moved when cancelled, or undefined when it had already finished
 */
export async function cancelMoveTask(
  sqs: SQSClient,
  taskHandle: string,
): Promise<number | undefined> {
  try {
    const { ApproximateNumberOfMessagesMoved } = await sqs.send(
      new CancelMessageMoveTaskCommand({ TaskHandle: taskHandle }),
    );
    return Number(ApproximateNumberOfMessagesMoved ?? 0);
  } catch (error) {
    // A finished task's handle is no longer valid: nothing left to cancel.
    if ((error as Error).name === 'ResourceNotFoundException') return undefined;
    throw classifyAwsError(error, `CancelMessageMoveTask ${taskHandle} failed`);
  }
}
