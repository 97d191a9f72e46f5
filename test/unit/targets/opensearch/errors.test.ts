import { errors } from '@opensearch-project/opensearch';
import { describe, expect, it } from 'vitest';
import { PermanentError, TransientError } from '../../../../functions/shared/errors';
import { ThrottledError } from '../../../../functions/shared/throttling';
import {
  classifyBulkItem,
  classifyOpenSearchError,
  DOCUMENT_REJECTED,
  DocumentRejectedError,
  INDEX_BLOCKED,
  IndexBlockedError,
} from '../../../../functions/targets/opensearch/errors';
import { responseError } from '../../../support/fake-search';

const kindOf = (error: Error) =>
  error instanceof ThrottledError
    ? 'throttled'
    : error instanceof DocumentRejectedError
      ? 'rejected'
      : error instanceof TransientError
        ? 'transient'
        : error instanceof PermanentError
          ? 'permanent'
          : 'other';

describe('classifyBulkItem', () => {
  it('treats 2xx as written and 409 as stale (index) or already there (create)', () => {
    expect(classifyBulkItem('index', 201, undefined, 'x')).toEqual({ kind: 'written' });
    expect(classifyBulkItem('index', 200, undefined, 'x')).toEqual({ kind: 'written' });
    const conflict = { type: 'version_conflict_engine_exception' };
    expect(classifyBulkItem('index', 409, conflict, 'x')).toEqual({ kind: 'stale' });
    expect(classifyBulkItem('create', 409, conflict, 'x')).toEqual({ kind: 'exists' });
  });

  it.each([
    [429, 'rejected_execution_exception', 'throttled'],
    [429, 'es_rejected_execution_exception', 'throttled'],
    [429, 'cluster_block_exception', 'throttled'],
    [403, 'security_exception', 'rejected'],
    [402, 'service_quota_exceeded_exception', 'throttled'],
    [503, 'unavailable_shards_exception', 'transient'],
    [500, 'internal_server_error', 'transient'],
    [408, 'timeout', 'transient'],
    [404, 'index_not_found_exception', 'transient'],
    [400, 'mapper_parsing_exception', 'rejected'],
    [400, 'illegal_argument_exception', 'rejected'],
    [404, 'document_missing_exception', 'rejected'],
    [413, 'content_too_long', 'rejected'],
  ])('item %i %s → %s', (status, type, expected) => {
    const outcome = classifyBulkItem('index', status, { type, reason: 'why' }, 'index p-1');
    expect(outcome.kind).toBe('failed');
    if (outcome.kind !== 'failed') return;
    expect(kindOf(outcome.error)).toBe(expected);
    expect(outcome.error.message).toBe(`index p-1: HTTP ${status} ${type}: why`);
  });

  it.each([
    // The block a reindex puts on the version it replaced: the retry resolves the alias anew.
    ['index [i-v1] blocked by: [FORBIDDEN/8/index write (api)];', TransientError, undefined],
    // An operator's blocks stay until a person lifts them: dead letter, named for what it is.
    [
      'index [i-v1] blocked by: [FORBIDDEN/5/index read-only (api)];',
      IndexBlockedError,
      INDEX_BLOCKED,
    ],
    ['blocked by: [FORBIDDEN/6/cluster read-only (api)];', IndexBlockedError, INDEX_BLOCKED],
    // A write block beside another one is still the other one's.
    [
      'index [i-v1] blocked by: [FORBIDDEN/5/index read-only (api), FORBIDDEN/8/index write (api)];',
      IndexBlockedError,
      INDEX_BLOCKED,
    ],
    [undefined, IndexBlockedError, INDEX_BLOCKED],
  ])('403 cluster_block_exception %s → %o', (reason, type, deadLetterReason) => {
    const outcome = classifyBulkItem(
      'index',
      403,
      { type: 'cluster_block_exception', reason },
      'p',
    );
    const error = outcome.kind === 'failed' ? outcome.error : undefined;
    expect(error).toBeInstanceOf(type);
    expect(error).not.toBeInstanceOf(ThrottledError);
    expect((error as { reason?: string }).reason).toBe(deadLetterReason);
  });

  it('dead-letters a rejected document with its own reason and the OpenSearch error type', () => {
    const outcome = classifyBulkItem('index', 400, { type: 'mapper_parsing_exception' }, 'p');
    const error = outcome.kind === 'failed' ? outcome.error : undefined;
    expect(error).toBeInstanceOf(DocumentRejectedError);
    expect(error).toMatchObject({
      reason: DOCUMENT_REJECTED,
      errorType: 'mapper_parsing_exception',
      status: 400,
      name: 'DocumentRejectedError',
    });
  });
});

describe('classifyOpenSearchError', () => {
  it('keeps the Retry-After of a throttled request', () => {
    const error = classifyOpenSearchError(
      responseError(429, 'rejected_execution_exception', { 'retry-after': '7' }),
      'bulk',
    );
    expect(error).toBeInstanceOf(ThrottledError);
    expect((error as ThrottledError).retryAfterSeconds).toBe(7);
  });

  it('reads a 413 as "send less" for many documents and as a bad document for one', () => {
    expect(kindOf(classifyOpenSearchError(responseError(413, 'too_long'), 'bulk', true))).toBe(
      'throttled',
    );
    expect(kindOf(classifyOpenSearchError(responseError(413, 'too_long'), 'bulk', false))).toBe(
      'rejected',
    );
  });

  it('retries connection failures and timeouts, never serialisation failures', () => {
    expect(kindOf(classifyOpenSearchError(new errors.ConnectionError('reset'), 'bulk'))).toBe(
      'transient',
    );
    expect(
      kindOf(classifyOpenSearchError(new errors.TimeoutError('slow', {} as never), 'bulk')),
    ).toBe('transient');
    expect(
      kindOf(classifyOpenSearchError(new errors.SerializationError('cycle', {}), 'bulk')),
    ).toBe('permanent');
    expect(kindOf(classifyOpenSearchError(new Error('anything else'), 'bulk'))).toBe('transient');
  });
});
