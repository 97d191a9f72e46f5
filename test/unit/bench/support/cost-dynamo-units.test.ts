/**
 * bench:cost's DynamoDB units against AWS's published rules: 1 write unit per KB (rounded up),
 * twice that in a transaction; 1 read unit per 4 KB consistent, half eventually consistent;
 * a batch write's unprocessed items are not billed.
 */
import { describe, expect, it } from 'vitest';
import { dynamoUnits, itemSize } from '../../../../bench/support/cost-dynamo-units';

// 'id' (2 bytes) + 'p' (1 byte) + a string of n bytes.
const item = (bytes: number) => ({ id: { S: 'k' }, p: { S: 'x'.repeat(bytes) } });

describe('dynamoUnits', () => {
  it('sizes an item as its names plus its values', () => {
    expect(itemSize(item(2_500))).toBe(2 + 1 + 1 + 2_500);
  });

  it('bills a 2.5 KB put 3 write units, and in a transaction 6', () => {
    expect(dynamoUnits('PutItem', { Item: item(2_500) })).toEqual({ read: 0, write: 3 });
    expect(
      dynamoUnits('TransactWriteItems', { TransactItems: [{ Put: { Item: item(2_500) } }] }),
    ).toEqual({ read: 0, write: 6 });
  });

  it('bills a small read 1 unit consistent and 0.5 eventually consistent', () => {
    const output = { Item: item(100) };
    expect(dynamoUnits('GetItem', { ConsistentRead: true }, output)).toEqual({ read: 1, write: 0 });
    expect(dynamoUnits('GetItem', {}, output)).toEqual({ read: 0.5, write: 0 });
  });

  it('does not bill the items a batch write hands back unprocessed', () => {
    const put = (bytes: number) => ({ PutRequest: { Item: item(bytes) } });
    const input = { RequestItems: { t: [put(100), put(1_500), put(100)] } };
    expect(dynamoUnits('BatchWriteItem', input, {})).toEqual({ read: 0, write: 4 });
    expect(dynamoUnits('BatchWriteItem', input, { UnprocessedItems: { t: [put(1_500)] } })).toEqual(
      { read: 0, write: 2 },
    );
  });

  it('bills a write by the larger of the item before and after, where a response shows it', () => {
    const key = { id: { S: 'k' } };
    const update = { Key: key, ExpressionAttributeValues: { ':one': { N: '1' } } };
    expect(dynamoUnits('UpdateItem', update, {})).toEqual({ read: 0, write: 1 });
    // ReturnValues gave the attributes written: a 1.5 KB set makes it 2 units.
    const returned = { Attributes: { jobs: { SS: ['x'.repeat(1_500)] } } };
    expect(dynamoUnits('UpdateItem', update, returned)).toEqual({ read: 0, write: 2 });
    // A failed condition returned a 2.5 KB item: the failed update and put cost 3 each.
    expect(dynamoUnits('UpdateItem', update, undefined, item(2_500))).toEqual({
      read: 0,
      write: 3,
    });
    expect(dynamoUnits('PutItem', { Item: item(10) }, undefined, item(2_500))).toEqual({
      read: 0,
      write: 3,
    });
  });
});
