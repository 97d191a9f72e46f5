/**
 * The deployed functions' handler modules, imported unchanged. Import them only after the
 * environment is set ({@link pipelineEnvironment}): each builds its clients and reads its
 * configuration at module scope, as in Lambda.
 */
import type { MSKEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { KafkaBatchResponse } from '../../functions/router/msk-batch';
import type { JobName } from '../../functions/topology/topology';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;
export type MskHandler = (event: MSKEvent) => Promise<KafkaBatchResponse | undefined>;

/** One entry per job, so a new job without a handler fails the typecheck. */
const WORKERS: Record<JobName, () => Promise<{ handler: SqsHandler }>> = {
  'index-product': () => import('../../functions/workers/index-product/handler'),
  'record-commission': () => import('../../functions/workers/record-commission/handler'),
  'detect-login-abuse': () => import('../../functions/workers/detect-login-abuse/handler'),
  'sync-customer': () => import('../../functions/workers/sync-customer/handler'),
  audit: () => import('../../functions/workers/audit/handler'),
};

export interface PipelineHandlers {
  readonly router: MskHandler;
  readonly replay: SqsHandler;
  readonly workers: Readonly<Record<JobName, SqsHandler>>;
}

/**
 * @example
 * ```ts
 * const { router, replay, workers } = await importHandlers();
 * ```
 */
export async function importHandlers(): Promise<PipelineHandlers> {
  const router = (await import('../../functions/router/handler')).handler;
  const replay = (await import('../../functions/router/replay-handler')).handler;
  const entries = await Promise.all(
    (Object.keys(WORKERS) as JobName[]).map(
      async (job) => [job, (await WORKERS[job]()).handler] as const,
    ),
  );
  return { router, replay, workers: Object.fromEntries(entries) as Record<JobName, SqsHandler> };
}
