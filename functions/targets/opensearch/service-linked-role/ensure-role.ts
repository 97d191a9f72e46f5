/**
 * Creates a service-linked role when the account lacks it, and leaves an existing one alone:
 * the logic of the `Custom::SluiceServiceLinkedRole` resource. A service-linked role belongs
 * to the account, not to a stage, so the resource never deletes it (another stage, or a domain
 * outside Sluice, may rely on it).
 */
import {
  CreateServiceLinkedRoleCommand,
  GetRoleCommand,
  type IAMClient,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';

/** OpenSearch Service's role: a domain in a VPC cannot be created without it. */
export const OPENSEARCH_SERVICE_LINKED_ROLE = {
  serviceName: 'opensearchservice.amazonaws.com',
  roleName: 'AWSServiceRoleForAmazonOpenSearchService',
} as const;

export interface ServiceLinkedRole {
  readonly serviceName: string;
  readonly roleName: string;
}

/** What {@link ensureServiceLinkedRole} found or did. */
export type EnsureOutcome = 'existed' | 'created';

/**
 * @example
 * ```ts
 * await ensureServiceLinkedRole(new IAMClient({}), OPENSEARCH_SERVICE_LINKED_ROLE); // 'existed'
 * ```
 */
export async function ensureServiceLinkedRole(
  iam: IAMClient,
  role: ServiceLinkedRole,
): Promise<EnsureOutcome> {
  if (await roleExists(iam, role.roleName)) return 'existed';
  try {
    await iam.send(new CreateServiceLinkedRoleCommand({ AWSServiceName: role.serviceName }));
    return 'created';
  } catch (error) {
    // Another deployment created it in between: IAM then refuses the name as taken.
    if (await roleExists(iam, role.roleName)) return 'existed';
    throw error;
  }
}

/**
 * Whether a role of that name exists (a missing role is NoSuchEntity, not an error).
 *
 * @example
 * ```ts
 * await roleExists(new IAMClient({}), 'AWSServiceRoleForAmazonOpenSearchService');
 * ```
 */
export async function roleExists(iam: IAMClient, roleName: string): Promise<boolean> {
  try {
    await iam.send(new GetRoleCommand({ RoleName: roleName }));
    return true;
  } catch (error) {
    if (error instanceof NoSuchEntityException) return false;
    throw error;
  }
}
