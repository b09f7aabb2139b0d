/**
 * A token bucket that keeps an adapter inside a venue's request budget: `capacity` tokens,
 * refilled continuously at `perMinute` a minute. A request of weight w waits until w tokens are
 * there; it never sends over budget.
 */
import type { Clock } from '../../engine/clock';

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private queue: Array<{ weight: number; resolve: () => void }> = [];
  private timer: ReturnType<Clock['setTimeout']> | null = null;
  /** Requests that had to wait for tokens. */
  waited = 0;

  constructor(
    private readonly clock: Clock,
    readonly perMinute: number,
    readonly capacity = perMinute
  ) {
    this.tokens = capacity;
    this.updatedAt = clock.monotonic();
  }

  private refill(): void {
    const now = this.clock.monotonic();
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.updatedAt) * this.perMinute) / 60_000);
    this.updatedAt = now;
  }

  /** Fraction of the budget left, 0..1. */
  headroom(): number {
    this.refill();
    return Math.max(0, this.tokens) / this.capacity;
  }

  /** Resolves when `weight` tokens were taken. */
  take(weight = 1): Promise<void> {
    if (weight > this.capacity) throw new RangeError(`weight ${weight} exceeds the bucket capacity ${this.capacity}`);
    this.refill();
    if (this.queue.length === 0 && this.tokens >= weight) {
      this.tokens -= weight;
      return Promise.resolve();
    }
    this.waited += 1;
    return new Promise((resolve) => {
      this.queue.push({ weight, resolve });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.timer || this.queue.length === 0) return;
    const head = this.queue[0] as { weight: number };
    const missing = head.weight - this.tokens;
    const waitMs = Math.max(1, Math.ceil((missing * 60_000) / this.perMinute));
    this.timer = this.clock.setTimeout(() => {
      this.timer = null;
      this.refill();
      while (this.queue.length > 0 && this.tokens >= (this.queue[0] as { weight: number }).weight) {
        const next = this.queue.shift() as { weight: number; resolve: () => void };
        this.tokens -= next.weight;
        next.resolve();
      }
      this.schedule();
    }, waitMs);
  }
}
