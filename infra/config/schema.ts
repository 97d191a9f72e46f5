/**
 * The shape of a stage's configuration, as a TypeBox schema: one source for the TypeScript
 * types and for the check that turns a typo in `cdk.json` into a synth error naming the path.
 * Every figure that costs money or quota (concurrency, instance sizes, endpoints) is here.
 */
import { type Static, Type as T, type TOptional } from '@sinclair/typebox';
import type { JobName } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';

const Int = (min: number, max: number, description?: string) =>
  T.Integer({ minimum: min, maximum: max, ...(description ? { description } : {}) });

/** An availability zone ID, e.g. `use1-az1` or `euw1-az3`. */
export const ZONE_ID_PATTERN = '^[a-z]{2,5}[0-9]-az[0-9]+$';

/** `null` = no reserved concurrency for this function (accounts with a small quota). */
const ReservedConcurrency = T.Union([Int(1, 10_000), T.Null()]);

export const NetworkConfigSchema = T.Union([
  T.Object(
    {
      mode: T.Literal('create'),
      maxAzs: Int(2, 6),
      /** `endpoints`: isolated subnets + VPC endpoints; `nat`: private subnets behind NAT. */
      egress: T.Union([T.Literal('endpoints'), T.Literal('nat')]),
      natGateways: Int(1, 6),
      /** Rejected traffic to CloudWatch Logs (cheap; what a security review asks for first). */
      flowLogs: T.Boolean(),
      /**
       * Zones by ID (`use1-az1`), the same in every account: the subnets are placed in them and
       * maxAzs is their number. Default: the region's zones MSK accepts where known (see
       * `defaultAvailabilityZoneIds`), else CloudFormation's first zone names.
       */
      availabilityZoneIds: T.Optional(
        T.Union([
          T.Array(T.String({ pattern: ZONE_ID_PATTERN }), { minItems: 2, maxItems: 6 }),
          // Zone names as before (a stage deployed before zone IDs: moving would replace its subnets).
          T.Null(),
        ]),
      ),
    },
    { additionalProperties: false },
  ),
  T.Object(
    {
      mode: T.Literal('import'),
      vpcId: T.String({ pattern: '^vpc-[0-9a-f]+$' }),
      vpcCidrBlock: T.String({ minLength: 9 }),
      availabilityZones: T.Array(T.String({ minLength: 1 }), { minItems: 2 }),
      /** One private subnet per availability zone, in the same order. */
      privateSubnetIds: T.Array(T.String({ pattern: '^subnet-[0-9a-f]+$' }), { minItems: 2 }),
    },
    { additionalProperties: false },
  ),
]);

export const KafkaConfigSchema = T.Union([
  /** No cluster: the router is deployed without its event source mappings. */
  T.Object({ mode: T.Literal('none') }, { additionalProperties: false }),
  T.Object(
    {
      mode: T.Literal('import'),
      clusterArn: T.String({
        pattern: '^arn:aws[a-z-]*:kafka:[a-z0-9-]+:[0-9]{12}:cluster/[^/]+/[^/]+$',
      }),
    },
    { additionalProperties: false },
  ),
  T.Object(
    { mode: T.Literal('serverless'), createTopics: T.Boolean() },
    { additionalProperties: false },
  ),
  T.Object(
    {
      mode: T.Literal('provisioned'),
      kafkaVersion: T.String({ minLength: 1 }),
      instanceType: T.String({ pattern: '^kafka\\.' }),
      /** A multiple of the number of availability zones. */
      brokerNodes: Int(2, 30),
      volumeGiB: Int(1, 16_384),
      createTopics: T.Boolean(),
    },
    { additionalProperties: false },
  ),
]);

/** Where a provisioned-mode MSK mapping sends batches it gives up on. */
export const OnFailureSchema = T.Object(
  {
    /**
     * `s3` (whole payload) or `kafka` (the records, to a topic of the same cluster). `sqs` and
     * `sns` are accepted by the schema only so synth can explain why they are refused.
     */
    type: T.Union([T.Literal('s3'), T.Literal('kafka'), T.Literal('sqs'), T.Literal('sns')]),
    /** The bucket (s3) or queue/topic (sqs/sns) ARN. */
    arn: T.Optional(T.String({ minLength: 1 })),
    /** The topic (kafka). */
    topic: T.Optional(T.String({ minLength: 1 })),
  },
  { additionalProperties: false },
);

export const RouterConfigSchema = T.Object(
  {
    memoryMiB: Int(128, 10_240),
    /** Kafka event source mappings allow at most 14 minutes. */
    timeoutSeconds: Int(10, 840),
    batchSize: Int(1, 10_000),
    batchingWindowSeconds: Int(0, 300),
    startingPosition: T.Union([T.Literal('TRIM_HORIZON'), T.Literal('LATEST')]),
    reservedConcurrency: ReservedConcurrency,
    /**
     * Run the router in the VPC. Off by default: it calls only SQS and S3, and its MSK mappings'
     * pollers use the cluster's subnets and security groups, not the function's.
     */
    vpc: T.Boolean(),
    /** `provisioned` unlocks the error-handling controls below (and costs per poller). */
    mode: T.Union([T.Literal('on-demand'), T.Literal('provisioned')]),
    pollers: T.Optional(T.Object({ minimum: Int(1, 200), maximum: Int(1, 2000) })),
    errorHandling: T.Optional(
      T.Object(
        {
          /** -1 = retry until the record expires in Kafka (nothing dropped). */
          retryAttempts: T.Optional(Int(-1, 10_000)),
          /** -1 = no age limit (nothing dropped); otherwise 60–604800. */
          maxRecordAgeSeconds: T.Optional(Int(-1, 604_800)),
          bisectBatchOnError: T.Optional(T.Boolean()),
          /** The router then reports failed offsets (SLUICE_REPORT_BATCH_ITEM_FAILURES). */
          reportBatchItemFailures: T.Optional(T.Boolean()),
          onFailure: T.Optional(OnFailureSchema),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const JobOverridesSchema = T.Object(
  {
    /** SQS event source maxConcurrency; default: the job definition's. */
    maxConcurrency: T.Optional(Int(2, 1000)),
    /** Default: the mapping's maxConcurrency (the smallest value synth accepts). */
    reservedConcurrency: T.Optional(ReservedConcurrency),
    /**
     * Provisioned mode for the job's SQS mapping (at least 2 pollers). Replaces maxConcurrency,
     * which cannot be combined with it, so the function may not reserve concurrency.
     */
    pollers: T.Optional(T.Object({ minimum: Int(2, 200), maximum: Int(2, 2000) })),
    memoryMiB: T.Optional(Int(128, 10_240)),
    /** Extra environment, e.g. SLUICE_COMMISSION_RATES. Never secrets. */
    environment: T.Optional(T.Record(T.String({ pattern: '^[A-Z][A-Z0-9_]*$' }), T.String())),
  },
  { additionalProperties: false },
);

export const SearchConfigSchema = T.Union([
  T.Object(
    {
      mode: T.Literal('create'),
      engineVersion: T.String({ pattern: '^OpenSearch_[0-9]+\\.[0-9]+$' }),
      instanceType: T.String({ pattern: '\\.search$' }),
      instanceCount: Int(1, 80),
      volumeGiB: Int(10, 16_384),
      /** Dedicated master nodes (3 for production); null for none. */
      dedicatedMasters: T.Union([
        T.Object({ count: Int(3, 5), instanceType: T.String({ pattern: '\\.search$' }) }),
        T.Null(),
      ]),
      zoneAwareness: T.Boolean(),
      /**
       * Fine-grained access control with Sluice's admin role as master, and the workers'
       * roles mapped to write-only security roles. `false`: access by IAM alone (the
       * `localstack` stage: its domains are a plain local node without the security plugin).
       */
      fineGrainedAccessControl: T.Boolean(),
      /**
       * Create AWSServiceRoleForAmazonOpenSearchService when the account lacks it (a custom
       * resource that creates, never deletes; an existing role is left alone).
       */
      createServiceLinkedRole: T.Boolean(),
      /** Publish the security plugin's audit logs to CloudWatch Logs (on for production). */
      auditLogs: T.Boolean(),
      shards: Int(1, 100),
      replicas: Int(0, 10),
      reindexOnDeploy: T.Boolean(),
    },
    { additionalProperties: false },
  ),
  T.Object(
    {
      mode: T.Literal('import'),
      /** `https://vpc-….es.amazonaws.com` */
      endpoint: T.String({ pattern: '^https://' }),
      domainArn: T.String({ pattern: '^arn:aws[a-z-]*:es:' }),
      /** Whether Sluice may map its roles in fine-grained access control (needs master rights). */
      mapRoles: T.Boolean(),
      shards: Int(1, 100),
      replicas: Int(0, 10),
      /**
       * Let the index-setup custom resource copy documents into a new index version when a
       * spec's version changes (it must finish within 15 minutes; see infra/README.md).
       */
      reindexOnDeploy: T.Boolean(),
    },
    { additionalProperties: false },
  ),
]);

export const AlarmConfigSchema = T.Object(
  {
    /** Subscribed to the ops topic when set. */
    email: T.Union([T.String({ pattern: '^[^@\\s]+@[^@\\s]+$' }), T.Null()]),
    /** DLQ growth alarm: more than this many new dead letters in 5 minutes. */
    dlqGrowthPerFiveMinutes: Int(1, 1_000_000),
    /** Source queues: oldest message older than this (the backoff schedule spans ~1 h). */
    oldestMessageAgeSeconds: Int(60, 1_209_600),
    /** Dead letters: warn this many hours before retention would drop the oldest one. */
    dlqRetentionWarningHours: Int(1, 330),
    /** Function errors / invocations over 5 minutes. */
    errorRatePercent: T.Number({ exclusiveMinimum: 0, maximum: 100 }),
    /** Router consumer lag in records (max over partitions) for 15 minutes. */
    offsetLag: Int(1, 1_000_000_000),
    /** Periods of 5 minutes in a row with failed invocations before a mapping's alarm fires. */
    failedInvokePeriods: Int(1, 288),
  },
  { additionalProperties: false },
);

export const StageConfigSchema = T.Object(
  {
    stage: T.String({ pattern: '^[a-z][a-z0-9-]{0,23}$' }),
    /** Optional: without them the stacks are environment-agnostic (synth needs no account). */
    account: T.Optional(T.String({ pattern: '^[0-9]{12}$' })),
    region: T.Optional(T.String({ pattern: '^[a-z]{2}(-[a-z]+)+-[0-9]$' })),
    /** `retain` keeps tables, buckets and the domain when a stack is deleted. */
    removalPolicy: T.Union([T.Literal('retain'), T.Literal('destroy')]),
    logRetentionDays: T.Union(
      [1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1827, 3653].map((d) =>
        T.Literal(d),
      ),
    ),
    network: NetworkConfigSchema,
    kafka: KafkaConfigSchema,
    /** Topic names; default: the topology's. */
    topics: T.Object(
      {
        catalog: T.String({ minLength: 1 }),
        orders: T.String({ minLength: 1 }),
        identity: T.String({ minLength: 1 }),
        customers: T.String({ minLength: 1 }),
      },
      { additionalProperties: false },
    ),
    router: RouterConfigSchema,
    replay: T.Object(
      { maxConcurrency: Int(2, 1000), reservedConcurrency: T.Optional(ReservedConcurrency) },
      { additionalProperties: false },
    ),
    /** `false`: no function reserves concurrency (new accounts may have a quota of 10). */
    reserveConcurrency: T.Boolean(),
    /**
     * MetricsConfig on every event source mapping: event counts on the SQS mappings; event
     * counts, error counts and offset lag on the MSK mappings. Alarms and a dashboard use them.
     */
    eventSourceMetrics: T.Boolean(),
    /** Per-job overrides of the job definitions' figures. */
    jobs: T.Object(
      Object.fromEntries(JOB_NAMES.map((job) => [job, T.Optional(JobOverridesSchema)])) as Record<
        JobName,
        TOptional<typeof JobOverridesSchema>
      >,
      { additionalProperties: false },
    ),
    queues: T.Object(
      { sourceRetentionDays: Int(1, 14), dlqRetentionDays: Int(1, 14) },
      { additionalProperties: false },
    ),
    /** Claim-checked dead letters must outlive the DLQ messages that point at them. */
    claimCheckExpirationDays: Int(1, 3650),
    search: SearchConfigSchema,
    /** `import`: the catalog service owns its table; `create`: a demo table. */
    catalogTable: T.Object(
      { mode: T.Union([T.Literal('import'), T.Literal('create')]), name: T.Optional(T.String()) },
      { additionalProperties: false },
    ),
    alarms: AlarmConfigSchema,
  },
  { additionalProperties: false },
);

export type StageConfig = Static<typeof StageConfigSchema>;
export type NetworkConfig = Static<typeof NetworkConfigSchema>;
export type KafkaConfig = Static<typeof KafkaConfigSchema>;
export type RouterEventSourceConfig = Static<typeof RouterConfigSchema>;
export type OnFailureConfig = Static<typeof OnFailureSchema>;
export type JobOverrides = Static<typeof JobOverridesSchema>;
export type SearchConfig = Static<typeof SearchConfigSchema>;
export type AlarmConfig = Static<typeof AlarmConfigSchema>;
