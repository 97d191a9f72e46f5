import { MultipleErrors, ResponseError } from '@platformatic/kafka';
import { describe, expect, it } from 'vitest';
import { protocolErrors } from '../../../../local/provision/topics';

// API key 19 is CreateTopics; 7 REQUEST_TIMED_OUT, 36 TOPIC_ALREADY_EXISTS.
const answer = (code: number) => new ResponseError(19, 7, { '/topics/0': [code, 'why'] }, {});

describe('protocolErrors', () => {
  it('reads the per-topic codes of one CreateTopics answer', () => {
    expect(protocolErrors(answer(36)).map((e) => e.apiId)).toEqual(['TOPIC_ALREADY_EXISTS']);
  });

  it("reads them through the client's own retries, which wrap each answer once more", () => {
    const retried = new MultipleErrors('createTopics failed 2 times.', [answer(7), answer(36)]);
    const errors = protocolErrors(retried);
    expect(errors.map((e) => e.apiId)).toEqual(['REQUEST_TIMED_OUT', 'TOPIC_ALREADY_EXISTS']);
    expect(errors[0]?.canRetry).toBe(true);
  });

  it('finds none in an error that is not a Kafka answer', () => {
    expect(protocolErrors(new Error('connect ECONNREFUSED'))).toEqual([]);
    expect(protocolErrors(undefined)).toEqual([]);
  });
});
