/**
 * Deploys a stage of the CDK app to LocalStack with `cdklocal`: bootstrap of LocalStack's
 * account and region, then every stack of the stage, with the cloud assembly in
 * `.services/localstack/cdk.out` and the stack outputs in
 * `.services/localstack/outputs-<stage>.json`. Used by `npm run local:deploy` and by the
 * deployed-stack test.
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { localEndpoints } from '../services/endpoints';
import { LOCALSTACK_REGION } from '../services/localstack';
import { repoRoot, servicePaths } from '../services/paths';

/** LocalStack's account. */
export const LOCALSTACK_ACCOUNT = '000000000000';

/** The stage `npm run local:deploy` deploys (cdk.json). */
export const LOCALSTACK_STAGE = 'localstack';

/** Stack outputs by stack name, then output name. */
export type StackOutputs = Record<string, Record<string, string>>;

/** What one deployment took. */
export interface LocalStackDeployment {
  readonly stage: string;
  /** The cloud assembly deployed (templates, assets): `.services/localstack/cdk.out`. */
  readonly assemblyDir: string;
  readonly bootstrapSeconds: number;
  readonly deploySeconds: number;
  readonly outputs: StackOutputs;
}

/**
 * The environment cdklocal runs with: LocalStack's endpoint for every service (cdklocal
 * refuses to run without AWS_ENDPOINT_URL_S3 beside AWS_ENDPOINT_URL), its dummy
 * credentials and region.
 */
export function cdklocalEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  const endpoint = env.AWS_ENDPOINT_URL ?? localEndpoints.localstack;
  return {
    ...env,
    AWS_ENDPOINT_URL: endpoint,
    AWS_ENDPOINT_URL_S3: env.AWS_ENDPOINT_URL_S3 ?? endpoint,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? 'test',
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? 'test',
    AWS_REGION: LOCALSTACK_REGION,
    AWS_DEFAULT_REGION: LOCALSTACK_REGION,
  };
}

function cdklocal(args: readonly string[], onLine: (line: string) => void): Promise<void> {
  const child = spawn(join(repoRoot, 'node_modules', '.bin', 'cdklocal'), [...args], {
    cwd: repoRoot,
    env: cdklocalEnvironment(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tail: string[] = [];
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => {
      tail.push(line);
      if (tail.length > 30) tail.shift();
      onLine(line);
    });
  }
  return new Promise((done, fail) => {
    child.once('error', fail);
    child.once('close', (code) =>
      code === 0
        ? done()
        : fail(new Error(`cdklocal ${args[0]} exited with ${code}:\n${tail.join('\n')}`)),
    );
  });
}

/**
 * @example
 * ```ts
 * const { outputs } = await deployToLocalStack({ stage: 'localstack', onLine: console.log });
 * outputs['sluice-localstack-pipeline']?.IngestDlqUrl;
 * ```
 */
export async function deployToLocalStack(options: {
  readonly stage?: string;
  readonly onLine?: (line: string) => void;
}): Promise<LocalStackDeployment> {
  const stage = options.stage ?? LOCALSTACK_STAGE;
  const onLine = options.onLine ?? (() => {});
  const { stateDir } = servicePaths('localstack');
  const outputsFile = join(stateDir, `outputs-${stage}.json`);
  // Not the checkout's cdk.out: `npx cdk synth` of another stage may be there.
  const assemblyDir = join(stateDir, 'cdk.out');
  const common = ['--output', assemblyDir, '-c', `sluice:stage=${stage}`];
  const began = Date.now();
  await cdklocal(
    ['bootstrap', `aws://${LOCALSTACK_ACCOUNT}/${LOCALSTACK_REGION}`, ...common],
    onLine,
  );
  const bootstrapped = Date.now();
  await cdklocal(
    ['deploy', '--all', '--require-approval', 'never', '--outputs-file', outputsFile, ...common],
    onLine,
  );
  return {
    stage,
    assemblyDir,
    bootstrapSeconds: (bootstrapped - began) / 1000,
    deploySeconds: (Date.now() - bootstrapped) / 1000,
    outputs: JSON.parse(await readFile(outputsFile, 'utf8')) as StackOutputs,
  };
}
