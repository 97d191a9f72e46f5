/**
 * audit's work for one chunk of jobs: one bulk `create` per chunk into the audit alias,
 * document id = the job id (a hash of the event's source and id: CloudEvents makes an id
 * unique only within its source, so the bare id could let one source's event hide
 * another's). 409 means the event is already recorded: success. A 400 (an event the
 * mapping refuses) is dead-lettered at once; 429 backs off (once per chunk); 5xx retries.
 */
import type { Client } from '@opensearch-project/opensearch';
import type { BatchItemResult, BatchJobCode, JobContext } from '../../jobs';
import { throttleOncePerBatch } from '../../targets/opensearch/batch-results';
import { bulkWrite } from '../../targets/opensearch/bulk';
import { auditDocument } from './audit-document';
import type { AuditSettings } from './config';

export interface AuditDeps {
  readonly search: Client;
  readonly settings: AuditSettings;
  readonly now: () => Date;
}

/**
 * @example
 * ```ts
 * export const handler = defineBatchJob(auditJob, auditCode({ search, settings, now }));
 * ```
 */
export function auditCode(deps: AuditDeps): BatchJobCode<unknown> {
  return { performBatch: (contexts) => recordAudit(deps, contexts) };
}

/** One result per context, in order (`undefined` = recorded now or before). */
export async function recordAudit(
  deps: AuditDeps,
  contexts: readonly JobContext<unknown>[],
): Promise<BatchItemResult[]> {
  const recordedAt = deps.now().toISOString();
  const outcomes = await bulkWrite(
    deps.search,
    contexts.map((context) => ({
      operation: 'create' as const,
      index: deps.settings.auditAlias,
      id: context.jobId,
      document: auditDocument(context.message, recordedAt),
    })),
    { maxBytes: deps.settings.bulkMaxBytes },
  );
  return throttleOncePerBatch(outcomes.map((o) => (o.kind === 'failed' ? o.error : undefined)));
}
