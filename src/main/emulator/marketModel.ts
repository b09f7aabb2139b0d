/**
 * The market model behind the venue emulators (and the in-memory demo): one seeded common price
 * (a random walk with jumps), and per venue a full book on that venue's own tick and step, with
 * its own spread, depth and a lag behind the common price, so that cross-venue spreads open and
 * close as they do live. Everything is integers (scaled prices and sizes) and every random number
 * comes from one seeded generator in a fixed order: the same seed gives the same books.
 */
import { seededRandom } from '../kernel/random';
import type { VenueId } from '../../shared/contract';

/** Prices of the common walk are integers in units of 10^-PRICE_UNIT_DECIMALS. */
export const PRICE_UNIT_DECIMALS = 4;

export interface VenueBookSpec {
  venue: VenueId;
  priceDecimals: number;
  sizeDecimals: number;
  /** Tick in scaled units of the venue's price decimals (1 = 0.01 at 2 decimals). */
  tick: number;
  /** Levels per side. */
  levels: number;
  /** Steps this venue's mid trails the common price. */
  lagSteps: number;
  /** Half spread drawn from 1..maxHalfSpreadTicks ticks each step. */
  maxHalfSpreadTicks: number;
  /** Level sizes drawn from [minLevelSize, maxLevelSize] in scaled size units. */
  minLevelSize: number;
  maxLevelSize: number;
  /** Per-venue noise around its mid, in common price units (peak to peak). */
  noise: number;
}

export interface MarketModelOptions {
  seed: number;
  /** Start of the common price, in common units (30_000_000 = 3000.0000). */
  startPrice: number;
  /** Peak-to-peak step of the walk, in common units. */
  volatility: number;
  /** Chance of a jump per step, and its peak-to-peak size in common units. */
  jumpProbability: number;
  jumpSize: number;
  venues: VenueBookSpec[];
}

/** A book as scaled integers, best first. */
export interface ScaledBook {
  bids: Array<[price: number, size: number]>;
  asks: Array<[price: number, size: number]>;
}

export class MarketModel {
  readonly random: () => number;
  private price: number;
  private readonly history: number[] = [];
  steps = 0;

  constructor(readonly options: MarketModelOptions) {
    this.random = seededRandom(options.seed);
    this.price = options.startPrice;
  }

  /** The common price now, in common units. */
  commonPrice(): number {
    return this.price;
  }

  /** Moves the common price one step and returns every venue's new book. */
  step(): Record<string, ScaledBook> {
    const { volatility, jumpProbability, jumpSize } = this.options;
    let move = Math.round((this.random() - 0.5) * volatility);
    if (this.random() < jumpProbability) move += Math.round((this.random() - 0.5) * jumpSize);
    this.price = Math.max(Math.round(this.options.startPrice / 10), this.price + move);
    this.history.push(this.price);
    const keep = Math.max(1, ...this.options.venues.map((spec) => spec.lagSteps + 1));
    if (this.history.length > keep) this.history.splice(0, this.history.length - keep);
    this.steps += 1;
    const books: Record<string, ScaledBook> = {};
    for (const spec of this.options.venues) books[spec.venue] = this.book(spec);
    return books;
  }

  private book(spec: VenueBookSpec): ScaledBook {
    const lagged = this.history[Math.max(0, this.history.length - 1 - spec.lagSteps)] ?? this.price;
    const mid = lagged + Math.round((this.random() - 0.5) * spec.noise);
    // Common units -> the venue's scaled price units.
    const shift = PRICE_UNIT_DECIMALS - spec.priceDecimals;
    const midScaled = shift >= 0 ? Math.round(mid / 10 ** shift) : mid * 10 ** -shift;
    const half = spec.tick * (1 + Math.floor(this.random() * spec.maxHalfSpreadTicks));
    const bidTop = Math.floor((midScaled - half) / spec.tick) * spec.tick;
    const askTop = Math.max(bidTop + spec.tick, Math.ceil((midScaled + half) / spec.tick) * spec.tick);
    const size = () => spec.minLevelSize + Math.floor(this.random() * (spec.maxLevelSize - spec.minLevelSize + 1));
    const bids: Array<[number, number]> = [];
    const asks: Array<[number, number]> = [];
    for (let i = 0; i < spec.levels; i++) {
      bids.push([bidTop - i * spec.tick, size()]);
      asks.push([askTop + i * spec.tick, size()]);
    }
    return { bids, asks };
  }
}

/** Scaled integer to a fixed-decimals string ("0.0500" for 500 at 4 decimals). */
export function formatScaled(value: number, decimals: number): string {
  const negative = value < 0;
  const digits = String(Math.abs(value)).padStart(decimals + 1, '0');
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative ? `-${text}` : text;
}
