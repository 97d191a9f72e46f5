/**
 * record-commission's work: one conditional PutItem per sale line
 * (`attribute_not_exists(commissionId)`), so a redelivered, retried or replayed sale is a
 * no-op and the job needs no idempotency store.
 *
 * When the condition fails, the recorded item comes back with the failure
 * (ReturnValuesOnConditionCheckFailure, no read permission needed) and is compared with the
 * sale:
 * - same sale facts → a duplicate: success. The recorded commission is kept even when the
 *   rates changed since (it was paid at the rate of its time); that is logged.
 * - other facts (seller, quantity, price…) → the same sale line was sold twice differently:
 *   a real conflict a person must resolve. {@link CommissionConflictError} (permanent) sends
 *   the job to the DLQ with both versions in its message; the other lines are still
 *   recorded, and a redrive after the fix records what is missing.
 */
import { type DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import type { CloudEvent } from '../../events/envelope';
import type { ItemSold } from '../../events/schemas/orders';
import type { JobCode } from '../../jobs';
import { type Item, isConditionFailed } from '../../shared/dynamo-attributes';
import { PermanentError } from '../../shared/errors';
import type { Log } from '../../shared/telemetry';
import {
  classifyAwsErrorWithThrottling,
  ThrottledError,
  worstError,
} from '../../shared/throttling';
import { type Commission, commissionFor, saleDifferences } from './commission';
import { commissionFromItem, commissionItem } from './commission-item';
import type { CommissionRates } from './rates';

export type ItemSoldEvent = CloudEvent<'ITEM_SOLD', ItemSold>;

/** Same sale line, different sale facts: dead-lettered with reason `COMMISSION_CONFLICT`. */
export class CommissionConflictError extends PermanentError {
  override name = 'CommissionConflictError';
  /** Read by the job runtime as the dead letter's reason and metric dimension. */
  readonly reason = 'COMMISSION_CONFLICT';
}

export interface RecordCommissionDeps {
  readonly dynamodb: DynamoDBClient;
  /** Physical name of the commissions table. */
  readonly table: string;
  readonly rates: CommissionRates;
  readonly now: () => Date;
}

/** How one run went: lines newly recorded and lines that were already there. */
export interface CommissionsOutcome {
  readonly recorded: number;
  readonly duplicates: number;
}

type LineResult = 'recorded' | 'duplicate';

/** Lines written at once: a sale has up to 500, DynamoDB and the limiter like fewer. */
const WRITES_IN_FLIGHT = 10;

async function putCommission(
  deps: RecordCommissionDeps,
  commission: Commission,
  event: ItemSoldEvent,
  jobId: string,
  log: Log,
): Promise<LineResult> {
  const provenance = {
    eventId: event.id,
    eventSource: event.source,
    jobId,
    recordedAt: deps.now().toISOString(),
  };
  try {
    await deps.dynamodb.send(
      new PutItemCommand({
        TableName: deps.table,
        Item: commissionItem(commission, provenance),
        ConditionExpression: 'attribute_not_exists(#id)',
        ExpressionAttributeNames: { '#id': 'commissionId' },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
    return 'recorded';
  } catch (error) {
    if (!isConditionFailed(error)) {
      throw classifyAwsErrorWithThrottling(error, `put commission ${commission.commissionId}`);
    }
    const old = (error as { Item?: Item }).Item;
    const recorded = old && commissionFromItem(old);
    if (!recorded) {
      throw new CommissionConflictError(
        `Commission ${commission.commissionId} exists but is not a commission item`,
      );
    }
    const differences = saleDifferences(recorded, commission);
    if (differences.length > 0) {
      throw new CommissionConflictError(
        `Commission ${commission.commissionId} was recorded for another sale (${differences.join(', ')})`,
      );
    }
    if (recorded.rateBasisPoints !== commission.rateBasisPoints) {
      log.warn('Duplicate sale line: kept the commission recorded at its earlier rate', {
        commissionId: commission.commissionId,
        recordedRate: recorded.rateBasisPoints,
        currentRate: commission.rateBasisPoints,
      });
    }
    return 'duplicate';
  }
}

/** The one error a run ends with; conflicts on several lines are reported together. */
function errorToThrow(errors: readonly unknown[]): unknown {
  const first = worstError(errors);
  const conflicts = errors.filter((e) => e instanceof CommissionConflictError);
  if (first instanceof CommissionConflictError && conflicts.length > 1) {
    return new CommissionConflictError(conflicts.map((c) => (c as Error).message).join('; '));
  }
  return first;
}

/**
 * Records the commission of every line of a sale. Lines already recorded for the same
 * sale are skipped; every line is attempted even when some fail (except after throttling),
 * so a retry or redrive only has the failed ones left to do.
 *
 * @throws ThrottledError / TransientError when a write may succeed later (retried by the
 *   runtime); CommissionConflictError or PermanentError otherwise (dead-lettered).
 * @example
 * ```ts
 * const outcome = await recordCommissions(deps, event, jobId, log); // { recorded: 2, duplicates: 0 }
 * ```
 */
export async function recordCommissions(
  deps: RecordCommissionDeps,
  event: ItemSoldEvent,
  jobId: string,
  log: Log,
): Promise<CommissionsOutcome> {
  // Computed up front: a line that cannot be priced fails the job before anything is written.
  const commissions = event.data.lines.map((line) => commissionFor(event.data, line, deps.rates));
  let recorded = 0;
  let duplicates = 0;
  const errors: unknown[] = [];
  for (let start = 0; start < commissions.length; start += WRITES_IN_FLIGHT) {
    const chunk = commissions.slice(start, start + WRITES_IN_FLIGHT);
    const results = await Promise.allSettled(
      chunk.map((commission) => putCommission(deps, commission, event, jobId, log)),
    );
    for (const result of results) {
      if (result.status === 'rejected') errors.push(result.reason);
      else if (result.value === 'recorded') recorded++;
      else duplicates++;
    }
    // The table is pushing back: leave the rest to the retry instead of pressing on.
    if (errors.some((e) => e instanceof ThrottledError)) break;
  }
  if (errors.length > 0) throw errorToThrow(errors);
  return { recorded, duplicates };
}

/**
 * The job's code for `defineJob`.
 *
 * @example
 * ```ts
 * export const handler = defineJob(recordCommissionJob, recordCommissionCode({ dynamodb, now, ...config }));
 * ```
 */
export function recordCommissionCode(deps: RecordCommissionDeps): JobCode<ItemSoldEvent> {
  return {
    perform: async ({ event, jobId, log }) => {
      const outcome = await recordCommissions(deps, event, jobId, log);
      log.debug('Commissions recorded', { ...outcome });
    },
  };
}
