/** The paper venue's fill model, driven by a scripted public feed in simulated time. */
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { OrderBook } from '../../src/main/kernel/book';
import { ManualClock } from '../../src/main/kernel/clock';
import type { FillDelta, OrderUpdate } from '../../src/main/ports/venue';
import { PaperVenue, type PublicFeed, type PublicFeedEvents } from '../../src/main/venues/paper/paperVenue';

const d = (value: string) => new Decimal(value);

function scripted() {
  const book = new OrderBook(2, 4);
  let events: PublicFeedEvents | null = null;
  const feed: PublicFeed = {
    book,
    market: { symbol: 'ETH', minSize: d('0.005'), minSizeChange: d('0.0001'), minValue: d('10'), sizeStep: d('0.0001'), priceTick: d('0.01') },
    bookMessages: 0,
    start: async (e) => {
      events = e;
      e.onConnection(true, 'scripted');
    },
    stop: async () => undefined
  };
  const clock = new ManualClock();
  const venue = new PaperVenue(feed, { id: 'L', clock, delays: { makerMs: 200, takerMs: 300, cancelMs: 200 }, fees: { maker: d('0'), taker: d('0.0003') } });
  const fills: FillDelta[] = [];
  const updates: OrderUpdate[] = [];
  venue.setHandlers({
    onBook: () => undefined,
    onFill: (fill) => void fills.push(fill),
    onOrderUpdate: (update) => void updates.push(update),
    onPosition: () => undefined,
    onConnection: () => undefined,
    onLog: () => undefined
  });
  const setBook = (bids: Array<[string, string]>, asks: Array<[string, string]>) => {
    book.applySnapshot(bids, asks, clock.now());
    events?.onBook();
  };
  let tradeId = 0;
  const trade = (aggressor: 'buy' | 'sell', price: string, qty: string, id = `t${++tradeId}`) =>
    events?.onTrade({ id, aggressor, price: d(price), qty: d(qty) });
  return { venue, clock, fills, updates, setBook, trade };
}

describe('PaperVenue: public trades are fresh flow once', () => {
  it('a trade pushed again (the venue repeats trades) fills nothing more', async () => {
    const p = scripted();
    await p.venue.start();
    p.setBook([['3000.00', '0.0100']], [['3000.10', '1.0000']]);
    await p.venue.placePostOnly({ clientId: '1', side: 'buy', price: d('3000.00'), qty: d('0.0400') });
    await p.clock.advance(200);
    p.trade('sell', '3000.00', '0.0200', 'same');
    p.trade('sell', '3000.00', '0.0200', 'same');
    p.trade('sell', '3000.00', '0.0200', 'same');
    expect(p.fills.map((fill) => fill.qty.toString())).toEqual(['0.01']);
    expect(p.venue.stats.repeatedTrades).toBe(2);
  });
});

describe('PaperVenue: the queue model', () => {
  it('a quote waits behind the size shown at its level, fills from trades beyond it, and whole from a trade through it', async () => {
    const p = scripted();
    await p.venue.start();
    p.setBook([['3000.00', '0.0500']], [['3000.10', '1.0000']]);
    await p.venue.placePostOnly({ clientId: '1', side: 'buy', price: d('3000.00'), qty: d('0.0400') });
    // Not on the book before the tier's maker delay.
    p.trade('sell', '3000.00', '1.0000');
    expect(p.fills).toEqual([]);
    await p.clock.advance(200);
    expect(p.updates.at(-1)).toMatchObject({ clientId: '1', status: 'open' });
    p.trade('sell', '3000.00', '0.0300'); // 0.05 ahead -> 0.02 ahead
    expect(p.fills).toEqual([]);
    p.trade('sell', '3000.00', '0.0300'); // 0.02 ahead eaten, 0.01 fills us
    expect(p.fills.map((fill) => [fill.qty.toString(), fill.maker])).toEqual([['0.01', true]]);
    p.trade('sell', '2999.99', '0.0010'); // through our price: the rest fills
    expect(p.fills.map((fill) => fill.qty.toString())).toEqual(['0.01', '0.03']);
    expect(p.updates.at(-1)).toMatchObject({ clientId: '1', status: 'filled' });
    expect((await p.venue.loadPosition()).qty.toString()).toBe('0.04');
  });

  it('cancels ahead of us move us up; a buy aggressor never fills a bid', async () => {
    const p = scripted();
    await p.venue.start();
    p.setBook([['3000.00', '0.5000']], [['3000.10', '1.0000']]);
    await p.venue.placePostOnly({ clientId: '2', side: 'buy', price: d('3000.00'), qty: d('0.0100') });
    await p.clock.advance(200);
    p.setBook([['3000.00', '0.0020']], [['3000.10', '1.0000']]);
    p.trade('buy', '3000.10', '5.0000');
    expect(p.fills).toEqual([]);
    p.trade('sell', '3000.00', '0.0050');
    expect(p.fills.map((fill) => fill.qty.toString())).toEqual(['0.003']);
  });

  it('a post-only that would cross is cancelled; a market order walks the book after the taker delay and pays the taker fee', async () => {
    const p = scripted();
    await p.venue.start();
    p.setBook(
      [['3000.00', '1.0000']],
      [
        ['3000.10', '0.0100'],
        ['3000.20', '1.0000']
      ]
    );
    await p.venue.placePostOnly({ clientId: '3', side: 'buy', price: d('3000.10'), qty: d('0.0100') });
    await p.clock.advance(200);
    expect(p.updates.at(-1)).toMatchObject({ clientId: '3', status: 'cancelled', reason: 'post-only would cross' });
    const result = p.venue.sendMarket({ clientId: '4', side: 'buy', qty: d('0.0300'), worstPrice: d('3001.00') });
    await p.clock.advance(299);
    expect(p.fills).toEqual([]);
    await p.clock.advance(1);
    const filled = await result;
    expect(filled.filledQty.toString()).toBe('0.03');
    expect(filled.avgPrice?.toFixed(2)).toBe('3000.17');
    expect(p.fills.map((fill) => [fill.price.toString(), fill.maker, fill.fee?.toFixed(6)])).toEqual([
      ['3000.1', false, '0.009000'],
      ['3000.2', false, '0.018001']
    ]);
  });

  it('a cancel or cancel-all that arrives during the maker delay keeps the order off the book; the order is listed meanwhile', async () => {
    const p = scripted();
    await p.venue.start();
    p.setBook([['3000.00', '0.0500']], [['3000.10', '1.0000']]);
    const slow = new PaperVenue(
      { book: p.venue.book, market: p.venue.market, bookMessages: 0, start: async () => undefined, stop: async () => undefined },
      { id: 'L', clock: p.clock, delays: { makerMs: 500, takerMs: 300, cancelMs: 100 }, fees: { maker: d('0'), taker: d('0') } }
    );
    const updates: OrderUpdate[] = [];
    slow.setHandlers({
      onBook: () => undefined,
      onFill: () => undefined,
      onOrderUpdate: (update) => void updates.push(update),
      onPosition: () => undefined,
      onConnection: () => undefined,
      onLog: () => undefined
    });
    await slow.placePostOnly({ clientId: 'a', side: 'buy', price: d('3000.00'), qty: d('0.0100') });
    await slow.placePostOnly({ clientId: 'b', side: 'buy', price: d('2999.00'), qty: d('0.0100') });
    expect((await slow.openOrders()).map((order) => order.clientId)).toEqual(['a', 'b']);
    const cancelled = slow.cancel('a');
    const all = slow.cancelAll();
    await p.clock.advance(100);
    await cancelled;
    await all;
    expect(updates.filter((update) => update.status === 'cancelled').map((update) => update.clientId)).toEqual(['a', 'b']);
    expect(await slow.openOrders()).toEqual([]);
    await p.clock.advance(1000);
    // The delay ended: neither landed on the book, and no second status came.
    expect(await slow.openOrders()).toEqual([]);
    expect(updates.map((update) => `${update.clientId}:${update.status}`)).toEqual(['a:cancelled', 'b:cancelled']);
    expect((await slow.queryOrder('a'))?.status).toBe('cancelled');
  });
});
