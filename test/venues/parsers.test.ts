/**
 * The parsers on the venues' example messages (test/fixtures/venues), directly: what each message
 * means to the adapter, field by field.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import { extendedMarketFrom, parseExtendedBookFrame } from '../../src/main/venues/extended/parse';
import { freshPublicTrades, lighterMarketFrom, parseLighterFrame } from '../../src/main/venues/lighter/parse';
import { parseLosslessJson } from '../../src/main/venues/common/losslessJson';

const example = (venue: 'lighter' | 'extended', name: string) => readFileSync(join(__dirname, '..', 'fixtures', 'venues', venue, `${name}.json`), 'utf8');

describe('Lighter parser on the example messages', () => {
  const parse = (name: string) => parseLighterFrame(example('lighter', name), 0);

  it('control frames: connected, ping, a sendtx ack, a sendtx error and an error frame', () => {
    expect(parse('ws_connected')).toEqual({ kind: 'connected' });
    expect(parse('ws_ping_from_server')).toEqual({ kind: 'ping' });
    expect(parse('ws_sendtx_response_ok')).toMatchObject({ kind: 'tx', id: 'mk-1795000000001', ok: true });
    // A refused tx: on its own type with the venue's code (an answer), or an error frame without the tx's id.
    expect(parse('ws_sendtx_response_refused')).toMatchObject({ kind: 'tx', ok: false, code: 21104, message: 'invalid nonce', id: 'mk-1795000000002' });
    expect(parse('ws_sendtx_response_error')).toEqual({ kind: 'error', id: undefined, code: 21104, message: 'invalid nonce' });
    expect(parseLighterFrame('{"type":"error","code":30009,"message":"rate limited"}', 0)).toMatchObject({ kind: 'error', code: 30009 });
    expect(parse('ws_error_frame')).toMatchObject({ kind: 'error', code: 30005 });
  });

  it('order book snapshot and update: levels and the nonce chain', () => {
    const snapshot = parse('ws_order_book_snapshot');
    expect(snapshot).toMatchObject({ kind: 'book', snapshot: true, nonce: 4037957034 });
    const update = parse('ws_order_book_update');
    expect(update).toMatchObject({ kind: 'book', snapshot: false, nonce: 4037957053, beginNonce: 4037957034 });
    // A zero size removes the level.
    if (update.kind === 'book') expect(update.asks).toContainEqual({ price: '3012.47', size: '0.0000' });
  });

  it("account frames keep our market only: keyed by market or a flat list, the others counted as foreign; a trade's fee rates", () => {
    const trade = (market: number, id: number, fee?: number) => ({
      trade_id: id,
      market_id: market,
      size: '0.0100',
      price: '3000.00',
      usd_amount: '30.000000',
      ask_account_id: 1,
      bid_account_id: 2,
      is_maker_ask: true,
      ...(fee === undefined ? {} : { taker_fee: fee })
    });
    const flat = parseLighterFrame(JSON.stringify({ type: 'update/account_all_trades', trades: [trade(0, 1, 280), trade(1, 2)] }), 0);
    expect(flat).toMatchObject({ kind: 'trades', foreign: 1, trades: [{ tradeId: '1', marketId: 0, takerFee: 280, makerFee: 0, usdAmount: '30.000000' }] });
    const keyed = parseLighterFrame(JSON.stringify({ type: 'update/account_all_trades', trades: { '0': [trade(0, 3)], '1': [trade(1, 4), trade(1, 5)] } }), 0);
    expect(keyed).toMatchObject({ kind: 'trades', foreign: 2, trades: [{ tradeId: '3' }] });
    // The subscription's snapshot may carry volumes only.
    expect(parseLighterFrame(JSON.stringify({ type: 'subscribed/account_all_trades', total_volume: 0 }), 0)).toMatchObject({
      kind: 'trades',
      snapshot: true,
      trades: []
    });
  });

  it("public trades: the subscription's recent history is not fresh flow; pushes carry trade ids", () => {
    const trade = { trade_id: 5, size: '0.1000', price: '3000.00', is_maker_ask: true };
    const subscribed = parseLighterFrame(JSON.stringify({ type: 'subscribed/trade', channel: 'trade:0', trades: [trade] }), 0);
    const update = parseLighterFrame(JSON.stringify({ type: 'update/trade', channel: 'trade:0', trades: [trade] }), 0);
    if (subscribed.kind !== 'publicTrades' || update.kind !== 'publicTrades') throw new Error('not public trades');
    expect(freshPublicTrades(subscribed)).toEqual([]);
    expect(freshPublicTrades(update).map((t) => [t.id, t.aggressor, t.qty.toString()])).toEqual([['L:5', 'buy', '0.1']]);
  });

  it('account trades, orders and positions of our market', () => {
    const trades = parse('ws_account_all_trades_update');
    expect(trades.kind).toBe('trades');
    if (trades.kind === 'trades') {
      expect(trades.trades.length).toBeGreaterThan(0);
      expect(trades.trades[0]).toMatchObject({ bidAccount: expect.any(Number), askAccount: expect.any(Number), makerIsAsk: expect.any(Boolean) });
    }
    const orders = parse('ws_account_all_orders_update');
    expect(orders.kind).toBe('orders');
    if (orders.kind === 'orders') expect(orders.orders[0]).toMatchObject({ clientOrderIndex: expect.any(Number), status: expect.any(String) });
    const positions = parse('ws_account_all_positions_update');
    expect(positions.kind).toBe('positions');
  });

  it('market details from orderBooks: minimums and decimals', () => {
    const details = lighterMarketFrom(JSON.parse(example('lighter', 'rest_order_books_response')) as Record<string, unknown>, 'ETH');
    expect(details.marketId).toBe(0);
    expect(details.info.minSize.gt(0)).toBe(true);
    expect(details.info.priceTick.toString()).toBe(new Decimal(1).div(new Decimal(10).pow(details.priceDecimals)).toString());
  });
});

describe('Extended parser on the example messages', () => {
  it('order book SNAPSHOT, DELTA (relative q, absolute c) and the depth-1 stream', () => {
    expect(parseExtendedBookFrame(example('extended', 'ws_orderbook_snapshot'))).toMatchObject({ type: 'SNAPSHOT', seq: 1 });
    const delta = parseExtendedBookFrame(example('extended', 'ws_orderbook_delta'));
    expect(delta).toMatchObject({ type: 'DELTA', seq: 2 });
    expect(delta.bids.length + delta.asks.length).toBeGreaterThan(0);
    expect(parseExtendedBookFrame(example('extended', 'ws_orderbook_depth1')).type).toBeDefined();
  });

  it('markets: minimums, steps and the signing config, with ids kept exact', () => {
    const envelope = parseLosslessJson(example('extended', 'rest_markets_response')) as { data: unknown };
    const names = (envelope.data as Array<{ name: string }>).map((market) => market.name);
    const market = extendedMarketFrom(envelope.data, names[0] as string);
    expect(market.info.minSize.gt(0)).toBe(true);
    expect(market.l2.syntheticId).toMatch(/^0x/);
    expect(market.l2.collateralResolution).toBeGreaterThan(0);
  });
});
