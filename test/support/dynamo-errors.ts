/**
 * DynamoDB's refusals as the SDK throws them, for unit tests over a mocked client.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';

/** A cancelled transaction: one reason per item, `None` where the item was fine. */
export const transactionCancelled = (...codes: string[]) =>
  Object.assign(new Error('Transaction cancelled'), {
    name: 'TransactionCanceledException',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
    CancellationReasons: codes.map((Code) => ({ Code })),
  });

/** A failed condition with the item as it was (ReturnValuesOnConditionCheckFailure). */
export const conditionFailed = (item: Record<string, unknown>) =>
  Object.assign(
    new ConditionalCheckFailedException({
      message: 'The conditional request failed',
      $metadata: {},
    }),
    { Item: item },
  );
