import { describe, expect, it } from 'vitest';
import { ManualClock } from '../src/main/kernel/clock';
import { RequestBudget, type RequestPriority } from '../src/main/venues/common/requestBudget';

describe('RequestBudget: the venue counts a rolling window', () => {
  it('never lets more than the limit through in any rolling minute, even after a quiet spell', async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(clock, 60, 60_000, 0);
    const sentAt: number[] = [];
    await clock.advance(120_000); // a quiet spell: a token bucket would now allow a double burst
    for (let i = 0; i < 150; i++) void budget.take('taker').then(() => sentAt.push(clock.monotonic()));
    await clock.advance(180_000);
    expect(sentAt).toHaveLength(150);
    for (let i = 60; i < sentAt.length; i++) expect((sentAt[i] as number) - (sentAt[i - 60] as number)).toBeGreaterThan(60_000 - 1);
  });

  it("serves a kill's first cancel-all, then takers, then cancels, then reads, then quotes; quotes never take the reserve", async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(clock, 10, 60_000, 2);
    const order: string[] = [];
    const go = (priority: RequestPriority, name: string) => void budget.take(priority).then(() => order.push(name));
    for (let i = 0; i < 10; i++) go('quote', `q${i}`);
    await clock.advance(0);
    // Quotes stop at the reserve: 8 of 10 slots.
    expect(order).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7']);
    go('cancel', 'sweep cancel-all');
    go('read', 'read');
    go('taker', 'hedge');
    go('kill', 'kill');
    await clock.advance(0);
    expect(order.slice(8)).toEqual(['sweep cancel-all', 'read']);
    go('cancel', 'sweep cancel-all 2');
    go('taker', 'hedge 2');
    go('kill', 'kill 2');
    await clock.advance(61_000);
    // When the window rolls: the kill first, then the hedges, then the sweep's later cancel-all.
    expect(order.slice(10, 15)).toEqual(['kill', 'kill 2', 'hedge', 'hedge 2', 'sweep cancel-all 2']);
    expect(budget.headroom()).toBeLessThan(1);
  });

  it('a quote waiting for a slot can be withdrawn (a kill): it never goes out', async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(clock, 2, 60_000, 0);
    await budget.take('quote');
    await budget.take('quote');
    const waiting = budget.take('quote');
    const hedge = budget.take('taker');
    expect(budget.withdraw('quote', 'kill')).toBe(1);
    await expect(waiting).rejects.toThrow('withdrawn before sending: kill');
    await clock.advance(61_000);
    await expect(hedge).resolves.toBeUndefined();
  });

  it('counts a weighted limit beside the count (Lighter: 24,000 a minute, a GET 300)', async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(clock, 100, 60_000, 0);
    budget.weightPerWindow = 1000;
    const sent: number[] = [];
    for (let i = 0; i < 5; i++) void budget.take('read', 300).then(() => sent.push(i));
    await clock.advance(0);
    expect(sent).toEqual([0, 1, 2]);
    expect(budget.headroom()).toBeCloseTo(0.1);
    await clock.advance(61_000);
    expect(sent).toEqual([0, 1, 2, 3, 4]);
  });
});
