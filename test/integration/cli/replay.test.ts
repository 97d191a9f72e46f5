/**
 * `sluice replay` on the local stack: records of a Kafka topic re-run through the router's
 * code under a consumer group of their own — by offset (one partition) and by timestamp
 * (every partition, ListOffsets) — ending as jobs on the stage's queues or, when invalid,
 * in its ingest DLQ; the group's committed offsets show how far it got.
 */
import { Admin, Producer } from '@platformatic/kafka';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DeadLetter } from '../../../functions/queues/dead-letter';
import type { JobMessage } from '../../../functions/queues/job-message';
import { kafkaBrokersVariable } from '../../../local/services/endpoints';
import { loginFailed } from '../../support/sample-events';
import { runName } from '../../support/unique-name';
import { drain, provision, type Stage, sluice, uniqueStage } from './support';

const brokers = (process.env[kafkaBrokersVariable] ?? '').split(',');
const topic = runName('replay');
/**
 * Two batches a minute apart: the replay by timestamp starts at the second. Within the last
 * hour: the local Kafka keeps records 24 hours by their timestamps, and its retention check
 * (every 5 minutes) deleted the records of a fixed date once it was a day old, emptying the
 * topic between two tests of this file.
 */
const T0 = Math.floor(Date.now() / 60_000) * 60_000 - 30 * 60_000;
const T1 = T0 + 60_000;
let s: Stage;
const admin = new Admin({ clientId: 'sluice-it', bootstrapBrokers: brokers });

/** Partition 0: events 0–5 (3–5 at T1). Partition 1: events 10–13 (12–13 at T1), then junk at T1. */
const layout: Array<{ partition: number; n: number | null; at: number }> = [
  ...[0, 1, 2, 3, 4, 5].map((n) => ({ partition: 0, n, at: n < 3 ? T0 : T1 })),
  ...[10, 11, 12, 13].map((n) => ({ partition: 1, n, at: n < 12 ? T0 : T1 })),
  { partition: 1, n: null, at: T1 },
];

beforeAll(async () => {
  s = await provision(uniqueStage('rply'));
  await admin.createTopics({ topics: [topic], partitions: 2, replicas: 1 });
  const producer = new Producer({ clientId: 'sluice-it', bootstrapBrokers: brokers });
  try {
    for (const { partition, n, at } of layout) {
      await producer.send({
        messages: [
          {
            topic,
            partition,
            timestamp: BigInt(at),
            key: Buffer.from(`acct-${n}`),
            value: Buffer.from(n === null ? 'not json' : JSON.stringify(loginFailed(n))),
            headers: new Map([
              [Buffer.from('content-type'), Buffer.from('application/cloudevents+json')],
            ]),
          },
        ],
      });
    }
  } finally {
    await producer.close();
  }
});

afterAll(async () => {
  await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
  await admin.close();
});

/** The login-abuse jobs enqueued since the last call, as partition/offset of their record. */
async function abuseJobs(): Promise<string[]> {
  const messages = await drain(s.url('job-detect-login-abuse'));
  return messages
    .map((m) => JSON.parse(m.Body ?? '') as JobMessage)
    .map(
      (j) =>
        `${j.provenance.topic === topic ? '' : 'other:'}${j.provenance.partition}/${j.provenance.offset}`,
    )
    .sort();
}

interface ReplayJson {
  mode: string;
  groupId: string;
  planned: number;
  replayed: number;
  routed: number;
  skipped: number;
  deadLettered: number;
  complete: boolean;
  reached: Array<{ partition: number; offset: string; end: string }>;
}

describe('sluice replay (local)', () => {
  it('replays one partition from an offset, committing under its own consumer group', async () => {
    const result = await sluice(s.stage, `replay --topic ${topic} --from 3 --partition 0 --json`);
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReplayJson;
    expect(report).toMatchObject({
      mode: 'local',
      planned: 3,
      replayed: 3,
      routed: 3,
      deadLettered: 0,
      complete: true,
    });
    expect(report.reached).toEqual([
      { partition: 0, offset: '6', end: '6' },
      { partition: 1, offset: '5', end: '5' },
    ]);
    expect(report.groupId).toMatch(new RegExp(`^sluice-${s.stage}-replay-`));
    expect(await abuseJobs()).toEqual(['0/3', '0/4', '0/5']);
    const [committed] = await admin.listConsumerGroupOffsets({ groups: [report.groupId] });
    const p0 = committed?.topics
      .find((t) => t.name === topic)
      ?.partitions.find((p) => p.partitionIndex === 0);
    expect(p0?.committedOffset).toBe(6n);
    expect(result.stderr).toContain(`replaying 3 record(s) of ${topic} from offset 3`);
  });

  it('replays every partition from a timestamp; invalid records go to the ingest DLQ', async () => {
    const result = await sluice(
      s.stage,
      `replay --topic ${topic} --from ${new Date(T1).toISOString()} --json`,
    );
    expect(result.code).toBe(0);
    const report = JSON.parse(result.stdout) as ReplayJson;
    expect(report).toMatchObject({
      planned: 6,
      replayed: 6,
      routed: 5,
      deadLettered: 1,
      complete: true,
    });
    expect(await abuseJobs()).toEqual(['0/3', '0/4', '0/5', '1/2', '1/3']);
    const dead = (await drain(s.url('ingest-dlq'))).map(
      (m) => JSON.parse(m.Body ?? '') as DeadLetter,
    );
    expect(
      dead.map((d) => [d.reason, d.record?.topic, d.record?.partition, d.record?.offset]),
    ).toEqual([['NOT_JSON', topic, 1, 4]]);
  });

  it('prints a table and a summary for a range between two timestamps', async () => {
    const result = await sluice(
      s.stage,
      `replay --topic ${topic} --from ${new Date(T0).toISOString()} --to ${new Date(T1).toISOString()}`,
    );
    expect(result.code).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^PARTITION\s+REACHED\s+END$/);
    expect(lines[1]).toMatch(/^\s+0\s+3\s+3$/);
    expect(lines[2]).toMatch(/^\s+1\s+2\s+2$/);
    expect(result.stdout).toContain(
      `DONE: 5 of 5 record(s) of ${topic} replayed — 5 routed to jobs, 0 skipped (no route), 0 dead-lettered.`,
    );
    expect(result.stderr).toMatch(/replay \[#{24}\] 100% 5\/5 0 dead-lettered/);
    expect(await abuseJobs()).toEqual(['0/0', '0/1', '0/2', '1/0', '1/1']);
  });

  it('rejects a position that is neither an offset nor a timestamp', async () => {
    const result = await sluice(s.stage, ['replay', '--topic', topic, '--from', 'yesterday']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(
      '--from "yesterday": expected an offset (digits) or an ISO 8601 timestamp',
    );
  });
});
