import { describe, expect, it } from 'vitest';
import type { JobContext } from '../../../../functions/jobs/runtime/run-types';
import { ThrottledError } from '../../../../functions/shared/throttling';
import { DocumentRejectedError } from '../../../../functions/targets/opensearch/errors';
import { recordAudit } from '../../../../functions/workers/audit/record-audit';
import { fakeSearch, type ItemAnswer } from '../../../support/fake-search';
import { jobMessage } from '../../../support/job-runtime-fakes';
import { captureLog } from '../../../support/router';

const context = (n: number): JobContext => {
  const message = jobMessage('audit', n);
  return {
    jobId: message.jobId,
    event: message.event,
    message,
    attempt: 1,
    maxAttempts: 8,
    log: captureLog(),
  };
};

async function run(answers: ItemAnswer[]) {
  const search = fakeSearch(
    (item) => answers[Number(item.document.eventId?.toString().slice(4))] ?? { status: 201 },
  );
  const results = await recordAudit(
    {
      search: search.client,
      settings: { auditAlias: 'sluice-t-audit', bulkMaxBytes: 1_000_000 },
      now: () => new Date(0),
    },
    [0, 1, 2, 3].map(context),
  );
  return { results, search };
}

describe('recordAudit', () => {
  it('creates one document per job, keyed by job id, in one bulk request', async () => {
    const { results, search } = await run([]);
    expect(results).toEqual([undefined, undefined, undefined, undefined]);
    expect(search.requests).toHaveLength(1);
    expect(search.requests[0]?.items.map((i) => [i.operation, i.meta])).toEqual(
      [0, 1, 2, 3].map((n) => [
        'create',
        { _index: 'sluice-t-audit', _id: jobMessage('audit', n).jobId },
      ]),
    );
  });

  it('counts "already recorded" as success and dead-letters what the mapping refuses', async () => {
    const conflict = { status: 409, error: { type: 'version_conflict_engine_exception' } };
    const { results } = await run([
      conflict,
      { status: 400, error: { type: 'mapper_parsing_exception' } },
      { status: 429, error: { type: 'rejected_execution_exception' } },
    ]);
    expect(results[0]).toBeUndefined();
    expect(results[1]?.kind === 'failed' && results[1].error).toBeInstanceOf(DocumentRejectedError);
    expect(results[2]?.kind === 'failed' && results[2].error).toBeInstanceOf(ThrottledError);
    expect(results[3]).toBeUndefined();
  });
});
