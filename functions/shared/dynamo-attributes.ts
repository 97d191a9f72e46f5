/**
 * Hand-written DynamoDB attribute values (the marshalling library is not a dependency):
 * a few typed helpers are all the job runtime's two small tables need.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';

export type Item = Record<string, AttributeValue>;

export const str = (value: string): AttributeValue => ({ S: value });
export const num = (value: number): AttributeValue => ({ N: String(value) });

/** A string attribute of an item, or undefined. */
export function readStr(item: Item, name: string): string | undefined {
  const value = item[name];
  return value && 'S' in value ? value.S : undefined;
}

/** A number attribute of an item, or undefined. */
export function readNum(item: Item, name: string): number | undefined {
  const value = item[name];
  return value && 'N' in value && value.N !== undefined ? Number(value.N) : undefined;
}

/** Whole seconds since the epoch, the unit DynamoDB TTL reads. */
export function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

/** True for DynamoDB's failed-condition error. */
export function isConditionFailed(error: unknown): boolean {
  return (error as { name?: string } | null)?.name === 'ConditionalCheckFailedException';
}
