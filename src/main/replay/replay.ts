/**
 * Replay: the same strategy engine, unchanged, on recorded market data (hftbacktest's idea).
 * Frames recorded by the adapters (RECORD_FRAMES=true: books, and the public trades) are fed in
 * time order, in simulated time, through the venues' own parsers and book syncs into the paper
 * venues of paper mode: quotes fill from recorded public trades by the same queue model, after the
 * account tier's delays; IOCs walk the recorded book. The result is what the engine would have
 * decided and done on that market, the same every time.
 */
import { readFileSync } from 'node:fs';
import type { DecisionAction } from '../../shared/contract';
import { defaultParams, type StrategyParams } from '../../shared/params';
import { ManualClock } from '../kernel/clock';
import { OrderBook } from '../kernel/book';
import { LIGHTER_TIERS, type LighterTier } from '../../shared/lighterTiers';
import type { Fees } from '../engine/params';
import { MemoryJournal, MemoryLogs } from '../ports/records';
import { StrategyEngine } from '../engine/strategyEngine';
import { noNotifier } from '../ports/notifier';
import type { MarketInfo } from '../ports/venue';
import { EngineHost } from '../host/engineHost';
import type { BookSyncOutcome } from '../venues/common/bookSync';
import { ExtendedBookSync } from '../venues/extended/bookSync';
import { extendedMarketFrom, parseExtendedBookFrame, parseExtendedPublicTrades } from '../venues/extended/parse';
import { PaperVenue, type PaperTrade, type PublicFeed, type PublicFeedEvents } from '../venues/paper/paperVenue';
import { LighterBookSync } from '../venues/lighter/bookSync';
import { freshPublicTrades, lighterMarketFrom, parseLighterFrame } from '../venues/lighter/parse';

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

/**
 * A recorded venue's public data as a paper trading feed: the replay loop runs the venue's own book
 * sync on the recorded book frames and hands over the recorded public trades, and the same
 * PaperVenue as paper mode fills quotes by the same queue model, after the same delays.
 */
class RecordedFeed implements PublicFeed {
  private events: PublicFeedEvents | null = null;
  bookMessages = 0;

  constructor(
    readonly book: OrderBook,
    readonly market: MarketInfo
  ) {}

  async start(events: PublicFeedEvents): Promise<void> {
    this.events = events;
    events.onConnection(true, 'replaying a recording');
  }

  async stop(): Promise<void> {}

  booked(outcome: BookSyncOutcome): void {
    this.bookMessages += 1;
    if (outcome.kind !== 'ignored') this.events?.onBook();
  }

  traded(trade: PaperTrade): void {
    this.events?.onTrade(trade);
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
  /** Lighter's account tier: its delays apply to our simulated orders (default standard). */
  lighterTier?: LighterTier;
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
  const frames = [...options.lighter, ...options.extended]
    .filter((f) => f.src === 'L.book' || f.src === 'E.book' || f.src === 'E.trades')
    .sort((a, b) => a.t - b.t);
  if (frames.length === 0) throw new Error('the recordings hold no book frames');
  const clock = new ManualClock(frames[0]?.t);
  const tier = LIGHTER_TIERS[options.lighterTier ?? 'standard'];
  const feedL = new RecordedFeed(new OrderBook(lighterMarket.priceDecimals, lighterMarket.sizeDecimals), lighterMarket.info);
  const feedE = new RecordedFeed(new OrderBook(extendedMarket.priceDecimals, extendedMarket.sizeDecimals), extendedMarket.info);
  const L = new PaperVenue(feedL, {
    id: 'L',
    clock,
    delays: { makerMs: tier.makerDelayMs, takerMs: tier.takerDelayMs, cancelMs: tier.cancelDelayMs },
    fees: options.fees.L
  });
  const E = new PaperVenue(feedE, { id: 'E', clock, delays: { makerMs: 0, takerMs: 0, cancelMs: 0 }, fees: options.fees.E });
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
  const lighterSync = new LighterBookSync(feedL.book);
  const extendedSync = new ExtendedBookSync(feedE.book);
  let armed = false;
  for (const frame of frames) {
    await clock.advance(Math.max(0, frame.t - clock.now()));
    if (frame.src === 'L.book') {
      const parsed = parseLighterFrame(frame.raw, lighterMarket.marketId);
      if (parsed.kind === 'book') feedL.booked(lighterSync.onFrame(parsed, frame.t));
      else if (parsed.kind === 'publicTrades') {
        for (const trade of freshPublicTrades(parsed)) feedL.traded(trade);
      }
    } else if (frame.src === 'E.book') {
      feedE.booked(extendedSync.onFrame(parseExtendedBookFrame(frame.raw), frame.t));
    } else {
      for (const trade of parseExtendedPublicTrades(frame.raw)) feedE.traded(trade);
    }
    if (!armed && (options.arm ?? true) && engine.state.hedgeSeeded) {
      await host.command({ type: 'arm' });
      armed = true;
    }
  }
  // The kill sweep and the venues' delays run on the simulated clock: let it run until both are done.
  let killed = false;
  void host.command({ type: 'kill' }).then(() => (killed = true));
  for (let i = 0; i < 600 && (!killed || !(engine.hedger?.idle() ?? true)); i++) await clock.advance(100);
  await clock.advance(1000);
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
