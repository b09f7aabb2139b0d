/**
 * A simulated market for tests and the benchmark: two in-memory venues (Lighter-like and
 * Extended-like markets) fed by the emulators' market model, in simulated time, with background
 * flow that fills our resting orders, sometimes partially. The app's demo runs on the real
 * emulators and adapters instead.
 */
import Decimal from 'decimal.js';
import { TimerGroup, type Clock } from '../../src/main/kernel/clock';
import { MemoryVenue } from '../../src/main/sim/memoryVenue';
import { EXTENDED_BOOK, LIGHTER_BOOK } from '../../src/main/emulator/emulatorMarket';
import { formatScaled, MarketModel, type ScaledBook } from '../../src/main/emulator/marketModel';
import type { VenueId } from '../../src/main/ports/venue';

export const SIM_MARKETS = {
  L: {
    market: {
      symbol: 'ETH',
      minSize: new Decimal('0.005'),
      minSizeChange: new Decimal('0.0001'),
      minValue: new Decimal('10'),
      sizeStep: new Decimal('0.0001'),
      priceTick: new Decimal('0.01')
    },
    priceDecimals: 2,
    sizeDecimals: 4
  },
  E: {
    market: {
      symbol: 'ETH-USD',
      minSize: new Decimal('0.01'),
      minSizeChange: new Decimal('0.001'),
      minValue: new Decimal('0'),
      sizeStep: new Decimal('0.001'),
      priceTick: new Decimal('0.1')
    },
    priceDecimals: 1,
    sizeDecimals: 3
  }
} as const;

export interface SimulatedMarketOptions {
  clock: Clock;
  seed?: number;
  /** Book updates per second per venue. */
  updatesPerSecond?: number;
  startPrice?: number;
}

export class SimulatedMarket {
  readonly venues: Record<VenueId, MemoryVenue>;
  private readonly model: MarketModel;
  private readonly timers: TimerGroup;

  constructor(private readonly options: SimulatedMarketOptions) {
    this.timers = new TimerGroup(options.clock);
    this.model = new MarketModel({
      seed: options.seed ?? 42,
      startPrice: Math.round((options.startPrice ?? 3000) * 10_000),
      volatility: 8000,
      jumpProbability: 0.02,
      jumpSize: 150_000,
      venues: [LIGHTER_BOOK, EXTENDED_BOOK]
    });
    this.venues = {
      L: new MemoryVenue({ id: 'L', clock: options.clock, latencyMs: 5, ...SIM_MARKETS.L }),
      E: new MemoryVenue({ id: 'E', clock: options.clock, latencyMs: 8, ...SIM_MARKETS.E })
    };
    // The books exist before the streams start, as a venue's would.
    this.publish(this.model.step());
  }

  start(): void {
    this.timers.reset();
    this.timers.every(1000 / (this.options.updatesPerSecond ?? 10), () => this.step());
  }

  stop(): void {
    this.timers.clear();
  }

  /** One market step: new books on both venues, then flow against resting orders. */
  step(): void {
    this.publish(this.model.step());
    this.flow('L');
    this.flow('E');
  }

  private publish(books: Record<string, ScaledBook>): void {
    for (const venue of ['L', 'E'] as const) {
      const book = books[venue] as ScaledBook;
      const { priceDecimals, sizeDecimals } = SIM_MARKETS[venue];
      const text = (levels: Array<[number, number]>) =>
        levels.map(([p, s]) => [formatScaled(p, priceDecimals), formatScaled(s, sizeDecimals)] as [string, string]);
      this.venues[venue].setBook(text(book.bids), text(book.asks));
    }
  }

  /** Background flow: resting orders at or through the top get filled, often partially. */
  private flow(venue: VenueId): void {
    const target = this.venues[venue];
    for (const order of [...target.orders.values()]) {
      const bestBid = target.book.bestBid();
      const bestAsk = target.book.bestAsk();
      if (!bestBid || !bestAsk) continue;
      const throughUs = order.side === 'buy' ? order.price.gte(bestAsk) : order.price.lte(bestBid);
      const atTop = order.side === 'buy' ? order.price.gte(bestBid) : order.price.lte(bestAsk);
      if (throughUs) target.fillResting(order.clientId);
      else if (atTop && this.model.random() < 0.2) {
        const left = order.qty.minus(order.filledQty);
        const part = this.model.random() < 0.5 ? left : left.times(0.5).toDecimalPlaces(SIM_MARKETS[venue].sizeDecimals, Decimal.ROUND_DOWN);
        if (part.gt(0)) target.fillResting(order.clientId, part);
      }
    }
  }
}
