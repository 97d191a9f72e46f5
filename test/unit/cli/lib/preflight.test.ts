import { DescribeAvailabilityZonesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetRoleCommand, IAMClient, NoSuchEntityException } from '@aws-sdk/client-iam';
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { ListInstanceTypeDetailsCommand, OpenSearchClient } from '@aws-sdk/client-opensearch';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { preflight } from '../../../../cli/commands/preflight';
import { CliContext } from '../../../../cli/lib/context';
import { checkBootstrap } from '../../../../cli/lib/preflight/bootstrap';
import { checkConcurrency } from '../../../../cli/lib/preflight/concurrency';
import { checkSearchInstanceTypes } from '../../../../cli/lib/preflight/instance-types';
import type { PreflightClients } from '../../../../cli/lib/preflight/run-preflight';
import { checkServiceLinkedRole } from '../../../../cli/lib/preflight/service-linked-role';
import { checkZones } from '../../../../cli/lib/preflight/zones';
import { resolveStageConfig } from '../../../../infra/config/resolve-config';

const options = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'x', secretAccessKey: 'x' },
};
const clients: PreflightClients = {
  lambda: new LambdaClient(options),
  iam: new IAMClient(options),
  ec2: new EC2Client(options),
  ssm: new SSMClient(options),
  opensearch: new OpenSearchClient(options),
};
const lambda = mockClient(clients.lambda);
const iam = mockClient(clients.iam);
const ec2 = mockClient(clients.ec2);
const ssm = mockClient(clients.ssm);
const opensearch = mockClient(clients.opensearch);

const config = (layer: object = {}) => resolveStageConfig('dev', [layer]);
const settings = (quota: number, unreserved = quota) => ({
  AccountLimit: { ConcurrentExecutions: quota, UnreservedConcurrentExecutions: unreserved },
});
/** us-east-1 as an account may see it: here `us-east-1a` is the zone MSK refuses. */
const US_EAST_1 = [
  ['us-east-1a', 'use1-az3'],
  ['us-east-1b', 'use1-az1'],
  ['us-east-1c', 'use1-az2'],
  ['us-east-1d', 'use1-az4'],
].map(([ZoneName, ZoneId]) => ({ ZoneName, ZoneId, State: 'available' as const }));

beforeEach(() => {
  for (const mock of [lambda, iam, ec2, ssm, opensearch]) mock.reset();
});

/** Every look-up answers; the quota is the variable. */
function accountWithQuota(quota: number): void {
  lambda.on(GetAccountSettingsCommand).resolves(settings(quota));
  iam.on(GetRoleCommand).resolves({});
  ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: US_EAST_1 });
  ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
  opensearch
    .on(ListInstanceTypeDetailsCommand)
    .resolves({ InstanceTypeDetails: [{ InstanceType: 't3.small.search' }] });
}

describe('Lambda concurrency quota', () => {
  it('fails a new account’s quota of 10 against the default reservations, with the fix', async () => {
    lambda.on(GetAccountSettingsCommand).resolves(settings(10));
    const check = await checkConcurrency(clients.lambda, config());
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('quota 10');
    expect(check.detail).toContain('the stage reserves 47');
    expect(check.fix).toContain('at least 147');
    expect(check.fix).toContain('"reserveConcurrency": false');
  });

  it('passes a stage that reserves nothing, and a quota that fits with 100 unreserved', async () => {
    lambda.on(GetAccountSettingsCommand).resolves(settings(10));
    expect(
      (await checkConcurrency(clients.lambda, config({ reserveConcurrency: false }))).status,
    ).toBe('pass');
    lambda.on(GetAccountSettingsCommand).resolves(settings(1000));
    expect((await checkConcurrency(clients.lambda, config())).status).toBe('pass');
  });

  it('warns when other reservations leave too little unreserved', async () => {
    lambda.on(GetAccountSettingsCommand).resolves(settings(1000, 120));
    expect((await checkConcurrency(clients.lambda, config())).status).toBe('warn');
  });

  it('says it could not check when the call is refused', async () => {
    lambda.on(GetAccountSettingsCommand).rejects(new Error('AccessDenied'));
    const check = await checkConcurrency(clients.lambda, config());
    expect(check).toMatchObject({
      status: 'warn',
      detail: expect.stringContaining('could not check'),
    });
  });
});

describe('OpenSearch service-linked role', () => {
  const missing = () => new NoSuchEntityException({ message: 'no', $metadata: {} });

  it('passes when it exists, or when the stack creates it', async () => {
    iam.on(GetRoleCommand).resolves({});
    expect((await checkServiceLinkedRole(clients.iam, config())).status).toBe('pass');
    iam.on(GetRoleCommand).rejects(missing());
    const created = await checkServiceLinkedRole(clients.iam, config());
    expect(created).toMatchObject({
      status: 'pass',
      detail: expect.stringContaining('creates it'),
    });
  });

  it('fails when it is missing and the stage will not create it', async () => {
    iam.on(GetRoleCommand).rejects(missing());
    const check = await checkServiceLinkedRole(
      clients.iam,
      config({ search: { mode: 'create', createServiceLinkedRole: false } }),
    );
    expect(check.status).toBe('fail');
    expect(check.fix).toContain(
      'aws iam create-service-linked-role --aws-service-name opensearchservice.amazonaws.com',
    );
  });
});

describe('availability zones by ID', () => {
  it('fails CloudFormation’s first zones when one of them is use1-az3, and proposes zone IDs', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: US_EAST_1 });
    const check = await checkZones(clients.ec2, config());
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('us-east-1a=use1-az3');
    expect(check.fix).toBe('set network.availabilityZoneIds to ["use1-az1","use1-az2"]');
  });

  it('passes a us-east-1 stage, whose default zone IDs skip use1-az3', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: US_EAST_1 });
    const check = await checkZones(clients.ec2, config({ region: 'us-east-1' }));
    expect(check).toMatchObject({
      status: 'pass',
      detail: 'the default zone IDs of us-east-1: us-east-1b=use1-az1, us-east-1c=use1-az2',
    });
  });

  it('fails zone IDs the account does not have, and passes a stage without a cluster', async () => {
    ec2.on(DescribeAvailabilityZonesCommand).resolves({ AvailabilityZones: US_EAST_1 });
    const unknown = config({
      network: { mode: 'create', availabilityZoneIds: ['use1-az1', 'use1-az6'] },
    });
    expect((await checkZones(clients.ec2, unknown)).status).toBe('fail');
    expect((await checkZones(clients.ec2, config({ kafka: { mode: 'none' } }))).status).toBe(
      'pass',
    );
  });
});

describe('CDK bootstrap', () => {
  it('passes a recent bootstrap, fails a missing or old one with the command to run', async () => {
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '30' } });
    expect((await checkBootstrap(clients.ssm, 'aws://123456789012/us-east-1')).status).toBe('pass');
    expect(ssm.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({
      Name: '/cdk-bootstrap/hnb659fds/version',
    });
    ssm.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'no', $metadata: {} }));
    const missing = await checkBootstrap(clients.ssm, 'aws://123456789012/us-east-1');
    expect(missing).toMatchObject({
      status: 'fail',
      fix: 'npx cdk bootstrap aws://123456789012/us-east-1',
    });
    ssm.on(GetParameterCommand).resolves({ Parameter: { Value: '5' } });
    expect((await checkBootstrap(clients.ssm, 'aws://1/us-east-1')).status).toBe('fail');
  });
});

describe('OpenSearch instance types', () => {
  it('checks data and master node types against the engine version’s offer, across pages', async () => {
    opensearch
      .on(ListInstanceTypeDetailsCommand)
      .resolvesOnce({ InstanceTypeDetails: [{ InstanceType: 't3.small.search' }], NextToken: 'p2' })
      .resolves({ InstanceTypeDetails: [{ InstanceType: 'r6g.large.search' }] });
    expect((await checkSearchInstanceTypes(clients.opensearch, config())).status).toBe('pass');
    opensearch.reset();
    opensearch.on(ListInstanceTypeDetailsCommand).resolves({ InstanceTypeDetails: [] });
    const check = await checkSearchInstanceTypes(clients.opensearch, config());
    expect(check).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('t3.small.search'),
    });
  });
});

describe('sluice preflight', () => {
  const run = async (json: boolean) => {
    const out: string[] = [];
    const context = new CliContext(
      { stdout: (t) => out.push(t), stderr: () => undefined, env: {} },
      { stage: 'dev' },
    );
    const code = await preflight(
      context,
      { json, config: '{"region":"us-east-1"}' },
      () => clients,
    );
    return { code, out: out.join('') };
  };

  it('prints ✓/✗ with the fixes and exits 1 on a blocker', async () => {
    accountWithQuota(10);
    const { code, out } = await run(false);
    expect(code).toBe(1);
    expect(out).toMatch(/^✗ +Lambda concurrency quota/m);
    expect(out).toMatch(/^✓ +CDK bootstrap +bootstrap version 30/m);
    expect(out).toMatch(/^✓ +Availability zones \(by ID\) for MSK/m);
    expect(out).toMatch(/^– +MSK broker type/m);
    expect(out).toContain('Fixes:\n✗ Lambda concurrency quota: Request a higher quota');
    expect(out).toContain('Stage dev in us-east-1: 1 blocker(s)');
  });

  it('prints one JSON report with --json and exits 0 when nothing blocks', async () => {
    accountWithQuota(1000);
    const { code, out } = await run(true);
    expect(code).toBe(0);
    const report = JSON.parse(out) as {
      blockers: number;
      region: string;
      checks: { id: string }[];
    };
    expect(report).toMatchObject({ blockers: 0, unverified: 0, region: 'us-east-1' });
    expect(report.checks.map((c) => c.id)).toEqual([
      'cdk-bootstrap',
      'lambda-concurrency',
      'opensearch-service-linked-role',
      'availability-zones',
      'opensearch-instance-types',
      'msk-broker-type',
    ]);
  });
});
