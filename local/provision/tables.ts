/**
 * Creates a stage's DynamoDB tables on the local services (or LocalStack) from the topology
 * module, on demand, with TTL where the topology names a TTL attribute and the global
 * secondary indexes it declares (all string keys, all attributes projected). Idempotent.
 */
import {
  CreateTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
  waitUntilTableExists,
} from '@aws-sdk/client-dynamodb';
import { resourceName } from '../../functions/topology/naming';
import { TABLES } from '../../functions/topology/topology';

/**
 * @returns the physical table name per logical table key.
 * @example
 * ```ts
 * const tables = await provisionTables(new DynamoDBClient({}), 'dev');
 * tables.get('commissions'); // 'sluice-dev-commissions'
 * ```
 */
export async function provisionTables(
  dynamodb: DynamoDBClient,
  stage: string,
): Promise<Map<string, string>> {
  const names = new Map<string, string>();
  for (const [key, table] of Object.entries(TABLES)) {
    const name = resourceName(stage, table.name);
    names.set(key, name);
    try {
      const indexes = 'indexes' in table ? table.indexes : [];
      const keyAttributes = new Set<string>([table.partitionKey]);
      for (const index of indexes) keyAttributes.add(index.partitionKey).add(index.sortKey);
      await dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...keyAttributes].map((attribute) => ({
            AttributeName: attribute,
            AttributeType: 'S',
          })),
          KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
          ...(indexes.length > 0
            ? {
                GlobalSecondaryIndexes: indexes.map((index) => ({
                  IndexName: index.name,
                  KeySchema: [
                    { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                    { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
                  ],
                  Projection: { ProjectionType: 'ALL' as const },
                })),
              }
            : {}),
        }),
      );
    } catch (error) {
      if ((error as Error).name !== 'ResourceInUseException') throw error;
      continue;
    }
    await waitUntilTableExists({ client: dynamodb, maxWaitTime: 30 }, { TableName: name });
    if ('ttl' in table) {
      await dynamodb.send(
        new UpdateTimeToLiveCommand({
          TableName: name,
          TimeToLiveSpecification: { AttributeName: table.ttl, Enabled: true },
        }),
      );
    }
  }
  return names;
}
