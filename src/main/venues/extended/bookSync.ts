/**
 * Extended's book sync as a pure state machine: a parsed book frame in, "applied", "ignored" or
 * "resync(reason)" out; live, replay and paper share it. The rules: SNAPSHOT (the first one, and
 * the venue's periodic one) replaces the book; each DELTA's `seq` must follow the last frame's by
 * one; a gap, a bad level or a crossed book drops the book; deltas that keep coming without a
 * snapshot ask for one.
 */
import type { OrderBook } from '../../kernel/book';
import { UPDATES_BEFORE_RESYNC, type BookSyncOutcome } from '../common/bookSync';
import { applyExtendedBookFrame, type ExtendedBookFrame } from './parse';

export class ExtendedBookSync {
  private lastSeq: number | null = null;
  private deltasWithoutSnapshot = 0;

  constructor(readonly book: OrderBook) {}

  onFrame(frame: ExtendedBookFrame, receivedAt: number): BookSyncOutcome {
    if (frame.type !== 'SNAPSHOT' && frame.type !== 'DELTA') return { kind: 'ignored' };
    if (frame.type === 'SNAPSHOT') this.deltasWithoutSnapshot = 0;
    else if (this.lastSeq === null) {
      if (++this.deltasWithoutSnapshot < UPDATES_BEFORE_RESYNC) return { kind: 'ignored' };
      return this.resync('deltas without a snapshot');
    } else if (frame.seq !== this.lastSeq + 1) return this.resync(`seq gap: ${frame.seq} after ${this.lastSeq}`);
    try {
      applyExtendedBookFrame(this.book, frame, receivedAt);
    } catch (error) {
      return this.resync(`bad level: ${(error as Error).message}`);
    }
    this.lastSeq = frame.seq;
    if (this.book.crossed()) return this.resync(`crossed book ${this.book.bestBid()} >= ${this.book.bestAsk()}`);
    return { kind: 'applied' };
  }

  /** Drops the book: nothing is applied again until a snapshot comes. */
  reset(): void {
    this.lastSeq = null;
    this.deltasWithoutSnapshot = 0;
    this.book.reset();
  }

  private resync(reason: string): BookSyncOutcome {
    this.reset();
    return { kind: 'resync', reason };
  }
}
