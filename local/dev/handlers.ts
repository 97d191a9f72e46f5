/**
 * The deployed functions' handler modules, imported unchanged. Import them only after the
 * environment is set ({@link pipelineEnvironment}): each builds its clients and reads its
 * configuration at module scope, as in Lambda.
 */
import type { MSKEvent, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import type { KafkaBatchResponse } from '../../functions/router/msk-batch';
import type { JobName } from '../../functions/topology/topology';
import { JOB_NAMES } from '../../functions/workers/jobs';

export type SqsHandler = (event: SQSEvent) => Promise<SQSBatchResponse>;
export type MskHandler = (event: MSKEvent) => Promise<KafkaBatchResponse | undefined>;

export interface PipelineHandlers {
  readonly router: MskHandler;
  readonly replay: SqsHandler;
  readonly workers: Readonly<Record<JobName, SqsHandler>>;
}

/**
 * A job's handler, from the module the CDK stacks bundle for it:
 * `functions/workers/<job>/handler.ts`, by the same convention, so a registered job needs
 * no entry here.
 *
 * @example
 * ```ts
 * const handler = await importWorker('audit');
 * ```
 */
export async function importWorker(job: JobName): Promise<SqsHandler> {
  const module: { handler?: unknown } = await import(`../../functions/workers/${job}/handler.ts`);
  if (typeof module.handler !== 'function') {
    throw new Error(`functions/workers/${job}/handler.ts exports no function "handler"`);
  }
  return module.handler as SqsHandler;
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
    JOB_NAMES.map(async (job) => [job, await importWorker(job)] as const),
  );
  return { router, replay, workers: Object.fromEntries(entries) as Record<JobName, SqsHandler> };
}
