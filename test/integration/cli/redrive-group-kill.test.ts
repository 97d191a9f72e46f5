/**
 * `sluice dlq redrive --group` killed halfway (SIGKILL, a real child process): send-then-
 * delete per message and other groups released at once, so every dead letter is still in
 * the DLQ or the replay queue afterwards, and no message of another group has moved.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { QueueDirectory } from '../../../cli/lib/queues';
import { coordinates, groupOf, letters, notJson, unknownVersion } from './ingest-groups';
import { drain, eventually, provision, routeRecords, sqs, uniqueStage } from './support';

describe('group redrive killed halfway', () => {
  it('loses nothing: every dead letter is in the DLQ or the replay queue, other groups never move', async () => {
    const s = await provision(uniqueStage('grpk'));
    const moving = Array.from({ length: 16 }, (_, n) => n);
    const staying = [20, 21, 22, 23, 24];
    await routeRecords(s, [...moving.map(unknownVersion), ...staying.map(notJson)]);
    const group = await groupOf(s.stage, '/dataversion');

    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'cli/sluice.ts',
        '--local',
        '--stage',
        s.stage,
        'dlq',
        'redrive',
        'ingest-dlq',
        '--group',
        group,
        '--canary',
        '0',
        '--rate',
        '4',
        '--visibility-timeout',
        '2',
      ],
      { cwd: process.cwd(), env: process.env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    const exited = new Promise<number | null>((resolve) =>
      child.on('exit', (code) => resolve(code)),
    );
    const queues = new QueueDirectory(sqs, s.stage);
    const started = await eventually(
      async () => (await queues.depth(s.url('ingest-replay'))).total >= 5,
      20_000,
    );
    child.kill('SIGKILL');
    await exited;
    expect(started, output.join('')).toBe(true);

    // Whatever the process held comes back after its 2-second visibility timeout.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    const inDlq = letters(await drain(s.url('ingest-dlq')));
    const inReplay = letters(await drain(s.url('ingest-replay')));
    const movingIds = moving.map((n) => `identity.events/0/${n}`);
    const stayingIds = staying.map((n) => `catalog.events/0/${n}`);

    // Killed halfway: some of the group moved, not all.
    const moved = new Set(inReplay.map(coordinates));
    expect(moved.size).toBeGreaterThanOrEqual(5);
    expect(moved.size).toBeLessThan(moving.length);
    // Only the group moved; nothing is missing (a duplicate in both queues is allowed).
    expect([...moved].every((id) => movingIds.includes(id))).toBe(true);
    const everywhere = new Set([...inDlq, ...inReplay].map(coordinates));
    expect([...everywhere].sort()).toEqual([...movingIds, ...stayingIds].sort());
    expect(
      inDlq
        .map(coordinates)
        .filter((id) => stayingIds.includes(id))
        .sort(),
    ).toEqual(stayingIds);
  });
});
