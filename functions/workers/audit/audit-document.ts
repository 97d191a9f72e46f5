/**
 * The audit record of one job's event: its envelope attributes (indexed), where it came
 * from, and the whole event as received.
 */
import type { JobMessage } from '../../queues/job-message';
import type { AuditDocument } from '../../targets/opensearch/indexes/audit';

interface EnvelopeFields {
  id?: unknown;
  source?: unknown;
  type?: unknown;
  time?: unknown;
  subject?: unknown;
  dataversion?: unknown;
}

const asString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : undefined;

/**
 * @example
 * ```ts
 * auditDocument(context.message, new Date().toISOString());
 * // { eventId: 'evt-1', source: 'urn:shop:catalog', type: 'PRODUCT_PUBLISHED', … }
 * ```
 */
export function auditDocument(message: JobMessage, recordedAt: string): AuditDocument {
  const event = (message.event ?? {}) as EnvelopeFields;
  const subject = asString(event.subject);
  const dataversion = Number.isSafeInteger(event.dataversion)
    ? (event.dataversion as number)
    : undefined;
  return {
    eventId: asString(event.id) ?? '',
    source: asString(event.source) ?? '',
    type: asString(event.type) ?? '',
    // The router validated it; the index's date mapping rejects anything else (→ DLQ).
    time: asString(event.time) ?? '',
    ...(subject === undefined ? {} : { subject }),
    ...(dataversion === undefined ? {} : { dataversion }),
    jobId: message.jobId,
    provenance: message.provenance,
    enqueuedAt: message.enqueuedAt,
    routerVersion: message.routerVersion,
    recordedAt,
    event: message.event,
  };
}
