/**
 * Rules across fields that a schema cannot express. Each is a deployment that would lose
 * records, keep them in the wrong place, or fail only after minutes of CloudFormation.
 */

import { leaseSecondsFrom } from '../../functions/jobs/runtime/job-config';
import { stagePrefix } from '../../functions/topology/naming';
import { JOB_NAMES, JOBS } from '../../functions/workers/jobs';
import type { RouterEventSourceConfig, StageConfig } from './schema';
import { availabilityZoneIds, DEFAULT_ZONE_IDS, MSK_REFUSED_ZONE_IDS, zoneIdPrefix } from './zones';

const DAY_SECONDS = 86_400;

/** Variable names that announce a secret: those belong in Secrets Manager, read by the role. */
export const SECRET_LIKE_NAME = /SECRET|PASSWORD|PASSWD|TOKEN|CREDENTIAL|PRIVATE_KEY|ACCESS_KEY/;

/**
 * Problems with the router's MSK event source: the error-handling controls exist only in
 * provisioned mode, and an on-failure destination must receive the records themselves.
 */
export function routerEventSourceProblems(
  router: RouterEventSourceConfig,
  sourceTopics: readonly string[],
): string[] {
  const problems: string[] = [];
  const controls = router.errorHandling ?? {};
  const used = Object.entries(controls)
    .filter(([, value]) => value !== undefined)
    .map(([name]) => name);
  if (router.mode !== 'provisioned') {
    if (used.length > 0) {
      problems.push(
        `router.errorHandling (${used.join(', ')}) needs router.mode "provisioned": on-demand MSK mappings have no error-handling controls`,
      );
    }
    if (router.pollers) problems.push('router.pollers needs router.mode "provisioned"');
  }
  if (router.pollers && router.pollers.minimum > router.pollers.maximum) {
    problems.push('router.pollers.minimum must not exceed router.pollers.maximum');
  }
  const age = controls.maxRecordAgeSeconds;
  if (age !== undefined && age !== -1 && age < 60) {
    problems.push(`router.errorHandling.maxRecordAgeSeconds must be -1 or 60–604800, got ${age}`);
  }
  const destination = controls.onFailure;
  if (destination) {
    if (destination.type === 'sqs' || destination.type === 'sns') {
      problems.push(
        `router.errorHandling.onFailure type "${destination.type}" is refused: Kafka mappings send only metadata (offsets) to SQS and SNS, not the records — use "s3" (whole payload) or "kafka" (a topic); payload-complete dead letters go to the ingest DLQ from the router's code`,
      );
    }
    if (destination.type === 's3' && !destination.arn?.startsWith('arn:')) {
      problems.push('router.errorHandling.onFailure of type "s3" needs the bucket "arn"');
    }
    if (destination.type === 'kafka') {
      if (!destination.topic) {
        problems.push('router.errorHandling.onFailure of type "kafka" needs a "topic"');
      } else if (sourceTopics.includes(destination.topic)) {
        problems.push(
          `router.errorHandling.onFailure topic "${destination.topic}" is a source topic of the router`,
        );
      }
    }
  }
  return problems;
}

/**
 * Availability zones the stage's subnets span. A created VPC placed by zone IDs spans those;
 * otherwise an environment-agnostic stack (no account and region in the stage) gets two
 * whatever maxAzs says.
 */
export function availabilityZoneCount(config: StageConfig): number {
  if (config.network.mode === 'import') return config.network.availabilityZones.length;
  const ids = availabilityZoneIds(config);
  if (ids) return ids.length;
  const agnostic = config.account === undefined || config.region === undefined;
  return agnostic ? Math.min(config.network.maxAzs, 2) : config.network.maxAzs;
}

/**
 * Zone IDs that are repeated, from another region, or refused by MSK for a created cluster.
 *
 * @example
 * ```ts
 * zoneProblems(config); // [] when the zones are fine
 * ```
 */
export function zoneProblems(config: StageConfig): string[] {
  const ids = availabilityZoneIds(config);
  if (!ids) return [];
  const problems: string[] = [];
  if (new Set(ids).size !== ids.length) {
    problems.push(`network.availabilityZoneIds must not repeat a zone: ${ids.join(', ')}`);
  }
  const prefixes = new Set(ids.map(zoneIdPrefix));
  const expected = config.region ? DEFAULT_ZONE_IDS[config.region]?.[0] : undefined;
  if (prefixes.size > 1) {
    problems.push(`network.availabilityZoneIds mixes regions: ${ids.join(', ')}`);
  } else if (expected && !prefixes.has(zoneIdPrefix(expected))) {
    problems.push(
      `network.availabilityZoneIds (${ids.join(', ')}) are not zones of ${config.region} (${zoneIdPrefix(expected)}-az…)`,
    );
  }
  const createsCluster = config.kafka.mode === 'provisioned' || config.kafka.mode === 'serverless';
  const refused = ids.filter((id) => MSK_REFUSED_ZONE_IDS.includes(id));
  if (createsCluster && refused.length > 0) {
    problems.push(
      `network.availabilityZoneIds includes ${refused.join(', ')}, where MSK refuses client subnets: pick other zones`,
    );
  }
  return problems;
}

/**
 * Provisioned SQS mappings: pollers in order, and no concurrency cap that cannot hold.
 *
 * @example
 * ```ts
 * jobPollerProblems(config); // [] when every job's pollers are consistent
 * ```
 */
export function jobPollerProblems(config: StageConfig): string[] {
  const problems: string[] = [];
  for (const job of JOB_NAMES) {
    const overrides = config.jobs[job];
    const pollers = overrides?.pollers;
    if (!pollers) continue;
    if (pollers.minimum > pollers.maximum) {
      problems.push(`jobs.${job}.pollers.minimum must not exceed jobs.${job}.pollers.maximum`);
    }
    if (overrides.maxConcurrency !== undefined) {
      problems.push(
        `jobs.${job}.pollers and jobs.${job}.maxConcurrency exclude each other: an SQS mapping in provisioned mode takes no maximum concurrency`,
      );
    }
    if (config.reserveConcurrency && typeof overrides.reservedConcurrency === 'number') {
      problems.push(
        `jobs.${job}.pollers excludes jobs.${job}.reservedConcurrency (leave it out or null): a provisioned SQS mapping has no concurrency cap, so any reservation can throttle it, and throttled messages reach the DLQ without failing`,
      );
    }
  }
  return problems;
}

/** Every cross-field problem of a schema-valid configuration; empty when consistent. */
export function configProblems(config: StageConfig): string[] {
  const problems = routerEventSourceProblems(config.router, Object.values(config.topics));
  const { sourceRetentionDays, dlqRetentionDays } = config.queues;
  if (dlqRetentionDays <= sourceRetentionDays) {
    problems.push(
      `queues.dlqRetentionDays (${dlqRetentionDays}) must exceed queues.sourceRetentionDays (${sourceRetentionDays}): a dead-lettered message keeps its original enqueue time`,
    );
  }
  if (config.claimCheckExpirationDays <= dlqRetentionDays) {
    problems.push(
      `claimCheckExpirationDays (${config.claimCheckExpirationDays}) must exceed queues.dlqRetentionDays (${dlqRetentionDays}): a claim check must outlive the dead letter pointing at it`,
    );
  }
  const sourceRetentionSeconds = sourceRetentionDays * DAY_SECONDS;
  for (const job of JOB_NAMES) {
    const environment = config.jobs[job]?.environment ?? {};
    try {
      leaseSecondsFrom(environment, JOBS[job].settings.timeoutSeconds);
    } catch (error) {
      problems.push(`job ${job}: ${(error as Error).message}`);
    }
    const { maxAttempts, backoff } = JOBS[job].settings;
    const schedule = maxAttempts * backoff.capSeconds;
    if (schedule >= sourceRetentionSeconds) {
      problems.push(
        `job ${job}: its backoff schedule (${maxAttempts} attempts × ${backoff.capSeconds} s) must end inside queues.sourceRetentionDays (${sourceRetentionDays} d)`,
      );
    }
  }
  problems.push(...zoneProblems(config), ...jobPollerProblems(config));
  const azCount = availabilityZoneCount(config);
  if (config.network.mode === 'import') {
    if (config.network.privateSubnetIds.length !== azCount) {
      problems.push('network.privateSubnetIds needs one subnet per availability zone');
    }
  }
  if (config.kafka.mode === 'provisioned' && config.kafka.brokerNodes % azCount !== 0) {
    problems.push(
      `kafka.brokerNodes (${config.kafka.brokerNodes}) must be a multiple of the availability zones (${azCount})`,
    );
  }
  if (config.search.mode === 'create' && stagePrefix(config.stage).length > 28) {
    problems.push(
      `search.mode "create" names the domain sluice-<stage>, at most 28 characters: stage "${config.stage}" is too long`,
    );
  }
  if (config.search.mode === 'create' && config.search.zoneAwareness) {
    const zones = Math.min(azCount, 3);
    if (config.search.instanceCount % zones !== 0) {
      problems.push(
        `search.instanceCount (${config.search.instanceCount}) must be a multiple of the availability zones the domain spans (${zones})`,
      );
    }
  }
  for (const job of JOB_NAMES) {
    for (const variable of Object.keys(config.jobs[job]?.environment ?? {})) {
      if (SECRET_LIKE_NAME.test(variable)) {
        problems.push(
          `jobs.${job}.environment.${variable} looks like a secret: environment variables are visible to anyone who can read the function's configuration`,
        );
      }
    }
  }
  if (config.catalogTable.mode === 'import' && config.catalogTable.name === '') {
    problems.push('catalogTable.name must not be empty');
  }
  return problems;
}
