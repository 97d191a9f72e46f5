/**
 * `sluice dlq redrive ingest-dlq --group <fingerprint>` on the local stack: only one failure
 * group moves (receive, re-send, delete), the replay handler runs it through the router's
 * code in the background, a poisoned canary stops it and the fix lets it complete. (Killed
 * halfway: redrive-group-kill.test.ts.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QueueDirectory } from '../../../cli/lib/queues';
import { EventParser } from '../../../functions/events/parse-event';
import type { JobMessage } from '../../../functions/queues/job-message';
import { handleReplayEvent } from '../../../functions/router/replay';
import { registryKnowingLoginFailedV2 } from '../../support/fixed-registry';
import { coordinates, groupOf, letters, notJson, unknownVersion } from './ingest-groups';
import {
  consumeInBackground,
  drain,
  eventually,
  provision,
  routeRecords,
  routerDeps,
  type Stage,
  sluice,
  sqs,
  uniqueStage,
} from './support';

/** The fix: this code now reads LOGIN_FAILED v2. */
const fixedParser = () => new EventParser(registryKnowingLoginFailedV2());

describe('group redrive with canary, through the replay handler', () => {
  let s: Stage;
  let fixed = false;
  let stopConsumer: () => Promise<void>;

  beforeAll(async () => {
    s = await provision(uniqueStage('grpa'));
    await routeRecords(s, [
      ...[0, 1, 2, 3, 4, 5].map(unknownVersion),
      ...[10, 11, 12, 13].map(notJson),
    ]);
    const broken = routerDeps(s);
    const repaired = routerDeps(s, fixedParser());
    stopConsumer = consumeInBackground(s.url('ingest-replay'), (event) =>
      handleReplayEvent(event, fixed ? repaired : broken),
    );
  });

  afterAll(async () => {
    await stopConsumer?.();
  });

  it('stops on a poisoned canary, then moves only its group once the fix is in', async () => {
    const group = await groupOf(s.stage, '/dataversion');
    expect(group).toMatch(/^[0-9a-f]{10}$/);
    const args = ['dlq', 'redrive', 'ingest-dlq', '--group', group, '--canary', '2'];
    const more = ['--canary-timeout', '20', '--rate', '20'];

    const poisoned = await sluice(s.stage, [...args, ...more]);
    expect(poisoned.code).toBe(3);
    expect(poisoned.stdout).toContain('Canary: 0 processed, 2 failed, 0 pending — stop');
    const rows = poisoned.stdout.split('\n').filter((l) => l.startsWith('identity.events/0/'));
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatch(
        /\s+failed\s+back in the DLQ\s+RecordRejectedError: LOGIN_FAILED version 2 is unknown here/,
      );
    }

    fixed = true;
    const done = await sluice(s.stage, [...args, ...more]);
    expect(done.code).toBe(0);
    expect(done.stdout.split('\n')[0]).toBe(
      `ingest-dlq → ingest-replay (group ${group}): 10 message(s) at start`,
    );
    expect(done.stdout).toContain('Canary: 2 processed, 0 failed, 0 pending — go');
    expect(done.stdout).toMatch(/identity\.events\/0\/\d\s+processed\s+gone from the queues/);
    expect(done.stdout).toContain('Group move: 4 moved, 0 came back, 0 not sent (drained)');
    expect(done.stdout).toContain(`DONE: Moved 6 message(s) of group ${group} to ingest-replay.`);

    // Only the other group is left in the DLQ; the fixed group became jobs.
    expect(
      await eventually(async () => {
        const depth = await new QueueDirectory(sqs, s.stage).depth(s.url('ingest-replay'));
        return depth.total === 0;
      }),
    ).toBe(true);
    const left = letters(await drain(s.url('ingest-dlq')));
    expect(left.map(coordinates).sort()).toEqual(
      [10, 11, 12, 13].map((n) => `catalog.events/0/${n}`),
    );
    const jobs = (await drain(s.url('job-detect-login-abuse'))).map(
      (m) => JSON.parse(m.Body ?? '') as JobMessage,
    );
    expect([...new Set(jobs.map((j) => j.provenance.offset))].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
