import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { UpResult } from '../../../../local/services/stack';

const servicesUp = vi.fn<() => Promise<UpResult[]>>();
vi.mock('../../../../local/services/stack', () => ({ servicesUp: () => servicesUp() }));
const { superviseServices } = await import('../../../../local/services/supervise');

const result = (name: string, outcome: UpResult['outcome']): UpResult => ({
  name,
  outcome,
  pid: 42,
  seconds: 1,
});

describe('superviseServices', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    servicesUp.mockReset();
  });
  afterEach(() => vi.useRealTimers());

  it('reports only the services it had to start again, at each interval', async () => {
    servicesUp
      .mockResolvedValueOnce([result('kafka', 'running'), result('moto', 'running')])
      .mockResolvedValueOnce([result('kafka', 'running'), result('moto', 'started')]);
    const reports: string[] = [];
    const stop = superviseServices({ everyMs: 1000, report: (m) => reports.push(m) });
    expect(servicesUp).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toEqual([]);
    await vi.advanceTimersByTimeAsync(1000);
    expect(reports).toEqual(['moto was not running and was started again (pid 42): see its log']);
    expect(await stop()).toEqual(['moto']);
    await vi.advanceTimersByTimeAsync(5000);
    // Two at the intervals, one last look when stopping, none after.
    expect(servicesUp).toHaveBeenCalledTimes(3);
  });

  it('reports a service it cannot bring back and keeps checking', async () => {
    servicesUp.mockRejectedValueOnce(new Error('could not start:\nmoto: port 5000 is taken'));
    servicesUp.mockResolvedValue([result('moto', 'running')]);
    const reports: string[] = [];
    const stop = superviseServices({ everyMs: 1000, report: (m) => reports.push(m) });
    await vi.advanceTimersByTimeAsync(3000);
    expect(reports).toEqual([
      'could not bring services back: could not start:\nmoto: port 5000 is taken',
    ]);
    expect(servicesUp).toHaveBeenCalledTimes(3);
    await stop();
  });

  it('never starts a check while one is under way, and stop waits for it', async () => {
    let finish: (value: UpResult[]) => void = () => undefined;
    servicesUp.mockImplementation(() => new Promise((resolve) => (finish = resolve)));
    const stop = superviseServices({ everyMs: 1000, report: () => undefined });
    await vi.advanceTimersByTimeAsync(10_000);
    expect(servicesUp).toHaveBeenCalledTimes(1);
    let stopped = false;
    const stopping = stop().then((restarted) => {
      stopped = true;
      return restarted.includes('moto');
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(stopped).toBe(false);
    finish([]);
    await vi.advanceTimersByTimeAsync(0);
    // Then one last look, which stop also waits for.
    expect(stopped).toBe(false);
    expect(servicesUp).toHaveBeenCalledTimes(2);
    finish([result('moto', 'started')]);
    expect(await stopping).toBe(true);
    expect(servicesUp).toHaveBeenCalledTimes(2);
  });
});
