/**
 * Drives both venues' matching cores from one market model: every step moves the common price,
 * replaces each venue's book and lets background flow hit our resting orders. `speed` shortens
 * the step for accelerated time.
 */
import { TimerGroup, type Clock } from '../kernel/clock';
import type { VenueId } from '../../shared/contract';
import type { Position } from '../kernel/position';
import { Exchange } from './exchange';
import { MarketModel, type MarketModelOptions, type VenueBookSpec } from './marketModel';

export const LIGHTER_BOOK: VenueBookSpec = {
  venue: 'L',
  priceDecimals: 2,
  sizeDecimals: 4,
  tick: 1,
  levels: 25,
  lagSteps: 0,
  maxHalfSpreadTicks: 3,
  minLevelSize: 100,
  maxLevelSize: 30_000,
  noise: 3000
};
export const EXTENDED_BOOK: VenueBookSpec = {
  venue: 'E',
  priceDecimals: 1,
  sizeDecimals: 3,
  tick: 1,
  levels: 25,
  lagSteps: 3,
  maxHalfSpreadTicks: 2,
  minLevelSize: 10,
  maxLevelSize: 3000,
  noise: 3000
};

export interface EmulatorMarketOptions {
  clock: Clock;
  seed: number;
  /** Time between two market steps at speed 1. */
  stepMs?: number;
  /** 10 = ten times faster than real time. */
  speed?: number;
  model?: Partial<Omit<MarketModelOptions, 'seed' | 'venues'>>;
  /** Chance per step that a resting order at the top is (partly) filled. */
  fillProbability?: number;
  positions?: Partial<Record<VenueId, Position>>;
}

export class EmulatorMarket {
  readonly model: MarketModel;
  readonly exchanges: Record<VenueId, Exchange>;
  private readonly timers: TimerGroup;

  constructor(private readonly options: EmulatorMarketOptions) {
    this.timers = new TimerGroup(options.clock);
    this.model = new MarketModel({
      seed: options.seed,
      startPrice: 30_000_000,
      volatility: 8000,
      jumpProbability: 0.02,
      jumpSize: 150_000,
      ...options.model,
      venues: [LIGHTER_BOOK, EXTENDED_BOOK]
    });
    const make = (spec: VenueBookSpec, firstOrderId: number) =>
      new Exchange({
        venue: spec.venue,
        priceDecimals: spec.priceDecimals,
        sizeDecimals: spec.sizeDecimals,
        now: () => options.clock.now(),
        random: this.model.random,
        fillProbability: options.fillProbability,
        firstOrderId,
        position: options.positions?.[spec.venue]
      });
    this.exchanges = { L: make(LIGHTER_BOOK, 281_474_976_710_656), E: make(EXTENDED_BOOK, 1_000_000_000) };
    // The books exist before anyone connects, as a venue's would.
    this.step();
  }

  /** One market step: new books on both venues, then flow against our resting orders. */
  step(): void {
    const books = this.model.step();
    for (const venue of ['L', 'E'] as const) {
      const book = books[venue];
      if (!book) continue;
      this.exchanges[venue].replaceBook(book);
      this.exchanges[venue].flow();
    }
  }

  start(): void {
    this.timers.reset();
    this.timers.every((this.options.stepMs ?? 100) / (this.options.speed ?? 1), () => this.step());
  }

  stop(): void {
    this.timers.clear();
  }
}
