/**
 * End-to-end figures through the real adapters and emulators on loopback (part of `npm run bench`):
 *  (a) a Lighter book frame received -> the engine's decision made (parse, book, spreads, decide,
 *      and the order signed and written when there is one);
 *  (b) an Extended maker-fill frame received -> the Lighter hedge tx written to the socket
 *      (signing included);
 *  (c) the sustained rate of Lighter book frames through adapter and engine on one core;
 *  (d) our order-book update speed against ccxt's order book fed the same frames, as a ratio.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import Decimal from 'decimal.js';
import { startEmulators } from '../src/main/emulator/emulators';
import { formatScaled } from '../src/main/emulator/marketModel';
import { OrderBook } from '../src/main/kernel/book';
import { parseLighterFrame } from '../src/main/venues/lighter/parse';
import { liveEngine } from '../test/helpers/liveStack';

type Percentiles = { p50: number; p99: number; max: number; samples: number };

function percentiles(values: number[]): Percentiles {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => Math.round((sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0) * 1000) / 1000;
  return { p50: at(0.5), p99: at(0.99), max: at(1), samples: sorted.length };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

interface Patchable {
  onFrame(text: string, receivedAt: number, socket: string): void;
  onAccountFrame(text: string, receivedAt: number): void;
  accountSocket: { send(message: unknown): boolean };
}

/** Waits for a condition with a deadline, and says what it waited for when it gives up. */
async function until(condition: () => boolean, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!condition()) {
    if (performance.now() > deadline) throw new Error(`bench: gave up waiting ${timeoutMs} ms for ${what}`);
    await tick();
  }
}

/**
 * Extended maker fill frame -> Lighter hedge tx written, `count` times, on a fresh stack whose
 * Lighter budget is `perMinute`. Under `pressure`, a stream of new Lighter quotes keeps the
 * rolling window full (a requote storm): hedges must not wait behind them.
 */
async function hedgeLatency(count: number, perMinute: number, pressure: boolean): Promise<Percentiles & { quotesSent: number }> {
  const emulators = await startEmulators({ seed: 78, run: false });
  const live = await liveEngine(emulators, { params: { minSpread: '0.01' }, lighterRequestsPerMinute: perMinute });
  await live.host.start();
  await until(() => live.engine.state.hedgeSeeded, 'start-up', 20_000);
  const L = live.L as unknown as Patchable;
  const E = live.E as unknown as Patchable;
  const samples: number[] = [];
  let fillStartedAt = 0;
  const extendedFrame = E.onAccountFrame.bind(live.E);
  E.onAccountFrame = (text, receivedAt) => {
    if (text.includes('"filledQty"') && !text.includes('"filledQty":"0.000"')) fillStartedAt = performance.now();
    extendedFrame(text, receivedAt);
  };
  const lighterSend = L.accountSocket.send.bind(L.accountSocket);
  L.accountSocket.send = (message: unknown) => {
    const frame = message as { type?: string; data?: { tx_info?: { Type?: number } } };
    if (frame.type === 'jsonapi/sendtx' && frame.data?.tx_info?.Type === 1 && fillStartedAt > 0) {
      samples.push((performance.now() - fillStartedAt) * 1000);
      fillStartedAt = 0;
    }
    return lighterSend(message);
  };
  // Quoting pressure: new Lighter quotes, far from the top, always more than the window allows.
  let quotesSent = 0;
  let quoting = pressure;
  const exchangeL = emulators.market.exchanges.L;
  const quoteLoop = async () => {
    for (let i = 0; quoting; i++) {
      const bid = new Decimal(`${exchangeL.bestBid()}e-2`);
      await live.L.placePostOnly({ clientId: String(9_000_000 + i), side: 'buy', price: bid.minus(50), qty: new Decimal('0.01') }).then(
        () => (quotesSent += 1),
        () => undefined
      );
    }
  };
  const pending = [quoteLoop(), quoteLoop(), quoteLoop()];
  const exchangeE = emulators.market.exchanges.E;
  for (let i = 0; i < count; i++) {
    const bid = new Decimal(`${exchangeE.bestBid()}e-1`);
    const clientId = `bench-${i}`;
    await live.E.placePostOnly({ clientId, side: 'buy', price: bid.minus(5), qty: new Decimal('0.02') });
    await until(() => exchangeE.orders.has(clientId), `quote ${clientId} resting on Extended`);
    const before = samples.length;
    exchangeE.fillResting(clientId);
    await until(() => samples.length > before, `the hedge of fill ${i} written to Lighter`);
    await live.engine.hedger?.settled();
  }
  quoting = false;
  await live.host.stop();
  await emulators.stop();
  await Promise.race([Promise.allSettled(pending), sleep(2000)]);
  return { ...percentiles(samples), quotesSent };
}

export async function runE2eBench(options: { bookFrames?: number; hedges?: number } = {}) {
  const bookFrames = options.bookFrames ?? 3000;
  const hedgeCount = options.hedges ?? 200;
  const emulators = await startEmulators({ seed: 77, run: false });
  const live = await liveEngine(emulators, { params: { minSpread: '0.01' } });
  await live.host.start();
  await until(() => live.engine.state.hedgeSeeded, 'start-up', 20_000);
  const L = live.L as unknown as Patchable;

  const initialBook = emulators.market.exchanges.L.book();
  // (a) Lighter book frame -> decision, armed so that decisions run (and orders go out).
  await live.host.command({ type: 'arm' });
  const bookSamples: number[] = [];
  const captured: string[] = [];
  const lighterFrame = L.onFrame.bind(live.L);
  L.onFrame = (text, receivedAt, socket) => {
    const started = performance.now();
    lighterFrame(text, receivedAt, socket);
    if (socket === 'book') {
      bookSamples.push((performance.now() - started) * 1000);
      captured.push(text);
    }
  };
  const stepsDeadline = performance.now() + 60_000;
  while (bookSamples.length < bookFrames) {
    if (performance.now() > stepsDeadline) throw new Error(`bench: only ${bookSamples.length} of ${bookFrames} Lighter book frames in 60 s`);
    emulators.market.step();
    await tick();
  }
  await live.host.command({ type: 'kill' });
  await sleep(200);
  const bookToDecisionUs = percentiles(bookSamples.slice(50));

  // (b) Extended maker fill frame -> Lighter hedge tx written: with Lighter's budget idle, and with
  // the demo's budget (600 per rolling minute) kept full by a requote storm.
  const makerFillToHedgeSentUs = await hedgeLatency(hedgeCount, 100_000, false);
  const makerFillToHedgeSentUnderPressureUs = await hedgeLatency(Math.min(hedgeCount, 60), 600, true);

  // (c) Sustained Lighter book frames through adapter and engine on one core: the captured
  // stream, re-chained (begin_nonce = previous nonce) after a fresh snapshot, fed back to back.
  const chained: string[] = [];
  let nonce = 1;
  for (const text of captured) {
    const frame = JSON.parse(text) as { type: string; order_book: { nonce: number; begin_nonce: number } };
    if (frame.type !== 'update/order_book') continue;
    frame.order_book.begin_nonce = nonce;
    frame.order_book.nonce = ++nonce;
    chained.push(JSON.stringify(frame));
  }
  // A snapshot of the book as it stood before the captured updates began: the emulator's first book.
  const firstBook = initialBook;
  const level = ([price, size]: [number, number]) => ({ price: formatScaled(price, 2), size: formatScaled(size, 4) });
  const snapshotFrame = {
    type: 'subscribed/order_book',
    channel: 'order_book:0',
    offset: 1,
    timestamp: Date.now(),
    order_book: { code: 0, bids: firstBook.bids.map(level), asks: firstBook.asks.map(level), offset: 1, nonce: 1, begin_nonce: 0 }
  };
  L.onFrame = lighterFrame;
  const passes = Math.max(1, Math.ceil(20_000 / chained.length));
  const startedRate = performance.now();
  let fed = 0;
  for (let pass = 0; pass < passes; pass++) {
    lighterFrame(JSON.stringify(snapshotFrame), Date.now(), 'book');
    for (const text of chained) {
      lighterFrame(text, Date.now(), 'book');
      fed += 1;
    }
  }
  const sustainedBookMessagesPerSecond = Math.round(fed / ((performance.now() - startedRate) / 1000));

  await live.host.stop();
  await emulators.stop();

  // (d) Order-book update speed, ours against ccxt's, on the same frames.
  const updates = chained.slice(0, 2000);
  const ccxtModule = (await import(pathToFileURL(join(__dirname, '..', 'node_modules/ccxt/js/src/base/ws/OrderBook.js')).href)) as {
    OrderBook: new (snapshot?: object) => { asks: { store(price: number, size: number): void }; bids: { store(price: number, size: number): void } };
  };
  const rounds = 10;
  const ours = () => {
    const book = new OrderBook(2, 4);
    const snap = parseLighterFrame(JSON.stringify(snapshotFrame), 0);
    if (snap.kind === 'book')
      book.applySnapshot(
        snap.bids.map((l) => [l.price, l.size] as const),
        snap.asks.map((l) => [l.price, l.size] as const),
        0
      );
    for (const text of updates) {
      const frame = parseLighterFrame(text, 0);
      if (frame.kind !== 'book') continue;
      book.applyLevels(
        'bid',
        frame.bids.map((l) => [l.price, l.size] as const),
        0
      );
      book.applyLevels(
        'ask',
        frame.asks.map((l) => [l.price, l.size] as const),
        0
      );
    }
    return book.bestBid();
  };
  // ccxt's way (as its exchange classes handle deltas): parse floats, store each level. Floats are
  // the point of the comparison here, never of our code.
  /* eslint-disable no-restricted-syntax */
  const theirs = () => {
    const book = new ccxtModule.OrderBook({});
    const snap = JSON.parse(JSON.stringify(snapshotFrame)) as {
      order_book: { bids: Array<{ price: string; size: string }>; asks: Array<{ price: string; size: string }> };
    };
    for (const l of snap.order_book.bids) book.bids.store(parseFloat(l.price), parseFloat(l.size));
    for (const l of snap.order_book.asks) book.asks.store(parseFloat(l.price), parseFloat(l.size));
    for (const text of updates) {
      const frame = JSON.parse(text) as { order_book: { bids: Array<{ price: string; size: string }>; asks: Array<{ price: string; size: string }> } };
      for (const l of frame.order_book.bids) book.bids.store(parseFloat(l.price), parseFloat(l.size));
      for (const l of frame.order_book.asks) book.asks.store(parseFloat(l.price), parseFloat(l.size));
    }
    return book;
  };
  /* eslint-enable no-restricted-syntax */
  ours();
  theirs();
  let oursMs = 0;
  let theirsMs = 0;
  for (let r = 0; r < rounds; r++) {
    let t = performance.now();
    ours();
    oursMs += performance.now() - t;
    t = performance.now();
    theirs();
    theirsMs += performance.now() - t;
  }
  const perUpdate = (ms: number) => Math.round(((ms * 1000) / (rounds * updates.length)) * 1000) / 1000;

  return {
    bookToDecisionUs,
    makerFillToHedgeSentUs,
    makerFillToHedgeSentUnderPressureUs,
    sustainedBookMessagesPerSecond,
    orderBookVsCcxt: {
      updates: updates.length,
      oursUsPerUpdate: perUpdate(oursMs),
      ccxtUsPerUpdate: perUpdate(theirsMs),
      /** > 1: ours is faster (ccxt time / our time). Ours also validates every field and keeps exact decimals. */
      speedRatio: Math.round((theirsMs / oursMs) * 100) / 100
    }
  };
}
