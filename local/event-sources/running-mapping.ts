import type { MappingStats } from './stats';

/** A started mapping: its live totals, and a stop that drains it. */
export interface RunningMapping {
  stats(): MappingStats;
  /** Stops polling, lets invocations in flight finish and settle; resolves with the totals. */
  stop(): Promise<MappingStats>;
}
