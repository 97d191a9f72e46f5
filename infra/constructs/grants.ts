/**
 * Least-privilege grants, written out instead of the CDK `grant*` helpers that add wildcard
 * actions (`s3:Abort*`, `dynamodb:*Stream*`): every statement names its actions and the
 * exact resources — tables by name, one index by name, one S3 prefix, one domain path.
 */
import { Stack } from 'aws-cdk-lib';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { TableAccess } from '../../functions/jobs/job-definition';

/** The DynamoDB actions behind each kind of table access a job declares. */
export const TABLE_ACTIONS: Readonly<Record<TableAccess, readonly string[]>> = {
  read: ['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query'],
  write: [
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
  readWrite: [
    'dynamodb:GetItem',
    'dynamodb:BatchGetItem',
    'dynamodb:Query',
    'dynamodb:PutItem',
    'dynamodb:UpdateItem',
    'dynamodb:DeleteItem',
    'dynamodb:BatchWriteItem',
  ],
};

/** HTTP actions a worker uses on the domain: bulk (POST) and single-document writes (PUT). */
export const INDEX_WRITE_ACTIONS = ['es:ESHttpPost', 'es:ESHttpPut'] as const;

function addStatement(role: IRole, statement: PolicyStatement): void {
  role.addToPrincipalPolicy(statement);
}

/**
 * Grants `access` on a table found by its physical name (and on the named indexes, for
 * Query), building the ARN in the grantee's stack so no cross-stack export ties the table.
 *
 * @example
 * ```ts
 * grantTable(worker.role, 'sluice-dev-commissions', 'write');
 * ```
 */
export function grantTable(
  role: IRole,
  tableName: string,
  access: TableAccess,
  indexNames: readonly string[] = [],
): void {
  const tableArn = tableArnOf(role, tableName);
  const resources = [tableArn];
  if (access !== 'write')
    resources.push(...indexNames.map((index) => `${tableArn}/index/${index}`));
  addStatement(role, new PolicyStatement({ actions: [...TABLE_ACTIONS[access]], resources }));
}

/**
 * Grants exactly `actions` on a table found by its physical name, for a role that needs less
 * than a kind of access.
 *
 * @example
 * ```ts
 * grantTableActions(router.role, 'sluice-dev-ingest-ledger', ['dynamodb:BatchGetItem', 'dynamodb:UpdateItem']);
 * ```
 */
export function grantTableActions(
  role: IRole,
  tableName: string,
  actions: readonly `dynamodb:${string}`[],
): void {
  addStatement(
    role,
    new PolicyStatement({ actions: [...actions], resources: [tableArnOf(role, tableName)] }),
  );
}

/** A table's ARN, built in the grantee's stack so no cross-stack export ties the table. */
function tableArnOf(role: IRole, tableName: string): string {
  return Stack.of(role).formatArn({
    service: 'dynamodb',
    resource: 'table',
    resourceName: tableName,
  });
}

/**
 * Grants object writes (and optionally reads) under one key prefix of a bucket.
 *
 * @example
 * ```ts
 * grantObjects(router.role, bucket.bucketArn, 'ingest/', { read: false });
 * ```
 */
export function grantObjects(
  role: IRole,
  bucketArn: string,
  prefix: string,
  options: { readonly read: boolean },
): void {
  const actions = options.read ? ['s3:PutObject', 's3:GetObject'] : ['s3:PutObject'];
  addStatement(role, new PolicyStatement({ actions, resources: [`${bucketArn}/${prefix}*`] }));
}

/**
 * Grants writes to the given index aliases of a domain: `_bulk` and the aliases' document
 * paths. Which indexes a bulk request may touch is enforced by fine-grained access control.
 *
 * @example
 * ```ts
 * grantIndexWrites(worker.role, domainArn, ['sluice-dev-audit']);
 * ```
 */
export function grantIndexWrites(role: IRole, domainArn: string, aliases: readonly string[]): void {
  addStatement(
    role,
    new PolicyStatement({
      actions: [...INDEX_WRITE_ACTIONS],
      resources: [`${domainArn}/_bulk`, ...aliases.map((alias) => `${domainArn}/${alias}/*`)],
    }),
  );
}
