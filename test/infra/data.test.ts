import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { TABLES } from '../../functions/topology/topology';
import { resourcesOf, synthStage } from './support/synth';

describe('DynamoDB tables', () => {
  it('creates every table of the topology on demand, with PITR, encryption and TTL where records expire', () => {
    const stage = synthStage();
    const template = stage.template(stage.stacks.data);
    const tables = Object.values(resourcesOf(template, 'AWS::DynamoDB::Table')).map(
      (r) => r.Properties,
    );
    expect(tables.map((t) => t.TableName).sort()).toEqual(
      Object.values(TABLES)
        .map((t) => `sluice-test-${t.name}`)
        .sort(),
    );
    for (const spec of Object.values(TABLES)) {
      const table = tables.find((t) => t.TableName === `sluice-test-${spec.name}`);
      expect(table, spec.name).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        KeySchema: [{ AttributeName: spec.partitionKey, KeyType: 'HASH' }],
        DeletionProtectionEnabled: true,
      });
      if ('ttl' in spec) {
        expect(table?.TimeToLiveSpecification).toEqual({ AttributeName: spec.ttl, Enabled: true });
      } else {
        expect(table?.TimeToLiveSpecification).toBeUndefined();
      }
    }
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TableName: 'sluice-test-job-records',
      GlobalSecondaryIndexes: [
        {
          IndexName: 'jobTypeState',
          KeySchema: [
            { AttributeName: 'jobTypeState', KeyType: 'HASH' },
            { AttributeName: 'updatedAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'ALL' },
        },
      ],
    });
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Retain' });
  });

  it('imports the catalog service’s table by name and lets demo stages be destroyed', () => {
    const stage = synthStage({
      removalPolicy: 'destroy',
      catalogTable: { mode: 'import', name: 'catalog-service-products' },
    });
    const template = stage.template(stage.stacks.data);
    template.resourceCountIs('AWS::DynamoDB::Table', Object.keys(TABLES).length - 1);
    template.allResources('AWS::DynamoDB::Table', { DeletionPolicy: 'Delete' });
    template.allResourcesProperties('AWS::DynamoDB::Table', { DeletionProtectionEnabled: false });
    const pipeline = stage.template(stage.stacks.pipeline);
    pipeline.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-job-index-product',
      Environment: {
        Variables: Match.objectLike({ SLUICE_CATALOG_TABLE: 'catalog-service-products' }),
      },
    });
  });
});
