/**
 * The environment the deployed functions get from the CDK stacks, for a stage provisioned
 * on the local services: the same variables, pointing at the local endpoints. `npm run dev`
 * and the end-to-end tests set it before importing the handler modules unchanged.
 */
import { gitCodeVersion } from '../../shared/code-version';
import type { ProvisionedStage } from '../provision/stage';
import { localEndpoints, localSqsMaxMessageBytes } from '../services/endpoints';

export interface PipelineEnvOptions {
  /** Powertools log level of the functions (default WARN). */
  readonly logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** EMF metrics on stdout, as in Lambda (default off: nothing reads them locally). */
  readonly metrics?: boolean;
}

/**
 * @example
 * ```ts
 * Object.assign(process.env, pipelineEnvironment(await provisionStage('dev')));
 * const { handler } = await import('../../functions/router/handler');
 * ```
 */
export function pipelineEnvironment(
  stage: ProvisionedStage,
  options: PipelineEnvOptions = {},
): Record<string, string> {
  return {
    SLUICE_STAGE: stage.stage,
    SLUICE_QUEUE_URL_BASE: stage.queueUrlBase,
    SLUICE_CLAIM_CHECK_BUCKET: stage.claimCheckBucket,
    // moto serves buckets by path, not by virtual host.
    SLUICE_S3_FORCE_PATH_STYLE: 'true',
    // The local SQS server's limit, measured (see endpoints.ts).
    SLUICE_MAX_MESSAGE_BYTES: String(localSqsMaxMessageBytes),
    SLUICE_OPENSEARCH_URL: process.env.SLUICE_OPENSEARCH_URL || localEndpoints.opensearch,
    SLUICE_OPENSEARCH_MODE: process.env.SLUICE_OPENSEARCH_MODE || 'none',
    POWERTOOLS_LOG_LEVEL: options.logLevel ?? 'WARN',
    POWERTOOLS_METRICS_DISABLED: options.metrics ? 'false' : 'true',
    POWERTOOLS_METRICS_NAMESPACE: 'Sluice',
    // The working tree's SHA (`-dirty` with uncommitted changes), as a deployed build has its
    // own: failure groups can then tell fixed code from unfixed code in a local redrive.
    SLUICE_CODE_VERSION: gitCodeVersion(),
  };
}
