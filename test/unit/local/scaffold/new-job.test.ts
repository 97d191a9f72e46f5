/**
 * `npm run new:job` end to end, in a temporary copy of the repository: two jobs scaffolded (a
 * single job for two event types, a batch job for every event), then the copy typechecks,
 * passes Biome, synthesizes the default stage with each new job's queue, DLQ, function,
 * mapping and alarms, and the generated unit tests pass. Running a scaffolded job under the
 * local event-source runtime needs the services: test/integration/local/scaffold/.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEventTypes, ScaffoldError } from '../../../../local/scaffold/job-options';
import { REGISTRY_FILE, scaffoldJob } from '../../../../local/scaffold/scaffold-job';
import { copyRepository, type RepositoryCopy } from '../../../support/repository-copy';

const run = promisify(execFile);

/** Runs a tool of the copy's node_modules on this Node.js; rejects with its output. */
async function tool(root: string, args: readonly string[], env: Record<string, string> = {}) {
  try {
    return await run(process.execPath, args, {
      cwd: root,
      env: {
        ...process.env,
        // `cdk synth` starts the app with npx: the same Node.js first on its PATH.
        PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
        ...env,
      },
      maxBuffer: 64 * 1024 * 1024,
    });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${args.join(' ')} failed:\n${stdout ?? ''}\n${stderr ?? ''}`.slice(-8_000));
  }
}

interface Template {
  Resources: Record<string, { Type: string; Properties?: Record<string, unknown> }>;
}

const resources = (template: Template, type: string) =>
  Object.entries(template.Resources).filter(([, r]) => r.Type === type);

describe('npm run new:job', () => {
  let copy: RepositoryCopy;
  let registryBefore: string;

  beforeAll(() => {
    copy = copyRepository();
    registryBefore = readFileSync(join(copy.root, REGISTRY_FILE), 'utf8');
  });

  afterAll(() => copy?.remove());

  describe('refuses, writing nothing', () => {
    it.each([
      ['NotifySeller', 'kebab-case'],
      ['notify--seller', 'kebab-case'],
      ['9-lives', 'kebab-case'],
      ['jobs', 'the registry'],
      ['a-job-name-far-too-long-for-lambda', "Lambda's 64 characters"],
    ])('the name %s', (name, message) => {
      expect(() => scaffoldJob(copy.root, { name, eventTypes: ['ITEM_SOLD'] })).toThrow(message);
    });

    it('an existing job', () => {
      expect(() => scaffoldJob(copy.root, { name: 'audit', eventTypes: ['*'] })).toThrow(
        'Job "audit" exists already: functions/workers/audit/ is there',
      );
    });

    it('unknown event types, naming the known ones', () => {
      expect(() => parseEventTypes('ITEM_SOLD,ITEM_SOLDD')).toThrow(
        /Unknown event type ITEM_SOLDD\. Known: PRODUCT_PUBLISHED, .*ITEM_SOLD/,
      );
      expect(() => parseEventTypes('*,ITEM_SOLD')).toThrow('stands alone');
      expect(() => parseEventTypes('ITEM_SOLD,ITEM_SOLD')).toThrow('given twice');
      expect(() => parseEventTypes(' , ')).toThrow(ScaffoldError);
      expect(parseEventTypes('ITEM_SOLD, PRODUCT_PUBLISHED')).toEqual([
        'ITEM_SOLD',
        'PRODUCT_PUBLISHED',
      ]);
    });

    it('an event type outside the registry passed directly', () => {
      expect(() =>
        scaffoldJob(copy.root, { name: 'notify-seller', eventTypes: ['NOPE' as never] }),
      ).toThrow('Unknown event types: NOPE');
    });

    it('and leaves the registry and the workers as they were', () => {
      expect(readFileSync(join(copy.root, REGISTRY_FILE), 'utf8')).toBe(registryBefore);
      expect(existsSync(join(copy.root, 'functions/workers/notify-seller'))).toBe(false);
    });
  });

  describe('scaffolds jobs the whole toolchain takes as generated', () => {
    beforeAll(() => {
      const single = scaffoldJob(copy.root, {
        name: 'notify-seller',
        eventTypes: ['ITEM_SOLD', 'PRODUCT_PUBLISHED'],
        description: "Tells a seller what's sold",
      });
      expect(single.created).toEqual([
        'functions/workers/notify-seller/job.ts',
        'functions/workers/notify-seller/handler.ts',
        'test/unit/workers/notify-seller/handler.test.ts',
      ]);
      expect(single.edited).toEqual([REGISTRY_FILE]);
      scaffoldJob(copy.root, { name: 'tally', eventTypes: ['*'], batch: true });
    });

    it('writes three files per job and two lines of the registry', () => {
      const registry = readFileSync(join(copy.root, REGISTRY_FILE), 'utf8');
      const added = registry.split('\n').filter((line) => !registryBefore.includes(line));
      expect(added.sort()).toEqual([
        '  notifySellerJob,',
        '  tallyJob,',
        "import { notifySellerJob } from './notify-seller/job';",
        "import { tallyJob } from './tally/job';",
      ]);
      // Nothing else of the registry changed.
      expect(registry.split('\n').filter((line) => !added.includes(line))).toEqual(
        registryBefore.split('\n'),
      );
      expect(() =>
        scaffoldJob(copy.root, { name: 'notify-seller', eventTypes: ['ITEM_SOLD'] }),
      ).toThrow('exists already');
    });

    it('typechecks, passes Biome, synthesizes, and its generated tests pass', async () => {
      const { root } = copy;
      const outdir = join(root, 'cdk.out');
      // One after the other, not side by side: the rest of the suite shares the two cores.
      await run(join(root, 'node_modules/.bin/biome'), ['check', '.'], { cwd: root }).catch(
        (error: { stdout?: string }) => {
          throw new Error(`biome check failed:\n${error.stdout ?? ''}`);
        },
      );
      await tool(root, ['node_modules/typescript/bin/tsc', '--noEmit']);
      // The default stage (cdk.json), every function bundled by esbuild as `cdk synth` does.
      await tool(root, ['node_modules/aws-cdk/bin/cdk', 'synth', '--quiet', '--output', outdir], {
        SLUICE_CODE_VERSION: 'scaffold-test',
      });

      const pipeline = JSON.parse(
        readFileSync(join(outdir, 'sluice-dev-pipeline.template.json'), 'utf8'),
      ) as Template;
      const observability = readFileSync(
        join(outdir, 'sluice-dev-observability.template.json'),
        'utf8',
      );
      for (const job of ['notify-seller', 'tally']) {
        const queues = resources(pipeline, 'AWS::SQS::Queue');
        const queue = queues.find(([, r]) => r.Properties?.QueueName === `sluice-dev-job-${job}`);
        const dlq = queues.find(([, r]) => r.Properties?.QueueName === `sluice-dev-job-${job}-dlq`);
        expect(queue, `${job} queue`).toBeDefined();
        expect(dlq, `${job} DLQ`).toBeDefined();
        expect(JSON.stringify(queue?.[1].Properties?.RedrivePolicy)).toContain(dlq?.[0]);
        const fn = resources(pipeline, 'AWS::Lambda::Function').find(
          ([, r]) => r.Properties?.FunctionName === `sluice-dev-job-${job}`,
        );
        expect(fn, `${job} function`).toBeDefined();
        const mapping = resources(pipeline, 'AWS::Lambda::EventSourceMapping').find(
          ([, r]) =>
            JSON.stringify(r.Properties?.FunctionName) === JSON.stringify({ Ref: fn?.[0] }),
        );
        expect(mapping?.[1].Properties).toMatchObject({
          EventSourceArn: { 'Fn::GetAtt': [queue?.[0], 'Arn'] },
          FunctionResponseTypes: ['ReportBatchItemFailures'],
        });
        // The DLQ's alarms name it.
        expect(observability).toContain(`sluice-dev-job-${job}-dlq`);
      }

      const report = join(root, 'generated-tests.json');
      await tool(
        root,
        [
          'node_modules/vitest/vitest.mjs',
          'run',
          'test/unit/workers/notify-seller',
          'test/unit/workers/tally',
          '--reporter=json',
          `--outputFile=${report}`,
        ],
        { SLUICE_SERVICES: 'external' },
      );
      const results = JSON.parse(readFileSync(report, 'utf8')) as {
        numTotalTestSuites: number;
        numPassedTests: number;
        numFailedTests: number;
        testResults: { name: string }[];
      };
      expect(results.testResults.map((r) => r.name.slice(root.length + 1)).sort()).toEqual([
        'test/unit/workers/notify-seller/handler.test.ts',
        'test/unit/workers/tally/handler.test.ts',
      ]);
      expect(results).toMatchObject({ numPassedTests: 6, numFailedTests: 0 });
    }, 360_000); // Biome, a typecheck and a synth of the whole copy, two test files: 1–2.5 minutes.
  });
});
