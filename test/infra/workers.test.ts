import { Duration, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { beforeAll, describe, expect, it } from 'vitest';
import { resourceName } from '../../functions/topology/naming';
import { jobQueues } from '../../functions/topology/topology';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import {
  concurrencyOf,
  guardReservedConcurrency,
} from '../../infra/constructs/reserved-concurrency-guard';
import { FUNCTION_RUNTIME } from '../../infra/constructs/sluice-function';
import { resourcesOf, type SynthesizedStage, synthStage, testApp } from './support/synth';

let stage: SynthesizedStage;
type Props = Record<string, unknown>;
let functions: Map<string, { logicalId: string; props: Props }>;
let mappings: Props[];

beforeAll(() => {
  stage = synthStage({
    jobs: {
      audit: { maxConcurrency: 7 },
      'sync-customer': { reservedConcurrency: null },
      'record-commission': {
        environment: { SLUICE_COMMISSION_RATES: '{"defaultBasisPoints":900}' },
      },
    },
  });
  const template = stage.template(stage.stacks.pipeline);
  functions = new Map(
    Object.entries(resourcesOf(template, 'AWS::Lambda::Function')).map(([logicalId, r]) => [
      r.Properties.FunctionName as string,
      { logicalId, props: r.Properties },
    ]),
  );
  mappings = Object.values(resourcesOf(template, 'AWS::Lambda::EventSourceMapping')).map(
    (r) => r.Properties,
  );
});

const fn = (job: string) => {
  const found = functions.get(resourceName('test', jobQueues(job as never).queue));
  if (!found) throw new Error(`no worker for ${job}`);
  return found;
};
const mappingOf = (logicalId: string) => {
  const found = mappings.filter(
    (m) => JSON.stringify(m.FunctionName) === JSON.stringify({ Ref: logicalId }),
  );
  expect(found).toHaveLength(1);
  return found[0] as Props;
};

describe('workers from the job definitions', () => {
  it.each(JOB_NAMES)('%s: SQS mapping with the definition’s batching and concurrency', (job) => {
    const settings = JOBS[job].settings;
    const { logicalId, props } = fn(job);
    const mapping = mappingOf(logicalId);
    const maxConcurrency = job === 'audit' ? 7 : settings.maxConcurrency;
    expect(mapping).toMatchObject({
      BatchSize: settings.batchSize,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: maxConcurrency },
    });
    if (settings.maxBatchingWindowSeconds > 0) {
      expect(mapping.MaximumBatchingWindowInSeconds).toBe(settings.maxBatchingWindowSeconds);
    } else {
      expect(mapping.MaximumBatchingWindowInSeconds).toBeUndefined();
    }
    expect(props.Timeout).toBe(settings.timeoutSeconds);
    expect(props.Handler).toBe('index.handler');
    expect(props.Runtime).toBe(FUNCTION_RUNTIME.name);
    expect(props.Architectures).toEqual(['arm64']);
    // Reserved concurrency defaults to the mapping's maxConcurrency; null opts out.
    expect(props.ReservedConcurrentExecutions).toBe(
      job === 'sync-customer' ? undefined : maxConcurrency,
    );
  });

  it('uses nodejs24.x, the newest runtime aws-cdk-lib offers', () => {
    const nodeRuntimes = Object.values(Runtime)
      .filter((r): r is Runtime => r instanceof Runtime && /^nodejs\d+\.x$/.test(r.name))
      .map((r) => Number(r.name.replace(/\D/g, '')));
    expect(FUNCTION_RUNTIME.name).toBe(`nodejs${Math.max(...nodeRuntimes)}.x`);
  });

  it('gives every worker the variables its config readers need, and no more than plain settings', () => {
    const base = {
      SLUICE_STAGE: 'test',
      SLUICE_QUEUE_URL_BASE: Match.anyValue(),
      SLUICE_CLAIM_CHECK_BUCKET: Match.anyValue(),
      NODE_OPTIONS: '--enable-source-maps',
    };
    const openSearch = { SLUICE_OPENSEARCH_URL: Match.anyValue(), SLUICE_OPENSEARCH_MODE: 'es' };
    const template = stage.template(stage.stacks.pipeline);
    const env = (job: string) => fn(job).props.Environment as { Variables: Props };
    expect(Object.keys(env('record-commission').Variables).sort()).toEqual(
      [...Object.keys(base), 'SLUICE_COMMISSION_RATES'].sort(),
    );
    expect(env('record-commission').Variables.SLUICE_COMMISSION_RATES).toBe(
      '{"defaultBasisPoints":900}',
    );
    expect(Object.keys(env('index-product').Variables).sort()).toEqual(
      [...Object.keys(base), ...Object.keys(openSearch), 'SLUICE_CATALOG_TABLE'].sort(),
    );
    expect(env('index-product').Variables.SLUICE_CATALOG_TABLE).toBe('sluice-test-catalog');
    for (const job of ['audit', 'detect-login-abuse']) {
      expect(Object.keys(env(job).Variables).sort()).toEqual(
        [...Object.keys(base), ...Object.keys(openSearch)].sort(),
      );
    }
    template.hasResourceProperties('AWS::Lambda::Function', {
      FunctionName: 'sluice-test-job-audit',
      Environment: { Variables: Match.objectLike({ ...base, ...openSearch }) },
    });
  });

  it('puts only the jobs that write indexes into the VPC', () => {
    for (const job of JOB_NAMES) {
      const inVpc = (JOBS[job].access.indexes ?? []).length > 0;
      expect(fn(job).props.VpcConfig !== undefined, job).toBe(inVpc);
    }
  });

  it('gives each function an explicit log group with the stage’s retention', () => {
    const template = stage.template(stage.stacks.pipeline);
    const groups = resourcesOf(template, 'AWS::Logs::LogGroup');
    const byName = new Map(
      Object.entries(groups).map(([id, r]) => [r.Properties.LogGroupName as string, { id, r }]),
    );
    for (const [functionName, { props }] of functions) {
      const group = byName.get(`/aws/lambda/${functionName}`);
      expect(group?.r.Properties.RetentionInDays, functionName).toBe(30);
      expect(props.LoggingConfig).toEqual({ LogGroup: { Ref: group?.id } });
    }
  });

  it('omits reserved concurrency everywhere when the account quota cannot fit it', () => {
    const small = synthStage({ reserveConcurrency: false });
    small.template(small.stacks.pipeline).allResourcesProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: Match.absent(),
    });
  });
});

describe('the reserved-concurrency guard (the SQS throttling trap)', () => {
  function stackWith(reserved: number | undefined, maxConcurrencies: number[]) {
    const app = testApp();
    const stack = new Stack(app, 'Guard');
    const worker = new LambdaFunction(stack, 'Worker', {
      runtime: FUNCTION_RUNTIME,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {}'),
      reservedConcurrentExecutions: reserved,
    });
    maxConcurrencies.forEach((maxConcurrency, i) => {
      const queue = new Queue(stack, `Queue${i}`, { visibilityTimeout: Duration.minutes(5) });
      worker.addEventSource(new SqsEventSource(queue, { maxConcurrency }));
    });
    guardReservedConcurrency(worker);
    return { app, worker };
  }

  it('sums the maxConcurrency of every mapping of the function', () => {
    const { worker } = stackWith(30, [10, 20]);
    expect(concurrencyOf(worker)).toEqual({ reserved: 30, mappingsMax: 30, unbounded: false });
  });

  it('rejects at synth a reservation below that sum', () => {
    expect(() => stackWith(5, [10]).app.synth()).toThrow(
      /Reserved concurrency 5 of Guard\/Worker is below the sum of its SQS event sources' maxConcurrency \(10\)/,
    );
    expect(() => stackWith(25, [10, 20]).app.synth()).toThrow(/\(30\)/);
  });

  it('accepts an equal reservation or none at all', () => {
    expect(() => stackWith(30, [10, 20]).app.synth()).not.toThrow();
    expect(() => stackWith(undefined, [10, 20]).app.synth()).not.toThrow();
  });

  it('rejects a stage whose job reservation is below its maxConcurrency', () => {
    expect(() =>
      synthStage({ jobs: { audit: { maxConcurrency: 10, reservedConcurrency: 4 } } }),
    ).toThrow(/Reserved concurrency 4 of .*Job-audit.* is below the sum .* \(10\)/);
    expect(() => synthStage({ replay: { maxConcurrency: 4, reservedConcurrency: 2 } })).toThrow(
      /Reserved concurrency 2 of .*Replay.*\(4\)/,
    );
  });
});
