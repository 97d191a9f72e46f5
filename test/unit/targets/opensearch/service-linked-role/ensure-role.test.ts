import {
  CreateServiceLinkedRoleCommand,
  GetRoleCommand,
  IAMClient,
  InvalidInputException,
  NoSuchEntityException,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  ensureServiceLinkedRole,
  OPENSEARCH_SERVICE_LINKED_ROLE,
} from '../../../../../functions/targets/opensearch/service-linked-role/ensure-role';
import { OFFLINE_AWS } from '../../../../support/offline-aws';

const iam = new IAMClient(OFFLINE_AWS);
const mock = mockClient(iam);
const missing = () => new NoSuchEntityException({ message: 'no such role', $metadata: {} });

describe('ensureServiceLinkedRole', () => {
  beforeEach(() => mock.reset());

  it('leaves an existing role alone', async () => {
    mock.on(GetRoleCommand).resolves({});
    await expect(ensureServiceLinkedRole(iam, OPENSEARCH_SERVICE_LINKED_ROLE)).resolves.toBe(
      'existed',
    );
    expect(mock.commandCalls(CreateServiceLinkedRoleCommand)).toHaveLength(0);
    expect(mock.commandCalls(GetRoleCommand)[0]?.args[0].input).toEqual({
      RoleName: 'AWSServiceRoleForAmazonOpenSearchService',
    });
  });

  it('creates a missing role for the service', async () => {
    mock.on(GetRoleCommand).rejects(missing());
    mock.on(CreateServiceLinkedRoleCommand).resolves({});
    await expect(ensureServiceLinkedRole(iam, OPENSEARCH_SERVICE_LINKED_ROLE)).resolves.toBe(
      'created',
    );
    expect(mock.commandCalls(CreateServiceLinkedRoleCommand)[0]?.args[0].input).toEqual({
      AWSServiceName: 'opensearchservice.amazonaws.com',
    });
  });

  it('takes a role created meanwhile by another deployment as existing', async () => {
    mock.on(GetRoleCommand).rejectsOnce(missing()).resolves({});
    mock
      .on(CreateServiceLinkedRoleCommand)
      .rejects(new InvalidInputException({ message: 'name has been taken', $metadata: {} }));
    await expect(ensureServiceLinkedRole(iam, OPENSEARCH_SERVICE_LINKED_ROLE)).resolves.toBe(
      'existed',
    );
  });

  it('fails on anything else (e.g. no permission)', async () => {
    mock.on(GetRoleCommand).rejects(missing());
    mock.on(CreateServiceLinkedRoleCommand).rejects(new Error('AccessDenied'));
    await expect(ensureServiceLinkedRole(iam, OPENSEARCH_SERVICE_LINKED_ROLE)).rejects.toThrow(
      'AccessDenied',
    );
  });
});
