/**
 * Job ids: one hash per event, a part per job. Ids must stay deterministic and keep apart
 * the jobs of one event and the events of one job.
 */
import { describe, expect, it } from 'vitest';
import { jobIdFromPrefix, jobIdOf, jobIdPrefix } from '../../../functions/queues/job-message';
import { JOB_NAMES } from '../../../functions/workers/jobs';

describe('job ids', () => {
  it('are 32 hex characters, the same however they are computed', () => {
    const id = jobIdOf('urn:shop:catalog', 'evt-1', 'index-product');
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    expect(jobIdOf('urn:shop:catalog', 'evt-1', 'index-product')).toBe(id);
    expect(jobIdFromPrefix(jobIdPrefix('urn:shop:catalog', 'evt-1'), 'index-product')).toBe(id);
  });

  it('differ between the jobs of one event: every job of the topology has its own part', () => {
    const ids = JOB_NAMES.map((job) => jobIdOf('urn:shop:orders', 'evt-1', job));
    expect(new Set(ids.map((id) => id.slice(24))).size).toBe(JOB_NAMES.length);
  });

  it('differ between events, even when a separator moves between source and id', () => {
    const ids = [
      jobIdOf('a\nb', 'c', 'audit'),
      jobIdOf('a', 'b\nc', 'audit'),
      jobIdOf('urn:x', 'evt-1', 'audit'),
      jobIdOf('urn:x', 'evt-2', 'audit'),
      jobIdOf('urn:y', 'evt-1', 'audit'),
      // Lone surrogates (JSON allows "\ud800") would all hash as U+FFFD in UTF-8.
      jobIdOf('urn:x', 'a\ud800', 'audit'),
      jobIdOf('urn:x', 'a\ud801', 'audit'),
      jobIdOf('urn:x', 'a\ufffd', 'audit'),
    ];
    expect(new Set(ids).size).toBe(ids.length);
  });
});
