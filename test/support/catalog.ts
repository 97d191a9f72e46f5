/**
 * Catalog rows for index-product tests: a plain row builder, its raw DynamoDB item, and
 * writes to a stage's catalog table (the catalog service's table, which Sluice only reads).
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { type CatalogRow, type CatalogStatus, catalogItem } from '../../local/shop/catalog-rows';

export { catalogItem };

/**
 * A row with readable defaults.
 *
 * @example
 * ```ts
 * catalogRow('p-1', 2, 'PUBLISHED', { title: 'steel kettle' });
 * ```
 */
export function catalogRow(
  productId: string,
  version: number,
  status: CatalogStatus = 'PUBLISHED',
  overrides: Partial<CatalogRow> = {},
): CatalogRow {
  return {
    productId,
    version,
    status,
    title: `product ${productId}`,
    description: `Description of ${productId}, version ${version}.`,
    price: { amount: 1999, currency: 'EUR' },
    tags: ['steel', 'compact'],
    categories: ['kitchen'],
    updatedAt: new Date(Date.UTC(2026, 10, 1, 12, 0, version)).toISOString(),
    ...overrides,
  };
}

/** Puts rows (or raw items, for rows the catalog got wrong) into the table. */
export async function putCatalog(
  dynamodb: DynamoDBClient,
  table: string,
  ...rows: Array<CatalogRow | Record<string, AttributeValue>>
): Promise<void> {
  for (const row of rows) {
    const item =
      'productId' in row && typeof row.productId === 'string'
        ? catalogItem(row as CatalogRow)
        : (row as Record<string, AttributeValue>);
    await dynamodb.send(new PutItemCommand({ TableName: table, Item: item }));
  }
}

/** Removes a product's row, as the catalog does when a product is deleted. */
export async function deleteCatalogRow(
  dynamodb: DynamoDBClient,
  table: string,
  productId: string,
): Promise<void> {
  await dynamodb.send(
    new DeleteItemCommand({ TableName: table, Key: { productId: { S: productId } } }),
  );
}
