/**
 * indexSuspicion, the security index write: a create-only write under the suspicion's id that
 * must go through the alias; 409 means the suspicion is already there (success); every other
 * failure becomes a Sluice error through the shared OpenSearch classifier, checked here for
 * the cases this job meets (the writes themselves run against the real node in the
 * integration test).
 */
import type { Client } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import { indexSuspicion } from '../../../../functions/workers/detect-login-abuse/security-index';
import type { Suspicion } from '../../../../functions/workers/detect-login-abuse/suspicions';
import { responseError } from '../../../support/fake-search';

const suspicion: Suspicion = {
  suspicionId: 'susp-acc-1',
  kind: 'account',
  subject: 'acc-1',
  windowStart: '2026-11-28T10:00:00.000Z',
  windowEnd: '2026-11-28T10:05:00.000Z',
  threshold: 3,
  failures: 3,
  detectedAt: '2026-11-28T10:01:00.000Z',
  flaggedAt: '2026-11-28T10:01:01.000Z',
  eventId: 'evt-3',
  accountId: 'acc-1',
  email: 'a@example.com',
  ip: '203.0.113.7',
  userAgent: 'test',
};

/** A client whose `index` records its parameters and then fails with `failure`, if given. */
function searchClient(failure?: Error) {
  const calls: Array<Record<string, unknown>> = [];
  const client = {
    index: async (params: Record<string, unknown>) => {
      calls.push(params);
      if (failure) throw failure;
      return { statusCode: 201, body: { result: 'created' } };
    },
  } as unknown as Client;
  return { client, calls };
}

/** What indexSuspicion throws when the write fails with `failure`. */
async function thrownFor(failure: Error): Promise<Error> {
  const { client } = searchClient(failure);
  return indexSuspicion(client, 'sluice-test-security', suspicion).then(
    () => {
      throw new Error('indexSuspicion resolved');
    },
    (error: Error) => error,
  );
}

describe('indexSuspicion', () => {
  it('creates the document under the suspicion id, through the alias only', async () => {
    const { client, calls } = searchClient();
    expect(await indexSuspicion(client, 'sluice-test-security', suspicion)).toBe('created');
    expect(calls).toEqual([
      {
        index: 'sluice-test-security',
        id: 'susp-acc-1',
        op_type: 'create',
        require_alias: true,
        body: { ...suspicion },
      },
    ]);
  });

  it('takes 409 (the suspicion is already there) as success', async () => {
    const { client } = searchClient(responseError(409, 'version_conflict_engine_exception'));
    expect(await indexSuspicion(client, 'sluice-test-security', suspicion)).toBe('existing');
  });

  it('turns 429 into ThrottledError with the Retry-After hint', async () => {
    const error = await thrownFor(
      responseError(429, 'cluster_block_exception', { 'retry-after': '7' }),
    );
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(7);
    expect(error.message).toContain('cluster_block_exception');
  });

  it('retries 5xx and connection failures, dead-letters other 4xx', async () => {
    const unavailable = await thrownFor(responseError(503, 'unavailable'));
    expect(unavailable).toBeInstanceOf(TransientError);
    expect(unavailable).not.toBeInstanceOf(ThrottledError);
    const connection = await thrownFor(new errors.ConnectionError('refused'));
    expect(connection).toBeInstanceOf(TransientError);
    // A missing alias is retried with backoff (index setup may still be running on deploy);
    // when the attempts run out the job is dead-lettered and can be redriven.
    const missingAlias = await thrownFor(responseError(404, 'index_not_found_exception'));
    expect(missingAlias).toBeInstanceOf(TransientError);
    const mapping = await thrownFor(responseError(400, 'mapper_parsing_exception'));
    expect(mapping).toBeInstanceOf(PermanentError);
    const serialization = await thrownFor(new errors.SerializationError('cycle', {}));
    expect(serialization).toBeInstanceOf(PermanentError);
  });
});
