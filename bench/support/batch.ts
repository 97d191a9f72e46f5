/**
 * The benchmark's MSK batch: ~300-byte sample events in structured mode over six
 * partitions, every 50th record (2 %) broken in one of three ways, and what the router and
 * the Zod baseline must make of it.
 */
import type { MSKEvent, MSKRecord } from 'aws-lambda';
import { jobsFor } from '../../functions/router/plan';
import { ROUTES } from '../../functions/workers/jobs';
import { mskEvent, mskRecord, structuredRecord } from '../../test/support/msk';
import { itemSold, loginFailed, sampleEvent } from '../../test/support/sample-events';

/** The dead-letter reasons the batch provokes, with the schema path each must carry. */
export const BROKEN = {
  NOT_JSON: undefined,
  SCHEMA_VIOLATION: '/data/lines/0/quantity',
  UNKNOWN_VERSION: '/dataversion',
} as const;

export type BrokenReason = keyof typeof BROKEN;

export interface BenchBatch {
  event: MSKEvent;
  records: number;
  /** Jobs the router must enqueue, by job name. */
  jobs: Map<string, number>;
  /** Dead letters the router must send, by reason. */
  deadLetters: Record<BrokenReason, number>;
  /** Records the Zod baseline must reject: it has no schema versions, so only two kinds. */
  zodRejects: number;
}

const PARTITIONS = 6;

/**
 * @example
 * ```ts
 * const { event, jobs } = benchBatch(10_000);
 * ```
 */
export function benchBatch(count: number): BenchBatch {
  const records: MSKRecord[] = [];
  const jobs = new Map<string, number>();
  const deadLetters: Record<BrokenReason, number> = {
    NOT_JSON: 0,
    SCHEMA_VIOLATION: 0,
    UNKNOWN_VERSION: 0,
  };
  for (let n = 0; n < count; n++) {
    const at = {
      topic: 'shop.events',
      partition: n % PARTITIONS,
      offset: Math.floor(n / PARTITIONS),
    };
    if (n % 50 === 49) {
      const reason = (Object.keys(BROKEN) as BrokenReason[])[
        Math.floor(n / 50) % 3
      ] as BrokenReason;
      deadLetters[reason]++;
      records.push(brokenRecord(reason, n, at));
      continue;
    }
    const event = sampleEvent(n);
    records.push(structuredRecord(event, { ...at, key: event.subject ?? event.id }));
    for (const job of jobsFor(ROUTES, event.type)) jobs.set(job, (jobs.get(job) ?? 0) + 1);
  }
  return {
    event: mskEvent(records),
    records: count,
    jobs,
    deadLetters,
    zodRejects: deadLetters.NOT_JSON + deadLetters.SCHEMA_VIOLATION,
  };
}

function brokenRecord(
  reason: BrokenReason,
  n: number,
  at: { topic: string; partition: number; offset: number },
): MSKRecord {
  switch (reason) {
    case 'NOT_JSON': // a value cut off mid-document
      return mskRecord({ ...at, value: JSON.stringify(itemSold(n)).slice(0, 150) });
    case 'SCHEMA_VIOLATION': {
      const event = itemSold(n);
      const [line] = (event.data as { lines: Array<{ quantity: number }> }).lines;
      if (line) line.quantity = 0; // the minimum is 1
      return structuredRecord(event, at);
    }
    case 'UNKNOWN_VERSION':
      return structuredRecord({ ...loginFailed(n), dataversion: 7 }, at);
  }
}
