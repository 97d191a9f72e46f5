/**
 * What the router does with one MSK event: route every record, then either succeed, fail
 * the invocation (on-demand mappings: Lambda retries the whole batch), or report per
 * partition the first offset that was not fully handled (provisioned mappings with
 * ReportBatchItemFailures). Both are safe to deliver again: job ids are deterministic, and
 * the dead-letter ledger keeps a dead letter SQS accepted from being sent twice.
 */
import type { MSKEvent } from 'aws-lambda';
import { TransientError } from '../shared/errors';
import { METRICS } from '../topology/topology';
import type { DeadLetterLedger } from './dead-letter-ledger';
import { partitionKey, recordsOf } from './kafka-record';
import type { RouterInput } from './plan';
import { type RecordOutcome, type RouterDeps, routeBatch } from './route-batch';

/** The MSK router's dependencies: the router's, and the ledger of dead letters it sent. */
export interface MskRouterDeps extends RouterDeps {
  /**
   * Which dead letters SQS accepted already: a batch delivered again does not send them twice.
   * (The replay function needs none: each of its messages is acknowledged on its own.)
   */
  readonly ledger: DeadLetterLedger;
}

/** The Kafka partial batch response: per partition, the offset to resume from. */
export interface KafkaBatchResponse {
  batchItemFailures: Array<{ itemIdentifier: { partition: string; offset: number } }>;
}

/**
 * Routes an MSK event.
 *
 * @returns a partial batch response in ReportBatchItemFailures mode, else nothing.
 * @throws TransientError in on-demand mode when any record could not be fully handled (a
 * transient fault of SQS, S3 or the ledger outlasted the retries).
 */
export async function handleMskEvent(
  event: Pick<MSKEvent, 'records'>,
  deps: MskRouterDeps,
): Promise<KafkaBatchResponse | undefined> {
  const inputs: RouterInput[] = recordsOf(event).map((record) => ({ record }));
  const reportItems = deps.config.reportBatchItemFailures;
  try {
    const outcomes = await routeBatch(inputs, deps, deps.ledger);
    const pending = pendingIndexes(outcomes);
    if (pending.size === 0) return reportItems ? { batchItemFailures: [] } : undefined;
    deps.counter.count(METRICS.router.batchesFailed);
    if (!reportItems) {
      throw new TransientError(
        `${pending.size} of ${inputs.length} records could not be enqueued after retries; failing the batch so Lambda delivers it again`,
      );
    }
    const batchItemFailures = [...firstPendingOffsets(pending, inputs)].map(
      ([partition, offset]) => ({
        itemIdentifier: { partition, offset },
      }),
    );
    return { batchItemFailures };
  } finally {
    deps.counter.publish();
  }
}

function pendingIndexes(outcomes: readonly RecordOutcome[]): Set<number> {
  const pending = new Set<number>();
  outcomes.forEach((outcome, index) => {
    if (outcome === 'pending') pending.add(index);
  });
  return pending;
}

function firstPendingOffsets(
  pending: ReadonlySet<number>,
  inputs: readonly RouterInput[],
): Map<string, number> {
  const first = new Map<string, number>();
  for (const index of pending) {
    const record = inputs[index]?.record;
    if (!record) continue;
    const key = partitionKey(record);
    const current = first.get(key);
    if (current === undefined || record.offset < current) first.set(key, record.offset);
  }
  return first;
}
