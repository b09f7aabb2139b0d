/**
 * Time as the engine sees it. Everything that waits or stamps goes through a Clock so that tests
 * run in simulated time (ManualClock) and stay fast and deterministic.
 */
export type TimerHandle = { readonly __timer: true };

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Monotonic milliseconds with sub-millisecond resolution, for latencies. */
  monotonic(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (fn, ms) => {
    const timer = setTimeout(fn, ms);
    // A pending engine timer must never keep a finished process alive.
    timer.unref?.();
    return timer as unknown as TimerHandle;
  },
  clearTimeout: (handle) => clearTimeout(handle as unknown as NodeJS.Timeout)
};

/**
 * Timers that can all be cancelled at once (a server's or a market's), including a repeating one.
 * After `clear()` nothing scheduled through the group runs any more.
 */
export class TimerGroup {
  private handles = new Set<TimerHandle>();
  private cleared = false;

  constructor(private readonly clock: Clock) {}

  /** Runs `fn` once after `ms`. */
  later(ms: number, fn: () => void): void {
    if (this.cleared) return;
    const handle = this.clock.setTimeout(() => {
      this.handles.delete(handle);
      if (!this.cleared) fn();
    }, ms);
    this.handles.add(handle);
  }

  /** Runs `fn` every `ms` until cleared. */
  every(ms: number, fn: () => void): void {
    this.later(ms, () => {
      fn();
      this.every(ms, fn);
    });
  }

  clear(): void {
    this.cleared = true;
    for (const handle of this.handles) this.clock.clearTimeout(handle);
    this.handles.clear();
  }

  /** Allows scheduling again after a clear (a market stopped and started again). */
  reset(): void {
    this.clear();
    this.cleared = false;
  }
}

/** Resolves after `ms` on the given clock. */
export function sleep(clock: Clock, ms: number): Promise<void> {
  return new Promise((resolve) => clock.setTimeout(resolve, ms));
}

interface ManualTimer {
  handle: TimerHandle;
  due: number;
  order: number;
  fn: () => void;
}

/** Simulated time: timers fire only when the test advances the clock, in due-time order. */
export class ManualClock implements Clock {
  private current: number;
  private order = 0;
  private timers: ManualTimer[] = [];

  constructor(startMs = 1_700_000_000_000) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  monotonic(): number {
    return this.current;
  }

  setTimeout(fn: () => void, ms: number): TimerHandle {
    const handle = { __timer: true } as TimerHandle;
    this.timers.push({ handle, due: this.current + Math.max(0, ms), order: this.order++, fn });
    return handle;
  }

  clearTimeout(handle: TimerHandle): void {
    this.timers = this.timers.filter((timer) => timer.handle !== handle);
  }

  pendingTimers(): number {
    return this.timers.length;
  }

  /**
   * Moves time forward by `ms`, firing due timers in order. Between timers it lets pending promise
   * callbacks run, so async code driven by timers progresses as it would in real time.
   */
  async advance(ms: number): Promise<void> {
    const target = this.current + ms;
    await flushMicrotasks();
    for (;;) {
      const next = this.nextDue();
      if (!next || next.due > target) break;
      this.timers = this.timers.filter((timer) => timer !== next);
      this.current = Math.max(this.current, next.due);
      next.fn();
      await flushMicrotasks();
    }
    this.current = target;
  }

  private nextDue(): ManualTimer | undefined {
    let best: ManualTimer | undefined;
    for (const timer of this.timers) {
      if (!best || timer.due < best.due || (timer.due === best.due && timer.order < best.order)) best = timer;
    }
    return best;
  }
}

/** Lets every already-queued promise callback (and the ones they queue) run. */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
