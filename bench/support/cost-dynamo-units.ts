/**
 * DynamoDB on-demand request units of one request, computed from what it sent and what came
 * back, by the rules of the DynamoDB developer guide ("Item sizes and formats", "Read/write
 * capacity modes"): a write is 1 unit per KB of the item, a read 1 unit per 4 KB strongly
 * consistent and half that eventually consistent, a transaction twice either. moto's
 * ReturnConsumedCapacity cannot be used instead: measured against moto, a 2.5 KB PutItem
 * reported 1 unit (3 on AWS), a consistent GetItem 0.5 (1 on AWS), TransactWriteItems nothing.
 *
 * A write is billed by the larger of the item before and after it. An UpdateItem's or
 * DeleteItem's stored item is not in the request: its size is the largest of the key and the
 * values written, the attributes the response returned (ReturnValues) and the item a failed
 * condition returned (ReturnValuesOnConditionCheckFailure) — still a lower bound when neither
 * came back. A failed conditional write still consumes its units, as on AWS.
 */
import type {
  AttributeValue,
  BatchGetItemCommandInput,
  BatchGetItemCommandOutput,
  BatchWriteItemCommandInput,
  BatchWriteItemCommandOutput,
  DeleteItemCommandInput,
  GetItemCommandInput,
  GetItemCommandOutput,
  PutItemCommandInput,
  QueryCommandInput,
  QueryCommandOutput,
  TransactGetItemsCommandInput,
  TransactWriteItemsCommandInput,
  UpdateItemCommandInput,
  WriteRequest,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

export interface CapacityUnits {
  readonly read: number;
  readonly write: number;
}

const KB = 1024;
const READ_CHUNK = 4 * KB;

/** Bytes of one attribute value (numbers: about one byte per two digits, plus one). */
export function valueSize(value: AttributeValue): number {
  if (value.S !== undefined) return Buffer.byteLength(value.S);
  if (value.N !== undefined) return Math.ceil(value.N.replace(/^-|\./g, '').length / 2) + 1;
  if (value.B !== undefined) return value.B.byteLength;
  if (value.BOOL !== undefined || value.NULL !== undefined) return 1;
  if (value.SS !== undefined) return value.SS.reduce((sum, s) => sum + Buffer.byteLength(s), 0);
  if (value.NS !== undefined) return value.NS.reduce((sum, n) => sum + n.length / 2 + 1, 0);
  if (value.BS !== undefined) return value.BS.reduce((sum, b) => sum + b.byteLength, 0);
  if (value.L !== undefined) return 3 + value.L.reduce((sum, v) => sum + 1 + valueSize(v), 0);
  if (value.M !== undefined) return 3 + itemSize(value.M) + Object.keys(value.M).length;
  return 0;
}

/** Bytes of an item: attribute names (UTF-8) plus values. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  let size = 0;
  for (const [name, value] of Object.entries(item))
    size += Buffer.byteLength(name) + valueSize(value);
  return size;
}

const writeUnitsOf = (bytes: number) => Math.max(1, Math.ceil(bytes / KB));
const readUnitsOf = (bytes: number, consistent: boolean) =>
  Math.max(1, Math.ceil(bytes / READ_CHUNK)) * (consistent ? 1 : 0.5);

function updateSize(key: Item | undefined, values: Item | undefined): number {
  return itemSize(key) + itemSize(values);
}

/** What a write's response showed of the stored item: returned attributes, or the old item. */
function shownSize(key: Item | undefined, output: object | undefined, before: Item | undefined) {
  const returned = (output as { Attributes?: Item } | undefined)?.Attributes;
  return Math.max(returned ? itemSize(key) + itemSize(returned) : 0, itemSize(before));
}

/**
 * Units of one DynamoDB request. `output` is undefined when the request failed (a failed
 * conditional write or a cancelled transaction still consumes its write units); `before` is
 * the item a failed condition returned, if any.
 *
 * @example
 * ```ts
 * dynamoUnits('PutItem', { TableName: 't', Item: { pk: { S: 'a' } } }, {}); // { read: 0, write: 1 }
 * ```
 */
export function dynamoUnits(
  operation: string,
  input: object,
  output?: object,
  before?: Item,
): CapacityUnits {
  switch (operation) {
    case 'PutItem': {
      const item = (input as PutItemCommandInput).Item;
      return { read: 0, write: writeUnitsOf(Math.max(itemSize(item), itemSize(before))) };
    }
    case 'UpdateItem': {
      const i = input as UpdateItemCommandInput;
      const bytes = Math.max(
        updateSize(i.Key, i.ExpressionAttributeValues),
        shownSize(i.Key, output, before),
      );
      return { read: 0, write: writeUnitsOf(bytes) };
    }
    case 'DeleteItem':
      return { read: 0, write: writeUnitsOf(itemSize((input as DeleteItemCommandInput).Key)) };
    case 'BatchWriteItem': {
      // Items handed back unprocessed were not written (nor billed): their retry counts them.
      const units = (requests: Record<string, WriteRequest[]> | undefined) => {
        let write = 0;
        for (const list of Object.values(requests ?? {}))
          for (const r of list)
            write += writeUnitsOf(itemSize(r.PutRequest?.Item ?? r.DeleteRequest?.Key));
        return write;
      };
      const unprocessed = (output as BatchWriteItemCommandOutput | undefined)?.UnprocessedItems;
      return {
        read: 0,
        write: units((input as BatchWriteItemCommandInput).RequestItems) - units(unprocessed),
      };
    }
    case 'TransactWriteItems': {
      let write = 0;
      for (const t of (input as TransactWriteItemsCommandInput).TransactItems ?? []) {
        const bytes = t.Put
          ? itemSize(t.Put.Item)
          : t.Update
            ? updateSize(t.Update.Key, t.Update.ExpressionAttributeValues)
            : itemSize(t.Delete?.Key ?? t.ConditionCheck?.Key);
        write += 2 * writeUnitsOf(bytes);
      }
      return { read: 0, write };
    }
    case 'GetItem': {
      const consistent = (input as GetItemCommandInput).ConsistentRead === true;
      return {
        read: readUnitsOf(itemSize((output as GetItemCommandOutput | undefined)?.Item), consistent),
        write: 0,
      };
    }
    case 'BatchGetItem':
      return {
        read: batchGetUnits(
          input as BatchGetItemCommandInput,
          output as BatchGetItemCommandOutput | undefined,
        ),
        write: 0,
      };
    case 'Query': {
      const consistent = (input as QueryCommandInput).ConsistentRead === true;
      const items = (output as QueryCommandOutput | undefined)?.Items ?? [];
      return {
        read: readUnitsOf(
          items.reduce((sum, item) => sum + itemSize(item), 0),
          consistent,
        ),
        write: 0,
      };
    }
    case 'TransactGetItems':
      return {
        read: 2 * ((input as TransactGetItemsCommandInput).TransactItems?.length ?? 0),
        write: 0,
      };
    default:
      return { read: 0, write: 0 };
  }
}

/** Each key read is rounded up on its own; a key not found still costs one read. */
function batchGetUnits(
  input: BatchGetItemCommandInput,
  output: BatchGetItemCommandOutput | undefined,
): number {
  let units = 0;
  for (const [table, request] of Object.entries(input.RequestItems ?? {})) {
    const consistent = request.ConsistentRead === true;
    const found = output?.Responses?.[table] ?? [];
    const unprocessed = output?.UnprocessedKeys?.[table]?.Keys?.length ?? 0;
    for (const item of found) units += readUnitsOf(itemSize(item), consistent);
    const missing = (request.Keys?.length ?? 0) - found.length - unprocessed;
    units += Math.max(0, missing) * readUnitsOf(0, consistent);
  }
  return units;
}
