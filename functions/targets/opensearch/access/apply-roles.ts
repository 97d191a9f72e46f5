/**
 * Applies {@link SecurityRole}s to a domain through the security plugin's REST API:
 * idempotent PUTs of each role and its mapping, and DELETEs of roles no longer wanted.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { SecurityRole } from './access-roles';

const API = '/_plugins/_security/api';

/** HTTP status of an error thrown by the OpenSearch client, if it carries one. */
function statusOf(error: unknown): number | undefined {
  const status = (error as { meta?: { statusCode?: unknown } }).meta?.statusCode;
  return typeof status === 'number' ? status : undefined;
}

/**
 * Creates or replaces each role and its mapping.
 *
 * @example
 * ```ts
 * await putSecurityRoles(client, securityRoles('dev', writers));
 * ```
 */
export async function putSecurityRoles(
  client: Client,
  roles: readonly SecurityRole[],
): Promise<void> {
  for (const role of roles) {
    const name = encodeURIComponent(role.name);
    await client.transport.request({
      method: 'PUT',
      path: `${API}/roles/${name}`,
      body: role.role,
    });
    await client.transport.request({
      method: 'PUT',
      path: `${API}/rolesmapping/${name}`,
      body: role.mapping,
    });
  }
}

/**
 * Deletes roles and their mappings; ones already gone are fine (a repeated Delete event).
 *
 * @example
 * ```ts
 * await deleteSecurityRoles(client, ['sluice-dev-job-audit']);
 * ```
 */
export async function deleteSecurityRoles(client: Client, names: readonly string[]): Promise<void> {
  for (const raw of names) {
    const name = encodeURIComponent(raw);
    for (const path of [`${API}/rolesmapping/${name}`, `${API}/roles/${name}`]) {
      try {
        await client.transport.request({ method: 'DELETE', path });
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    }
  }
}
