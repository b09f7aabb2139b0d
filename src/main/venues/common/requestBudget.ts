/**
 * A venue's request budget as the venue counts it: at most `perWindow` requests in any rolling
 * window of `windowMs` (Lighter: 60 per rolling minute for Standard accounts, REST and WS txs
 * together). A token bucket lets about twice that through after a quiet spell; this never does.
 *
 * Requests wait in priority order: cancels first (the kill switch never queues behind quotes), then
 * taker orders (hedges, TT legs, flatten), then reads, then new quotes; and quotes may only use the
 * budget beyond a reserve kept for the others, so a requote storm cannot starve a hedge.
 */
import type { Clock, TimerHandle } from '../../kernel/clock';

export type RequestPriority = 'cancel' | 'taker' | 'read' | 'quote';
const RANK: Record<RequestPriority, number> = { cancel: 0, taker: 1, read: 2, quote: 3 };

export class RequestBudget {
  /** Send times (monotonic ms) inside the current window, oldest first. */
  private sent: number[] = [];
  private readonly queue: Array<{ priority: RequestPriority; resolve: () => void }> = [];
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
    if (drop > 0) this.sent.splice(0, drop);
  }

  /** Requests still allowed in the current window. */
  free(): number {
    this.expire(this.clock.monotonic());
    return this.perWindow - this.sent.length;
  }

  /** Fraction of the window's budget left, 0..1. */
  headroom(): number {
    return Math.max(0, this.free()) / this.perWindow;
  }

  private allowed(priority: RequestPriority): boolean {
    const free = this.free();
    return priority === 'quote' ? free > this.reserve : free > 0;
  }

  /** Resolves when the request may go out (and counts it as sent). */
  take(priority: RequestPriority = 'read'): Promise<void> {
    if (this.queue.length === 0 && this.allowed(priority)) {
      this.sent.push(this.clock.monotonic());
      return Promise.resolve();
    }
    this.waited += 1;
    return new Promise((resolve) => {
      const at = this.queue.findIndex((entry) => RANK[entry.priority] > RANK[priority]);
      if (at < 0) this.queue.push({ priority, resolve });
      else this.queue.splice(at, 0, { priority, resolve });
      this.release();
    });
  }

  /** Lets waiting requests go, most urgent first, as far as the window allows; sleeps until the next slot frees. */
  private release(): void {
    while (this.queue.length > 0) {
      const head = this.queue[0] as { priority: RequestPriority; resolve: () => void };
      if (!this.allowed(head.priority)) break;
      this.queue.shift();
      this.sent.push(this.clock.monotonic());
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
