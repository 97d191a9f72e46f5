/**
 * A commission as a DynamoDB item of the commissions table, and back. Alongside the
 * commission the item keeps where it came from (event, job) and when it was recorded.
 */
import { type Item, num, readNum, readStr, str } from '../../shared/dynamo-attributes';
import type { Commission } from './commission';

/** Where a recorded commission came from. */
export interface CommissionProvenance {
  readonly eventId: string;
  readonly eventSource: string;
  readonly jobId: string;
  readonly recordedAt: string;
}

const STRING_FIELDS = [
  'commissionId',
  'orderId',
  'lineId',
  'sellerId',
  'productId',
  'currency',
  'soldAt',
] as const satisfies readonly (keyof Commission)[];

const NUMBER_FIELDS = [
  'quantity',
  'unitAmount',
  'grossAmount',
  'rateBasisPoints',
  'commissionAmount',
] as const satisfies readonly (keyof Commission)[];

/**
 * @example
 * ```ts
 * await dynamodb.send(new PutItemCommand({ TableName, Item: commissionItem(c, provenance) }));
 * ```
 */
export function commissionItem(commission: Commission, provenance: CommissionProvenance): Item {
  const item: Item = {};
  for (const field of STRING_FIELDS) item[field] = str(commission[field]);
  for (const field of NUMBER_FIELDS) item[field] = num(commission[field]);
  item.eventId = str(provenance.eventId);
  item.eventSource = str(provenance.eventSource);
  item.jobId = str(provenance.jobId);
  item.recordedAt = str(provenance.recordedAt);
  return item;
}

/**
 * The commission an item holds, or undefined when an attribute is missing (an item this
 * code did not write).
 */
export function commissionFromItem(item: Item): Commission | undefined {
  const strings: Partial<Record<(typeof STRING_FIELDS)[number], string>> = {};
  for (const field of STRING_FIELDS) {
    const value = readStr(item, field);
    if (value === undefined) return undefined;
    strings[field] = value;
  }
  const numbers: Partial<Record<(typeof NUMBER_FIELDS)[number], number>> = {};
  for (const field of NUMBER_FIELDS) {
    const value = readNum(item, field);
    if (value === undefined) return undefined;
    numbers[field] = value;
  }
  return { ...strings, ...numbers } as Commission;
}
