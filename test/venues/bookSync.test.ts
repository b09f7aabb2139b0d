/**
 * One book sync per venue, shared by the live adapters, replay and (later) paper trading: here
 * driven directly with the venues' example messages (test/fixtures/venues) and variations of them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/main/kernel/book';
import { ExtendedBookSync } from '../../src/main/venues/extended/bookSync';
import { parseExtendedBookFrame } from '../../src/main/venues/extended/parse';
import { LighterBookSync } from '../../src/main/venues/lighter/bookSync';
import { parseLighterFrame } from '../../src/main/venues/lighter/parse';

const shared = (path: string) => readFileSync(join(__dirname, '..', 'fixtures', 'venues', path), 'utf8');
const lighterBook = (text: string) => {
  const frame = parseLighterFrame(text, 0);
  if (frame.kind !== 'book') throw new Error('not a book frame');
  return frame;
};
type Json = { seq?: number; order_book: { begin_nonce?: number; bids?: unknown } };
const edit = (text: string, change: (json: Json) => void) => {
  const json = JSON.parse(text) as Json;
  change(json);
  return JSON.stringify(json);
};

describe('LighterBookSync on the venue example messages', () => {
  const snapshot = shared('lighter/ws_order_book_snapshot.json');
  const update = shared('lighter/ws_order_book_update.json');

  it('applies the snapshot, then the update whose begin_nonce is the snapshot nonce', () => {
    const sync = new LighterBookSync(new OrderBook(2, 4));
    expect(sync.onFrame(lighterBook(snapshot), 1)).toEqual({ kind: 'applied' });
    expect(sync.onFrame(lighterBook(update), 2)).toEqual({ kind: 'applied' });
    expect(sync.book.ready).toBe(true);
  });

  it('a gap, a missing begin_nonce or a crossed book: resync with the reason, and no book', () => {
    const gap = edit(update, (json) => (json.order_book.begin_nonce = 1));
    const noBegin = edit(update, (json) => delete json.order_book.begin_nonce);
    const crossing = edit(update, (json) => (json.order_book.bids = [{ price: '9999.00', size: '1.0000' }]));
    for (const [text, reason] of [
      [gap, 'nonce gap'],
      [noBegin, 'no begin_nonce'],
      [crossing, 'crossed book']
    ] as const) {
      const sync = new LighterBookSync(new OrderBook(2, 4));
      sync.onFrame(lighterBook(snapshot), 1);
      const outcome = sync.onFrame(lighterBook(text), 2);
      expect(outcome.kind).toBe('resync');
      expect(outcome.kind === 'resync' && outcome.reason).toContain(reason);
      expect(sync.book.ready).toBe(false);
      // Nothing applies again until a snapshot.
      expect(sync.onFrame(lighterBook(update), 3)).toEqual({ kind: 'ignored' });
      expect(sync.onFrame(lighterBook(snapshot), 4)).toEqual({ kind: 'applied' });
    }
  });

  it('updates that keep coming without a snapshot ask for one', () => {
    const sync = new LighterBookSync(new OrderBook(2, 4));
    const outcomes = Array.from({ length: 20 }, (_, i) => sync.onFrame(lighterBook(update), i).kind);
    expect(outcomes.slice(0, 19).every((kind) => kind === 'ignored')).toBe(true);
    expect(outcomes[19]).toBe('resync');
  });
});

describe('ExtendedBookSync on the venue example messages', () => {
  const snapshot = shared('extended/ws_orderbook_snapshot.json');
  const delta = shared('extended/ws_orderbook_delta.json');
  // The examples are BTC-USD: whole-dollar prices, sizes to 5 decimals.

  it('applies SNAPSHOT then the DELTA that follows it by one', () => {
    const sync = new ExtendedBookSync(new OrderBook(0, 5));
    expect(sync.onFrame(parseExtendedBookFrame(snapshot), 1)).toEqual({ kind: 'applied' });
    expect(sync.onFrame(parseExtendedBookFrame(delta), 2)).toEqual({ kind: 'applied' });
  });

  it('a seq gap resyncs; the next SNAPSHOT restarts the chain', () => {
    const sync = new ExtendedBookSync(new OrderBook(0, 5));
    sync.onFrame(parseExtendedBookFrame(snapshot), 1);
    const outcome = sync.onFrame(parseExtendedBookFrame(edit(delta, (json) => (json.seq = 5))), 2);
    expect(outcome).toEqual({ kind: 'resync', reason: 'seq gap: 5 after 1' });
    expect(sync.onFrame(parseExtendedBookFrame(delta), 3)).toEqual({ kind: 'ignored' });
    expect(sync.onFrame(parseExtendedBookFrame(snapshot), 4)).toEqual({ kind: 'applied' });
  });
});
