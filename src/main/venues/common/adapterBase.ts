/**
 * What both venue adapters share: the engine's handlers, the two streams' readiness (the venue
 * counts as connected once both the book and the account stream are up), and the health figures.
 */
import type { VenueHandlers, VenueHealth, VenueId } from '../../engine/venue';
import type { TokenBucket } from './tokenBucket';

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
  protected abstract readonly bucket: TokenBucket;

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
      rateLimited: this.stats.rateLimited
    };
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
}
