/**
 * The interim demo world: two in-memory venues (Lighter-like and Extended-like markets) driven by
 * a seeded random walk, with the second venue lagging the first so that cross-venue spreads open
 * and close, and background flow that fills our resting orders, sometimes partially. The venue
 * emulators on loopback (speaking the real protocols) replace this once they exist.
 */
import Decimal from 'decimal.js';
import type { Clock, TimerHandle } from '../engine/clock';
import { MemoryVenue } from '../engine/memoryVenue';
import { seededRandom } from '../engine/random';
import type { VenueId } from '../engine/venue';

export const DEMO_MARKETS = {
  L: {
    market: {
      symbol: 'ETH', minSize: new Decimal('0.005'), minSizeChange: new Decimal('0.0001'), minValue: new Decimal('10'),
      sizeStep: new Decimal('0.0001'), priceTick: new Decimal('0.01')
    },
    priceDecimals: 2,
    sizeDecimals: 4
  },
  E: {
    market: {
      symbol: 'ETH-USD', minSize: new Decimal('0.01'), minSizeChange: new Decimal('0.001'), minValue: new Decimal('0'),
      sizeStep: new Decimal('0.001'), priceTick: new Decimal('0.1')
    },
    priceDecimals: 1,
    sizeDecimals: 3
  }
} as const;

export interface DemoMarketOptions {
  clock: Clock;
  seed?: number;
  /** Book updates per second per venue. */
  updatesPerSecond?: number;
  startPrice?: number;
}

export class DemoMarket {
  readonly venues: Record<VenueId, MemoryVenue>;
  private readonly random: () => number;
  private timer: TimerHandle | null = null;
  /** Common price in cents (integers: the walk itself never touches a float price). */
  private cents: number;
  private lagged: number[] = [];

  constructor(private readonly options: DemoMarketOptions) {
    this.random = seededRandom(options.seed ?? 42);
    this.cents = Math.round((options.startPrice ?? 3000) * 100);
    this.venues = {
      L: new MemoryVenue({ id: 'L', clock: options.clock, latencyMs: 5, ...DEMO_MARKETS.L }),
      E: new MemoryVenue({ id: 'E', clock: options.clock, latencyMs: 8, ...DEMO_MARKETS.E })
    };
    // The books exist before the streams start, as a venue's would.
    this.publish('L', this.cents);
    this.publish('E', this.cents);
  }

  start(): void {
    const interval = 1000 / (this.options.updatesPerSecond ?? 10);
    const tick = () => {
      this.step();
      this.timer = this.options.clock.setTimeout(tick, interval);
    };
    this.timer = this.options.clock.setTimeout(tick, interval);
  }

  stop(): void {
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** One market step: move the price, publish both books, let the flow hit resting orders. */
  step(): void {
    const move = Math.round((this.random() - 0.5) * 80 + (this.random() < 0.02 ? (this.random() - 0.5) * 1500 : 0));
    this.cents = Math.max(100_00, this.cents + move);
    this.lagged.push(this.cents);
    if (this.lagged.length > 8) this.lagged.shift();
    // L follows the common price at once; E with a lag of a few steps: spreads open and close.
    this.publish('L', this.cents + Math.round((this.random() - 0.5) * 60));
    this.publish('E', (this.lagged[0] ?? this.cents) + Math.round((this.random() - 0.5) * 60));
    this.flow('L');
    this.flow('E');
  }

  private publish(venue: VenueId, midCents: number): void {
    const { priceDecimals, sizeDecimals, market } = DEMO_MARKETS[venue];
    const tickCents = market.priceTick.times(100).toNumber();
    const halfSpread = tickCents * (1 + Math.floor(this.random() * 3));
    const bidTop = Math.floor((midCents - halfSpread) / tickCents) * tickCents;
    const askTop = Math.max(bidTop + tickCents, Math.ceil((midCents + halfSpread) / tickCents) * tickCents);
    // Integer cents to a decimal string, without a float in between (ticks here are >= 0.01).
    const price = (cents: number) => {
      const whole = Math.floor(cents / 100);
      const fraction = String(cents % 100).padStart(2, '0').slice(0, priceDecimals);
      return (priceDecimals as number) === 0 ? String(whole) : `${whole}.${fraction}`;
    };
    const size = () => (0.05 + this.random() * 3).toFixed(sizeDecimals);
    const bids: Array<[string, string]> = [];
    const asks: Array<[string, string]> = [];
    for (let i = 0; i < 20; i++) {
      bids.push([price(bidTop - i * tickCents), size()]);
      asks.push([price(askTop + i * tickCents), size()]);
    }
    this.venues[venue].setBook(bids, asks);
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
      else if (atTop && this.random() < 0.2) {
        const left = order.qty.minus(order.filledQty);
        const part = this.random() < 0.5 ? left : left.times(0.5).toDecimalPlaces(DEMO_MARKETS[venue].sizeDecimals, Decimal.ROUND_DOWN);
        if (part.gt(0)) target.fillResting(order.clientId, part);
      }
    }
  }
}
