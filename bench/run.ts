/**
 * Engine benchmark (`npm run bench`, not a test): the hot paths through the real engine code on
 * in-memory venues, no network.
 *   (a) book update -> decision (order handed to the venue when there is one), 100,000 updates on
 *       50-level books on both venues;
 *   (b) maker fill delta -> hedge order handed to the venue interface;
 *   (c) heap growth over the run.
 * The last line printed is one JSON object with every figure.
 */
import Decimal from 'decimal.js';
import { defaultParams } from '../src/shared/params';
import { SIM_MARKETS } from '../test/helpers/simulatedMarket';
import { flushMicrotasks, ManualClock } from '../src/main/kernel/clock';
import { MemoryVenue } from '../src/main/sim/memoryVenue';
import { toFees } from '../src/main/engine/params';
import { seededRandom } from '../src/main/kernel/random';
import { nullJournal, type StrategyLogs } from '../src/main/ports/records';
import { StrategyEngine } from '../src/main/engine/strategyEngine';
import { noNotifier } from '../src/main/ports/notifier';
import { EngineHost } from '../src/main/host/engineHost';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteJournal } from '../src/main/journal/sqliteJournal';
import { runE2eBench } from './e2e';

const UPDATES = Number(process.env.BENCH_UPDATES ?? 100_000);
const FILLS = Number(process.env.BENCH_FILLS ?? 20_000);
const LEVELS = 50;

const quietLogs: StrategyLogs = {
  spread: () => undefined,
  maker: () => undefined,
  hedge: () => undefined,
  realtime: () => undefined,
  close: async () => undefined
};

function percentiles(samplesNs: BigInt64Array | number[], count: number) {
  const values = Array.from({ length: count }, (_, i) => Number(samplesNs[i]) / 1000).sort((a, b) => a - b);
  const at = (q: number) => values[Math.min(values.length - 1, Math.floor(q * values.length))] as number;
  const round = (us: number) => Math.round(us * 100) / 100;
  return { p50: round(at(0.5)), p99: round(at(0.99)), max: round(values[values.length - 1] as number), samples: count };
}

function ladder(midCents: number, tickCents: number, decimals: number, side: 'bid' | 'ask', random: () => number): Array<[string, string]> {
  const levels: Array<[string, string]> = [];
  for (let i = 0; i < LEVELS; i++) {
    const cents = side === 'bid' ? midCents - tickCents * (i + 1) : midCents + tickCents * (i + 1);
    levels.push([centsToText(cents, decimals), (1 + Math.floor(random() * 5000) / 1000).toFixed(3)]);
  }
  return levels;
}

function centsToText(cents: number, decimals: number): string {
  const whole = Math.floor(cents / 100);
  const fraction = String(cents % 100)
    .padStart(2, '0')
    .slice(0, decimals);
  return decimals === 0 ? String(whole) : `${whole}.${fraction}`;
}

function clearVenueRecords(...venues: MemoryVenue[]): void {
  for (const venue of venues) {
    venue.sent.length = 0;
    venue.fillsReported.length = 0;
  }
}

async function main() {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const heapStart = process.memoryUsage().heapUsed;
  const clock = new ManualClock();
  const random = seededRandom(1);
  const L = new MemoryVenue({ id: 'L', clock, ...SIM_MARKETS.L });
  const E = new MemoryVenue({ id: 'E', clock, ...SIM_MARKETS.E });
  const engine = new StrategyEngine({
    clock,
    mode: 'DEMO',
    params: { ...defaultParams(), minSpread: '0.01', maxPositionValue: '100000000' },
    fees: toFees({ L: { maker: '0', taker: '0' }, E: { maker: '0', taker: '0.00025' } }),
    venues: { L, E },
    logs: quietLogs,
    journal: nullJournal,
    notifier: noNotifier,
    seedUnhedgedOn: 'L',
    firstClientId: 1
  });
  const host = new EngineHost(engine, { clock });
  await host.start();
  const midL = 300_000;
  const midE = 300_000;
  L.setBook(ladder(midL, 1, 2, 'bid', random), ladder(midL, 1, 2, 'ask', random));
  E.setBook(ladder(midE, 10, 1, 'bid', random), ladder(midE, 10, 1, 'ask', random));
  await clock.advance(100);
  await engine.startupDone;
  await host.command({ type: 'arm' });

  // (a) book update -> decision. Each update sets a few levels near the top of one venue's book,
  // moving the top often enough that spreads open, close and orders are placed and cancelled.
  const samples = new BigInt64Array(UPDATES);
  // Split as well: updates that only decide, and updates that also hand an order to the venue.
  const quietSamples = new BigInt64Array(UPDATES);
  const orderSamples = new BigInt64Array(UPDATES);
  let quiet = 0;
  let withOrder = 0;
  let walkL = midL;
  let walkE = midE;
  const handlers = (L as unknown as { handlers: { onBook(v: string): void } }).handlers;
  for (let i = 0; i < UPDATES; i++) {
    const onL = (i & 1) === 0;
    if (onL) walkL += Math.round((random() - 0.5) * 6);
    else walkE += Math.round((random() - 0.5) * 6) * 10;
    const venue = onL ? L : E;
    const mid = onL ? walkL : walkE;
    const tick = onL ? 1 : 10;
    const decimals = onL ? 2 : 1;
    const bidTop = mid - tick;
    const askTop = mid + tick;
    const levelsBid: Array<[string, string]> = [
      [centsToText(bidTop, decimals), '1.234'],
      [centsToText(bidTop - tick * 3, decimals), '0']
    ];
    const levelsAsk: Array<[string, string]> = [
      [centsToText(askTop, decimals), '2.345'],
      [centsToText(askTop + tick * 3, decimals), '0']
    ];
    // Timed: the levels applied to the book, then the engine's handling of the update. Not timed:
    // the benchmark's own clean-up that keeps the random walk's book uncrossed (a venue sends a
    // consistent book; our book sync would resync a crossed one).
    const start = process.hrtime.bigint();
    venue.book.applyLevels('bid', levelsBid, clock.now());
    venue.book.applyLevels('ask', levelsAsk, clock.now());
    const applied = process.hrtime.bigint();
    while (venue.book.crossed()) {
      const bid = venue.book.depth('bid', 1)[0]!;
      const ask = venue.book.depth('ask', 1)[0]!;
      if (bid.price.gt(centsToText(bidTop, decimals))) venue.book.applyLevels('bid', [[bid.price.toFixed(decimals), '0']], clock.now());
      else venue.book.applyLevels('ask', [[ask.price.toFixed(decimals), '0']], clock.now());
    }
    const sentBefore = engine.maker.ordersSent;
    const handing = process.hrtime.bigint();
    handlers.onBook(venue.id);
    samples[i] = applied - start + (process.hrtime.bigint() - handing);
    if (engine.maker.ordersSent === sentBefore) quietSamples[quiet++] = samples[i]!;
    else orderSamples[withOrder++] = samples[i]!;
    // Let the venue's replies (acks, cancels) land before the next message, as the event loop
    // would: every update then reaches a decision instead of finding an order call in flight.
    await flushMicrotasks();
    // The in-memory venues keep a record of everything sent for tests; the engine does not.
    if ((i & 1023) === 1023) clearVenueRecords(L, E);
  }
  const bookToDecision = percentiles(samples, UPDATES);
  const bookToDecisionNoOrder = percentiles(quietSamples, quiet);
  const bookToOrderHanded = percentiles(orderSamples, withOrder);
  const decisions = engine.maker.decisions;
  const ordersSent = engine.maker.ordersSent;

  // (b) maker fill -> hedge order handed to the venue. Time from the fill callback until the
  // hedge venue's sendMarket is entered.
  await host.command({ type: 'disarm' });
  await flushMicrotasks();
  const handed = { at: 0n };
  const sendMarket = L.sendMarket.bind(L);
  L.sendMarket = (request) => {
    handed.at = process.hrtime.bigint();
    return sendMarket(request);
  };
  const fillSamples = new BigInt64Array(FILLS);
  let measured = 0;
  for (let i = 0; i < FILLS; i++) {
    handed.at = 0n;
    const start = process.hrtime.bigint();
    E.lateFill(`bench-${i}`, 'sell', new Decimal('0.02'), new Decimal('3000'));
    if (handed.at > 0n) fillSamples[measured++] = handed.at - start;
    await flushMicrotasks();
    if ((i & 1023) === 1023) clearVenueRecords(L, E);
  }
  const fillToHedge = percentiles(fillSamples, measured);

  gc?.();
  const heapEnd = process.memoryUsage().heapUsed;
  await host.stop();

  const result = {
    bench: 'engine',
    node: process.version,
    updates: UPDATES,
    levels: LEVELS,
    bookToDecisionUs: bookToDecision,
    bookToDecisionNoOrderUs: bookToDecisionNoOrder,
    bookToOrderHandedUs: bookToOrderHanded,
    goalBookToDecisionP99Us: 20,
    decisions,
    ordersSent,
    fills: FILLS,
    hedgesHanded: measured,
    fillToHedgeUs: fillToHedge,
    heapStartMB: Math.round(heapStart / 1e4) / 100,
    heapEndMB: Math.round(heapEnd / 1e4) / 100,
    heapGrowthMB: Math.round((heapEnd - heapStart) / 1e4) / 100,
    gcExposed: !!gc
  };
  console.log(
    `book update -> decision: p50 ${bookToDecision.p50} us, p99 ${bookToDecision.p99} us, max ${bookToDecision.max} us (${decisions} decisions, ${ordersSent} orders)`
  );
  console.log(
    `  of which deciding only: p50 ${bookToDecisionNoOrder.p50} us, p99 ${bookToDecisionNoOrder.p99} us (${quiet}); ` +
      `deciding and handing an order to the venue: p50 ${bookToOrderHanded.p50} us, p99 ${bookToOrderHanded.p99} us (${withOrder})`
  );
  console.log(`maker fill -> hedge handed: p50 ${fillToHedge.p50} us, p99 ${fillToHedge.p99} us (${measured} hedges)`);
  console.log(`heap: ${result.heapStartMB} MB -> ${result.heapEndMB} MB`);

  const history = process.env.BENCH_SKIP_HISTORY ? [] : historyQueryBench();
  console.log(`journal history query: ${history.map((h) => `${h.fills} fills p50 ${h.p50Ms} ms p99 ${h.p99Ms} ms`).join('; ')}`);

  if (process.env.BENCH_ENGINE_ONLY) {
    console.log(JSON.stringify({ ...result, historyQuery: history }));
    process.exit(0);
  }
  const e2e = await runE2eBench();
  console.log(`e2e: Lighter book frame -> decision p50 ${e2e.bookToDecisionUs.p50} us, p99 ${e2e.bookToDecisionUs.p99} us`);
  console.log(
    `e2e: Extended maker fill frame -> Lighter hedge written p50 ${e2e.makerFillToHedgeSentUs.p50} us, p99 ${e2e.makerFillToHedgeSentUs.p99} us (signing included, budget idle)`
  );
  console.log(
    `e2e: the same under quoting pressure (600 requests per rolling minute, kept full by ${e2e.makerFillToHedgeSentUnderPressureUs.quotesSent} quotes): ` +
      `p50 ${e2e.makerFillToHedgeSentUnderPressureUs.p50} us, p99 ${e2e.makerFillToHedgeSentUnderPressureUs.p99} us`
  );
  console.log(`e2e: ${e2e.sustainedBookMessagesPerSecond} Lighter book frames/s through adapter and engine on one core`);
  console.log(
    `order book vs ccxt: ours ${e2e.orderBookVsCcxt.oursUsPerUpdate} us/update, ccxt ${e2e.orderBookVsCcxt.ccxtUsPerUpdate} us/update, ratio ${e2e.orderBookVsCcxt.speedRatio}`
  );
  console.log(JSON.stringify({ ...result, bench: 'engine+e2e', historyQuery: history, e2e }));
  process.exit(0);
}

/**
 * The performance panel's history query on journals of 10,000 and 100,000 fills: its time must
 * not grow with the history (the round trips are a running aggregate; one query at start reads all).
 */
function historyQueryBench(): Array<{ fills: number; p50Ms: number; p99Ms: number }> {
  const out: Array<{ fills: number; p50Ms: number; p99Ms: number }> = [];
  for (const fills of [10_000, 100_000]) {
    const journal = new SqliteJournal(join(mkdtempSync(join(tmpdir(), 'lx-bench-')), 'journal.sqlite'), { flushMs: 3_600_000 });
    const writeFill = (i: number) =>
      journal.fill({
        id: `f${i}`,
        at: i,
        venue: i % 2 ? 'L' : 'E',
        side: i % 4 < 2 ? 'buy' : 'sell',
        qty: '0.01',
        price: String(3000 + (i % 7)),
        maker: true,
        orderId: String(i)
      });
    for (let i = 0; i < fills; i++) writeFill(i);
    journal.history(500);
    const times: number[] = [];
    for (let q = 0; q < 50; q++) {
      // A few new fills between queries, as a live run has.
      for (let k = 0; k < 4; k++) writeFill(fills + q * 4 + k);
      const started = performance.now();
      journal.history(500);
      times.push(performance.now() - started);
    }
    times.sort((a, b) => a - b);
    const at = (p: number) => Math.round((times[Math.min(times.length - 1, Math.floor(p * times.length))] as number) * 100) / 100;
    out.push({ fills, p50Ms: at(0.5), p99Ms: at(0.99) });
    void journal.close();
  }
  return out;
}

void main();
