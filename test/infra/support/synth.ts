/**
 * Synthesizes a whole stage for the infra tests, as `infra/app.ts` does — same stacks, same
 * cdk-nag AwsSolutions pack (a finding that is not acknowledged fails the synth) — but with
 * bundling skipped (`aws:cdk:bundling-stacks: []`): esbuild is proved once, in
 * bundling.test.ts, instead of nine times per variant.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type AppProps, type Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { CloudAssembly } from 'aws-cdk-lib/cx-api';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll } from 'vitest';
import { resolveStageConfig } from '../../../infra/config/resolve-config';
import type { StageConfig } from '../../../infra/config/schema';
import { buildSluiceStacks, type SluiceStacks } from '../../../infra/sluice-app';
import { cdkJsonStageEntry } from '../../../local/localstack/stage-config';

export const TEST_CODE_VERSION = 'infra-test';

/** Cloud assemblies of the importing test file, removed after its tests. */
const outdirs: string[] = [];
afterAll(() => {
  for (const dir of outdirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/**
 * An App whose cloud assembly goes to a temporary folder removed after the file's tests
 * (an App without `outdir` leaves a `cdk.out*` folder in the system's temp folder).
 *
 * @example
 * ```ts
 * const app = testApp({ context: { 'sluice:stage': 'prod' } });
 * ```
 */
export function testApp(props: AppProps = {}): App {
  const outdir = mkdtempSync(join(tmpdir(), 'sluice-infra-'));
  outdirs.push(outdir);
  return new App({ ...props, outdir });
}

export interface SynthesizedStage {
  readonly app: App;
  readonly config: StageConfig;
  readonly stacks: SluiceStacks;
  readonly assembly: CloudAssembly;
  readonly outdir: string;
  /** The template of one stack (cached). */
  template(stack: Stack): Template;
}

/**
 * @param overrides a `sluice:stages.<stage>` entry, as in cdk.json
 * @param options `bundling: true` runs esbuild for every function, as `cdk synth` does
 * @example
 * ```ts
 * const { stacks, template } = synthStage({ router: { batchSize: 100 } });
 * template(stacks.pipeline).resourceCountIs('AWS::Lambda::Function', 7);
 * ```
 */
export function synthStage(
  overrides: object = {},
  stage = 'test',
  options: { readonly bundling?: boolean } = {},
): SynthesizedStage {
  const app = testApp({ context: options.bundling ? {} : { 'aws:cdk:bundling-stacks': [] } });
  const outdir = app.outdir;
  const config = resolveStageConfig(stage, [overrides]);
  const stacks = buildSluiceStacks(app, config, TEST_CODE_VERSION);
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  const assembly = app.synth();
  const templates = new Map<Stack, Template>();
  return {
    app,
    config,
    stacks,
    assembly,
    outdir,
    template(stack) {
      let template = templates.get(stack);
      if (!template) {
        template = Template.fromJSON(assembly.getStackByName(stack.stackName).template);
        templates.set(stack, template);
      }
      return template;
    },
  };
}

/** Resources of one type in a template, by logical id. */
export function resourcesOf(
  template: Template,
  type: string,
): Record<string, { Properties: Record<string, unknown>; DependsOn?: string[] }> {
  return template.findResources(type) as Record<
    string,
    { Properties: Record<string, unknown>; DependsOn?: string[] }
  >;
}

/** A stage importing its VPC, MSK cluster and OpenSearch domain, as a production account would. */
export const IMPORTED_STAGE = {
  network: {
    mode: 'import',
    vpcId: 'vpc-0123456789abcdef0',
    vpcCidrBlock: '10.20.0.0/16',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0bbbbbbbbbbbbbbb2'],
  },
  kafka: {
    mode: 'import',
    clusterArn:
      'arn:aws:kafka:eu-west-1:123456789012:cluster/shop-events/6f1f6c3e-1111-2222-3333-444455556666-7',
  },
  search: {
    mode: 'import',
    endpoint: 'https://vpc-shop-search-abc123.eu-west-1.es.amazonaws.com',
    domainArn: 'arn:aws:es:eu-west-1:123456789012:domain/shop-search',
    mapRoles: true,
  },
  catalogTable: { mode: 'import', name: 'catalog-service-products' },
} as const;

/** The `localstack` stage's entry in cdk.json (no MSK, a domain without fine-grained access). */
export const LOCALSTACK_STAGE = cdkJsonStageEntry('localstack');
