/**
 * The audit index: an append-only trail of every valid event. Written create-only, so a
 * document, once there, is never replaced; the whole event is kept in `_source` (`event`,
 * not indexed: payloads of every type would clash in one mapping) and its envelope
 * attributes are indexed for lookups.
 */
import type { IndexSpec } from './spec';

/** One event as recorded. */
export interface AuditDocument {
  readonly eventId: string;
  readonly source: string;
  readonly type: string;
  /** Event time. */
  readonly time: string;
  readonly subject?: string;
  readonly dataversion?: number;
  /** The audit job's id: a hash of source, id and job, unique per event. */
  readonly jobId: string;
  readonly provenance: {
    readonly topic: string;
    readonly partition: number;
    readonly offset: number;
    /** Kafka record timestamp, milliseconds since the epoch. */
    readonly timestamp: number;
    readonly key: string | null;
  };
  readonly enqueuedAt: string;
  readonly routerVersion: string;
  readonly recordedAt: string;
  /** The event as the job received it (latest schema version). */
  readonly event: unknown;
}

const keyword = { type: 'keyword' } as const;

export const AUDIT_INDEX: IndexSpec = {
  key: 'audit',
  version: 1,
  settings: {},
  mappings: {
    dynamic: 'strict',
    properties: {
      eventId: keyword,
      source: keyword,
      type: keyword,
      time: { type: 'date' },
      subject: keyword,
      dataversion: { type: 'integer' },
      jobId: keyword,
      provenance: {
        properties: {
          topic: keyword,
          partition: { type: 'integer' },
          offset: { type: 'long' },
          timestamp: { type: 'date', format: 'epoch_millis' },
          key: keyword,
        },
      },
      enqueuedAt: { type: 'date' },
      routerVersion: keyword,
      recordedAt: { type: 'date' },
      event: { type: 'object', enabled: false },
    },
  },
};
