/**
 * The customers table as a projection with optimistic concurrency: one item per customer
 * holding `fields` (name → { value, changedAt }), a `version` that every write bumps, and
 * `updatedAt`. A write names the version it read; when another write came in between, the
 * condition fails and the caller merges again on top of the newer item.
 */
import {
  type AttributeValue,
  type DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type PutItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  type Item,
  isConditionFailed,
  num,
  readNum,
  readStr,
  str,
} from '../../shared/dynamo-attributes';
import { PermanentError } from '../../shared/errors';
import { classifyAwsErrorWithThrottling } from '../../shared/throttling';
import { TABLES } from '../../topology/topology';
import { fromAttribute, toAttribute } from './json-attributes';
import type { FieldState, ProjectionFields } from './merge-changes';

const KEY = TABLES.customers.partitionKey;

/** A customer as read: its fields, the version to write against (0: no item yet). */
export interface StoredProjection {
  readonly customerId: string;
  readonly fields: ProjectionFields;
  readonly version: number;
  /** The item as read, so attributes this code does not manage survive a write. */
  readonly item: Item | undefined;
}

function fieldsFromItem(item: Item, customerId: string): Map<string, FieldState> {
  const fields = new Map<string, FieldState>();
  for (const [name, attribute] of Object.entries(item.fields?.M ?? {})) {
    const entry = attribute.M ?? {};
    const changedAt = readStr(entry, 'changedAt');
    const value = entry.value;
    if (changedAt === undefined || value === undefined) {
      throw new PermanentError(`Customer ${customerId}: field ${name} has no value or changedAt`);
    }
    fields.set(name, { value: fromAttribute(value), changedAt });
  }
  return fields;
}

function fieldsToAttribute(fields: ProjectionFields): AttributeValue {
  const entries: Record<string, AttributeValue> = {};
  for (const [name, state] of fields) {
    entries[name] = { M: { value: toAttribute(state.value), changedAt: str(state.changedAt) } };
  }
  return { M: entries };
}

/**
 * Reads a customer (strongly consistent, so a retry after a version conflict sees the write
 * that beat it).
 *
 * @example
 * ```ts
 * const current = await readProjection(dynamodb, table, 'cust-1'); // version 0 when new
 * ```
 */
export async function readProjection(
  dynamodb: DynamoDBClient,
  table: string,
  customerId: string,
): Promise<StoredProjection> {
  let item: Item | undefined;
  try {
    ({ Item: item } = await dynamodb.send(
      new GetItemCommand({
        TableName: table,
        Key: { [KEY]: str(customerId) },
        ConsistentRead: true,
      }),
    ));
  } catch (error) {
    throw classifyAwsErrorWithThrottling(error, `read customer ${customerId}`);
  }
  if (!item) return { customerId, fields: new Map(), version: 0, item: undefined };
  return {
    customerId,
    fields: fieldsFromItem(item, customerId),
    version: readNum(item, 'version') ?? 0,
    item,
  };
}

/** The condition that the item is still as `read` saw it. */
function unchangedSince(
  read: StoredProjection,
): Pick<
  PutItemCommandInput,
  'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'
> {
  if (read.item === undefined) {
    return {
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#key': KEY },
    };
  }
  if (readNum(read.item, 'version') === undefined) {
    // An item this code did not create: take it over, once.
    return {
      ConditionExpression: 'attribute_not_exists(#version)',
      ExpressionAttributeNames: { '#version': 'version' },
    };
  }
  return {
    ConditionExpression: '#version = :version',
    ExpressionAttributeNames: { '#version': 'version' },
    ExpressionAttributeValues: { ':version': num(read.version) },
  };
}

/**
 * Writes `fields` over the projection read as `read`, if nobody wrote since.
 *
 * @returns false when the version moved on (merge again on a fresh read), true when written.
 * @example
 * ```ts
 * if (!(await writeProjection(dynamodb, table, current, merged.fields, new Date()))) retry();
 * ```
 */
export async function writeProjection(
  dynamodb: DynamoDBClient,
  table: string,
  read: StoredProjection,
  fields: ProjectionFields,
  now: Date,
): Promise<boolean> {
  try {
    await dynamodb.send(
      new PutItemCommand({
        TableName: table,
        Item: {
          ...read.item,
          [KEY]: str(read.customerId),
          fields: fieldsToAttribute(fields),
          version: num(read.version + 1),
          updatedAt: str(now.toISOString()),
        },
        ...unchangedSince(read),
      }),
    );
    return true;
  } catch (error) {
    if (isConditionFailed(error)) return false;
    throw classifyAwsErrorWithThrottling(error, `write customer ${read.customerId}`);
  }
}
