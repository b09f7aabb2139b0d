import { describe, expect, it } from 'vitest';
import { ManualClock, TimerGroup } from '../src/main/kernel/clock';

describe('clock and timer groups', () => {
  it('fires timers in due order in simulated time, and a cleared group fires nothing more', async () => {
    const clock = new ManualClock(0);
    const group = new TimerGroup(clock);
    const fired: string[] = [];
    group.every(100, () => fired.push(`tick@${clock.now()}`));
    group.later(250, () => fired.push(`once@${clock.now()}`));
    await clock.advance(300);
    expect(fired).toEqual(['tick@100', 'tick@200', 'once@250', 'tick@300']);
    group.clear();
    await clock.advance(500);
    expect(fired).toHaveLength(4);
    expect(clock.pendingTimers()).toBe(0);
    group.reset();
    group.later(10, () => fired.push('again'));
    await clock.advance(10);
    expect(fired.at(-1)).toBe('again');
  });
});
