/**
 * What both venue adapters share: the engine's handlers, the two streams' readiness (the venue
 * counts as connected once both the book and the account stream are up), and the health figures.
 */
import type { Clock, TimerHandle } from '../../kernel/clock';
import { VenueOrderError, type VenueHandlers, type VenueHealth, type VenueId } from '../../ports/venue';
import type { RequestBudget } from './requestBudget';
import { RestHealth } from './restHealth';

export interface AdapterStats {
  bookMessages: number;
  rateLimited: number;
  lastOrderLatencyMs: number | undefined;
}

export abstract class VenueAdapterBase {
  protected handlers: VenueHandlers | null = null;
  private bookReady = false;
  private accountReady = false;
  abstract readonly stats: AdapterStats;
  protected abstract readonly bucket: RequestBudget;
  /** Whether the venue's REST answers (health(), the engine's 30 s alarm). */
  protected readonly restHealth = new RestHealth();

  constructor(readonly id: VenueId) {}

  setHandlers(handlers: VenueHandlers): void {
    this.handlers = handlers;
  }

  protected get h(): VenueHandlers {
    if (!this.handlers) throw new Error(`${this.id}: handlers not set`);
    return this.handlers;
  }

  health(): VenueHealth {
    return {
      connected: this.bookReady && this.accountReady,
      bookMessages: this.stats.bookMessages,
      lastOrderLatencyMs: this.stats.lastOrderLatencyMs,
      rateLimitHeadroom: this.bucket.headroom(),
      rateLimited: this.stats.rateLimited,
      restFailing: this.restHealth.failing()
    };
  }

  /** Orders we placed whose first update has not come yet, with whoever waits for it. */
  private readonly unseen = new Map<string, Array<() => void>>();

  /** Call when the venue accepted an order of ours. */
  protected notePlaced(clientId: string): void {
    if (!this.unseen.has(clientId)) this.unseen.set(clientId, []);
    if (this.unseen.size > 1000) this.unseen.delete(this.unseen.keys().next().value as string);
  }

  /** Call on any update of an order of ours. */
  protected noteSeen(clientId: string): void {
    const waiters = this.unseen.get(clientId);
    if (!waiters) return;
    this.unseen.delete(clientId);
    for (const wake of waiters) wake();
  }

  /**
   * Cancels; when the venue does not know an order it accepted a moment ago (writes are processed
   * asynchronously on both venues), waits for its first update (at most `waitMs`) and tries once
   * more, so that a quote placed just before a kill cannot escape the cancel.
   */
  protected async cancelKnown(clientId: string, clock: Clock, cancel: () => Promise<void>, waitMs = 1000): Promise<void> {
    try {
      await cancel();
    } catch (error) {
      const waiters = this.unseen.get(clientId);
      if (!(error instanceof VenueOrderError) || error.kind !== 'not_found' || !waiters) throw error;
      await new Promise<void>((resolve) => {
        const timer = clock.setTimeout(resolve, waitMs);
        waiters.push(() => {
          clock.clearTimeout(timer);
          resolve();
        });
      });
      await cancel();
    }
  }

  private malformedWindow = { startedAt: Number.NEGATIVE_INFINITY, logged: 0, suppressed: 0 };

  /**
   * A frame the parser refused: counted always, logged with its text for the first 10 a minute,
   * then summarised once a minute (a junk flood must not become a log flood on the hot path).
   */
  protected reportMalformed(stream: string, error: unknown, text: string, now: number): void {
    const window = this.malformedWindow;
    if (now - window.startedAt >= 60_000) {
      if (window.suppressed > 0)
        this.handlers?.onLog(this.id, 'warn', `${window.suppressed} more malformed frame(s) in the last minute were counted, not logged`);
      this.malformedWindow = { startedAt: now, logged: 0, suppressed: 0 };
    }
    if (this.malformedWindow.logged < 10) {
      this.malformedWindow.logged += 1;
      this.handlers?.onLog(this.id, 'warn', `malformed ${stream} frame (${(error as Error).message}): ${text.slice(0, 300)}`);
    } else this.malformedWindow.suppressed += 1;
  }

  /** The book must be rebuilt from a snapshot after its stream closed. */
  protected abstract forgetBook(): void;

  protected onSocketClosed(which: 'book' | 'account', reason: string): void {
    if (which === 'book') {
      this.bookReady = false;
      this.forgetBook();
    } else this.accountReady = false;
    this.handlers?.onConnection(this.id, false, `${which} stream ${reason}`);
  }

  protected markConnected(which: 'book' | 'account'): void {
    const before = this.bookReady && this.accountReady;
    if (which === 'book') this.bookReady = true;
    else this.accountReady = true;
    if (!before && this.bookReady && this.accountReady) this.handlers?.onConnection(this.id, true, 'book and account streams up');
  }

  private catchUpTimer: TimerHandle | null = null;

  /**
   * After the account stream came back: `read` fetches the trades made while it was down. A read
   * that fails (the rate limit, a 5xx) is tried again, 1 s doubling, five times: a fill lost with
   * the stream is exposure until it is read. A new reconnect starts over; `stopCatchUp` ends it.
   */
  protected catchUpTrades(clock: Clock, read: () => Promise<void>, attempt = 0): void {
    if (attempt === 0) this.stopCatchUp(clock);
    read().catch((error: unknown) => {
      const again = attempt < 5;
      const message = error instanceof Error ? error.message : String(error);
      this.handlers?.onLog(this.id, 'warn', `trades made while the account stream was down could not be read: ${message}${again ? '; trying again' : ''}`);
      if (again) this.catchUpTimer = clock.setTimeout(() => this.catchUpTrades(clock, read, attempt + 1), 1000 * 2 ** attempt);
    });
  }

  protected stopCatchUp(clock: Clock): void {
    if (this.catchUpTimer) clock.clearTimeout(this.catchUpTimer);
    this.catchUpTimer = null;
  }
}
