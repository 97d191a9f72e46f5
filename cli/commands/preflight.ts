/**
 * `sluice preflight --stage S`: read-only calls that tell, before a long deploy, whether it
 * can succeed in this account and region — Lambda concurrency quota, the OpenSearch
 * service-linked role, the zone IDs the VPC would use against MSK's, CDK bootstrap, the
 * instance types offered. Exits 1 when something blocks the deploy or could not be checked.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { OpenSearchClient } from '@aws-sdk/client-opensearch';
import { SSMClient } from '@aws-sdk/client-ssm';
import type { StageConfig } from '../../infra/config/schema';
import type { CliContext } from '../lib/context';
import { CliError, EXIT, writeJson } from '../lib/io';
import {
  type PreflightClients,
  renderPreflight,
  runPreflight,
} from '../lib/preflight/run-preflight';
import { stageConfigFromCdkJson } from '../lib/stage-config';

export interface PreflightOptions {
  readonly json?: boolean;
  /** JSON overrides on top of the stage's cdk.json entry, like `-c sluice:config=…`. */
  readonly config?: string;
}

/**
 * Clients in the stage's region (else the SDK's usual resolution).
 *
 * @example
 * ```ts
 * const clients = preflightClients('eu-west-1');
 * await runPreflight(clients, config, { region: 'eu-west-1' });
 * ```
 */
export function preflightClients(region: string | undefined): PreflightClients {
  const options = region ? { region } : {};
  return {
    lambda: new LambdaClient(options),
    iam: new IAMClient(options),
    ec2: new EC2Client(options),
    ssm: new SSMClient(options),
    opensearch: new OpenSearchClient(options),
  };
}

/**
 * @example
 * ```ts
 * process.exitCode = await preflight(context, { json: true });
 * ```
 */
export async function preflight(
  context: CliContext,
  options: PreflightOptions,
  makeClients: (region: string | undefined) => PreflightClients = preflightClients,
): Promise<number> {
  const config: StageConfig = stageConfigFromCdkJson(context.stage, options.config);
  const clients = makeClients(config.region);
  try {
    const region = config.region ?? (await clients.lambda.config.region());
    if (!region) {
      throw new CliError(
        'No region: set the stage\'s "region" in cdk.json or AWS_REGION',
        EXIT.usage,
      );
    }
    const report = await runPreflight(clients, config, {
      region,
      ...(config.account ? { account: config.account } : {}),
    });
    if (options.json) writeJson(context.io, report);
    else context.io.stdout(`${renderPreflight(report)}\n`);
    // A check that could not run is no green light either.
    return report.blockers + report.unverified > 0 ? EXIT.error : EXIT.ok;
  } finally {
    for (const client of Object.values(clients)) client.destroy();
  }
}
