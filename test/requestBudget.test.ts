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

  it('serves cancels, then takers, then reads, then quotes; quotes never take the reserve', async () => {
    const clock = new ManualClock();
    const budget = new RequestBudget(clock, 10, 60_000, 2);
    const order: string[] = [];
    const go = (priority: RequestPriority, name: string) => void budget.take(priority).then(() => order.push(name));
    for (let i = 0; i < 10; i++) go('quote', `q${i}`);
    await clock.advance(0);
    // Quotes stop at the reserve: 8 of 10 slots.
    expect(order).toEqual(['q0', 'q1', 'q2', 'q3', 'q4', 'q5', 'q6', 'q7']);
    go('taker', 'hedge');
    go('cancel', 'kill');
    await clock.advance(0);
    expect(order.slice(8)).toEqual(['hedge', 'kill']);
    go('read', 'read');
    go('cancel', 'cancel2');
    await clock.advance(61_000);
    // When the window rolls, the waiting cancel goes before the read and the quotes.
    expect(order.slice(10, 12)).toEqual(['cancel2', 'read']);
    expect(budget.headroom()).toBeLessThan(1);
  });
});
