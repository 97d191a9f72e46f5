/**
 * The fine-grained access mapping as a CloudFormation custom resource (CDK Provider
 * `onEvent`). Resource property `Roles` is the JSON of {@link SecurityRole}[]. Create and
 * Update put every role (idempotent) and delete the roles an update dropped; Delete removes
 * them all — they are access configuration, not data.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { SecurityRole } from './access-roles';
import { deleteSecurityRoles, putSecurityRoles } from './apply-roles';

export interface AccessResourceResponse {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly Roles: string };
}

function rolesOf(properties: Record<string, unknown> | undefined): SecurityRole[] {
  const raw = properties?.Roles;
  if (raw === undefined) return [];
  if (typeof raw !== 'string') throw new Error('Property Roles must be a JSON string');
  const roles = JSON.parse(raw) as SecurityRole[];
  if (!Array.isArray(roles) || roles.some((r) => typeof r?.name !== 'string')) {
    throw new Error('Property Roles must be a JSON array of { name, role, mapping }');
  }
  return roles;
}

/**
 * @example
 * ```ts
 * export const handler = accessResource(openSearchClientFromEnv(process.env));
 * ```
 */
export function accessResource(client: Client) {
  return async (event: CloudFormationCustomResourceEvent): Promise<AccessResourceResponse> => {
    const roles = rolesOf(event.ResourceProperties);
    const names = roles.map((r) => r.name);
    const physicalId = `opensearch-access:${event.LogicalResourceId}`;
    if (event.RequestType === 'Delete') {
      await deleteSecurityRoles(client, names);
      return { PhysicalResourceId: event.PhysicalResourceId, Data: { Roles: names.join(',') } };
    }
    await putSecurityRoles(client, roles);
    if (event.RequestType === 'Update') {
      const dropped = rolesOf(event.OldResourceProperties)
        .map((r) => r.name)
        .filter((name) => !names.includes(name));
      await deleteSecurityRoles(client, dropped);
    }
    return { PhysicalResourceId: physicalId, Data: { Roles: names.join(',') } };
  };
}
