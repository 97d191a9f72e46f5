/**
 * How OpenSearch client failures become Sluice errors (the success paths, 201 and 409, are
 * exercised against the real node in the integration test).
 */

import type { ApiResponse } from '@opensearch-project/opensearch';
import { errors } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import { classifyOpenSearchError } from '../../../../functions/workers/detect-login-abuse/security-index';

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
    const missingAlias = classifyOpenSearchError(
      response(404, 'index_not_found_exception'),
      'index',
    );
    expect(missingAlias).toBeInstanceOf(PermanentError);
    const mapping = classifyOpenSearchError(response(400, 'mapper_parsing_exception'), 'index');
    expect(mapping).toBeInstanceOf(PermanentError);
    const serialization = classifyOpenSearchError(new errors.SerializationError('cycle', {}), 'x');
    expect(serialization).toBeInstanceOf(PermanentError);
  });
});
