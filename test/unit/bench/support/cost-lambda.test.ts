/**
 * bench:cost's Lambda meter: `alone` runs overlapping invocations one after the other and
 * bills each its own duration (the wait for its turn is not billed); `concurrent` lets them
 * overlap. Both bill GB-seconds from the configured memory.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { configuredMemoryMiB, LambdaMeter } from '../../../../bench/support/cost-lambda';

/** A handler that takes `ms`, recording when it started and ended and who was running. */
function slowHandler(ms: number, log: string[]) {
  let running = 0;
  return async (name: string) => {
    running++;
    log.push(`start ${name} (${running} running)`);
    await sleep(ms);
    running--;
    log.push(`end ${name}`);
    return name;
  };
}

describe('LambdaMeter', () => {
  it('alone: overlapping invocations run in turn, each billed its own time', async () => {
    const meter = new LambdaMeter('alone');
    const log: string[] = [];
    const handler = meter.wrap('router', 1024, slowHandler(40, log));
    const waited: number[] = [];
    const call = async (name: string) => {
      const started = performance.now();
      const result = await handler(name);
      waited.push(performance.now() - started);
      return result;
    };
    expect(await Promise.all([call('a'), call('b'), call('c')])).toEqual(['a', 'b', 'c']);
    expect(log).toEqual([
      'start a (1 running)',
      'end a',
      'start b (1 running)',
      'end b',
      'start c (1 running)',
      'end c',
    ]);
    const [usage] = meter.functions();
    expect(usage?.invocations).toBe(3);
    // Each its own ≈ 40 ms; the callers waited ≈ 40, 80 and 120 ms: the turns are not billed.
    const billed = usage?.billedMs ?? 0;
    expect(billed).toBeGreaterThanOrEqual(3 * 39);
    expect(billed).toBeLessThan(0.75 * waited.reduce((sum, ms) => sum + ms, 0));
    expect(usage?.gbSeconds).toBeCloseTo((usage?.billedMs ?? 0) / 1000, 6);
  });

  it('alone: a failing invocation gives the turn to the next', async () => {
    const meter = new LambdaMeter('alone');
    const failing = meter.wrap('replay', 512, async () => {
      throw new Error('boom');
    });
    const ok = meter.wrap('audit', 512, async () => 'done');
    await expect(failing(undefined)).rejects.toThrow('boom');
    expect(await ok(undefined)).toBe('done');
    expect(meter.functions().map((f) => f.invocations)).toEqual([1, 1]);
  });

  it('concurrent: invocations overlap', async () => {
    const meter = new LambdaMeter('concurrent');
    const log: string[] = [];
    const handler = meter.wrap('router', 512, slowHandler(20, log));
    await Promise.all([handler('a'), handler('b')]);
    expect(log.slice(0, 2)).toEqual(['start a (1 running)', 'start b (2 running)']);
  });

  it('reads the memory the stacks configure', () => {
    expect(configuredMemoryMiB('router')).toBe(1024);
    expect(configuredMemoryMiB('replay')).toBe(512);
  });
});
