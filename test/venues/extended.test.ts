import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { systemClock } from '../../src/main/kernel/clock';
import { formatScaled } from '../../src/main/emulator/marketModel';
import { ExtendedVenue } from '../../src/main/venues/extended/extendedVenue';
import { API_KEY, HEADERS, PRIVATE_KEY, STARK_KEY, VAULT, post, signedOrder, startExtended } from '../helpers/extendedEmulator';
import { fixture } from '../helpers/fixtures';
import { recordingHandlers } from '../helpers/recordingHandlers';
import { waitFor } from '../helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connected(options: { wsUrl?: string; snapshotEveryMs?: number; processingMs?: number; accountStaleMs?: number; pageSize?: number } = {}) {
  const env = await startExtended({
    snapshotEveryMs: options.snapshotEveryMs,
    pageSize: options.pageSize,
    ...(options.processingMs ? { processingMs: options.processingMs } : {})
  });
  cleanups.push(() => env.emulator.stop());
  const venue = new ExtendedVenue(
    {
      restUrl: env.emulator.url,
      wsUrl: options.wsUrl ?? env.emulator.wsUrl,
      market: 'ETH-USD',
      apiKey: API_KEY,
      starkPrivateKey: PRIVATE_KEY,
      vault: VAULT,
      marketResultTimeoutMs: 3000,
      accountStaleMs: options.accountStaleMs
    },
    systemClock
  );
  const { record, handlers } = recordingHandlers();
  venue.setHandlers(handlers);
  await venue.start();
  cleanups.push(() => venue.stop());
  if (!options.wsUrl) await waitFor(() => venue.book.ready && venue.health().connected, 'the Extended streams');
  return { ...env, venue, record };
}

const venueTops = (book: { bids: Array<[number, number]>; asks: Array<[number, number]> }) =>
  JSON.stringify([
    book.bids.map(([p, s]) => `${formatScaled(s, 3)}@${formatScaled(p, 1)}`),
    book.asks.map(([p, s]) => `${formatScaled(s, 3)}@${formatScaled(p, 1)}`)
  ]);
const adapterTops = (venue: ExtendedVenue) =>
  JSON.stringify([
    venue.book.depth('bid', 100).map((l) => `${l.size.toFixed(3)}@${l.price.toFixed(1)}`),
    venue.book.depth('ask', 100).map((l) => `${l.size.toFixed(3)}@${l.price.toFixed(1)}`)
  ]);
const price = (scaled: number | undefined) => new Decimal(formatScaled(scaled as number, 1));

describe('Extended adapter against the emulator', () => {
  it('reads the market, the signing domain and fees, and keeps the book equal to the venue', async () => {
    const { venue, market, exchange } = await connected({ snapshotEveryMs: 200 });
    expect([venue.market.minSize.toString(), venue.market.sizeStep.toString(), venue.market.priceTick.toString()]).toEqual(['0.01', '0.001', '0.1']);
    for (let i = 0; i < 20; i++) market.step();
    await waitFor(() => adapterTops(venue) === venueTops(exchange.book()), 'the book to follow the venue');
    // The per-minute (here: 200 ms) snapshot replaces the book and the chain goes on.
    const before = venue.stats.bookMessages;
    await waitFor(() => venue.stats.bookMessages > before, 'the periodic snapshot', 2000);
    market.step();
    await waitFor(() => adapterTops(venue) === venueTops(exchange.book()), 'the book after the snapshot');
    expect(venue.stats.reconnectsForGaps).toBe(0);
  });

  it('a seq gap drops the book and reconnects; the book comes back equal', async () => {
    const { venue, market, exchange, faults, record } = await connected();
    faults.set({ skipSequence: 1 });
    market.step();
    await waitFor(() => venue.stats.reconnectsForGaps === 1, 'the reconnect');
    expect(record.logs.some((line) => line.includes('seq gap'))).toBe(true);
    market.step();
    await waitFor(() => venue.book.ready && adapterTops(venue) === venueTops(exchange.book()), 'the book after reconnecting');
  });

  it('its signed orders verify in the emulator: post-only buys and sells, IOC buys and sells', async () => {
    const { venue, exchange } = await connected();
    const bid = price(exchange.bestBid());
    const ack = await venue.placePostOnly({ clientId: 'mk-1', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.033') });
    expect(BigInt(ack.venueOrderId as string) > 2n ** 53n).toBe(true);
    await venue.placePostOnly({ clientId: 'mk-2', side: 'sell', price: price(exchange.bestAsk()).plus('1'), qty: new Decimal('0.051') });
    await waitFor(() => exchange.orders.size === 2, 'both quotes resting');
    const bought = await venue.sendMarket({
      clientId: 'hg-1',
      side: 'buy',
      qty: new Decimal('0.02'),
      worstPrice: price(exchange.bestAsk()).times('1.005').toDecimalPlaces(1)
    });
    expect(bought.filledQty.toString()).toBe('0.02');
    const sold = await venue.sendMarket({
      clientId: 'hg-2',
      side: 'sell',
      qty: new Decimal('0.015'),
      worstPrice: price(exchange.bestBid()).times('0.995').toDecimalPlaces(1)
    });
    expect(sold.filledQty.toString()).toBe('0.015');
    expect(exchange.record.orders.map((o) => [o.clientId, o.side, o.tif, o.qty])).toEqual([
      ['mk-1', 'buy', 'post_only', 33],
      ['mk-2', 'sell', 'post_only', 51],
      ['hg-1', 'buy', 'ioc', 20],
      ['hg-2', 'sell', 'ioc', 15]
    ]);
  });

  it('partial fills of a post-only give maker fills with the venue trade id and fee; a repeated TRADE counts once', async () => {
    const { venue, exchange, record, faults, emulator } = await connected();
    await venue.placePostOnly({ clientId: 'mk-3', side: 'sell', price: price(exchange.bestAsk()).plus('2'), qty: new Decimal('0.05') });
    await waitFor(() => exchange.orders.size === 1, 'the quote resting');
    faults.set({ duplicateFills: true });
    exchange.fillResting('mk-3', 20);
    exchange.fillResting('mk-3', 10);
    await waitFor(() => record.makerFills.length === 2 && venue.stats.duplicateTrades >= 1, 'two maker deltas and the repeats');
    expect(record.makerFills.map((f) => f.qty.toString())).toEqual(['-0.02', '-0.01']);
    expect(record.fills).toHaveLength(2);
    expect(record.makerFills.every((f) => f.maker && f.orderId === 'mk-3')).toBe(true);
    expect(record.makerFills[0]!.price.toString()).toBe(price(exchange.record.orders[0]!.price).toString());
    // One identity with the REST record: the venue's trade id; the fee as the venue charged it.
    const rest = (await (await fetch(`${emulator.url}/user/trades?market=ETH-USD`, { headers: HEADERS })).text()).match(/"id":(\d+)/g) ?? [];
    expect(record.makerFills.map((f) => `"id":${f.id.slice('E:'.length)}`).sort()).toEqual([...rest].sort());
    expect(record.makerFills.every((f) => f.fee?.isZero())).toBe(true);
  });

  it('reports a post-only that would cross as cancelled with the venue reason', async () => {
    const { venue, exchange, record } = await connected();
    await venue.placePostOnly({ clientId: 'mk-4', side: 'buy', price: price(exchange.bestAsk()), qty: new Decimal('0.02') });
    await waitFor(() => record.orders.some((o) => o.clientId === 'mk-4'), 'the order update');
    expect(record.orders.find((o) => o.clientId === 'mk-4')).toMatchObject({ status: 'cancelled', reason: 'POST_ONLY_FAILED' });
  });

  it("arms the dead man's switch while quoting and clears it on cancel-all", async () => {
    const { venue, exchange, emulator } = await connected();
    await venue.placePostOnly({ clientId: 'mk-5', side: 'buy', price: price(exchange.bestBid()).minus('3'), qty: new Decimal('0.02') });
    await waitFor(() => emulator.deadManArmed(), 'the switch armed');
    await venue.cancelAll();
    expect(emulator.deadManArmed()).toBe(false);
    await waitFor(() => exchange.orders.size === 0, 'mass cancel');
  });

  it('cancels an order the venue accepted but has not processed yet (it waits for it, then cancels)', async () => {
    const { venue, exchange } = await connected({ processingMs: 80 });
    await venue.placePostOnly({ clientId: 'mk-race', side: 'buy', price: price(exchange.bestBid()).minus('3'), qty: new Decimal('0.02') });
    expect(exchange.orders.size).toBe(0);
    await venue.cancel('mk-race');
    expect(exchange.orders.size).toBe(0);
    expect(exchange.record.orders.find((o) => o.clientId === 'mk-race')?.state).toBe('cancelled');
  });

  it('cancels by external id; an unknown one is a typed rejection', async () => {
    const { venue, exchange } = await connected();
    await venue.placePostOnly({ clientId: 'mk-6', side: 'buy', price: price(exchange.bestBid()).minus('3'), qty: new Decimal('0.02') });
    await waitFor(() => exchange.orders.size === 1, 'the quote');
    await venue.cancel('mk-6');
    expect(exchange.orders.size).toBe(0);
    await expect(venue.cancel('mk-6')).rejects.toMatchObject({ kind: 'not_found', code: 1142 });
  });

  it('surfaces 429 as a typed error; a zero balance (404) reads as zero', async () => {
    const { venue, faults } = await connected();
    faults.set({ rateLimit: 1 });
    await expect(venue.loadPosition()).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(venue.health().rateLimited).toBe(1);
    expect((await venue.loadBalance()).toString()).toBe('100000');
  });

  it('loads the position with its open price and comes back after a dropped connection', async () => {
    const { venue, exchange, faults, record, market } = await connected();
    await venue.sendMarket({ clientId: 'hg-3', side: 'sell', qty: new Decimal('0.03'), worstPrice: price(exchange.bestBid()).minus('5') });
    const position = await venue.loadPosition();
    expect(position.qty.toString()).toBe('-0.03');
    faults.drop();
    await waitFor(() => record.connections.some((c) => !c.connected), 'the disconnect');
    market.step();
    await waitFor(() => venue.health().connected && venue.book.ready, 'the reconnect');
  });

  it('reads the account as the venue reports it: mark, liquidation price, margin, equity and the hourly funding rate', async () => {
    const { venue, exchange } = await connected();
    const flat = await venue.accountView();
    expect(flat).toMatchObject({ liquidationPrice: null, markPrice: null, fundingAccrued: null });
    expect(flat.fundingRate?.toString()).toBe('0.0000125');
    await venue.sendMarket({ clientId: 'hg-7', side: 'sell', qty: new Decimal('0.03'), worstPrice: price(exchange.bestBid()).minus('5') });
    const short = await venue.accountView();
    // A short at 5x is liquidated above its entry.
    expect(short.liquidationPrice?.gt(exchange.position.avgEntry)).toBe(true);
    expect(short.markPrice?.gt(0)).toBe(true);
    expect(short.marginUsed?.gt(0)).toBe(true);
    expect(short.equity).not.toBeNull();
    // Extended's position carries no funding paid: not a zero, unknown.
    expect(short.fundingAccrued).toBeNull();
  });
});

describe('Extended adapter: start-up baseline', () => {
  it('does not count fills made on open orders before it started (they are in the REST position)', async () => {
    const env = await startExtended();
    cleanups.push(() => env.emulator.stop());
    const body = signedOrder({ id: 'before-1', side: 'BUY', qty: '0.050', price: formatScaled((env.exchange.bestBid() as number) - 10, 1) });
    expect((await post(`${env.emulator.url}/user/order`, body)).status).toBe(200);
    await waitFor(() => env.exchange.orders.size === 1, 'the order resting');
    env.exchange.fillResting('before-1', 20);
    const venue = new ExtendedVenue(
      { restUrl: env.emulator.url, wsUrl: env.emulator.wsUrl, market: 'ETH-USD', apiKey: API_KEY, starkPrivateKey: PRIVATE_KEY, vault: VAULT },
      systemClock
    );
    const { record, handlers } = recordingHandlers();
    venue.setHandlers(handlers);
    await venue.start();
    cleanups.push(() => venue.stop());
    await waitFor(() => venue.health().connected, 'the streams');
    expect((await venue.loadPosition()).qty.toString()).toBe('0.02');
    // The next fill on that order counts, and only its own size.
    env.exchange.fillResting('before-1', 10);
    await waitFor(() => record.fills.length === 1, 'the new fill');
    expect(record.fills[0]?.qty.toString()).toBe('0.01');
    expect(record.makerFills).toHaveLength(1);
  });
});

describe('Extended adapter: bad input from the stream', () => {
  it('logs and counts malformed frames and never uses a crossed book', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const port = (wss.address() as AddressInfo).port;
    let connections = 0;
    wss.on('connection', (socket, request) => {
      if (!request.url?.includes('orderbooks')) return;
      connections += 1;
      if (connections > 1) return;
      socket.send('{oops');
      socket.send(JSON.stringify({ ts: 1, type: 'SNAPSHOT', data: { m: 'ETH-USD', b: 'x', a: [] }, seq: 1 }));
      socket.send(
        JSON.stringify({
          ts: 1,
          type: 'SNAPSHOT',
          data: { m: 'ETH-USD', b: [{ p: '3000.0', q: '1.000', c: '1.000' }], a: [{ p: '3000.1', q: '1.000', c: '1.000' }] },
          seq: 1
        })
      );
      socket.send(JSON.stringify({ ts: 2, type: 'DELTA', data: { m: 'ETH-USD', b: [{ p: '3000.2', q: '1.000', c: '1.000' }], a: [] }, seq: 2 }));
    });
    const { venue, record } = await connected({ wsUrl: `ws://127.0.0.1:${port}` });
    await waitFor(() => venue.stats.reconnectsForGaps === 1, 'the crossed book to be dropped');
    expect(venue.stats.malformedFrames).toBe(2);
    expect(record.logs.some((line) => line.includes('crossed book'))).toBe(true);
    expect(venue.book.ready).toBe(false);
  });
});

describe('Extended adapter: outcomes the venue must settle', () => {
  it('fills made while the account stream is down are recovered from REST trades by the venue order id', async () => {
    const { venue, faults, exchange, record } = await connected();
    const bid = price(exchange.bestBid());
    await venue.placePostOnly({ clientId: 'mk-down', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.05') });
    await waitFor(() => exchange.orders.has('mk-down'), 'the quote resting');
    faults.set({ accountDownMs: 1000 });
    faults.drop('account');
    await waitFor(() => !venue.health().connected, 'the account stream down');
    exchange.fillResting('mk-down', 20);
    await waitFor(() => record.fills.some((fill) => fill.orderId === 'mk-down'), 'the fill recovered after the reconnect', 8000);
    const fill = record.fills.find((f) => f.orderId === 'mk-down');
    expect(fill?.qty.toString()).toBe('0.02');
    expect(fill?.maker).toBe(true);
  });

  it("an empty reply of the dead man's switch is success: no false alarm on refresh or cancel-all", async () => {
    // The emulator answers the switch with an empty body, as the venue does (CCXT cancelAllOrdersAfter).
    const { venue, exchange, record } = await connected();
    await venue.placePostOnly({ clientId: 'mk-dms', side: 'buy', price: price(exchange.bestBid()).minus('1'), qty: new Decimal('0.05') });
    await venue.cancelAll();
    expect(record.logs.filter((line) => line.includes("dead man's switch"))).toEqual([]);
  });

  it('a create whose connection closed before the answer is unknown; GET /user/orders/external finds it', async () => {
    const { venue, faults, exchange } = await connected();
    faults.set({ lostAcks: 1 });
    await expect(
      venue.placePostOnly({ clientId: 'mk-lost', side: 'buy', price: price(exchange.bestBid()).minus('1'), qty: new Decimal('0.05') })
    ).rejects.toMatchObject({ kind: 'unknown' });
    await waitFor(() => exchange.orders.has('mk-lost'), 'the order resting');
    expect(await venue.queryOrder('mk-lost')).toMatchObject({ clientId: 'mk-lost', status: 'open', side: 'buy' });
    expect((await venue.openOrders()).map((order) => order.clientId)).toEqual(['mk-lost']);
    expect(await venue.queryOrder('never-sent')).toBeNull();
  });

  it('a stale PARTIALLY_FILLED after FILLED adds nothing (finished orders are remembered)', async () => {
    const { venue, exchange, record } = await connected();
    await venue.placePostOnly({ clientId: 'mk-stale', side: 'sell', price: price(exchange.bestAsk()).plus('1'), qty: new Decimal('0.05') });
    await waitFor(() => exchange.orders.has('mk-stale'), 'resting');
    exchange.fillResting('mk-stale');
    await waitFor(() => record.orders.some((o) => o.clientId === 'mk-stale' && o.status === 'filled'), 'filled');
    const fills = record.fills.length;
    const stale = {
      type: 'ORDER',
      data: {
        orders: [
          {
            id: 1,
            externalId: 'mk-stale',
            market: 'ETH-USD',
            status: 'PARTIALLY_FILLED',
            filledQty: '0.07',
            averagePrice: '3000',
            side: 'SELL',
            type: 'LIMIT',
            postOnly: true,
            qty: '0.1',
            price: '3000.0'
          }
        ]
      }
    };
    const orders = record.orders.length;
    (venue as unknown as { onAccountFrame(text: string, at: number): void }).onAccountFrame(JSON.stringify(stale), Date.now());
    expect(record.fills.length).toBe(fills);
    expect(record.orders.length).toBe(orders);
    expect(venue.stats.malformedFrames).toBe(0);
  });
});

describe('Extended adapter: a half-open account socket', () => {
  it('is found dead by its pings (the venue sends none) and replaced; a quiet but answering one is kept', async () => {
    const { venue, faults, record } = await connected({ accountStaleMs: 200 });
    // Quiet but alive: nothing to say on the account stream, pongs come back.
    await new Promise((resolve) => setTimeout(resolve, 900));
    expect(record.connections.filter((c) => !c.connected)).toEqual([]);
    faults.set({ halfOpen: true });
    await waitFor(() => record.connections.some((c) => !c.connected && c.detail.includes('dead')), 'the dead account socket noticed', 5000);
    faults.set({ halfOpen: false });
    await waitFor(() => venue.health().connected, 'back after the half-open socket', 5000);
  });
});

describe('Extended adapter: the account stream says which frames are its opening state', () => {
  it('the flag sits inside data: an ORDER update flagged not a snapshot before the opening state is an update, not the baseline', async () => {
    const { venue, record } = await connected();
    const adapter = venue as unknown as { awaitingOrderState: boolean; ordersBaselined: boolean; onAccountFrame(text: string, at: number): void };
    // As right after connecting at start, before the opening state arrived.
    adapter.awaitingOrderState = true;
    adapter.ordersBaselined = false;
    const update = {
      type: 'ORDER',
      data: {
        isSnapshot: false,
        orders: [
          {
            id: 7,
            externalId: 'mk-early',
            market: 'ETH-USD',
            status: 'PARTIALLY_FILLED',
            filledQty: '0.02',
            side: 'BUY',
            type: 'LIMIT',
            postOnly: true,
            price: '3000.0',
            qty: '0.05'
          }
        ]
      },
      ts: 1,
      seq: 1
    };
    adapter.onAccountFrame(JSON.stringify(update), Date.now());
    expect(record.orders.map((order) => [order.clientId, order.status, order.filledQty.toString()])).toEqual([['mk-early', 'partially_filled', '0.02']]);
    // The opening state that follows (the live venue's shape) is the baseline: no update from it.
    const opening = fixture<{ frames: unknown[] }>('extended', 'ws_account_opening');
    for (const frame of opening.frames) adapter.onAccountFrame(JSON.stringify(frame), Date.now());
    expect(adapter.ordersBaselined).toBe(true);
    expect(record.orders).toHaveLength(1);
  });
});

describe('Extended adapter: the variants the venue produces', () => {
  it("an IOC's final ORDER frame without filledQty keeps the fills counted: the hedge is not given back", async () => {
    const { venue, exchange, faults, record } = await connected();
    faults.set({ finalWithoutFilledQty: true });
    const result = await venue.sendMarket({ clientId: 'hg-nofq', side: 'buy', qty: new Decimal('0.02'), worstPrice: price(exchange.bestAsk()).plus('5') });
    expect(result.filledQty.toString()).toBe('0.02');
    expect(record.fills.filter((fill) => fill.orderId === 'hg-nofq').map((fill) => fill.qty.toString())).toEqual(['0.02']);
  });

  it('a TP/SL order of the web app (price null) is not ours: open orders list without it, and it is shown as foreign', async () => {
    const { venue, exchange, faults, record } = await connected();
    await venue.placePostOnly({ clientId: 'mk-tp', side: 'buy', price: price(exchange.bestBid()).minus('3'), qty: new Decimal('0.02') });
    await waitFor(() => exchange.orders.size === 1, 'our quote');
    faults.set({ tpslOrder: true });
    expect((await venue.openOrders()).map((order) => order.clientId)).toEqual(['mk-tp']);
    await waitFor(() => record.foreign.length > 0, 'the foreign order shown');
    expect(record.foreign[0]).toContain('TPSL');
  });

  it('POSITION frames of another market say nothing of ours', async () => {
    const { venue, exchange, faults, record } = await connected();
    faults.set({ foreignPositions: true });
    await venue.sendMarket({ clientId: 'hg-pos', side: 'sell', qty: new Decimal('0.03'), worstPrice: price(exchange.bestBid()).minus('5') });
    await waitFor(() => record.positions.some((position) => !position.qty.isZero()), 'our position frame');
    await new Promise((resolve) => setTimeout(resolve, 100));
    // The opening state said flat; after the fill only ours is heard, the BTC-USD frames change nothing.
    const after = record.positions.slice(record.positions.findIndex((position) => !position.qty.isZero()));
    expect(after.map((position) => position.qty.toString())).toEqual(['-0.03']);
  });

  it('a cancel of an order already gone, refused with a code that is not 404, is "not found" once the record says it ended', async () => {
    const { venue, exchange, faults } = await connected();
    faults.set({ cancelGoneAsRejection: true });
    await venue.placePostOnly({ clientId: 'mk-gone', side: 'sell', price: price(exchange.bestAsk()).plus('2'), qty: new Decimal('0.02') });
    await waitFor(() => exchange.orders.size === 1, 'resting');
    exchange.fillResting('mk-gone');
    await expect(venue.cancel('mk-gone')).rejects.toMatchObject({ kind: 'not_found' });
  });

  it('a zero balance is HTTP 404, whatever code its envelope carries', async () => {
    const env = await startExtended({
      account: { accountId: 1, apiKey: API_KEY, starkKey: STARK_KEY, vault: VAULT, balance: '0', makerFeeRate: '0', takerFeeRate: '0.00025' }
    });
    cleanups.push(() => env.emulator.stop());
    const venue = new ExtendedVenue(
      { restUrl: env.emulator.url, wsUrl: env.emulator.wsUrl, market: 'ETH-USD', apiKey: API_KEY, starkPrivateKey: PRIVATE_KEY, vault: VAULT },
      systemClock
    );
    expect((await venue.loadBalance()).toString()).toBe('0');
  });

  it('trades made while the account stream was down are read page by page (cursor), each once', async () => {
    const { venue, faults, exchange, record } = await connected({ pageSize: 2 });
    await venue.placePostOnly({ clientId: 'mk-pages', side: 'buy', price: price(exchange.bestBid()).minus('1'), qty: new Decimal('0.05') });
    await waitFor(() => exchange.orders.has('mk-pages'), 'resting');
    exchange.fillResting('mk-pages', 10);
    await waitFor(() => record.fills.length === 1, 'the first fill, streamed');
    faults.set({ accountDownMs: 1000 });
    faults.drop('account');
    await waitFor(() => !venue.health().connected, 'the account stream down');
    for (let i = 0; i < 5; i++) exchange.fillResting('mk-pages', 5);
    await waitFor(() => record.fills.length === 6, 'five fills recovered over three pages', 8000);
    expect(record.fills.map((fill) => fill.qty.toString())).toEqual(['0.01', '0.005', '0.005', '0.005', '0.005', '0.005']);
    expect(new Set(record.fills.map((fill) => fill.id)).size).toBe(6);
  });

  it('ids as JSON strings, DELTA levels without c: the book and the fills are the same', async () => {
    const { venue, faults, exchange, record, market } = await connected();
    faults.set({ idsAsStrings: true, deltaWithoutC: true });
    const ack = await venue.placePostOnly({ clientId: 'mk-str', side: 'sell', price: price(exchange.bestAsk()).plus('2'), qty: new Decimal('0.02') });
    expect(ack.venueOrderId).toMatch(/^\d{19}$/);
    await waitFor(() => exchange.orders.size === 1, 'resting');
    exchange.fillResting('mk-str', 10);
    await waitFor(() => record.fills.some((fill) => fill.orderId === 'mk-str'), 'the fill by its string ids');
    for (let i = 0; i < 10; i++) market.step();
    await waitFor(() => adapterTops(venue) === venueTops(exchange.book()), 'the book from q changes alone');
  });

  it('an HTML error page answering a create is unknown (it may have gone through); HTTP 200 with status ERROR is an error', async () => {
    const { venue, exchange, faults } = await connected();
    faults.set({ htmlErrors: 1 });
    await expect(
      venue.placePostOnly({ clientId: 'mk-html', side: 'buy', price: price(exchange.bestBid()).minus('3'), qty: new Decimal('0.02') })
    ).rejects.toMatchObject({ kind: 'unknown', httpStatus: 503 });
    faults.set({ ok200Errors: 1 });
    await expect(venue.loadPosition()).rejects.toMatchObject({ kind: 'rejected', httpStatus: 200 });
  });

  it("health says since when every REST request has failed; the venue's own refusal is an answer, and clears it", async () => {
    const { venue, faults } = await connected();
    expect(venue.health().restFailing).toBeNull();
    faults.set({ htmlErrors: 2 });
    await expect(venue.loadPosition()).rejects.toMatchObject({ kind: 'network' });
    const failing = venue.health().restFailing;
    expect(failing?.lastError).toContain('not JSON');
    await expect(venue.loadPosition()).rejects.toMatchObject({ kind: 'network' });
    expect(venue.health().restFailing?.sinceMs).toBe(failing?.sinceMs);
    faults.set({ ok200Errors: 1 });
    await expect(venue.loadPosition()).rejects.toMatchObject({ kind: 'rejected' });
    expect(venue.health().restFailing).toBeNull();
  });
});
