import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { dlqEntry, identitiesOf, identityOf, subjectOf } from '../../../../cli/lib/dlq-entry';
import { groupFailures } from '../../../../cli/lib/failure-groups';
import { fingerprintOf } from '../../../../cli/lib/fingerprint';
import {
  DEAD_LETTER_KIND,
  type DeadLetter,
  type RawKafkaRecord,
} from '../../../../functions/queues/dead-letter';
import { jobPackBody } from '../../../../functions/queues/job-pack';

function letter(overrides: Partial<DeadLetter> = {}): DeadLetter {
  return {
    kind: DEAD_LETTER_KIND,
    v: 1,
    stage: 'ingest',
    reason: 'SCHEMA_VIOLATION',
    error: {
      class: 'RecordRejectedError',
      message: 'must be integer',
      path: '/data/lines/0/unitPrice',
    },
    history: [],
    firstFailedAt: '2026-11-28T10:00:00.000Z',
    lastFailedAt: '2026-11-28T10:00:00.000Z',
    codeVersion: '3f2a9c1b0d4e5f60718293a4b5c6d7e8f9012345',
    event: { id: 'evt-1', source: 'urn:shop:orders', type: 'ITEM_SOLD', version: 2 },
    record: {
      topic: 'orders.events',
      partition: 2,
      offset: 41,
      timestamp: 0,
      timestampType: 'CREATE_TIME',
      key: null,
      value: '',
      headers: [],
    },
    ...overrides,
  };
}

const message = (body: unknown, id: string, sent = 0): Message => ({
  MessageId: id,
  ReceiptHandle: `rh-${id}`,
  Body: typeof body === 'string' ? body : JSON.stringify(body),
  Attributes: { SentTimestamp: String(sent) },
});

describe('fingerprintOf', () => {
  it('is readable and stable: class, failing path and code version', () => {
    const a = fingerprintOf(letter());
    expect(a.label).toBe(
      'RecordRejectedError:/data/lines/0/unitPrice@3f2a9c1b0d4e5f60718293a4b5c6d7e8f9012345',
    );
    expect(a.id).toMatch(/^[0-9a-f]{10}$/);
    // Another record failing the same way, with another message: the same group.
    const b = fingerprintOf(letter({ error: { ...letter().error, message: 'must be ≥ 0' } }));
    expect(b.id).toBe(a.id);
  });

  it('tells apart another path, another class and another code version', () => {
    const base = fingerprintOf(letter()).id;
    const path = fingerprintOf(
      letter({ error: { ...letter().error, path: '/data/lines/0/quantity' } }),
    );
    const version = fingerprintOf(letter({ codeVersion: 'ffff' }));
    const errorClass = fingerprintOf(
      letter({ error: { ...letter().error, class: 'UpcastError' } }),
    );
    expect(new Set([base, path.id, version.id, errorClass.id]).size).toBe(4);
  });

  it('uses the reason where no path exists', () => {
    const { error, ...rest } = letter();
    const fp = fingerprintOf({
      ...rest,
      reason: 'NOT_JSON',
      error: { class: error.class, message: 'x' },
    });
    expect(fp.where).toBe('NOT_JSON');
  });
});

describe('identity of a dead letter', () => {
  it('is the Kafka coordinates for ingest letters, also when the record is in S3', () => {
    expect(identityOf(letter(), '')).toBe('record:orders.events/2/41');
    const { record, ...pointer } = letter();
    const claimChecked: DeadLetter = {
      ...pointer,
      claimCheck: {
        bucket: 'b',
        key: `ingest/${encodeURIComponent('orders.events')}/2/41-0123456789abcdef.json`,
        bytes: 1,
        sha256: 'x',
      },
    };
    expect(identityOf(claimChecked, '')).toBe('record:orders.events/2/41');
  });

  it('is the job id for job letters and for bare job messages SQS moved itself', () => {
    const job = letter({
      stage: 'job',
      job: {
        name: 'audit',
        jobId: 'j-1',
        attempts: 1,
        maxAttempts: 8,
        sourceQueue: 'q',
        messageId: 'm',
      },
    });
    expect(identityOf(job, '')).toBe('job:j-1');
    const bare = dlqEntry(message({ kind: 'sluice.job', jobId: 'j-2', job: 'audit' }, 'm2'));
    expect(bare).toMatchObject({ identity: 'job:j-2', jobId: 'j-2' });
    expect(bare.fingerprint.label).toBe('NotADeadLetter:job-message@-');
    expect(subjectOf(bare)).toBe('job j-2');
  });

  it('falls back to a digest of the body for anything else', () => {
    const a = dlqEntry(message('garbage', 'm3'));
    const b = dlqEntry(message('garbage', 'm4'));
    expect(a.identity).toMatch(/^body:[0-9a-f]{16}$/);
    expect(a.identity).toBe(b.identity);
    expect(a.fingerprint.label).toBe('NotADeadLetter:unreadable@-');
  });

  it('names a pack of jobs SQS moved whole', () => {
    const jobs = [1, 2].map((n) => JSON.stringify({ kind: 'sluice.job', jobId: `j-${n}` }));
    const pack = dlqEntry(message(jobPackBody(jobs), 'm5'));
    expect(pack.fingerprint.label).toBe('NotADeadLetter:job-pack@-');
    expect(pack.identity).toMatch(/^body:[0-9a-f]{16}$/);
    expect(pack.packedJobIds).toEqual(['j-1', 'j-2']);
    expect(identitiesOf(pack)).toEqual([pack.identity, 'job:j-1', 'job:j-2']);
  });

  it('knows the jobs of a pack dead-lettered whole as not a job: they come back one by one', () => {
    const jobs = [3, 4].map((n) => JSON.stringify({ kind: 'sluice.job', jobId: `j-${n}` }));
    const body = JSON.stringify({
      kind: 'sluice.dead-letter',
      v: 1,
      stage: 'job',
      reason: 'NOT_A_JOB',
      error: { class: 'InvalidJobMessage', message: 'not a job message' },
      history: [],
      firstFailedAt: '2026-12-07T03:42:00.000Z',
      lastFailedAt: '2026-12-07T03:42:00.000Z',
      codeVersion: 'old',
      job: {
        name: 'audit',
        body: jobPackBody(jobs),
        attempts: 0,
        maxAttempts: 5,
        sourceQueue: 'q',
        messageId: 'p',
      },
    });
    const entry = dlqEntry(message(body, 'm6'));
    expect(entry.packedJobIds).toEqual(['j-3', 'j-4']);
    expect(identitiesOf(entry).slice(1)).toEqual(['job:j-3', 'job:j-4']);
    expect(dlqEntry(message(letter({}), 'm7')).packedJobIds).toBeUndefined();
  });
});

describe('groupFailures', () => {
  it('counts per fingerprint, largest first, with first and last failure and types', () => {
    const schema = (n: number, at: string) =>
      message(
        letter({
          firstFailedAt: at,
          lastFailedAt: at,
          record: { ...(letter().record as RawKafkaRecord), offset: n },
        }),
        `s${n}`,
      );
    const entries = [
      schema(1, '2026-11-28T10:05:00.000Z'),
      message(
        letter({
          reason: 'NOT_JSON',
          error: { class: 'RecordRejectedError', message: 'no' },
          event: {},
        }),
        'n1',
      ),
      schema(2, '2026-11-28T09:00:00.000Z'),
      schema(3, '2026-11-28T11:00:00.000Z'),
    ].map(dlqEntry);
    const groups = groupFailures(entries);
    expect(groups.map((g) => [g.fingerprint.where, g.count])).toEqual([
      ['/data/lines/0/unitPrice', 3],
      ['NOT_JSON', 1],
    ]);
    expect(groups[0]).toMatchObject({
      firstSeen: '2026-11-28T09:00:00.000Z',
      lastSeen: '2026-11-28T11:00:00.000Z',
      eventTypes: ['ITEM_SOLD'],
      reasons: ['SCHEMA_VIOLATION'],
      sample: { messageId: 's1', subject: 'orders.events/2/1', message: 'must be integer' },
    });
    expect(groups[1]?.eventTypes).toEqual([]);
  });
});
