/**
 * How the security index write's failures become Sluice errors — the shared OpenSearch
 * classifier, checked for the cases this job meets (the success paths, 201 and 409, are
 * exercised against the real node in the integration test).
 */

import type { ApiResponse } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import { classifyOpenSearchError } from '../../../../functions/targets/opensearch/errors';

function response(statusCode: number, type: string, headers: Record<string, string> = {}) {
  const meta = { statusCode, headers, body: { error: { type }, status: statusCode } };
  return new errors.ResponseError(meta as unknown as ApiResponse);
}

describe('classifyOpenSearchError', () => {
  it('turns 429 into ThrottledError with the Retry-After hint', () => {
    const error = classifyOpenSearchError(
      response(429, 'cluster_block_exception', { 'retry-after': '7' }),
      'index',
    );
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(7);
    expect(error.message).toContain('cluster_block_exception');
  });

  it('retries 5xx and connection failures, dead-letters other 4xx', () => {
    const unavailable = classifyOpenSearchError(response(503, 'unavailable'), 'index');
    expect(unavailable).toBeInstanceOf(TransientError);
    expect(unavailable).not.toBeInstanceOf(ThrottledError);
    const connection = classifyOpenSearchError(new errors.ConnectionError('refused'), 'index');
    expect(connection).toBeInstanceOf(TransientError);
    // A missing alias is retried with backoff (index setup may still be running on deploy);
    // when the attempts run out the job is dead-lettered and can be redriven.
    const missingAlias = classifyOpenSearchError(
      response(404, 'index_not_found_exception'),
      'index',
    );
    expect(missingAlias).toBeInstanceOf(TransientError);
    const mapping = classifyOpenSearchError(response(400, 'mapper_parsing_exception'), 'index');
    expect(mapping).toBeInstanceOf(PermanentError);
    const serialization = classifyOpenSearchError(new errors.SerializationError('cycle', {}), 'x');
    expect(serialization).toBeInstanceOf(PermanentError);
  });
});
