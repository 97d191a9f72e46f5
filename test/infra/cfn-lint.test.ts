import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { cfnLint, ensureCfnLint, formatFinding } from '../../infra/lint/cfn-lint';
import { IMPORTED_STAGE, LOCALSTACK_STAGE, synthStage } from './support/synth';

/** The stage variants whose templates differ in kind, not only in figures. */
const VARIANTS: Record<string, object> = {
  default: {},
  imported: IMPORTED_STAGE,
  localstack: LOCALSTACK_STAGE,
  'provisioned-router': {
    ...IMPORTED_STAGE,
    router: {
      mode: 'provisioned',
      errorHandling: { onFailure: { type: 's3', arn: 'arn:aws:s3:::router-failures' } },
    },
  },
  'serverless-nat': {
    network: { mode: 'create', egress: 'nat' },
    kafka: { mode: 'serverless' },
    reserveConcurrency: false,
    router: { vpc: true },
    jobs: { audit: { pollers: { minimum: 2, maximum: 10 } } },
    alarms: { email: 'ops@example.com' },
  },
  production: {
    removalPolicy: 'retain',
    // Three zones by ID (us-east-1's default skips use1-az3, which MSK refuses).
    account: '123456789012',
    region: 'us-east-1',
    network: { mode: 'create', maxAzs: 3 },
    kafka: { mode: 'provisioned', brokerNodes: 3, instanceType: 'kafka.m7g.large' },
    search: {
      mode: 'create',
      instanceType: 'r7g.large.search',
      instanceCount: 3,
      zoneAwareness: true,
      dedicatedMasters: { count: 3, instanceType: 'm7g.large.search' },
      createServiceLinkedRole: true,
      auditLogs: true,
      replicas: 1,
    },
  },
};

beforeAll(async () => {
  // The first run installs cfn-lint from PyPI into the download cache.
  await ensureCfnLint({ progress: (m) => process.stderr.write(`[cfn-lint] ${m}\n`) });
});

describe('cfn-lint on the synthesized templates', () => {
  it('finds no error in any stack of any variant', async () => {
    const outdirs: string[] = [];
    const templates = Object.entries(VARIANTS).flatMap(([name, overrides]) => {
      const { outdir } = synthStage(overrides, 'test');
      outdirs.push(outdir);
      const files = readdirSync(outdir).filter((f) => f.endsWith('.template.json'));
      expect(files.length, name).toBeGreaterThanOrEqual(5);
      return files.map((f) => join(outdir, f));
    });
    const findings = await cfnLint(templates);
    for (const dir of outdirs) rmSync(dir, { recursive: true, force: true });
    const errors = findings.filter((f) => f.Level === 'Error').map(formatFinding);
    expect(errors).toEqual([]);
    const others = findings.filter((f) => f.Level !== 'Error');
    console.log(
      `cfn-lint: ${templates.length} templates, 0 errors, ${others.length} warnings (${[
        ...new Set(others.map((f) => f.Rule.Id)),
      ].join(', ')})`,
    );
    // Five synths with cdk-nag, then cfn-lint over some thirty templates: CPU-bound, about
    // 20 s on an idle two-core machine and more than the default 30 s beside other tests.
  }, 180_000);

  it('reports an error in a broken template (the linter is live)', async () => {
    const { outdir } = synthStage({}, 'test');
    const broken = join(outdir, 'broken.template.json');
    writeFileSync(
      broken,
      JSON.stringify({
        Resources: {
          Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: 'soon' } },
        },
      }),
    );
    const findings = await cfnLint([broken]);
    expect(findings.filter((f) => f.Level === 'Error').map((f) => f.Rule.Id)).not.toEqual([]);
  });
});
