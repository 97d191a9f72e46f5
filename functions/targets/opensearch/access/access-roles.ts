/**
 * Fine-grained access control for Sluice's functions, as data: one OpenSearch security role
 * per function that writes to the domain, allowed to write exactly the indexes its job
 * declares (the alias and its versioned indexes), mapped to the function's IAM role as a
 * backend role. The CloudFormation custom resource applies these documents.
 */

import { resourceName } from '../../../topology/naming';
import type { IndexKey } from '../../../topology/topology';
import { aliasName } from '../indexes/spec';

/** A function that writes to the domain: its IAM role and the indexes it writes. */
export interface IndexWriter {
  /** Short name, e.g. `job-audit`; the security role is `sluice-<stage>-<name>`. */
  readonly name: string;
  readonly roleArn: string;
  readonly indexes: readonly IndexKey[];
}

/** A role of the OpenSearch security plugin and who is mapped to it. */
export interface SecurityRole {
  readonly name: string;
  readonly role: {
    readonly description: string;
    readonly cluster_permissions: readonly string[];
    readonly index_permissions: readonly {
      readonly index_patterns: readonly string[];
      readonly allowed_actions: readonly string[];
    }[];
  };
  readonly mapping: { readonly backend_roles: readonly string[] };
}

/**
 * Index actions a writer needs: index/create single documents and bulk writes. The bulk
 * request itself is a cluster-level action; which indexes it may touch is decided here.
 */
export const WRITER_INDEX_ACTIONS = [
  'indices:data/write/index',
  'indices:data/write/bulk*',
  'indices:data/write/update',
] as const;
export const WRITER_CLUSTER_ACTIONS = ['indices:data/write/bulk'] as const;

/**
 * @example
 * ```ts
 * securityRoles('dev', [{ name: 'job-audit', roleArn: 'arn:aws:iam::1:role/x', indexes: ['audit'] }]);
 * // [{ name: 'sluice-dev-job-audit', role: { index_permissions: [{ index_patterns:
 * //   ['sluice-dev-audit', 'sluice-dev-audit-v*'], … }] }, mapping: { backend_roles: [...] } }]
 * ```
 */
export function securityRoles(stage: string, writers: readonly IndexWriter[]): SecurityRole[] {
  return writers
    .filter((writer) => writer.indexes.length > 0)
    .map((writer) => ({
      name: resourceName(stage, writer.name),
      role: {
        description: `Sluice ${stage}: ${writer.name} writes ${writer.indexes.join(', ')}`,
        cluster_permissions: [...WRITER_CLUSTER_ACTIONS],
        index_permissions: [
          {
            index_patterns: writer.indexes.flatMap((key) => {
              const alias = aliasName(stage, key);
              return [alias, `${alias}-v*`];
            }),
            allowed_actions: [...WRITER_INDEX_ACTIONS],
          },
        ],
      },
      mapping: { backend_roles: [writer.roleArn] },
    }));
}
