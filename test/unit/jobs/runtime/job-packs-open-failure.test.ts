/**
 * A pack the runtime fails to open (a bug in opening it, made here by a PackedJobRecord that
 * throws for one message) runs as a message of its own: it is dead-lettered whole as not a
 * job — redriven after the fix, it is opened from its letter — and the batch's other packs
 * run. Before packs were opened as reached, a throw failed the whole batch; opened later, a
 * message left without records would have been acknowledged unrun.
 */
import { describe, expect, it, vi } from 'vitest';
import type { BatchItemResult } from '../../../../functions/jobs';
import { defineBatchJob } from '../../../../functions/jobs/define-job';
import type { JobContext } from '../../../../functions/jobs/runtime/run-types';
import { jobPackBody } from '../../../../functions/queues/job-pack';
import { auditJob, jobMessage, sqsRecord, testJobDeps } from '../../../support/job-runtime-fakes';

vi.mock('../../../../functions/jobs/runtime/packed-job-record', async (importOriginal) => {
  const original =
    await importOriginal<typeof import('../../../../functions/jobs/runtime/packed-job-record')>();
  class FailingForOneMessage extends original.PackedJobRecord {
    constructor(...args: ConstructorParameters<typeof original.PackedJobRecord>) {
      if (args[0].messageId === 'broken') throw new Error('a bug in opening packs');
      super(...args);
    }
  }
  return { ...original, PackedJobRecord: FailingForOneMessage };
});

const packed = auditJob({ idempotency: 'natural', jobsPerMessage: 100 }, true);

const packOf = (from: number) =>
  jobPackBody([from, from + 1].map((n) => JSON.stringify(jobMessage('audit', n))));

describe('a pack that cannot be opened', () => {
  it('is dead-lettered whole, and the other packs of its batch run', async () => {
    const kit = testJobDeps(packed);
    const ran: string[] = [];
    const performBatch = vi.fn(async (contexts: readonly JobContext<unknown>[]) => {
      for (const c of contexts) ran.push(c.jobId);
      return contexts.map((): BatchItemResult => undefined);
    });
    const handler = defineBatchJob(packed, { performBatch }, kit.deps);
    const broken = packOf(3);
    const response = await handler({
      Records: [
        sqsRecord(packOf(1), { messageId: 'ok' }),
        sqsRecord(broken, { messageId: 'broken' }),
      ],
    });
    expect(response.batchItemFailures).toEqual([]);
    expect(ran).toEqual([1, 2].map((n) => jobMessage('audit', n).jobId));
    expect(kit.sqs.sent.map((s) => s.attributes.reason)).toEqual(['NOT_A_JOB']);
    expect(JSON.parse(kit.sqs.sent[0]?.body ?? '').job.body).toBe(broken);
    expect(kit.log.entries.map((e) => e.message)).toContain(
      'Pack not opened; it runs as a message of its own',
    );
  });
});
