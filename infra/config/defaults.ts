/**
 * Defaults for every stage: a small but complete deployment that synthesizes offline (a new
 * VPC with endpoints, a two-broker MSK cluster, a one-node OpenSearch domain). Production
 * stages override sizes, removal policy and alarms in `cdk.json`.
 */
import {
  REPLAY_MAPPING_DEFAULTS,
  ROUTER_MAPPING_DEFAULTS,
} from '../../functions/topology/mapping-defaults';
import { TOPICS } from '../../functions/topology/topology';
import type { KafkaConfig, NetworkConfig, SearchConfig, StageConfig } from './schema';

/** Defaults of each mode of a section; a stage that switches mode starts from these. */
export const NETWORK_MODE_DEFAULTS: Record<NetworkConfig['mode'], Partial<NetworkConfig>> = {
  create: { mode: 'create', maxAzs: 2, egress: 'endpoints', natGateways: 1, flowLogs: true },
  import: { mode: 'import' },
};

export const KAFKA_MODE_DEFAULTS: Record<KafkaConfig['mode'], Partial<KafkaConfig>> = {
  none: { mode: 'none' },
  import: { mode: 'import' },
  serverless: { mode: 'serverless', createTopics: true },
  provisioned: {
    mode: 'provisioned',
    kafkaVersion: '3.8.x',
    instanceType: 'kafka.t3.small',
    brokerNodes: 2,
    volumeGiB: 10,
    createTopics: true,
  },
};

export const SEARCH_MODE_DEFAULTS: Record<SearchConfig['mode'], Partial<SearchConfig>> = {
  create: {
    mode: 'create',
    engineVersion: 'OpenSearch_2.19',
    instanceType: 't3.small.search',
    instanceCount: 1,
    volumeGiB: 10,
    dedicatedMasters: null,
    zoneAwareness: false,
    fineGrainedAccessControl: true,
    createServiceLinkedRole: true,
    auditLogs: false,
    shards: 1,
    replicas: 0,
    reindexOnDeploy: true,
  },
  import: { mode: 'import', mapRoles: false, shards: 1, replicas: 1, reindexOnDeploy: true },
};

/**
 * @example
 * ```ts
 * defaultStageConfig('dev').router.batchSize; // 500
 * ```
 */
export function defaultStageConfig(stage: string): StageConfig {
  return {
    stage,
    removalPolicy: 'retain',
    logRetentionDays: 30,
    network: NETWORK_MODE_DEFAULTS.create as NetworkConfig,
    kafka: KAFKA_MODE_DEFAULTS.provisioned as KafkaConfig,
    topics: {
      catalog: TOPICS.catalog.name,
      orders: TOPICS.orders.name,
      identity: TOPICS.identity.name,
      customers: TOPICS.customers.name,
    },
    router: {
      memoryMiB: 1024,
      timeoutSeconds: 120,
      batchSize: ROUTER_MAPPING_DEFAULTS.batchSize,
      batchingWindowSeconds: ROUTER_MAPPING_DEFAULTS.batchingWindowSeconds,
      startingPosition: 'TRIM_HORIZON',
      reservedConcurrency: null,
      vpc: false,
      mode: 'on-demand',
    },
    replay: { maxConcurrency: REPLAY_MAPPING_DEFAULTS.maxConcurrency },
    reserveConcurrency: true,
    eventSourceMetrics: true,
    jobs: {},
    queues: { sourceRetentionDays: 4, dlqRetentionDays: 14 },
    claimCheckExpirationDays: 30,
    search: SEARCH_MODE_DEFAULTS.create as SearchConfig,
    catalogTable: { mode: 'create' },
    alarms: {
      email: null,
      dlqGrowthPerFiveMinutes: 10,
      oldestMessageAgeSeconds: 3600,
      dlqRetentionWarningHours: 72,
      errorRatePercent: 5,
      offsetLag: 10_000,
      failedInvokePeriods: 3,
    },
  };
}
