/**
 * The router's and the replay function's event source mapping defaults. The stage
 * configuration starts from them (infra/config/defaults.ts; a stage may override each) and
 * the local event-source emulation uses them as they are, so `npm run dev` batches as a
 * default stage does without the emulation reading the CDK app's configuration.
 *
 * @example
 * ```ts
 * ROUTER_MAPPING_DEFAULTS.batchSize; // 500
 * ```
 */
export const ROUTER_MAPPING_DEFAULTS = { batchSize: 500, batchingWindowSeconds: 1 } as const;

/** The replay function's SQS mapping: at most two batches of dead letters at once. */
export const REPLAY_MAPPING_DEFAULTS = { maxConcurrency: 2 } as const;
