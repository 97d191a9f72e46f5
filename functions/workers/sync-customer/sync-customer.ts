/**
 * sync-customer's work for one change event: read the customer, merge the changes field
 * by field (newest `changedAt` wins, see merge-changes.ts) and write the result if it
 * differs, conditional on the version read. A write that loses a race re-reads and merges
 * again; changes that are all older than the projection (late or duplicate deliveries)
 * write nothing.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { CloudEvent } from '../../events/envelope';
import type { CustomerChange } from '../../events/schemas/customers';
import type { JobCode } from '../../jobs';
import { TransientError } from '../../shared/errors';
import { mergeChanges } from './merge-changes';
import { readProjection, writeProjection } from './projection-store';

export type CustomerChangeEvent = CloudEvent<
  'CUSTOMER_CREATED' | 'CUSTOMER_UPDATED',
  CustomerChange
>;

/** Read-merge-write rounds before a job gives up for now (the job runtime retries it later). */
export const MAX_MERGE_ROUNDS = 5;

export interface SyncCustomerDeps {
  readonly dynamodb: DynamoDBClient;
  /** Physical name of the customers table. */
  readonly table: string;
  readonly now: () => Date;
  /** Waits between rounds after a lost race; jittered by the caller. */
  readonly pause: (ms: number) => Promise<void>;
  readonly random: () => number;
}

/** What one change event did. */
export interface SyncOutcome {
  /** Fields this event set (empty: everything in it was older or already there). */
  readonly applied: readonly string[];
  /** Read-merge-write rounds it took (> 1 after lost races). */
  readonly rounds: number;
}

/**
 * Applies one change event to the customer projection.
 *
 * @throws TransientError after {@link MAX_MERGE_ROUNDS} lost races (retried by the job runtime),
 *   ThrottledError / TransientError / PermanentError from DynamoDB.
 * @example
 * ```ts
 * const { applied } = await syncCustomer(deps, event); // ['email'] or [] for a stale change
 * ```
 */
export async function syncCustomer(
  deps: SyncCustomerDeps,
  event: CustomerChangeEvent,
): Promise<SyncOutcome> {
  const { customerId, changes } = event.data;
  for (let round = 1; round <= MAX_MERGE_ROUNDS; round++) {
    const current = await readProjection(deps.dynamodb, deps.table, customerId);
    const merged = mergeChanges(current.fields, changes);
    if (merged.applied.length === 0) return { applied: [], rounds: round };
    if (await writeProjection(deps.dynamodb, deps.table, current, merged.fields, deps.now())) {
      return { applied: merged.applied, rounds: round };
    }
    // Lost a race with another change of this customer: back off a little (full jitter).
    await deps.pause(Math.floor(deps.random() * 25 * 2 ** round));
  }
  throw new TransientError(
    `Customer ${customerId}: still losing write races after ${MAX_MERGE_ROUNDS} rounds`,
  );
}

/**
 * The job's code for `defineJob`.
 *
 * @example
 * ```ts
 * export const handler = defineJob(syncCustomerJob, syncCustomerCode(deps));
 * ```
 */
export function syncCustomerCode(deps: SyncCustomerDeps): JobCode<CustomerChangeEvent> {
  return {
    perform: async ({ event, log }) => {
      const outcome = await syncCustomer(deps, event);
      log.debug('Customer synced', { ...outcome });
    },
  };
}
