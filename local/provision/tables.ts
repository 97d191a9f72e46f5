/**
 * Creates a stage's DynamoDB tables on the local services (or LocalStack) from the topology
 * module, on demand, with TTL where the topology names a TTL attribute. Idempotent.
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
      await dynamodb.send(
        new CreateTableCommand({
          TableName: name,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [{ AttributeName: table.partitionKey, AttributeType: 'S' }],
          KeySchema: [{ AttributeName: table.partitionKey, KeyType: 'HASH' }],
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
