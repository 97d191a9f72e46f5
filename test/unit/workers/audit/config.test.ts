import { describe, expect, it } from 'vitest';
import { readAuditConfig } from '../../../../functions/workers/audit/config';

describe('readAuditConfig', () => {
  it('derives the alias from the stage and reads the endpoint', () => {
    expect(
      readAuditConfig({ SLUICE_STAGE: 'prod', SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200' }),
    ).toEqual({
      auditAlias: 'sluice-prod-audit',
      bulkMaxBytes: 5 * 1024 * 1024,
      openSearch: { url: 'http://127.0.0.1:9200', mode: 'none' },
    });
  });

  it.each([
    [{ SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200' }, 'SLUICE_STAGE'],
    [{ SLUICE_STAGE: 'prod' }, 'SLUICE_OPENSEARCH_URL'],
  ])('rejects %j naming the variable', (env, variable) => {
    expect(() => readAuditConfig(env)).toThrow(variable);
  });
});
