/**
 * Lighter's book sync as a pure state machine: a parsed book frame in, "applied", "ignored" or
 * "resync(reason)" out. The adapter (live), replay and paper trading feed it the same frames; what a
 * resync means (resubscribe, wait for the next recorded snapshot) is theirs to do.
 * The rules: a snapshot starts the chain; an update must carry `begin_nonce` equal to the last
 * frame's `nonce`; a gap, a bad level or a crossed book drops the book; updates that keep coming
 * without a snapshot ask for one.
 */
import type { OrderBook } from '../../kernel/book';
import { UPDATES_BEFORE_RESYNC, type BookSyncOutcome } from '../common/bookSync';
import { applyLighterBookFrame, type BookFrame } from './parse';

export class LighterBookSync {
  private lastNonce: number | null = null;
  private updatesWithoutSnapshot = 0;

  constructor(readonly book: OrderBook) {}

  onFrame(frame: BookFrame, receivedAt: number): BookSyncOutcome {
    try {
      if (frame.snapshot) {
        this.updatesWithoutSnapshot = 0;
        applyLighterBookFrame(this.book, frame, receivedAt);
        this.lastNonce = frame.nonce;
      } else {
        // An update before the first snapshot means nothing; after it, the chain must hold.
        if (this.lastNonce === null) {
          if (++this.updatesWithoutSnapshot < UPDATES_BEFORE_RESYNC) return { kind: 'ignored' };
          return this.resync('updates without a snapshot');
        }
        // Fail closed, and say exactly why: without begin_nonce an update cannot be chained to the
        // book, so no book (and no quoting) rather than a book that may have missed an update.
        if (frame.beginNonce === null)
          return this.resync('update frames carry no begin_nonce (only offset/nonce): they cannot be chained to the snapshot; no book until they do');
        if (frame.beginNonce !== this.lastNonce) return this.resync(`nonce gap: begin_nonce ${frame.beginNonce} after nonce ${this.lastNonce}`);
        applyLighterBookFrame(this.book, frame, receivedAt);
        this.lastNonce = frame.nonce;
      }
    } catch (error) {
      return this.resync(`bad level: ${(error as Error).message}`);
    }
    if (this.book.crossed()) return this.resync(`crossed book ${this.book.bestBid()} >= ${this.book.bestAsk()}`);
    return { kind: 'applied' };
  }

  /** Drops the book: nothing is applied again until a snapshot comes. */
  reset(): void {
    this.lastNonce = null;
    this.updatesWithoutSnapshot = 0;
    this.book.reset();
  }

  private resync(reason: string): BookSyncOutcome {
    this.reset();
    return { kind: 'resync', reason };
  }
}
