/**
 * The OpenSearch service-linked role: a domain in a VPC cannot be created without it, and
 * accounts that never had a VPC domain lack it. With `search.createServiceLinkedRole` (the
 * default) the search stack creates it; otherwise it must exist before the deploy.
 */
import type { IAMClient } from '@aws-sdk/client-iam';
import {
  OPENSEARCH_SERVICE_LINKED_ROLE,
  roleExists,
} from '../../../functions/targets/opensearch/service-linked-role/ensure-role';
import type { StageConfig } from '../../../infra/config/schema';
import { couldNotCheck, type PreflightCheck } from './check';

const ID = 'opensearch-service-linked-role';
const TITLE = 'OpenSearch service-linked role';

/**
 * @example
 * ```ts
 * await checkServiceLinkedRole(new IAMClient({}), config); // { status: 'pass', … }
 * ```
 */
export async function checkServiceLinkedRole(
  iam: IAMClient,
  config: StageConfig,
): Promise<PreflightCheck> {
  const { roleName, serviceName } = OPENSEARCH_SERVICE_LINKED_ROLE;
  if (config.search.mode !== 'create') {
    return { id: ID, title: TITLE, status: 'skip', detail: 'the stage imports its domain' };
  }
  let exists: boolean;
  try {
    exists = await roleExists(iam, roleName);
  } catch (error) {
    return couldNotCheck(ID, TITLE, error);
  }
  if (exists) return { id: ID, title: TITLE, status: 'pass', detail: `${roleName} exists` };
  if (config.search.createServiceLinkedRole) {
    return {
      id: ID,
      title: TITLE,
      status: 'pass',
      detail: `${roleName} is missing; the search stack creates it (search.createServiceLinkedRole)`,
    };
  }
  return {
    id: ID,
    title: TITLE,
    status: 'fail',
    detail: `${roleName} is missing and search.createServiceLinkedRole is false: the domain would fail to create`,
    fix: `aws iam create-service-linked-role --aws-service-name ${serviceName}, or set search.createServiceLinkedRole: true`,
  };
}
