import { describe, expect, it } from 'vitest';
import { readIndexProductConfig } from '../../../../functions/workers/index-product/config';

describe('readIndexProductConfig', () => {
  it('derives names from the stage and reads the endpoint', () => {
    const config = readIndexProductConfig({
      SLUICE_STAGE: 'prod',
      SLUICE_OPENSEARCH_URL: 'https://search-x.eu-west-1.es.amazonaws.com',
      AWS_REGION: 'eu-west-1',
    });
    expect(config).toEqual({
      productsAlias: 'sluice-prod-products',
      catalogTable: 'sluice-prod-catalog',
      catalogReadAttempts: 5,
      catalogReadBackoff: { baseMs: 50, capMs: 1_000 },
      bulkMaxBytes: 5 * 1024 * 1024,
      openSearch: {
        url: 'https://search-x.eu-west-1.es.amazonaws.com',
        mode: 'es',
        region: 'eu-west-1',
      },
    });
  });

  it("takes the catalog service's own table name and tuning, and refuses nonsense", () => {
    const env = {
      SLUICE_STAGE: 'dev',
      SLUICE_OPENSEARCH_URL: 'http://127.0.0.1:9200',
      SLUICE_CATALOG_TABLE: 'catalog-products',
      SLUICE_CATALOG_READ_ATTEMPTS: '3',
      SLUICE_BULK_MAX_BYTES: '1048576',
    };
    expect(readIndexProductConfig(env)).toMatchObject({
      catalogTable: 'catalog-products',
      catalogReadAttempts: 3,
      bulkMaxBytes: 1_048_576,
      openSearch: { mode: 'none' },
    });
    expect(() => readIndexProductConfig({ ...env, SLUICE_CATALOG_READ_ATTEMPTS: '0' })).toThrow(
      'SLUICE_CATALOG_READ_ATTEMPTS',
    );
    expect(() => readIndexProductConfig({ SLUICE_STAGE: 'dev' })).toThrow('SLUICE_OPENSEARCH_URL');
  });
});
