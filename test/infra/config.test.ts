import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { configProblems, routerEventSourceProblems } from '../../infra/config/checks';
import { defaultStageConfig } from '../../infra/config/defaults';
import { readStageConfig } from '../../infra/config/read-stage-config';
import { InvalidStageConfigError, resolveStageConfig } from '../../infra/config/resolve-config';
import { problemsOf as problemsOfValidation } from '../support/problems';
import { testApp } from './support/synth';

const problemsOf = (overrides: object, stage = 'test'): readonly string[] =>
  problemsOfValidation(() => resolveStageConfig(stage, [overrides]), InvalidStageConfigError);

describe('stage configuration', () => {
  it('defaults to a complete stage that passes every check', () => {
    const config = resolveStageConfig('dev', []);
    expect(config).toEqual(defaultStageConfig('dev'));
    expect(configProblems(config)).toEqual([]);
  });

  it('reads the stage and its cdk.json entry from context, -c overrides last', () => {
    const app = testApp({
      context: {
        'sluice:stage': 'prod',
        'sluice:stages': { prod: { router: { batchSize: 200 }, removalPolicy: 'retain' } },
        'sluice:config': '{"router":{"batchingWindowSeconds":3}}',
      },
    });
    const config = readStageConfig(app.node);
    expect(config.stage).toBe('prod');
    expect(config.router.batchSize).toBe(200);
    expect(config.router.batchingWindowSeconds).toBe(3);
    expect(config.router.memoryMiB).toBe(defaultStageConfig('prod').router.memoryMiB);
  });

  it('resolves every stage cdk.json declares', () => {
    const context = JSON.parse(readFileSync('cdk.json', 'utf8')).context as Record<string, unknown>;
    const stages = Object.keys(context['sluice:stages'] as object);
    expect(stages).toEqual(expect.arrayContaining(['dev', 'prod']));
    for (const stage of stages) {
      const config = readStageConfig(
        testApp({ context: { ...context, 'sluice:stage': stage } }).node,
      );
      expect(config.stage).toBe(stage);
    }
    const prod = readStageConfig(testApp({ context: { ...context, 'sluice:stage': 'prod' } }).node);
    expect(prod.search).toMatchObject({ zoneAwareness: true, instanceCount: 2 });
  });

  it('starts a section from its new mode’s defaults when the mode changes', () => {
    const config = resolveStageConfig('test', [{ kafka: { mode: 'serverless' } }]);
    expect(config.kafka).toEqual({ mode: 'serverless', createTopics: true });
  });

  it('names the missing fields of an imported VPC instead of the union', () => {
    expect(problemsOf({ network: { mode: 'import', vpcId: 'vpc-0abc' } })).toEqual(
      expect.arrayContaining([
        expect.stringContaining('/network/vpcCidrBlock'),
        expect.stringContaining('/network/privateSubnetIds'),
      ]),
    );
  });

  it('rejects unknown keys, bad stages and non-JSON overrides', () => {
    expect(problemsOf({ routr: {} })).toEqual([expect.stringContaining('routr')]);
    expect(problemsOf({}, 'Prod_1')).toEqual([expect.stringContaining('/stage')]);
    const app = testApp({ context: { 'sluice:config': '{oops' } });
    expect(() => readStageConfig(app.node)).toThrow(/sluice:config is not JSON/);
  });

  it('rejects an SQS or SNS on-failure destination: they would get offsets, not records', () => {
    for (const type of ['sqs', 'sns']) {
      const problems = problemsOf({
        router: {
          mode: 'provisioned',
          errorHandling: { onFailure: { type, arn: `arn:aws:${type}:eu-west-1:123456789012:x` } },
        },
      });
      expect(problems).toEqual([expect.stringMatching(/only metadata/)]);
    }
  });

  it('rejects error-handling controls and pollers without provisioned mode', () => {
    const problems = problemsOf({
      router: { errorHandling: { retryAttempts: 3 }, pollers: { minimum: 1, maximum: 2 } },
    });
    expect(problems).toEqual([
      expect.stringMatching(/retryAttempts\) needs router.mode "provisioned"/),
      expect.stringMatching(/pollers needs router.mode "provisioned"/),
    ]);
  });

  it('accepts the controls in provisioned mode and checks their values', () => {
    const base = defaultStageConfig('t').router;
    expect(
      routerEventSourceProblems(
        {
          ...base,
          mode: 'provisioned',
          errorHandling: { retryAttempts: -1, maxRecordAgeSeconds: -1 },
        },
        ['orders.events'],
      ),
    ).toEqual([]);
    expect(
      routerEventSourceProblems(
        {
          ...base,
          mode: 'provisioned',
          pollers: { minimum: 5, maximum: 2 },
          errorHandling: {
            maxRecordAgeSeconds: 30,
            onFailure: { type: 'kafka', topic: 'orders.events' },
          },
        },
        ['orders.events'],
      ),
    ).toEqual([
      'router.pollers.minimum must not exceed router.pollers.maximum',
      expect.stringContaining('maxRecordAgeSeconds must be -1 or 60–604800'),
      expect.stringContaining('"orders.events" is a source topic'),
    ]);
  });

  it('keeps dead letters and claim checks longer than what points at them', () => {
    expect(problemsOf({ queues: { sourceRetentionDays: 14, dlqRetentionDays: 14 } })).toEqual([
      expect.stringContaining('must exceed queues.sourceRetentionDays'),
    ]);
    expect(problemsOf({ claimCheckExpirationDays: 14 })).toEqual([
      expect.stringContaining('a claim check must outlive the dead letter'),
    ]);
  });

  it('checks every job’s backoff schedule against the source retention', () => {
    // Every schedule today fits one day (the longest: 8 × 900 s = 2 h); a retention of zero
    // days is below all of them, so each job must be named.
    const config = {
      ...defaultStageConfig('t'),
      queues: { sourceRetentionDays: 0, dlqRetentionDays: 14 },
    };
    expect(configProblems(config).filter((p) => p.includes('backoff schedule'))).toHaveLength(5);
  });

  it('rejects a job lease shorter than the job function timeout (two copies could run)', () => {
    const problems = problemsOf({
      jobs: { audit: { environment: { SLUICE_JOB_LEASE_SECONDS: '30' } } },
    });
    expect(problems).toEqual([expect.stringMatching(/^job audit: .*SLUICE_JOB_LEASE_SECONDS=30/)]);
    expect(
      problemsOf({ jobs: { audit: { environment: { SLUICE_JOB_LEASE_SECONDS: '900' } } } }),
    ).toEqual([]);
  });

  it('rejects broker counts that do not spread over the availability zones', () => {
    expect(problemsOf({ kafka: { mode: 'provisioned', brokerNodes: 3 } })).toEqual([
      expect.stringContaining('multiple of the availability zones (2)'),
    ]);
  });

  it('rejects environment variables that look like secrets', () => {
    expect(
      problemsOf({
        jobs: { audit: { environment: { SLUICE_API_TOKEN: 'x', SLUICE_BULK_MAX_BYTES: '1' } } },
      }),
    ).toEqual([expect.stringContaining('SLUICE_API_TOKEN')]);
  });

  it('rejects a stage too long for a created domain’s name', () => {
    expect(problemsOf({}, 'a-very-long-stage-name-x')).toEqual([
      expect.stringContaining('at most 28 characters'),
    ]);
    expect(
      problemsOf(
        {
          search: {
            mode: 'import',
            endpoint: 'https://x',
            domainArn: 'arn:aws:es:eu-west-1:1:domain/x',
          },
        },
        'a-very-long-stage-name-x',
      ),
    ).toEqual([]);
  });
});
