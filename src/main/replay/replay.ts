/**
 * Replay: the same strategy engine, unchanged, on recorded market data (hftbacktest's idea).
 * Frames recorded by the adapters (RECORD_FRAMES=true) are fed in time order, in simulated
 * time, through the venues' own parsers into two replay venues; our orders meet the recorded
 * books (a quote fills when the book trades through it, an IOC walks the book). The result is what
 * the engine would have decided and done on that market, the same every time.
 */
import { readFileSync } from 'node:fs';
import type Decimal from 'decimal.js';
import type { DecisionAction, VenueId } from '../../shared/contract';
import { defaultParams, type StrategyParams } from '../../shared/params';
import { ManualClock } from '../kernel/clock';
import { MemoryVenue } from '../sim/memoryVenue';
import type { Fees } from '../engine/params';
import { MemoryJournal, MemoryLogs } from '../ports/records';
import { StrategyEngine } from '../engine/strategyEngine';
import { noNotifier } from '../ports/notifier';
import type { MarketInfo } from '../ports/venue';
import { EngineHost } from '../host/engineHost';
import type { BookSyncOutcome } from '../venues/common/bookSync';
import { ExtendedBookSync } from '../venues/extended/bookSync';
import { extendedMarketFrom, parseExtendedBookFrame } from '../venues/extended/parse';
import { LighterBookSync } from '../venues/lighter/bookSync';
import { lighterMarketFrom, parseLighterFrame } from '../venues/lighter/parse';

export interface RecordedFrame {
  t: number;
  src: string;
  raw: string;
}

/** Reads a recording (JSON lines); a bad line is an error naming its number. */
export function readRecording(path: string): RecordedFrame[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line, index) => {
      const frame = JSON.parse(line) as Partial<RecordedFrame>;
      if (typeof frame.t !== 'number' || typeof frame.src !== 'string' || typeof frame.raw !== 'string') {
        throw new TypeError(`${path}:${index + 1}: expected {"t": <ms>, "src": "...", "raw": "..."}`);
      }
      return frame as RecordedFrame;
    });
}

/** An in-memory venue whose book comes from recorded frames and which fills quotes the book crosses. */
class ReplayVenue extends MemoryVenue {
  applyBook(sync: () => BookSyncOutcome): void {
    const outcome = sync();
    if (outcome.kind === 'ignored') return;
    if (outcome.kind === 'resync' || !this.book.ready) {
      this.notifyBook();
      return;
    }
    const bestBid = this.book.bestBid() as Decimal;
    const bestAsk = this.book.bestAsk() as Decimal;
    for (const order of [...this.orders.values()]) {
      const through = order.side === 'buy' ? order.price.gte(bestAsk) : order.price.lte(bestBid);
      if (through) this.fillResting(order.clientId);
    }
    this.notifyBook();
  }
}

export interface ReplayOptions {
  lighter: RecordedFrame[];
  extended: RecordedFrame[];
  lighterSymbol?: string;
  extendedMarket?: string;
  params?: Partial<StrategyParams>;
  fees: Fees;
  /** Arm once start-up is done (the default: see what the bot would have done). */
  arm?: boolean;
}

export interface ReplaySummary {
  frames: number;
  from: string;
  to: string;
  bookUpdates: number;
  decisions: number;
  executed: Record<DecisionAction, number>;
  ordersSent: number;
  makerFills: number;
  hedges: number;
  invL: string;
  invE: string;
  unhedgedL: string;
  unhedgedE: string;
  realisedPnl: string;
}

function marketOf(frames: RecordedFrame[], src: string, what: string) {
  const rest = frames.find((frame) => frame.src === src);
  if (!rest) throw new Error(`the ${what} recording has no ${src} line: record with RECORD_FRAMES=true from the start`);
  return JSON.parse(rest.raw) as unknown;
}

export async function runReplay(options: ReplayOptions): Promise<ReplaySummary> {
  const lighterMarket = lighterMarketFrom(marketOf(options.lighter, 'L.rest.orderBooks', 'Lighter') as Record<string, unknown>, options.lighterSymbol ?? 'ETH');
  const extendedMarket = extendedMarketFrom(marketOf(options.extended, 'E.rest.markets', 'Extended'), options.extendedMarket ?? 'ETH-USD');
  const frames = [...options.lighter, ...options.extended].filter((f) => f.src === 'L.book' || f.src === 'E.book').sort((a, b) => a.t - b.t);
  if (frames.length === 0) throw new Error('the recordings hold no book frames');
  const clock = new ManualClock(frames[0]?.t);
  const venue = (id: VenueId, info: MarketInfo, priceDecimals: number, sizeDecimals: number) =>
    new ReplayVenue({ id, market: info, priceDecimals, sizeDecimals, clock });
  const L = venue('L', lighterMarket.info, lighterMarket.priceDecimals, lighterMarket.sizeDecimals);
  const E = venue('E', extendedMarket.info, extendedMarket.priceDecimals, extendedMarket.sizeDecimals);
  const journal = new MemoryJournal();
  const engine = new StrategyEngine({
    clock,
    mode: 'DEMO',
    params: { ...defaultParams(), ...options.params },
    fees: options.fees,
    venues: { L, E },
    logs: new MemoryLogs(),
    journal,
    notifier: noNotifier,
    seedUnhedgedOn: 'L',
    firstClientId: 1
  });
  const host = new EngineHost(engine, { clock });
  await host.start();

  // The adapters' own book syncs: after a gap the book waits for the next recorded snapshot.
  const lighterSync = new LighterBookSync(L.book);
  const extendedSync = new ExtendedBookSync(E.book);
  let armed = false;
  for (const frame of frames) {
    await clock.advance(Math.max(0, frame.t - clock.now()));
    if (frame.src === 'L.book') {
      const parsed = parseLighterFrame(frame.raw, lighterMarket.marketId);
      if (parsed.kind !== 'book') continue;
      L.applyBook(() => lighterSync.onFrame(parsed, frame.t));
    } else {
      const parsed = parseExtendedBookFrame(frame.raw);
      E.applyBook(() => extendedSync.onFrame(parsed, frame.t));
    }
    if (!armed && (options.arm ?? true) && engine.state.hedgeSeeded) {
      await host.command({ type: 'arm' });
      armed = true;
    }
  }
  await host.command({ type: 'kill' });
  await clock.advance(1000);
  await engine.hedger?.settled();
  const executed: Record<DecisionAction, number> = { MAKE: 0, TAKE: 0, CANCEL: 0, NONE: 0 };
  for (const decision of journal.decisions) executed[decision.action] += 1;
  const s = engine.state;
  const summary: ReplaySummary = {
    frames: frames.length,
    from: new Date(frames[0]?.t ?? 0).toISOString(),
    to: new Date(frames.at(-1)?.t ?? 0).toISOString(),
    bookUpdates: engine.counters.bookUpdates,
    decisions: engine.maker.decisions,
    executed,
    ordersSent: engine.maker.ordersSent + (engine.hedger?.hedgesSent ?? 0),
    makerFills: engine.counters.makerFills,
    hedges: engine.hedger?.hedgesSent ?? 0,
    invL: s.inv.L.toString(),
    invE: s.inv.E.toString(),
    unhedgedL: s.unhedged.L.toString(),
    unhedgedE: s.unhedged.E.toString(),
    realisedPnl: s.realised.L.plus(s.realised.E).toString()
  };
  await host.stop();
  return summary;
}
