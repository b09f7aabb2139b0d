/**
 * calc_spreads: the six cross-venue spreads and the INV spread, in exact decimals, as
 * strategy.md defines them (percent of the buy leg's price).
 */
import Decimal from 'decimal.js';
import type { ComboKey, Direction, Side, VenueId } from '../../shared/contract';
import { HUNDRED, ONE, ZERO } from '../kernel/decimalMath';

import type { Fees } from './params';

export interface Tops {
  bidL: Decimal;
  askL: Decimal;
  bidE: Decimal;
  askE: Decimal;
}

type TopKey = keyof Tops;
type Role = 'maker' | 'taker';

export interface ComboSpec {
  key: ComboKey;
  direction: Direction;
  buy: { venue: VenueId; role: Role; price: TopKey };
  sell: { venue: VenueId; role: Role; price: TopKey };
  /** The post-only leg of MT/TM combos; null for TT. */
  maker: { venue: VenueId; side: Side; price: TopKey } | null;
}

function combo(key: ComboKey, buyRole: Role, sellRole: Role): ComboSpec {
  const direction = key.endsWith('LE') ? 'LE' : 'EL';
  const buyVenue: VenueId = direction === 'LE' ? 'L' : 'E';
  const sellVenue: VenueId = direction === 'LE' ? 'E' : 'L';
  // A taker buys at the ask and sells at the bid; a maker joins the best price of its own side.
  const buyPrice = `${buyRole === 'taker' ? 'ask' : 'bid'}${buyVenue}` as TopKey;
  const sellPrice = `${sellRole === 'taker' ? 'bid' : 'ask'}${sellVenue}` as TopKey;
  const maker =
    buyRole === 'maker'
      ? { venue: buyVenue, side: 'buy' as const, price: buyPrice }
      : sellRole === 'maker'
        ? { venue: sellVenue, side: 'sell' as const, price: sellPrice }
        : null;
  return {
    key,
    direction,
    buy: { venue: buyVenue, role: buyRole, price: buyPrice },
    sell: { venue: sellVenue, role: sellRole, price: sellPrice },
    maker
  };
}

export const COMBOS: Record<ComboKey, ComboSpec> = {
  TT_LE: combo('TT_LE', 'taker', 'taker'),
  MT_LE: combo('MT_LE', 'maker', 'taker'),
  TM_LE: combo('TM_LE', 'taker', 'maker'),
  TT_EL: combo('TT_EL', 'taker', 'taker'),
  MT_EL: combo('MT_EL', 'maker', 'taker'),
  TM_EL: combo('TM_EL', 'taker', 'maker')
};

/** The four tops as integers at one scale (a count of 10^-decimals), as the books keep them. */
export interface ScaledTops {
  bidL: number;
  askL: number;
  bidE: number;
  askE: number;
  decimals: number;
}

/**
 * A percent threshold (MIN_SPREAD, SPREAD_TP − INV) as an exact fraction units / 10^k, kept in
 * numbers while they are safe integers and in BigInt always.
 */
export class PercentThreshold {
  readonly units: bigint;
  readonly scale: bigint;
  readonly unitsN: number;
  /** 100 · 10^k: the spread's "× 100" folded in, so a comparison is two products. */
  readonly scaleN: number;
  readonly safe: boolean;

  /**
   * The threshold `value` (a decimal), or exactly `fraction.num / fraction.den` when given (den > 0;
   * `value` is then only its display).
   */
  constructor(
    readonly value: Decimal,
    fraction?: { num: bigint; den: bigint }
  ) {
    if (fraction) {
      this.units = fraction.num;
      this.scale = 100n * fraction.den;
    } else {
      const places = value.decimalPlaces();
      this.units = scaledBigInt(value, places);
      this.scale = 100n * 10n ** BigInt(places);
    }
    this.unitsN = Number(this.units);
    this.scaleN = Number(this.scale);
    this.safe = Number.isSafeInteger(this.unitsN) && Number.isSafeInteger(this.scaleN);
  }
}

/**
 * A decimal as an exact integer count of 10^-places (places >= its decimal places). From its digits,
 * not by multiplying: decimal.js rounds a product to 20 significant digits.
 */
function scaledBigInt(value: Decimal, places: number): bigint {
  return BigInt(value.toFixed(places).replace('.', ''));
}

/** INV values as exact fractions (num / den percent), by the decimal invSpread returned for them. */
const exactInv = new WeakMap<Decimal, { num: bigint; den: bigint }>();

const thresholds = new WeakMap<Decimal, PercentThreshold>();

/** The threshold of a parameter's value, built once per value (parameters are replaced, never mutated). */
export function thresholdOf(value: Decimal): PercentThreshold {
  let threshold = thresholds.get(value);
  if (!threshold) {
    threshold = new PercentThreshold(value);
    thresholds.set(value, threshold);
  }
  return threshold;
}

let lastExit: { spreadTp: Decimal; inv: Decimal; threshold: PercentThreshold } | null = null;

/** An exit qualifies when spread + INV > SPREAD_TP, i.e. spread > SPREAD_TP − INV; INV changes only on fills. */
export function exitThreshold(spreadTp: Decimal, inv: Decimal): PercentThreshold {
  if (lastExit && lastExit.spreadTp === spreadTp && lastExit.inv === inv) return lastExit.threshold;
  // SPREAD_TP - INV exactly when INV's fraction is known (the decimal INV has 20 digits only):
  // T / 10^r - N / D = (T D - N 10^r) / (10^r D).
  const fraction = exactInv.get(inv);
  let threshold: PercentThreshold;
  if (fraction) {
    const places = spreadTp.decimalPlaces();
    const power = 10n ** BigInt(places);
    threshold = new PercentThreshold(spreadTp.minus(inv), {
      num: scaledBigInt(spreadTp, places) * fraction.den - fraction.num * power,
      den: power * fraction.den
    });
  } else threshold = new PercentThreshold(spreadTp.minus(inv));
  lastExit = { spreadTp, inv, threshold };
  return threshold;
}

/** a · b > c · d, exactly, for integers (numbers while the products are safe, BigInt beyond). */
function productGreater(a: number, b: number, c: number, d: number): boolean {
  const left = a * b;
  const right = c * d;
  if (Number.isSafeInteger(left) && Number.isSafeInteger(right)) return left > right;
  return BigInt(a) * BigInt(b) > BigInt(c) * BigInt(d);
}

/**
 * A spread, exactly: percent = 100 · diff / base (sell − buy over buy, both scaled integers). The
 * hot path only compares spreads, by cross-multiplying integers (no division, no float); a spread
 * becomes a decimal only for views and logs. A book with a non-positive price qualifies for nothing.
 */
export class Spread {
  private decimal: Decimal | null = null;

  constructor(
    readonly diff: number,
    readonly base: number
  ) {}

  /** spread > threshold. */
  exceeds(threshold: PercentThreshold): boolean {
    if (this.base <= 0) return false;
    if (threshold.safe) return productGreater(this.diff, threshold.scaleN, threshold.unitsN, this.base);
    return BigInt(this.diff) * threshold.scale > threshold.units * BigInt(this.base);
  }

  /** this spread > other. */
  greaterThan(other: Spread): boolean {
    if (this.base <= 0) return false;
    if (other.base <= 0) return true;
    return productGreater(this.diff, other.base, other.diff, this.base);
  }

  /** The percent as an exact decimal (20 significant digits, decimal.js's default). */
  toDecimal(): Decimal {
    this.decimal ??= this.base <= 0 ? new Decimal(NaN) : new Decimal(this.diff).times(HUNDRED).div(this.base);
    return this.decimal;
  }

  /** The percent rounded half-up to `places` decimals, trailing zeros dropped (reasons, logs). */
  format(places = 4): string {
    const unit = 10 ** places;
    const numerator = Math.abs(this.diff) * 100 * unit;
    if (this.base <= 0 || !Number.isSafeInteger(numerator) || !Number.isSafeInteger(2 * numerator + 3 * this.base)) {
      return this.toDecimal().toDecimalPlaces(places).toString();
    }
    // floor((2n + base) / (2 base)), exact: the float quotient is corrected by one integer product.
    const top = 2 * numerator + this.base;
    const bottom = 2 * this.base;
    let rounded = Math.floor(top / bottom);
    if (rounded * bottom > top) rounded -= 1;
    else if ((rounded + 1) * bottom <= top) rounded += 1;
    if (rounded === 0) return '0';
    const whole = Math.floor(rounded / unit);
    const fraction = String(rounded % unit)
      .padStart(places, '0')
      .replace(/0+$/, '');
    return `${this.diff < 0 ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
  }
}

export type SpreadSet = Record<ComboKey, Spread>;

const NO_SPREAD = new Spread(0, 1);

/** Decimal tops at one scale (the larger of their decimal places): exact. */
export function scaleTops(tops: Tops): ScaledTops {
  const decimals = Math.max(tops.bidL.decimalPlaces(), tops.askL.decimalPlaces(), tops.bidE.decimalPlaces(), tops.askE.decimalPlaces());
  const scaled = (value: Decimal) => Number(scaledBigInt(value, decimals));
  return { bidL: scaled(tops.bidL), askL: scaled(tops.askL), bidE: scaled(tops.bidE), askE: scaled(tops.askE), decimals };
}

/**
 * (sell − buy) / buy × 100 for every combo, as exact fractions of the scaled tops. With `withTt`
 * false the two TT spreads are left at zero: the decision does not read them when TT is disabled
 * (views compute the full set when they publish).
 */
export function calcSpreads(tops: ScaledTops | Tops, withTt = true): SpreadSet {
  const scaled = typeof tops.bidL === 'number' ? (tops as ScaledTops) : scaleTops(tops as Tops);
  return {
    TT_LE: withTt ? spreadOf(scaled, COMBOS.TT_LE) : NO_SPREAD,
    MT_LE: spreadOf(scaled, COMBOS.MT_LE),
    TM_LE: spreadOf(scaled, COMBOS.TM_LE),
    TT_EL: withTt ? spreadOf(scaled, COMBOS.TT_EL) : NO_SPREAD,
    MT_EL: spreadOf(scaled, COMBOS.MT_EL),
    TM_EL: spreadOf(scaled, COMBOS.TM_EL)
  };
}

function spreadOf(tops: ScaledTops, spec: ComboSpec): Spread {
  const buy = tops[spec.buy.price];
  return new Spread(tops[spec.sell.price] - buy, buy);
}

/** Net of both legs' fees: (sell·(1 − fee_sell) − buy·(1 + fee_buy)) / buy × 100. */
export function calcNetSpreads(tops: Tops, fees: Fees): Record<ComboKey, Decimal> {
  const net = (spec: ComboSpec) => {
    const buy = tops[spec.buy.price];
    const buyCost = buy.times(ONE.plus(fees[spec.buy.venue][spec.buy.role]));
    const sellProceeds = tops[spec.sell.price].times(ONE.minus(fees[spec.sell.venue][spec.sell.role]));
    return sellProceeds.minus(buyCost).div(buy).times(HUNDRED);
  };
  return {
    TT_LE: net(COMBOS.TT_LE),
    MT_LE: net(COMBOS.MT_LE),
    TM_LE: net(COMBOS.TM_LE),
    TT_EL: net(COMBOS.TT_EL),
    MT_EL: net(COMBOS.MT_EL),
    TM_EL: net(COMBOS.TM_EL)
  };
}

let lastInv: { direction: Direction | null; entryL: Decimal; entryE: Decimal; value: Decimal } | null = null;

/**
 * What the open inventory locked in: LE `(entryE − entryL) / entryL × 100`, EL
 * `(entryL − entryE) / entryE × 100`, else 0.
 */
export function invSpread(direction: Direction | null, entryL: Decimal, entryE: Decimal): Decimal {
  // Entries change only on fills: the hot path asks again with the same values on every update.
  if (lastInv && lastInv.direction === direction && lastInv.entryL === entryL && lastInv.entryE === entryE) return lastInv.value;
  let value = ZERO;
  // (sell entry - buy entry) / buy entry x 100, kept exactly beside its 20-digit decimal.
  const [sold, bought] = direction === 'LE' ? [entryE, entryL] : [entryL, entryE];
  if (direction && bought.gt(0)) {
    value = sold.minus(bought).div(bought).times(HUNDRED);
    const places = Math.max(sold.decimalPlaces(), bought.decimalPlaces());
    const x = scaledBigInt(sold, places);
    const y = scaledBigInt(bought, places);
    exactInv.set(value, { num: 100n * (x - y), den: y });
  }
  lastInv = { direction, entryL, entryE, value };
  return value;
}
