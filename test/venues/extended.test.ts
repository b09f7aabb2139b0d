import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import { systemClock } from '../../src/main/kernel/clock';
import { formatScaled } from '../../src/main/emulator/marketModel';
import { ExtendedVenue } from '../../src/main/venues/extended/extendedVenue';
import { API_KEY, PRIVATE_KEY, VAULT, post, signedOrder, startExtended } from '../helpers/extendedEmulator';
import { recordingHandlers } from '../helpers/recordingHandlers';
import { waitFor } from '../helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function connected(options: { wsUrl?: string; snapshotEveryMs?: number; processingMs?: number; accountStaleMs?: number } = {}) {
  const env = await startExtended({ snapshotEveryMs: options.snapshotEveryMs, ...(options.processingMs ? { processingMs: options.processingMs } : {}) });
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

  it('partial fills of a post-only give maker deltas; a repeated ORDER update counts once', async () => {
    const { venue, exchange, record, faults } = await connected();
    await venue.placePostOnly({ clientId: 'mk-3', side: 'sell', price: price(exchange.bestAsk()).plus('2'), qty: new Decimal('0.05') });
    await waitFor(() => exchange.orders.size === 1, 'the quote resting');
    faults.set({ duplicateFills: true });
    exchange.fillResting('mk-3', 20);
    exchange.fillResting('mk-3', 10);
    await waitFor(() => record.makerFills.length === 2 && venue.stats.repeatedUpdates >= 1, 'two maker deltas and the repeats');
    expect(record.makerFills.map((f) => f.qty.toString())).toEqual(['-0.02', '-0.01']);
    expect(record.fills).toHaveLength(2);
    expect(record.makerFills.every((f) => f.maker && f.orderId === 'mk-3')).toBe(true);
    expect(record.makerFills[0]!.price.toString()).toBe(price(exchange.record.orders[0]!.price).toString());
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
    const { venue, faults, exchange, record } = await connected();
    faults.set({ emptyReplies: true });
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
            postOnly: true
          }
        ]
      }
    };
    (venue as unknown as { onAccountFrame(text: string, at: number): void }).onAccountFrame(JSON.stringify(stale), Date.now());
    expect(record.fills.length).toBe(fills);
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
  it('an update that comes before the opening state (isSnapshot false) is counted, not taken for the baseline', async () => {
    const { venue, record } = await connected();
    const adapter = venue as unknown as { awaitingOrderState: boolean; ordersBaselined: boolean; onAccountFrame(text: string, at: number): void };
    // As right after connecting at start, before the opening state arrived.
    adapter.awaitingOrderState = true;
    adapter.ordersBaselined = false;
    const update = {
      type: 'ORDER',
      isSnapshot: false,
      data: {
        orders: [
          {
            id: 7,
            externalId: 'mk-early',
            market: 'ETH-USD',
            status: 'PARTIALLY_FILLED',
            filledQty: '0.02',
            averagePrice: '3000.0',
            side: 'BUY',
            type: 'LIMIT',
            postOnly: true,
            price: '3000.0'
          }
        ]
      }
    };
    adapter.onAccountFrame(JSON.stringify(update), Date.now());
    expect(record.fills.map((fill) => [fill.orderId, fill.qty.toString()])).toEqual([['mk-early', '0.02']]);
    // The opening state that follows is the baseline.
    const opening = { type: 'ORDER', isSnapshot: true, data: { orders: [] } };
    adapter.onAccountFrame(JSON.stringify(opening), Date.now());
    expect(record.fills).toHaveLength(1);
  });
});
