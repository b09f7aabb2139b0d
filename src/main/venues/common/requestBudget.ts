/**
 * A venue's request budget as the venue counts it: at most `perWindow` requests in any rolling
 * window of `windowMs` (Lighter: 60 per rolling minute for Standard accounts, REST and WS txs
 * together). A token bucket lets about twice that through after a quiet spell; this never does.
 *
 * Requests wait in priority order (strategy.md): a kill's first cancel-all, then taker orders
 * (hedges, TT legs, flatten), then cancels (the sweep's later cancel-alls included), then reads, then
 * new quotes; and quotes may only use the budget beyond a reserve kept for the others, so a requote
 * storm cannot starve a hedge. A quote still waiting can be withdrawn (a kill): it never leaves.
 */
import type { Clock, TimerHandle } from '../../kernel/clock';

export type RequestPriority = 'kill' | 'taker' | 'cancel' | 'read' | 'quote';
/** Lower goes first. */
export const PRIORITY_RANK: Record<RequestPriority, number> = { kill: 0, taker: 1, cancel: 2, read: 3, quote: 4 };
const RANK = PRIORITY_RANK;

/** A request withdrawn while it waited for its slot: it never reached the venue. */
export class WithdrawnError extends Error {
  constructor(readonly reason: string) {
    super(`withdrawn before sending: ${reason}`);
    this.name = 'WithdrawnError';
  }
}

export class RequestBudget {
  /** Send times (monotonic ms) inside the current window, oldest first, with each request's weight. */
  private sent: number[] = [];
  private weights: number[] = [];
  private weightInWindow = 0;
  private readonly queue: Array<{ priority: RequestPriority; weight: number; resolve: () => void; reject: (error: Error) => void }> = [];
  /** A weighted limit beside the count (Lighter Premium: 24,000 a minute, GETs 300, txs 6); none when absent. */
  weightPerWindow: number | null = null;
  private timer: TimerHandle | null = null;
  /** Slots a quote may not take: kept for cancels, takers and reads. */
  readonly reserve: number;
  /** Requests that had to wait. */
  waited = 0;

  constructor(
    private readonly clock: Clock,
    readonly perWindow: number,
    readonly windowMs = 60_000,
    reserve?: number
  ) {
    if (!(Number.isInteger(perWindow) && perWindow > 0)) throw new RangeError(`perWindow: expected a whole number > 0, got ${perWindow}`);
    this.reserve = reserve ?? Math.max(1, Math.floor(perWindow * 0.1));
  }

  private expire(now: number): void {
    let drop = 0;
    while (drop < this.sent.length && (this.sent[drop] as number) <= now - this.windowMs) drop += 1;
    if (drop > 0) {
      this.sent.splice(0, drop);
      for (const weight of this.weights.splice(0, drop)) this.weightInWindow -= weight;
    }
  }

  private record(weight: number): void {
    this.sent.push(this.clock.monotonic());
    this.weights.push(weight);
    this.weightInWindow += weight;
  }

  /** Requests still allowed in the current window. */
  free(): number {
    this.expire(this.clock.monotonic());
    return this.perWindow - this.sent.length;
  }

  /** Fraction of the window's budget left, 0..1. */
  headroom(): number {
    const count = Math.max(0, this.free()) / this.perWindow;
    if (this.weightPerWindow === null) return count;
    return Math.min(count, Math.max(0, this.weightPerWindow - this.weightInWindow) / this.weightPerWindow);
  }

  private allowed(priority: RequestPriority, weight: number): boolean {
    const free = this.free();
    if (this.weightPerWindow !== null) {
      // The same reserve, in weight: quotes leave a tenth of the weighted budget to the others.
      const weightFree = this.weightPerWindow - this.weightInWindow - weight;
      if (weightFree < (priority === 'quote' ? Math.floor(this.weightPerWindow * 0.1) : 0)) return false;
    }
    return priority === 'quote' ? free > this.reserve : free > 0;
  }

  /** Resolves when the request may go out (and counts it as sent, with its weight). */
  take(priority: RequestPriority = 'read', weight = 1): Promise<void> {
    if (this.queue.length === 0 && this.allowed(priority, weight)) {
      this.record(weight);
      return Promise.resolve();
    }
    this.waited += 1;
    return new Promise((resolve, reject) => {
      const at = this.queue.findIndex((entry) => RANK[entry.priority] > RANK[priority]);
      const entry = { priority, weight, resolve, reject };
      if (at < 0) this.queue.push(entry);
      else this.queue.splice(at, 0, entry);
      this.release();
    });
  }

  /** Requests of this priority still waiting for a slot are refused with a WithdrawnError; returns how many. */
  withdraw(priority: RequestPriority, reason: string): number {
    let count = 0;
    for (let i = this.queue.length - 1; i >= 0; i--) {
      const entry = this.queue[i] as (typeof this.queue)[number];
      if (entry.priority !== priority) continue;
      this.queue.splice(i, 1);
      entry.reject(new WithdrawnError(reason));
      count += 1;
    }
    return count;
  }

  /** Requests waiting for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Lets waiting requests go, most urgent first, as far as the window allows; sleeps until the next slot frees. */
  private release(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as (typeof this.queue)[number];
      if (!this.allowed(head.priority, head.weight)) break;
      this.queue.shift();
      this.record(head.weight);
      head.resolve();
    }
    if (this.queue.length === 0 || this.timer) return;
    const oldest = this.sent[0];
    const waitMs = oldest === undefined ? 1 : Math.max(1, oldest + this.windowMs - this.clock.monotonic() + 1);
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.release();
    }, waitMs);
  }
}
