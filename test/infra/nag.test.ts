import { Validations } from 'aws-cdk-lib';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { describe, expect, it } from 'vitest';
import { IMPORTED_STAGE, synthStage } from './support/synth';

/** Sluice's own cdk-nag acknowledgments: construct path → finding ids (without the pack prefix). */
function acknowledgments(root: IConstruct): Map<string, { ids: string[]; reasons: string[] }> {
  const found = new Map<string, { ids: string[]; reasons: string[] }>();
  for (const construct of root.node.findAll()) {
    for (const entry of construct.node.metadata) {
      if (entry.type !== Validations.ACKNOWLEDGED_RULES_METADATA_KEY) continue;
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        const match = /^Annotation::AwsSolutions-(.+)$/.exec(id);
        if (!match?.[1]) continue; // aws-cdk-lib's own acknowledgments of its template checks
        const at = found.get(construct.node.path) ?? { ids: [], reasons: [] };
        at.ids.push(match[1]);
        at.reasons.push(reason);
        found.set(construct.node.path, at);
      }
    }
  }
  return found;
}

const VPC_ENI = 'IAM5[Resource::*]';
const CLAIM_CHECK = '<ClaimCheckB4EF2317.Arn>';
const DOMAIN_EXPORT = 'sluice-test-search:ExportsOutputFnGetAttDomain66AC69E0ArnA2ECE2E0';
const CLUSTER_EXPORT =
  '{"Fn::ImportValue":"sluice-test-kafka:ExportsOutputFnGetAttClusterArn99ADC620"}';
const FRAMEWORK_IAM4 =
  'IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]';

/** Every acknowledgment of the default stage, each justified where it is made. */
const DEFAULT_STAGE_ACKNOWLEDGMENTS: Record<string, string[]> = {
  'sluice-test-search/AdminRole': [VPC_ENI, 'IAM5[Resource::<Domain66AC69E0.Arn>/*]'],
  'sluice-test-search/SearchDomain/Domain': ['OS3', 'OS4', 'OS7'],
  'sluice-test-search/IndexSetupResource/IndexSetupProvider/framework-onEvent/ServiceRole': [
    FRAMEWORK_IAM4,
    'IAM5[Resource::<IndexSetupFunction0E4A9279.Arn>:*]',
  ],
  'sluice-test-search/AccessSetupProvider/AccessProvider/framework-onEvent/ServiceRole': [
    FRAMEWORK_IAM4,
    'IAM5[Resource::<AccessSetupFunctionC3558F9D.Arn>:*]',
  ],
  'sluice-test-search/SearchDomain/OpenSearchServiceLinkedRole/Provider/framework-onEvent/ServiceRole':
    [FRAMEWORK_IAM4, 'IAM5[Resource::<OpenSearchServiceLinkedRoleHandlerFunction542BF96D.Arn>:*]'],
  'sluice-test-pipeline/ClaimCheckStore/ClaimCheck': ['S1'],
  'sluice-test-pipeline/RouterFunctions/Router/Role': [
    VPC_ENI,
    `IAM5[Resource::${CLAIM_CHECK}/ingest/*]`,
    `IAM5[Resource::{"Fn::Select":[0,{"Fn::Split":[":cluster/",${CLUSTER_EXPORT}]}]}:group/{"Fn::Select":[1,{"Fn::Split":[":cluster/",${CLUSTER_EXPORT}]}]}/sluice-test-replay-*]`,
  ],
  'sluice-test-pipeline/RouterFunctions/Replay/Role': [`IAM5[Resource::${CLAIM_CHECK}/ingest/*]`],
  'sluice-test-pipeline/Job-index-product/Worker/Role': [
    VPC_ENI,
    `IAM5[Resource::${CLAIM_CHECK}/job/index-product/*]`,
    `IAM5[Resource::${DOMAIN_EXPORT}/sluice-test-products/*]`,
  ],
  'sluice-test-pipeline/Job-record-commission/Worker/Role': [
    `IAM5[Resource::${CLAIM_CHECK}/job/record-commission/*]`,
  ],
  'sluice-test-pipeline/Job-detect-login-abuse/Worker/Role': [
    VPC_ENI,
    `IAM5[Resource::${CLAIM_CHECK}/job/detect-login-abuse/*]`,
    `IAM5[Resource::${DOMAIN_EXPORT}/sluice-test-security/*]`,
  ],
  'sluice-test-pipeline/Job-sync-customer/Worker/Role': [
    `IAM5[Resource::${CLAIM_CHECK}/job/sync-customer/*]`,
  ],
  'sluice-test-pipeline/Job-audit/Worker/Role': [
    VPC_ENI,
    `IAM5[Resource::${CLAIM_CHECK}/job/audit/*]`,
    `IAM5[Resource::${DOMAIN_EXPORT}/sluice-test-audit/*]`,
  ],
};

describe('cdk-nag AwsSolutions', () => {
  it('finds nothing unacknowledged in the default stage, and lists every acknowledgment', () => {
    const { app } = synthStage();
    const report = new AwsSolutionsChecks().validateScope(app);
    expect(report.violations).toEqual([]);
    const acks = acknowledgments(app);
    expect(Object.fromEntries([...acks].map(([path, { ids }]) => [path, ids]))).toEqual(
      DEFAULT_STAGE_ACKNOWLEDGMENTS,
    );
    for (const [path, { reasons }] of acks) {
      for (const reason of reasons) expect(reason.length, path).toBeGreaterThan(60);
    }
  });

  it('needs fewer acknowledgments for an imported stage and a production-sized domain', () => {
    const imported = synthStage(IMPORTED_STAGE);
    expect(new AwsSolutionsChecks().validateScope(imported.app).violations).toEqual([]);
    expect([...acknowledgments(imported.app).keys()]).not.toContain(
      'sluice-test-search/SearchDomain/Domain',
    );

    const production = synthStage({
      search: {
        mode: 'create',
        instanceCount: 2,
        zoneAwareness: true,
        dedicatedMasters: { count: 3, instanceType: 'm7g.large.search' },
      },
    });
    expect(new AwsSolutionsChecks().validateScope(production.app).violations).toEqual([]);
    expect(
      acknowledgments(production.app).get('sluice-test-search/SearchDomain/Domain')?.ids,
    ).toEqual(['OS3']);
  });

  it('reports what is not acknowledged (the pack is live)', () => {
    const { app, stacks } = synthStage();
    new Bucket(stacks.pipeline, 'Unchecked');
    const rules = new AwsSolutionsChecks()
      .validateScope(app)
      .violations.map((v) => v.ruleName)
      .sort();
    expect(rules).toEqual(expect.arrayContaining([expect.stringMatching(/AwsSolutions-S1/)]));
  });
});
