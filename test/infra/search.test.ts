import type { Template } from 'aws-cdk-lib/assertions';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SecurityRole } from '../../functions/targets/opensearch/access/access-roles';
import { JOBS } from '../../functions/workers/jobs';
import { indexSpecsDigest } from '../../infra/targets/opensearch/index-setup';
import {
  IMPORTED_STAGE,
  LOCALSTACK_STAGE,
  resourcesOf,
  type SynthesizedStage,
  synthStage,
} from './support/synth';

describe('OpenSearch domain', () => {
  let stage: SynthesizedStage;
  let template: Template;
  beforeAll(() => {
    stage = synthStage();
    template = stage.template(stage.stacks.search);
  });

  it('runs in the VPC with encryption at rest, node-to-node encryption, HTTPS and TLS 1.2+ with forward secrecy', () => {
    template.hasResourceProperties('AWS::OpenSearchService::Domain', {
      DomainName: 'sluice-test',
      EngineVersion: 'OpenSearch_2.19',
      EncryptionAtRestOptions: { Enabled: true },
      NodeToNodeEncryptionOptions: { Enabled: true },
      DomainEndpointOptions: {
        EnforceHTTPS: true,
        TLSSecurityPolicy: 'Policy-Min-TLS-1-2-PFS-2023-10',
      },
      VPCOptions: { SubnetIds: Match.anyValue(), SecurityGroupIds: Match.anyValue() },
      AdvancedSecurityOptions: Match.objectLike({
        Enabled: true,
        InternalUserDatabaseEnabled: false,
        MasterUserOptions: {
          MasterUserARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^AdminRole'), 'Arn'] },
        },
      }),
      LogPublishingOptions: Match.objectLike({
        SEARCH_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        INDEX_SLOW_LOGS: Match.objectLike({ Enabled: true }),
        ES_APPLICATION_LOGS: Match.objectLike({ Enabled: true }),
      }),
    });
  });

  it('admits HTTPS only from the functions’ security group', () => {
    const ingress = Object.values(resourcesOf(template, 'AWS::EC2::SecurityGroupIngress')).map(
      (r) => r.Properties,
    );
    expect(ingress).toEqual([
      expect.objectContaining({ FromPort: 443, ToPort: 443, IpProtocol: 'tcp' }),
    ]);
    expect(JSON.stringify(ingress[0]?.SourceSecurityGroupId)).toContain('FunctionSecurityGroup');
  });

  it('sets up the indexes on deploy, re-running when the index definitions change', () => {
    template.hasResourceProperties('Custom::SluiceIndexes', {
      Stage: 'test',
      Shards: '1',
      Replicas: '0',
      Reindex: 'true',
      SpecsDigest: indexSpecsDigest(),
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-index-setup',
      Timeout: 900,
      Environment: {
        Variables: Match.objectLike({ SLUICE_OPENSEARCH_MODE: 'es', SLUICE_STAGE: 'test' }),
      },
    });
  });

  it('maps each index-writing worker role to a write-only role on its own indexes', () => {
    const pipeline = stage.template(stage.stacks.pipeline);
    const access = Object.values(resourcesOf(pipeline, 'Custom::SluiceOpenSearchAccess'));
    expect(access).toHaveLength(1);
    const rolesJson = access[0]?.Properties.Roles as { 'Fn::Join': [string, unknown[]] };
    const text = rolesJson['Fn::Join'][1]
      .map((part) => (typeof part === 'string' ? part : '"ROLE"'))
      .join('')
      .replace(/""ROLE""/g, '"ROLE"');
    const roles = JSON.parse(text) as SecurityRole[];
    const writers = Object.values(JOBS).filter((j) => (j.access.indexes ?? []).length > 0);
    expect(roles.map((r) => r.name).sort()).toEqual(
      writers.map((j) => `sluice-test-job-${j.name}`).sort(),
    );
    const audit = roles.find((r) => r.name === 'sluice-test-job-audit');
    expect(audit?.role.index_permissions).toEqual([
      {
        index_patterns: ['sluice-test-audit', 'sluice-test-audit-v*'],
        allowed_actions: [
          'indices:data/write/index',
          'indices:data/write/bulk*',
          'indices:data/write/update',
        ],
      },
    ]);
    // No worker polls before its access exists.
    const mappings = resourcesOf(pipeline, 'AWS::Lambda::EventSourceMapping');
    const accessId = Object.keys(
      resourcesOf(pipeline, 'Custom::SluiceOpenSearchAccess'),
    )[0] as string;
    const waiting = Object.values(mappings).filter((m) => (m.DependsOn ?? []).includes(accessId));
    expect(waiting).toHaveLength(5);
  });
});

describe('an imported domain', () => {
  it('creates no domain and points the workers at the given endpoint', () => {
    const stage = synthStage(IMPORTED_STAGE);
    const template = stage.template(stage.stacks.search);
    template.resourceCountIs('AWS::OpenSearchService::Domain', 0);
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Resource: [IMPORTED_STAGE.search.domainArn, `${IMPORTED_STAGE.search.domainArn}/*`],
          }),
        ]),
      },
    });
    stage.template(stage.stacks.pipeline).hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-job-audit',
      Environment: {
        Variables: Match.objectLike({ SLUICE_OPENSEARCH_URL: IMPORTED_STAGE.search.endpoint }),
      },
    });
  });
});

describe('deploy readiness of a created domain', () => {
  it('creates the service-linked role when missing through a custom resource, before the domain', () => {
    const stage = synthStage();
    const template = stage.template(stage.stacks.search);
    template.resourceCountIs('AWS::IAM::ServiceLinkedRole', 0);
    const [id] = Object.keys(resourcesOf(template, 'Custom::SluiceServiceLinkedRole'));
    template.hasResourceProperties('Custom::SluiceServiceLinkedRole', {
      ServiceName: 'opensearchservice.amazonaws.com',
      RoleName: 'AWSServiceRoleForAmazonOpenSearchService',
    });
    const domain = Object.values(resourcesOf(template, 'AWS::OpenSearchService::Domain'))[0];
    expect(domain?.DependsOn).toContain(id);
    // Its handler may create only that role, for that service.
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'iam:CreateServiceLinkedRole',
            Condition: {
              StringEquals: { 'iam:AWSServiceName': 'opensearchservice.amazonaws.com' },
            },
          }),
        ]),
      },
    });
    const off = synthStage({ search: { mode: 'create', createServiceLinkedRole: false } });
    off.template(off.stacks.search).resourceCountIs('Custom::SluiceServiceLinkedRole', 0);
  });

  it('publishes audit logs when the stage asks (prod does)', () => {
    const stage = synthStage({ search: { mode: 'create', auditLogs: true } });
    stage.template(stage.stacks.search).hasResourceProperties('AWS::OpenSearchService::Domain', {
      LogPublishingOptions: Match.objectLike({ AUDIT_LOGS: Match.objectLike({ Enabled: true }) }),
    });
    const plain = synthStage();
    const domain = Object.values(
      resourcesOf(plain.template(plain.stacks.search), 'AWS::OpenSearchService::Domain'),
    )[0];
    expect(Object.keys(domain?.Properties.LogPublishingOptions ?? {})).not.toContain('AUDIT_LOGS');
  });

  it('reindexes on deploy unless the stage turns it off (large indexes)', () => {
    const stage = synthStage({ search: { mode: 'create', reindexOnDeploy: false } });
    stage.template(stage.stacks.search).hasResourceProperties('Custom::SluiceIndexes', {
      Reindex: 'false',
    });
    const imported = synthStage({
      ...IMPORTED_STAGE,
      search: { ...IMPORTED_STAGE.search, reindexOnDeploy: false },
    });
    imported.template(imported.stacks.search).hasResourceProperties('Custom::SluiceIndexes', {
      Reindex: 'false',
    });
  });
});

describe('a domain without fine-grained access control (the localstack stage)', () => {
  it('has no master user and maps no roles: IAM alone decides, the indexes are still set up', () => {
    const stage = synthStage(LOCALSTACK_STAGE);
    const search = stage.template(stage.stacks.search);
    const domain = Object.values(resourcesOf(search, 'AWS::OpenSearchService::Domain'))[0];
    expect(domain?.Properties.AdvancedSecurityOptions).toBeUndefined();
    expect(domain?.Properties.EncryptionAtRestOptions).toEqual({ Enabled: true });
    search.resourceCountIs('Custom::SluiceIndexes', 1);
    expect(JSON.stringify(search.toJSON())).not.toContain('opensearch-access');
    const pipeline = stage.template(stage.stacks.pipeline);
    pipeline.resourceCountIs('Custom::SluiceOpenSearchAccess', 0);
    // Every worker polls its queue without waiting for a role mapping.
    const mappings = Object.values(resourcesOf(pipeline, 'AWS::Lambda::EventSourceMapping'));
    expect(mappings).toHaveLength(6);
    expect(mappings.every((m) => (m.DependsOn ?? []).length === 0)).toBe(true);
  });

  it('leaves the default stages’ domain as it was: fine-grained access control on', () => {
    expect(synthStage().config.search).toMatchObject({ fineGrainedAccessControl: true });
  });
});
