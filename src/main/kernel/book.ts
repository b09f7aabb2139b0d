/**
 * A full-depth order book on scaled integers: a price is an integer count of 10^-priceDecimals,
 * a size an integer count of 10^-sizeDecimals. Wire strings are parsed into integers exactly (no
 * float ever holds a price), levels are kept in sorted arrays (best first), and the tops are turned
 * into decimal.js values only when read, and only when they changed.
 */
import Decimal from 'decimal.js';

export type BookSide = 'bid' | 'ask';

/**
 * Parses "3012.45" into 301245 at 2 decimals, exactly, one character at a time (this runs for
 * every level of every book message). Throws when it is not an unsigned decimal, needs more
 * decimals than the scale (trailing zeros are fine: "1.2500" at 2), or leaves the safe range.
 */
export function parseScaled(text: string, decimals: number, field = 'value'): number {
  let value = 0;
  let i = 0;
  const length = text.length;
  let digits = 0;
  for (; i < length; i++) {
    const code = text.charCodeAt(i) - 48;
    if (code < 0 || code > 9) break;
    value = value * 10 + code;
    digits += 1;
  }
  let places = 0;
  if (i < length && text.charCodeAt(i) === 46 /* . */) {
    i += 1;
    const fractionStart = i;
    for (; i < length; i++) {
      const code = text.charCodeAt(i) - 48;
      if (code < 0 || code > 9) break;
      if (places < decimals) {
        value = value * 10 + code;
        places += 1;
      } else if (code !== 0) {
        throw new RangeError(`${field}: ${text} has more than ${decimals} decimals`);
      }
    }
    if (i === fractionStart) digits = 0;
  }
  if (digits === 0 || i !== length) throw new TypeError(`${field}: expected an unsigned decimal string, got ${JSON.stringify(text)}`);
  for (; places < decimals; places++) value *= 10;
  if (!Number.isSafeInteger(value)) throw new RangeError(`${field}: ${text} is out of range`);
  return value;
}

const POWERS_DOWN: Decimal[] = Array.from({ length: 19 }, (_, decimals) => new Decimal(`1e-${decimals}`));

export function scaledToDecimal(scaled: number, decimals: number): Decimal {
  // An integer times an exact power of ten: exact, and cheaper than parsing a string (hot path).
  const power = POWERS_DOWN[decimals];
  return power ? new Decimal(scaled).times(power) : new Decimal(`${scaled}e-${decimals}`);
}

export function decimalToScaled(value: Decimal, decimals: number, field = 'value'): number {
  return parseScaled(value.toFixed(), decimals, field);
}

class Ladder {
  readonly prices: number[] = [];
  readonly sizes: number[] = [];
  constructor(private readonly descending: boolean) {}

  /** Index of price, or -(insertion point) - 1. */
  private find(price: number): number {
    let low = 0;
    let high = this.prices.length - 1;
    while (low <= high) {
      const mid = (low + high) >> 1;
      const at = this.prices[mid] as number;
      if (at === price) return mid;
      const before = this.descending ? at > price : at < price;
      if (before) low = mid + 1;
      else high = mid - 1;
    }
    return -low - 1;
  }

  set(price: number, size: number): void {
    const index = this.find(price);
    if (index >= 0) {
      if (size === 0) {
        this.prices.splice(index, 1);
        this.sizes.splice(index, 1);
      } else {
        this.sizes[index] = size;
      }
    } else if (size > 0) {
      const at = -index - 1;
      this.prices.splice(at, 0, price);
      this.sizes.splice(at, 0, size);
    }
  }

  sizeAt(price: number): number {
    const index = this.find(price);
    return index >= 0 ? (this.sizes[index] as number) : 0;
  }

  clear(): void {
    this.prices.length = 0;
    this.sizes.length = 0;
  }
}

export interface BookLevel {
  price: Decimal;
  size: Decimal;
}

export class OrderBook {
  private readonly bids = new Ladder(true);
  private readonly asks = new Ladder(false);
  private topCache: { bid: number; ask: number; bidD: Decimal | null; askD: Decimal | null } = {
    bid: NaN,
    ask: NaN,
    bidD: null,
    askD: null
  };
  /** True once a snapshot was applied and the book is usable (not crossed, both sides present). */
  private synced = false;
  /** Clock ms of the last applied change. */
  updatedAt = 0;
  /** Count of applied messages, for messages-per-second figures. */
  updates = 0;

  constructor(
    readonly priceDecimals: number,
    readonly sizeDecimals: number
  ) {}

  /** Replaces the whole book. Levels are wire strings [price, size]. */
  applySnapshot(bids: ReadonlyArray<readonly [string, string]>, asks: ReadonlyArray<readonly [string, string]>, at: number): void {
    // Parse everything before touching the book: a bad level leaves the old book intact.
    const parsedBids = bids.map(([p, s]) => [parseScaled(p, this.priceDecimals, 'bid price'), parseScaled(s, this.sizeDecimals, 'bid size')] as const);
    const parsedAsks = asks.map(([p, s]) => [parseScaled(p, this.priceDecimals, 'ask price'), parseScaled(s, this.sizeDecimals, 'ask size')] as const);
    this.bids.clear();
    this.asks.clear();
    for (const [price, size] of parsedBids) this.bids.set(price, size);
    for (const [price, size] of parsedAsks) this.asks.set(price, size);
    this.synced = true;
    this.touch(at);
  }

  /** Sets absolute sizes of some levels (size "0" removes a level). */
  applyLevels(side: BookSide, levels: ReadonlyArray<readonly [string, string]>, at: number): void {
    const ladder = side === 'bid' ? this.bids : this.asks;
    const parsed = levels.map(([p, s]) => [parseScaled(p, this.priceDecimals, `${side} price`), parseScaled(s, this.sizeDecimals, `${side} size`)] as const);
    for (const [price, size] of parsed) ladder.set(price, size);
    this.touch(at);
  }

  /** Adds a signed size change to a level (Extended's DELTA without an absolute size). */
  applyChange(side: BookSide, price: string, change: string, at: number): void {
    const ladder = side === 'bid' ? this.bids : this.asks;
    const negative = change.startsWith('-');
    const scaledPrice = parseScaled(price, this.priceDecimals, `${side} price`);
    const scaledChange = parseScaled(negative ? change.slice(1) : change, this.sizeDecimals, `${side} size change`);
    const next = ladder.sizeAt(scaledPrice) + (negative ? -scaledChange : scaledChange);
    ladder.set(scaledPrice, Math.max(0, next));
    this.touch(at);
  }

  /** Drops the book: not ready until the next snapshot. */
  reset(): void {
    this.bids.clear();
    this.asks.clear();
    this.synced = false;
    this.updates += 1;
  }

  private touch(at: number): void {
    this.updatedAt = at;
    this.updates += 1;
  }

  /** Usable for trading: synced, both sides present and not crossed. */
  get ready(): boolean {
    return this.synced && this.bids.prices.length > 0 && this.asks.prices.length > 0 && !this.crossed();
  }

  crossed(): boolean {
    const bid = this.bids.prices[0];
    const ask = this.asks.prices[0];
    return bid !== undefined && ask !== undefined && bid >= ask;
  }

  private refreshTops(): void {
    const bid = this.bids.prices[0] ?? NaN;
    const ask = this.asks.prices[0] ?? NaN;
    if (bid !== this.topCache.bid) {
      this.topCache.bid = bid;
      this.topCache.bidD = Number.isNaN(bid) ? null : scaledToDecimal(bid, this.priceDecimals);
    }
    if (ask !== this.topCache.ask) {
      this.topCache.ask = ask;
      this.topCache.askD = Number.isNaN(ask) ? null : scaledToDecimal(ask, this.priceDecimals);
    }
  }

  /** The best price of a side as the scaled integer the book keeps; NaN when the side is empty. */
  bestScaled(side: BookSide): number {
    return (side === 'bid' ? this.bids.prices[0] : this.asks.prices[0]) ?? NaN;
  }

  bestBid(): Decimal | null {
    this.refreshTops();
    return this.topCache.bidD;
  }

  bestAsk(): Decimal | null {
    this.refreshTops();
    return this.topCache.askD;
  }

  mid(): Decimal | null {
    const bid = this.bestBid();
    const ask = this.bestAsk();
    return bid && ask ? bid.plus(ask).div(2) : null;
  }

  /** The best `levels` levels of a side, best first, as decimals (for views and logs). */
  depth(side: BookSide, levels: number): BookLevel[] {
    const ladder = side === 'bid' ? this.bids : this.asks;
    const count = Math.min(levels, ladder.prices.length);
    const out: BookLevel[] = [];
    for (let i = 0; i < count; i++) {
      out.push({
        price: scaledToDecimal(ladder.prices[i] as number, this.priceDecimals),
        size: scaledToDecimal(ladder.sizes[i] as number, this.sizeDecimals)
      });
    }
    return out;
  }
}
