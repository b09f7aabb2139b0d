import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer } from 'ws';
import type { AddressInfo } from 'node:net';
import { systemClock } from '../../src/main/kernel/clock';
import { formatScaled } from '../../src/main/emulator/marketModel';
import { LighterVenue } from '../../src/main/venues/lighter/lighterVenue';
import { generateLighterApiKey, loadWasmLighterSigner, type LighterSigner, type SignedTx } from '../../src/main/venues/lighter/signer';
import { ACCOUNT, API_KEY, createOrderInfo, postForm, startLighter } from '../helpers/lighterEmulator';
import { recordingHandlers } from '../helpers/recordingHandlers';
import { waitFor } from '../helpers/waitFor';

let privateKey = '';
beforeAll(async () => {
  privateKey = (await generateLighterApiKey()).privateKey;
});

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

/** Wraps the signer to keep every tx it produced. */
function spying(signer: LighterSigner) {
  const txs: SignedTx[] = [];
  let tokens = 0;
  const keep = (tx: SignedTx) => (txs.push(tx), tx);
  const spy: LighterSigner = {
    signCreateOrder: (p) => keep(signer.signCreateOrder(p)),
    signCancelOrder: (p) => keep(signer.signCancelOrder(p)),
    signCancelAllOrders: (p) => keep(signer.signCancelAllOrders(p)),
    createAuthToken: (deadline) => (tokens++, signer.createAuthToken(deadline))
  };
  return { spy, txs, tokens: () => tokens };
}

async function connected(
  options: {
    wsUrl?: string;
    staleBookMs?: number;
    recordPath?: string;
    requestsPerMinute?: number;
    reserve?: number;
    authTokenTtlMs?: number;
    deadMan?: boolean;
    deadManMs?: number;
    deadManRefreshMs?: number;
    emulator?: Parameters<typeof startLighter>[0];
  } = {}
) {
  const env = await startLighter(options.emulator);
  cleanups.push(() => env.emulator.stop());
  const signer = await loadWasmLighterSigner({ apiPrivateKey: privateKey, accountIndex: ACCOUNT, apiKeyIndex: API_KEY, chainId: 300 });
  const { spy, txs, tokens } = spying(signer);
  const venue = new LighterVenue(
    {
      restUrl: env.emulator.url,
      wsUrl: options.wsUrl ?? env.emulator.wsUrl,
      chainId: 300,
      symbol: 'ETH',
      accountIndex: ACCOUNT,
      apiKeyIndex: API_KEY,
      apiPrivateKey: privateKey,
      staleBookMs: options.staleBookMs,
      recordPath: options.recordPath,
      requestsPerMinute: options.requestsPerMinute,
      reserve: options.reserve,
      authTokenTtlMs: options.authTokenTtlMs,
      // The dead man's switch adds a tx per placement; the tests of other behaviour count txs without it.
      deadManMs: options.deadMan ? options.deadManMs : 0,
      deadManRefreshMs: options.deadManRefreshMs
    },
    spy,
    systemClock
  );
  const { record, handlers } = recordingHandlers();
  venue.setHandlers(handlers);
  await venue.start();
  cleanups.push(() => venue.stop());
  if (!options.wsUrl) await waitFor(() => venue.book.ready && venue.health().connected, 'the Lighter book and account streams');
  return { ...env, venue, record, txs, tokens };
}

const topsOf = (book: { bids: Array<[number, number]>; asks: Array<[number, number]> }, levels = 25) => ({
  bids: book.bids.slice(0, levels).map(([p, s]) => `${formatScaled(s, 4)}@${formatScaled(p, 2)}`),
  asks: book.asks.slice(0, levels).map(([p, s]) => `${formatScaled(s, 4)}@${formatScaled(p, 2)}`)
});
const adapterTops = (venue: LighterVenue, levels = 25) => ({
  bids: venue.book.depth('bid', levels).map((l) => `${l.size.toFixed(4)}@${l.price.toFixed(2)}`),
  asks: venue.book.depth('ask', levels).map((l) => `${l.size.toFixed(4)}@${l.price.toFixed(2)}`)
});

describe('Lighter adapter against the emulator', () => {
  it('loads market details and keeps the book equal to the venue through snapshot and updates', async () => {
    const { venue, market, exchange } = await connected();
    expect(venue.market.minSize.toString()).toBe('0.005');
    expect(venue.market.minValue.toString()).toBe('10');
    expect(venue.market.sizeStep.toString()).toBe('0.0001');
    expect(venue.market.priceTick.toString()).toBe('0.01');
    for (let i = 0; i < 30; i++) market.step();
    await waitFor(() => JSON.stringify(adapterTops(venue)) === JSON.stringify(topsOf(exchange.book())), 'the book to follow the venue');
  });

  it('a begin_nonce gap drops the book and resubscribes; the book comes back equal', async () => {
    const { venue, market, exchange, faults, record } = await connected();
    faults.set({ skipSequence: 1 });
    market.step();
    await waitFor(() => venue.stats.resyncs === 1, 'a resync');
    expect(record.logs.some((line) => line.includes('nonce gap'))).toBe(true);
    market.step();
    await waitFor(() => venue.book.ready && JSON.stringify(adapterTops(venue)) === JSON.stringify(topsOf(exchange.book())), 'the book after the resync');
  });

  it('places post-only orders and IOCs with exact integers, sequential nonces and client order indexes', async () => {
    const { venue, exchange, txs, emulator } = await connected();
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    await venue.placePostOnly({ clientId: '17000000000001', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.0333') });
    await venue.placePostOnly({ clientId: '17000000000002', side: 'sell', price: bid.plus('50'), qty: new Decimal('0.05') });
    const infos = txs.map((tx) => JSON.parse(tx.txInfo) as Record<string, number>);
    expect(infos[0]).toMatchObject({
      MarketIndex: 0,
      ClientOrderIndex: 17000000000001,
      BaseAmount: 333,
      Price: Number(bid.minus(1).times(100)),
      IsAsk: 0,
      Type: 0,
      TimeInForce: 2,
      Nonce: 1841
    });
    expect(infos[1]).toMatchObject({ ClientOrderIndex: 17000000000002, BaseAmount: 500, IsAsk: 1, Nonce: 1842 });
    expect((infos[0]?.OrderExpiry ?? 0) - Date.now()).toBeGreaterThan(27 * 86_400_000);
    await waitFor(() => exchange.orders.size === 2, 'both orders resting');
    const ask = new Decimal(formatScaled(exchange.bestAsk() as number, 2));
    const result = await venue.sendMarket({
      clientId: '17000000000003',
      side: 'buy',
      qty: new Decimal('0.02'),
      worstPrice: ask.times('1.005').toDecimalPlaces(2)
    });
    expect(result.filledQty.toString()).toBe('0.02');
    expect(JSON.parse(txs[2]!.txInfo)).toMatchObject({ Type: 1, TimeInForce: 0, OrderExpiry: 0, BaseAmount: 200, Nonce: 1843 });
    expect(emulator.nonceOf(API_KEY)).toBe(1844);
  });

  it('resynchronises the nonce after an invalid-nonce answer', async () => {
    const { venue, exchange, emulator, record } = await connected();
    // Someone else used this API key: our next nonce is now stale.
    const reply = await postForm(`${emulator.url}/api/v1/sendTx`, {
      tx_type: '14',
      tx_info: JSON.stringify(createOrderInfo({ ClientOrderIndex: 99, Nonce: 1841, Price: 200000 }))
    });
    expect(reply.status).toBe(200);
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    await venue.placePostOnly({ clientId: '17000000000011', side: 'buy', price: bid.minus('2'), qty: new Decimal('0.01') });
    expect(venue.stats.nonceResyncs).toBe(1);
    expect(record.logs.some((line) => line.includes('invalid nonce 1841'))).toBe(true);
    expect(emulator.nonceOf(API_KEY)).toBe(1843);
  });

  it('reports maker and taker fills as signed deltas, and a replayed trade once', async () => {
    const { venue, exchange, record, faults } = await connected();
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    await venue.placePostOnly({ clientId: '17000000000021', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.05') });
    await waitFor(() => exchange.orders.size === 1, 'the order resting');
    faults.set({ duplicateFills: true });
    exchange.fillResting('17000000000021', 200);
    await waitFor(() => record.makerFills.length === 1 && venue.stats.duplicateTrades === 1, 'the maker fill and its duplicate');
    expect(record.makerFills[0]).toMatchObject({ venue: 'L', maker: true, orderId: '17000000000021' });
    expect(record.makerFills[0]!.qty.toString()).toBe('0.02');
    faults.set({ duplicateFills: false });
    const ask = new Decimal(formatScaled(exchange.bestAsk() as number, 2));
    await venue.sendMarket({ clientId: '17000000000022', side: 'sell', qty: new Decimal('0.01'), worstPrice: bid.times('0.99').toDecimalPlaces(2) });
    void ask;
    await waitFor(() => record.fills.length === 2, 'the taker fill');
    expect(record.fills[1]!.qty.toString()).toBe('-0.01');
    expect(record.fills[1]!.maker).toBe(false);
    expect(record.makerFills).toHaveLength(1);
    // The partial fill shows in the order lifecycle too.
    expect(record.orders.some((o) => o.clientId === '17000000000021' && o.status === 'partially_filled' && o.filledQty.toString() === '0.02')).toBe(true);
  });

  it('reports a post-only order that would cross as cancelled after the API accepted it', async () => {
    const { venue, exchange, record } = await connected();
    const ask = new Decimal(formatScaled(exchange.bestAsk() as number, 2));
    await venue.placePostOnly({ clientId: '17000000000031', side: 'buy', price: ask, qty: new Decimal('0.01') });
    await waitFor(() => record.orders.some((o) => o.clientId === '17000000000031'), 'the order update');
    expect(record.orders.find((o) => o.clientId === '17000000000031')).toMatchObject({ status: 'cancelled', reason: 'post-only' });
  });

  it('cancels by client order index and cancels all', async () => {
    const { venue, exchange, record } = await connected();
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    for (const id of ['17000000000041', '17000000000042'])
      await venue.placePostOnly({ clientId: id, side: 'buy', price: bid.minus('3'), qty: new Decimal('0.01') });
    await waitFor(() => exchange.orders.size === 2, 'two resting orders');
    await venue.cancel('17000000000041');
    await waitFor(() => exchange.orders.size === 1, 'one cancelled');
    await venue.cancelAll();
    await waitFor(() => exchange.orders.size === 0, 'all cancelled');
    expect(
      record.orders
        .filter((o) => o.status === 'cancelled')
        .map((o) => o.clientId)
        .sort()
    ).toEqual(['17000000000041', '17000000000042']);
    await expect(venue.cancel('17000000000041')).rejects.toMatchObject({ kind: 'not_found', code: 21715 });
  });

  it('keeps inside the request budget, and a cancel-all jumps the queue of waiting orders', async () => {
    // 8 requests per rolling minute: start-up used 2 (market, nonce), the quotes may use what is above the reserve of 1.
    const { venue, exchange, txs } = await connected({ requestsPerMinute: 8, reserve: 1 });
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    const orders = [1, 2, 3, 4, 5, 6].map((i) =>
      venue.placePostOnly({ clientId: `1700000000010${i}`, side: 'buy', price: bid.minus(i), qty: new Decimal('0.01') })
    );
    const settled = Promise.allSettled(orders);
    await waitFor(() => txs.length === 5, 'the quotes the window allows');
    const kill = venue.cancelAll();
    // The cancel-all takes the reserved slot at once; the sixth quote, still waiting for a slot, is
    // withdrawn: it never leaves, so it cannot rest after the kill.
    await kill;
    expect(txs.map((tx) => tx.txType)).toEqual([14, 14, 14, 14, 14, 16]);
    expect(venue.health().rateLimitHeadroom).toBe(0);
    const outcomes = await settled;
    expect(outcomes.slice(0, 5).every((outcome) => outcome.status === 'fulfilled')).toBe(true);
    expect(outcomes[5]).toMatchObject({ status: 'rejected', reason: { kind: 'rejected', message: expect.stringContaining('withdrawn before sending') } });
  });

  it('surfaces 429 as a typed error and counts it', async () => {
    const { venue, faults } = await connected();
    faults.set({ rateLimit: 1 });
    await expect(venue.loadPosition()).rejects.toMatchObject({ kind: 'rate_limited' });
    expect(venue.health().rateLimited).toBe(1);
    await expect(venue.loadPosition()).resolves.toMatchObject({});
  });

  it('comes back by itself after a dropped connection, with a fresh auth token', async () => {
    const { venue, faults, record, tokens, market } = await connected();
    const before = tokens();
    faults.drop();
    await waitFor(() => record.connections.some((c) => !c.connected), 'the disconnect');
    market.step();
    await waitFor(() => venue.health().connected && venue.book.ready, 'the reconnect');
    expect(tokens()).toBeGreaterThan(before);
    expect(record.connections.at(-1)?.connected).toBe(true);
  });

  it('loads the position with its average entry over REST', async () => {
    const { venue, exchange } = await connected();
    const ask = new Decimal(formatScaled(exchange.bestAsk() as number, 2));
    await venue.sendMarket({ clientId: '17000000000051', side: 'buy', qty: new Decimal('0.03'), worstPrice: ask.plus(5) });
    const position = await venue.loadPosition();
    expect(position.qty.toString()).toBe('0.03');
    expect(position.avgEntry.toString()).toBe(exchange.position.avgEntry.toFixed(2).replace(/\.?0+$/, ''));
  });

  it("reads the account as the venue reports it: margin, free collateral, liquidation price, Lighter's own funding rate", async () => {
    const { venue, exchange } = await connected();
    const flat = await venue.accountView();
    expect(flat).toMatchObject({ liquidationPrice: null, unrealisedPnl: null, fundingAccrued: null });
    expect(flat.marginUsed?.toString()).toBe('0');
    // The venue lists several exchanges' rates: ours is Lighter's, not Binance's.
    expect(flat.fundingRate?.toString()).toBe('0.0000125');
    const ask = new Decimal(formatScaled(exchange.bestAsk() as number, 2));
    await venue.sendMarket({ clientId: '17000000000052', side: 'buy', qty: new Decimal('0.05'), worstPrice: ask.plus(5) });
    const long = await venue.accountView();
    // Cross margin on 100,000 USDC: a long of 0.05 ETH is never liquidated (no price), margin 5 % of its value.
    expect(long.liquidationPrice).toBeNull();
    expect(long.marginUsed?.gt(0)).toBe(true);
    expect(long.available?.lt('100000')).toBe(true);
    expect(long.unrealisedPnl).not.toBeNull();
    expect(long.fundingAccrued?.toString()).toBe('0');
  });
});

describe('Lighter adapter: recording', () => {
  it('writes every raw frame received, with its receive time, for replays', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lx-record-')), 'lighter.jsonl');
    const { venue, market } = await connected({ recordPath: path });
    market.step();
    await waitFor(() => venue.stats.bookMessages >= 2, 'an update');
    await venue.stop();
    const lines = readFileSync(path, 'utf8')
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { t: number; src: string; raw: string });
    expect(lines.length).toBeGreaterThanOrEqual(3);
    expect(lines.map((line) => line.src)).toContain('L.book');
    expect(lines.some((line) => JSON.parse(line.raw).type === 'subscribed/order_book')).toBe(true);
    expect(lines.every((line) => line.t > 1_700_000_000_000)).toBe(true);
  });
});

describe('Lighter adapter: bad input from the stream', () => {
  it('logs and counts malformed frames, unknown channels and error frames; a crossed book is never used', async () => {
    // A scripted stream in front of the emulator's REST.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const port = (wss.address() as AddressInfo).port;
    let subscribes = 0;
    wss.on('connection', (socket) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; channel?: string };
        if (frame.type !== 'subscribe' || frame.channel !== 'order_book/0') return;
        subscribes += 1;
        const book = (bids: string[][], asks: string[][], nonce: number, begin: number, type = 'update/order_book') =>
          JSON.stringify({
            type,
            channel: 'order_book:0',
            offset: 1,
            timestamp: Date.now(),
            order_book: {
              code: 0,
              bids: bids.map(([price, size]) => ({ price, size })),
              asks: asks.map(([price, size]) => ({ price, size })),
              offset: 1,
              nonce,
              begin_nonce: begin
            }
          });
        socket.send('{garbage');
        socket.send(JSON.stringify({ type: 'update/mystery_channel', x: 1 }));
        socket.send(JSON.stringify({ error: { code: 30005, message: 'Invalid Channel' } }));
        socket.send(JSON.stringify({ type: 'update/order_book', order_book: { bids: 'nope' } }));
        socket.send(book([['3000.00', '1.0000']], [['3000.10', '1.0000']], 10, 0, 'subscribed/order_book'));
        socket.send(book([['3000.20', '1.0000']], [], 11, 10));
      });
    });
    const { venue, record } = await connected({ wsUrl: `ws://127.0.0.1:${port}` });
    await waitFor(() => venue.stats.resyncs >= 1, 'the crossed book to be refused');
    expect(venue.stats.malformedFrames).toBeGreaterThanOrEqual(3);
    expect(record.logs.filter((line) => line.includes('malformed')).length).toBeGreaterThanOrEqual(2);
    expect(record.logs.some((line) => line.includes('30005'))).toBe(true);
    expect(record.logs.some((line) => line.includes('crossed book'))).toBe(true);
    expect(venue.book.ready).toBe(false);
    // The scripted venue sends the same bad book on every subscribe: resubscribing backs off.
    const subscribedBefore = subscribes;
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(subscribes - subscribedBefore).toBeLessThanOrEqual(2);
  });
});

/** A scripted venue confirms the account channels as the real one does: a `subscribed/...` snapshot each. */
function confirmSubscription(socket: { send(text: string): void }, frame: { type: string; channel?: string }, trades = false): void {
  if (frame.type !== 'subscribe' || !frame.channel) return;
  const [name] = frame.channel.split('/');
  const channel = frame.channel.replace('/', ':');
  if (name === 'account_all_orders') socket.send(JSON.stringify({ type: 'subscribed/account_all_orders', channel, orders: {} }));
  if (name === 'account_all_positions') socket.send(JSON.stringify({ type: 'subscribed/account_all_positions', channel, positions: {}, shares: [] }));
  if (trades && name === 'account_all_trades') socket.send(JSON.stringify({ type: 'subscribed/account_all_trades', channel, total_volume: 0 }));
}

describe('Lighter adapter: outcomes the venue must settle', () => {
  it('an accepted IOC whose final status was lost with the account stream is handed over as unknown; its replayed trade is one fill', async () => {
    // A scripted stream: the book, a tx ack and nothing else for the IOC, then the account socket
    // closes; after the reconnect the trades snapshot replays the IOC's trade.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const port = (wss.address() as AddressInfo).port;
    const snapshot = readFileSync(join(__dirname, '..', 'fixtures', 'venues', 'lighter', 'ws_order_book_snapshot.json'), 'utf8');
    const coi = 17000000000901;
    let tradeSubscribes = 0;
    wss.on('connection', (socket) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; channel?: string; data?: { id: string } };
        if (frame.type === 'subscribe' && frame.channel === 'order_book/0') socket.send(snapshot);
        confirmSubscription(socket, frame);
        if (frame.type === 'subscribe' && frame.channel === `account_all_trades/${ACCOUNT}`) {
          tradeSubscribes += 1;
          const trades =
            tradeSubscribes === 1
              ? []
              : [
                  {
                    trade_id: 77,
                    size: '0.0500',
                    price: '3000.10',
                    ask_account_id: 5,
                    bid_account_id: ACCOUNT,
                    ask_client_id: 0,
                    bid_client_id: coi,
                    is_maker_ask: true,
                    type: 'trade'
                  }
                ];
          socket.send(JSON.stringify({ type: 'subscribed/account_all_trades', channel: `account_all_trades:${ACCOUNT}`, trades: { '0': trades } }));
        }
        if (frame.type === 'jsonapi/sendtx' && frame.data) {
          socket.send(JSON.stringify({ type: 'jsonapi/sendtx', id: frame.data.id, code: 200, tx_hash: '0xabc' }));
          // Accepted; its final status never comes on this socket.
          setTimeout(() => socket.close(), 700);
        }
      });
    });
    const { venue, record } = await connected({ wsUrl: `ws://127.0.0.1:${port}` });
    await waitFor(() => venue.book.ready && venue.health().connected, 'the scripted streams');
    const result = venue.sendMarket({ clientId: String(coi), side: 'buy', qty: new Decimal('0.05'), worstPrice: new Decimal('3100') });
    await expect(result).rejects.toMatchObject({ kind: 'unknown' });
    // The adapter reported what it saw (the replayed trade, once) and guessed nothing about the end.
    expect(record.fills.map((fill) => [fill.id, fill.qty.toString(), fill.orderId])).toEqual([['L:77', '0.05', String(coi)]]);
    expect(record.logs.some((line) => line.includes(`IOC ${coi}`) && line.includes("the venue's record settles it"))).toBe(true);
  }, 20_000);

  it('a create whose connection closed before the answer is unknown (never "failed"); the venue record finds it', async () => {
    const { venue, faults, exchange } = await connected();
    faults.set({ lostAcks: 1 });
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    await expect(venue.placePostOnly({ clientId: '17000000000301', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.05') })).rejects.toMatchObject({
      kind: 'unknown'
    });
    await waitFor(() => venue.health().connected, 'the account stream back');
    const report = await venue.queryOrder('17000000000301');
    expect(report).toMatchObject({ clientId: '17000000000301', status: 'open', side: 'buy' });
    expect(report?.qty?.toString()).toBe('0.05');
    expect((await venue.openOrders()).map((order) => order.clientId)).toEqual(['17000000000301']);
    await venue.cancelAll();
    await waitFor(() => exchange.orders.size === 0, 'cancelled');
    // Finished orders are found among the inactive ones; an order the venue never saw is null.
    expect(await venue.queryOrder('17000000000301')).toMatchObject({ status: 'cancelled' });
    expect(await venue.queryOrder('17000000000399')).toBeNull();
  });

  it('an answer that never comes is unknown after the timeout, not "nothing happened"', async () => {
    const { venue, faults, exchange } = await connected();
    faults.set({ ackDelayMs: 8000 });
    const ask = new Decimal(formatScaled(exchange.bestAsk() as number, 2));
    await expect(venue.placePostOnly({ clientId: '17000000000302', side: 'sell', price: ask.plus('1'), qty: new Decimal('0.05') })).rejects.toMatchObject({
      kind: 'unknown'
    });
    expect(exchange.orders.has('17000000000302')).toBe(true);
  }, 15_000);

  it('a tx whose answer is slow holds the next one for half a second at most, not until its timeout', async () => {
    const { venue, faults, exchange } = await connected();
    faults.set({ ackDelayMs: 3000 });
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    const started = Date.now();
    const first = venue.placePostOnly({ clientId: '17000000000303', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.05') });
    const second = venue.placePostOnly({ clientId: '17000000000304', side: 'buy', price: bid.minus('2'), qty: new Decimal('0.05') });
    // Both rest at the venue before the first answer came back.
    await waitFor(() => exchange.orders.size === 2, 'both quotes resting', 2500);
    expect(Date.now() - started).toBeLessThan(2500);
    await Promise.all([first, second]);
    // Nonces stayed in order: a third tx after the answers is accepted at once.
    faults.set({ ackDelayMs: 0 });
    await venue.placePostOnly({ clientId: '17000000000305', side: 'buy', price: bid.minus('3'), qty: new Decimal('0.05') });
    await waitFor(() => exchange.orders.size === 3, 'the third quote resting');
    expect(venue.stats.nonceResyncs).toBe(0);
  }, 15_000);

  it("the auth token's planned socket restart waits for the answer of a tx in flight", async () => {
    const { venue, faults, exchange, tokens, record } = await connected({ authTokenTtlMs: 4000 });
    const before = tokens();
    faults.set({ ackDelayMs: 4500 });
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    // The renewal is due at 85 % of 4 s, while this tx waits 4.5 s for its answer.
    const ack = await venue.placePostOnly({ clientId: '17000000000303', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.05') });
    expect(ack.clientId).toBe('17000000000303');
    faults.set({ ackDelayMs: 0 });
    await waitFor(() => tokens() > before && venue.health().connected, 'the renewal after the answer', 5000);
    expect(record.connections.some((c) => !c.connected && c.detail.includes('auth token renewal'))).toBe(true);
  }, 20_000);
});

describe("Lighter adapter: the dead man's switch", () => {
  it('a placed quote schedules a cancel-all at least 5 minutes ahead, renewed while quoting; cancel-all stops renewing', async () => {
    const { venue, exchange, emulator, txs } = await connected({ deadMan: true });
    const bid = new Decimal(formatScaled(exchange.bestBid() as number, 2));
    await venue.placePostOnly({ clientId: '17000000000401', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.05') });
    await waitFor(() => emulator.scheduledCancelAllAt !== null, 'the scheduled cancel-all');
    expect((emulator.scheduledCancelAllAt as number) - Date.now()).toBeGreaterThan(5 * 60_000);
    await venue.cancelAll();
    const count = txs.filter((tx) => tx.txType === 16).length;
    expect(count).toBe(2);
  });
});

describe('Lighter adapter: a quiet book is not a dead one', () => {
  it('keeps a silent but answering book socket, replaces one that answers nothing', async () => {
    const { venue, faults, record } = await connected({ staleBookMs: 200 });
    faults.set({ staleFeed: true });
    await new Promise((resolve) => setTimeout(resolve, 1000));
    // Pinged after 200 ms of silence, it answered: no reconnect churn on a quiet book.
    expect(record.connections.filter((c) => !c.connected)).toEqual([]);
    faults.set({ halfOpen: true });
    await waitFor(() => record.connections.some((c) => !c.connected && c.detail.includes('dead')), 'the dead book socket replaced', 5000);
    faults.set({ halfOpen: false, staleFeed: false });
    await waitFor(() => venue.book.ready && venue.health().connected, 'the book back', 5000);
  });
});

describe('Lighter adapter: update frames without begin_nonce', () => {
  it('fail closed: no book from them, and the log says exactly why', async () => {
    const { venue, record } = await connected();
    const update = {
      type: 'update/order_book',
      channel: 'order_book:0',
      offset: 99,
      order_book: { code: 0, offset: 99, nonce: 123456, bids: [], asks: [{ price: '3100.00', size: '1.0000' }] }
    };
    (venue as unknown as { onFrame(text: string, at: number, socket: string): void }).onFrame(JSON.stringify(update), Date.now(), 'book');
    expect(venue.book.ready).toBe(false);
    expect(record.logs.some((line) => line.includes('update frames carry no begin_nonce'))).toBe(true);
  });
});

describe('Lighter emulator: account tier delays', () => {
  it('a Standard account waits 200 ms for a quote and 300 ms for a taker order; the adapter shows its tier', async () => {
    const env = await startLighter({ tierDelays: { makerMs: 200, takerMs: 300, cancelMs: 200 } });
    cleanups.push(() => env.emulator.stop());
    const signer = await loadWasmLighterSigner({ apiPrivateKey: privateKey, accountIndex: ACCOUNT, apiKeyIndex: API_KEY, chainId: 300 });
    const venue = new LighterVenue(
      {
        restUrl: env.emulator.url,
        wsUrl: env.emulator.wsUrl,
        chainId: 300,
        symbol: 'ETH',
        accountIndex: ACCOUNT,
        apiKeyIndex: API_KEY,
        apiPrivateKey: privateKey,
        deadManMs: 0
      },
      signer,
      systemClock
    );
    const { handlers } = recordingHandlers();
    venue.setHandlers(handlers);
    await venue.start();
    cleanups.push(() => venue.stop());
    await waitFor(() => venue.book.ready && venue.health().connected, 'the streams');
    expect(venue.health().tier).toEqual({ name: 'standard', makerDelayMs: 200, takerDelayMs: 300, cancelDelayMs: 200 });
    const bid = new Decimal(formatScaled(env.exchange.bestBid() as number, 2));
    const placedAt = Date.now();
    await venue.placePostOnly({ clientId: '17000000000501', side: 'buy', price: bid.minus('1'), qty: new Decimal('0.05') });
    await waitFor(() => env.exchange.orders.has('17000000000501'), 'the quote resting');
    expect(Date.now() - placedAt).toBeGreaterThanOrEqual(200);
    const ask = new Decimal(formatScaled(env.exchange.bestAsk() as number, 2));
    const sentAt = Date.now();
    const result = await venue.sendMarket({ clientId: '17000000000502', side: 'buy', qty: new Decimal('0.01'), worstPrice: ask.plus('5') });
    expect(result.filledQty.toString()).toBe('0.01');
    expect(Date.now() - sentAt).toBeGreaterThanOrEqual(300);
  });
});

describe('Lighter adapter: an account that sends nothing', () => {
  it('counts as connected once every account subscription is confirmed: an empty account (empty snapshots) quotes', async () => {
    // A stream that answers the book and confirms each account channel with an empty snapshot.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    await new Promise((resolve) => wss.once('listening', resolve));
    cleanups.push(() => new Promise((resolve) => wss.close(() => resolve())));
    const port = (wss.address() as AddressInfo).port;
    const snapshot = readFileSync(join(__dirname, '..', 'fixtures', 'venues', 'lighter', 'ws_order_book_snapshot.json'), 'utf8');
    wss.on('connection', (socket) => {
      socket.on('message', (data) => {
        const frame = JSON.parse(data.toString()) as { type: string; channel?: string };
        if (frame.type === 'subscribe' && frame.channel === 'order_book/0') socket.send(snapshot);
        confirmSubscription(socket, frame, true);
      });
    });
    const { venue } = await connected({ wsUrl: `ws://127.0.0.1:${port}` });
    await waitFor(() => venue.book.ready, 'the book');
    await waitFor(() => venue.health().connected, 'connected on the confirmations alone', 3000);
  });

  it('a refused account subscription leaves the venue not connected (no quoting without a fill stream), then subscribes again', async () => {
    const { venue, faults } = await connected();
    faults.set({ refuseSubscriptions: 1 });
    faults.drop('account');
    await waitFor(() => !venue.health().connected, 'down');
    await new Promise((resolve) => setTimeout(resolve, 300));
    // The socket is back, the refused channel is not confirmed: not connected.
    expect(venue.health().connected).toBe(false);
    expect(venue.stats.subscriptionRefusals).toBe(1);
    await waitFor(() => venue.health().connected, 'connected after subscribing again', 8000);
  }, 15_000);
});

describe('Lighter adapter: the answers the venue gives, as its own code shows them', () => {
  const bidOf = (exchange: { bestBid(): number | undefined }) => new Decimal(formatScaled(exchange.bestBid() as number, 2));

  it('a refused tx answered on jsonapi/sendtx with its code is refused at once, and the next tx goes out', async () => {
    const { venue, exchange, faults } = await connected();
    faults.set({ rejectOrders: 1 });
    const started = Date.now();
    await expect(
      venue.placePostOnly({ clientId: '17000000000801', side: 'buy', price: bidOf(exchange).minus(5), qty: new Decimal('0.01') })
    ).rejects.toMatchObject({
      kind: 'rejected',
      code: 21739
    });
    // Not the 5 s of an unanswered tx: the refusal is the answer.
    expect(Date.now() - started).toBeLessThan(2000);
    await venue.placePostOnly({ clientId: '17000000000802', side: 'buy', price: bidOf(exchange).minus(5), qty: new Decimal('0.01') });
    await waitFor(() => exchange.orders.size === 1, 'the next quote resting');
  });

  it('an error frame without the tx id answers the tx in flight; "invalid nonce" as a plain 400 resynchronises the nonce', async () => {
    const { venue, exchange, faults, emulator } = await connected();
    faults.set({ idlessTxErrors: true, rejectOrders: 1 });
    const started = Date.now();
    await expect(
      venue.placePostOnly({ clientId: '17000000000811', side: 'buy', price: bidOf(exchange).minus(5), qty: new Decimal('0.01') })
    ).rejects.toMatchObject({
      kind: 'rejected'
    });
    expect(Date.now() - started).toBeLessThan(2000);
    // Someone else's tx takes the nonce the adapter would use; the venue says so as a 400.
    faults.set({ nonceErrorAs400: true });
    const nonce = emulator.nonceOf(API_KEY) as number;
    const info = {
      AccountIndex: ACCOUNT,
      ApiKeyIndex: API_KEY,
      TimeInForce: 0,
      Time: 0,
      ExpiredAt: Date.now() + 600_000,
      Nonce: nonce,
      Sig: Buffer.alloc(80, 1).toString('base64')
    };
    expect((await postForm(`${emulator.url}/api/v1/sendTx`, { tx_type: '16', tx_info: JSON.stringify(info) })).status).toBe(200);
    await venue.placePostOnly({ clientId: '17000000000812', side: 'buy', price: bidOf(exchange).minus(5), qty: new Decimal('0.01') });
    await waitFor(() => exchange.orders.size === 1, 'placed after the resync');
    expect(venue.stats.nonceResyncs).toBe(1);
  });

  it('a rate-limited tx did not take its nonce: the next tx uses it, with no nonce read', async () => {
    const nonceReads: number[] = [];
    const { venue, exchange, faults } = await connected({ emulator: { answerTap: (answer) => answer.path.endsWith('/nextNonce') && nonceReads.push(1) } });
    const reads = nonceReads.length;
    faults.set({ rateLimit: 1 });
    await expect(
      venue.placePostOnly({ clientId: '17000000000821', side: 'buy', price: bidOf(exchange).minus(5), qty: new Decimal('0.01') })
    ).rejects.toMatchObject({
      kind: 'rate_limited'
    });
    await venue.placePostOnly({ clientId: '17000000000822', side: 'buy', price: bidOf(exchange).minus(5), qty: new Decimal('0.01') });
    await waitFor(() => exchange.orders.size === 1, 'placed');
    expect(nonceReads.length).toBe(reads);
  });

  it('account frames as flat lists, and a trade of another market of the account: ours counted, the other shown as foreign', async () => {
    const { venue, exchange, faults, record } = await connected();
    faults.set({ flatLists: true });
    await venue.placePostOnly({ clientId: '17000000000831', side: 'buy', price: bidOf(exchange).minus(1), qty: new Decimal('0.01') });
    await waitFor(() => exchange.orders.size === 1, 'resting');
    exchange.fillResting('17000000000831');
    await waitFor(() => record.fills.length === 1, 'our fill from a flat list');
    faults.set({ foreignTrade: true });
    await waitFor(() => record.foreign.length > 0, 'the foreign trade shown');
    expect(record.fills).toHaveLength(1);
    expect(record.orders.at(-1)).toMatchObject({ clientId: '17000000000831', status: 'filled' });
  });

  it('fills made while the account socket was down come from the REST trades when it is back (the snapshot carries none)', async () => {
    const { venue, exchange, faults, record } = await connected();
    await venue.placePostOnly({ clientId: '17000000000841', side: 'buy', price: bidOf(exchange).minus(1), qty: new Decimal('0.02') });
    await waitFor(() => exchange.orders.size === 1, 'resting');
    faults.set({ accountDownMs: 800 });
    faults.drop('account');
    await waitFor(() => !venue.health().connected, 'down');
    exchange.fillResting('17000000000841', 100);
    await waitFor(() => venue.health().connected && record.fills.length === 1, 'the missed fill after the reconnect', 8000);
    expect(record.fills[0]).toMatchObject({ orderId: '17000000000841', maker: true });
    expect(record.fills[0]?.qty.toString()).toBe('0.01');
    expect(venue.stats.tradesCaughtUp).toBe(1);
  }, 15_000);

  it('an order is looked up by its client order index even after 100 newer ones finished (accountOrders, not the inactive list)', async () => {
    const { venue, exchange } = await connected();
    await venue.placePostOnly({ clientId: '17000000000851', side: 'buy', price: bidOf(exchange).minus(1), qty: new Decimal('0.01') });
    await waitFor(() => exchange.orders.size === 1, 'resting');
    await venue.cancelAll();
    await waitFor(() => exchange.orders.size === 0, 'cancelled');
    // 120 newer orders of the account finish after it.
    for (let i = 0; i < 120; i++) {
      exchange.submit({
        clientId: String(18000000000000 + i),
        side: 'buy',
        price: (exchange.bestBid() as number) - 500,
        qty: 100,
        type: 'limit',
        tif: 'post_only',
        reduceOnly: false,
        expiresAt: Date.now() + 86_400_000,
        meta: {}
      });
    }
    exchange.cancelAll();
    expect(await venue.queryOrder('17000000000851')).toMatchObject({ clientId: '17000000000851', status: 'cancelled' });
  });

  it("a second scheduled cancel-all refused while one is queued (21712): the queued one is replaced, and the venue's time is read back", async () => {
    const { venue, exchange, faults, emulator } = await connected({ deadMan: true, deadManMs: 330_000, deadManRefreshMs: 300 });
    faults.set({ refuseSecondCancelAll: true });
    await venue.placePostOnly({ clientId: '17000000000861', side: 'buy', price: bidOf(exchange).minus(5), qty: new Decimal('0.01') });
    await waitFor(() => emulator.scheduledCancelAllAt !== null, 'the first schedule');
    const first = emulator.scheduledCancelAllAt as number;
    await waitFor(() => venue.stats.deadManRefusals >= 1 && (emulator.scheduledCancelAllAt as number) > first, 'the renewal in spite of the refusal', 5000);
    expect(await venue.queuedCancelAllTime()).toBe(emulator.scheduledCancelAllAt);
  });
});
