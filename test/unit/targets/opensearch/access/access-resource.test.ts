import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { accessResource } from '../../../../../functions/targets/opensearch/access/access-resource';
import { securityRoles } from '../../../../../functions/targets/opensearch/access/access-roles';
import { createOpenSearchClient } from '../../../../../functions/targets/opensearch/client';

interface Seen {
  method: string;
  path: string;
  body: unknown;
}

describe('security roles from the writers', () => {
  it('gives each writer its own role on its aliases and their versioned indexes, mapped to its IAM role', () => {
    const roles = securityRoles('prod', [
      { name: 'job-audit', roleArn: 'arn:aws:iam::1:role/audit', indexes: ['audit'] },
      {
        name: 'job-detect-login-abuse',
        roleArn: 'arn:aws:iam::1:role/abuse',
        indexes: ['security'],
      },
      { name: 'job-sync-customer', roleArn: 'arn:aws:iam::1:role/sync', indexes: [] },
    ]);
    expect(roles.map((r) => [r.name, r.mapping.backend_roles])).toEqual([
      ['sluice-prod-job-audit', ['arn:aws:iam::1:role/audit']],
      ['sluice-prod-job-detect-login-abuse', ['arn:aws:iam::1:role/abuse']],
    ]);
    expect(roles[1]?.role.index_permissions[0]?.index_patterns).toEqual([
      'sluice-prod-security',
      'sluice-prod-security-v*',
    ]);
    for (const role of roles) {
      const actions = role.role.index_permissions.flatMap((p) => p.allowed_actions);
      expect(actions.every((a) => a.startsWith('indices:data/write/'))).toBe(true);
    }
  });
});

describe('the access custom resource against an HTTP server', () => {
  let server: Server;
  let seen: Seen[] = [];
  /** Paths that answer 404, as the security API does for a role that is already gone. */
  let missing = new Set<string>();
  let handler: ReturnType<typeof accessResource>;

  beforeAll(async () => {
    server = createServer((req, res) => {
      let text = '';
      req.on('data', (chunk) => {
        text += chunk;
      });
      req.on('end', () => {
        const path = req.url ?? '';
        seen.push({ method: req.method ?? '', path, body: text ? JSON.parse(text) : undefined });
        const gone = missing.has(path);
        res.writeHead(gone ? 404 : 200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(gone ? { status: 'NOT_FOUND' } : { status: 'OK' }));
      });
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as AddressInfo;
    handler = accessResource(
      createOpenSearchClient({ url: `http://127.0.0.1:${port}`, mode: 'none' }),
    );
  });
  beforeEach(() => {
    seen = [];
    missing = new Set();
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const roles = (names: string[]) =>
    JSON.stringify(
      securityRoles(
        'dev',
        names.map((name) => ({
          name,
          roleArn: `arn:aws:iam::1:role/${name}`,
          indexes: ['audit'] as const,
        })),
      ),
    );
  const event = (type: 'Create' | 'Update' | 'Delete', names: string[], oldNames: string[] = []) =>
    ({
      RequestType: type,
      LogicalResourceId: 'OpenSearchAccess',
      PhysicalResourceId: 'opensearch-access:OpenSearchAccess',
      ResourceProperties: { ServiceToken: 'x', Roles: roles(names) },
      OldResourceProperties: { ServiceToken: 'x', Roles: roles(oldNames) },
    }) as unknown as CloudFormationCustomResourceEvent;

  it('Create puts each role, then its mapping', async () => {
    const response = await handler(event('Create', ['job-audit']));
    expect(response.PhysicalResourceId).toBe('opensearch-access:OpenSearchAccess');
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'PUT /_plugins/_security/api/roles/sluice-dev-job-audit',
      'PUT /_plugins/_security/api/rolesmapping/sluice-dev-job-audit',
    ]);
    expect(seen[1]?.body).toEqual({ backend_roles: ['arn:aws:iam::1:role/job-audit'] });
    expect(seen[0]?.body).toMatchObject({ cluster_permissions: ['indices:data/write/bulk'] });
  });

  it('Update puts the current roles and deletes the ones it dropped', async () => {
    await handler(event('Update', ['job-audit'], ['job-audit', 'job-old']));
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'PUT /_plugins/_security/api/roles/sluice-dev-job-audit',
      'PUT /_plugins/_security/api/rolesmapping/sluice-dev-job-audit',
      'DELETE /_plugins/_security/api/rolesmapping/sluice-dev-job-old',
      'DELETE /_plugins/_security/api/roles/sluice-dev-job-old',
    ]);
  });

  it('Delete removes mappings and roles, tolerating ones already gone', async () => {
    missing.add('/_plugins/_security/api/rolesmapping/sluice-dev-job-audit');
    await handler(event('Delete', ['job-audit']));
    expect(seen.map((s) => `${s.method} ${s.path}`)).toEqual([
      'DELETE /_plugins/_security/api/rolesmapping/sluice-dev-job-audit',
      'DELETE /_plugins/_security/api/roles/sluice-dev-job-audit',
    ]);
  });

  it('fails the deployment when the domain refuses a role', async () => {
    missing.add('/_plugins/_security/api/roles/sluice-dev-job-audit');
    await expect(handler(event('Create', ['job-audit']))).rejects.toThrow();
  });
});
