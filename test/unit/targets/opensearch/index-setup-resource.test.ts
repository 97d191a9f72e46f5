import type { Client } from '@opensearch-project/opensearch';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  indexSetupResource,
  responseData,
} from '../../../../functions/targets/opensearch/index-setup-resource';
import { INDEX_SETUP_EVENT } from '../../../support/index-setup-event';

/** A client that fails the test if anything is called on it. */
const untouchable = new Proxy(
  {},
  {
    get: (_, name) => {
      throw new Error(`client.${String(name)} must not be used`);
    },
  },
) as Client;

const base = INDEX_SETUP_EVENT;

describe('index setup custom resource', () => {
  it('does nothing on Delete: the data outlives the stack', async () => {
    const onEvent = indexSetupResource(untouchable, { SLUICE_STAGE: 'prod' });
    const event: CloudFormationCustomResourceEvent = {
      ...base,
      RequestType: 'Delete',
      PhysicalResourceId: 'sluice-prod-opensearch-indexes',
      ResourceProperties: { ServiceToken: base.ServiceToken },
    };
    await expect(onEvent(event)).resolves.toEqual({
      PhysicalResourceId: 'sluice-prod-opensearch-indexes',
    });
  });

  it('refuses a malformed property before touching the cluster', async () => {
    const onEvent = indexSetupResource(untouchable, {});
    const event: CloudFormationCustomResourceEvent = {
      ...base,
      RequestType: 'Create',
      ResourceProperties: { ServiceToken: base.ServiceToken, Stage: 'prod', Replicas: 'two' },
    };
    await expect(onEvent(event)).rejects.toThrow('Property Replicas="two"');
    const noStage = { ...event, ResourceProperties: { ServiceToken: base.ServiceToken } };
    await expect(onEvent(noStage)).rejects.toThrow('needs a Stage');
  });

  it('names each alias and index in the response data', () => {
    expect(
      responseData([
        { key: 'products', alias: 'a-products', index: 'a-products-v2', action: 'reindexed' },
        { key: 'audit', alias: 'a-audit', index: 'a-audit-v1', action: 'created' },
      ]),
    ).toEqual({
      ProductsAlias: 'a-products',
      ProductsIndex: 'a-products-v2',
      AuditAlias: 'a-audit',
      AuditIndex: 'a-audit-v1',
    });
  });
});
