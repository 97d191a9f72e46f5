import { describe, expect, it } from 'vitest';
import { Slots, Wakeup } from '../../../../local/event-sources/signals';

describe('Wakeup', () => {
  it('keeps a notification that came before the wait', async () => {
    const wakeup = new Wakeup();
    wakeup.notify();
    const started = Date.now();
    await wakeup.wait(Date.now() + 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('ends a wait at its deadline, or earlier on notify', async () => {
    const wakeup = new Wakeup();
    const started = Date.now();
    await wakeup.wait(Date.now() + 60);
    expect(Date.now() - started).toBeGreaterThanOrEqual(50);
    const waiting = wakeup.wait();
    setTimeout(() => wakeup.notify(), 10);
    await waiting;
  });
});

describe('Slots', () => {
  it('grants at most its size, hands released slots to waiters in order', async () => {
    const slots = new Slots(2);
    expect(await slots.acquire()).toBe(true);
    expect(await slots.acquire()).toBe(true);
    const order: number[] = [];
    const third = slots.acquire().then((granted) => order.push(3) && granted);
    const fourth = slots.acquire().then((granted) => order.push(4) && granted);
    await Promise.resolve();
    expect(order).toEqual([]);
    slots.release();
    expect(await third).toBe(true);
    slots.close();
    expect(await fourth).toBe(false);
    expect(await slots.acquire()).toBe(false);
    expect(order).toEqual([3, 4]);
  });
});
