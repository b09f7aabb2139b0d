/**
 * Exact decimal helpers for sizing and rounding. Nothing here goes through a JS float.
 */
import Decimal from 'decimal.js';

/** Divides with truncation at 50 significant digits, so a floor after it can never round up. */
const Truncating = Decimal.clone({ precision: 50, rounding: Decimal.ROUND_DOWN });

export const ZERO = new Decimal(0);
export const ONE = new Decimal(1);
export const HUNDRED = new Decimal(100);

/** Largest multiple of `step` that is <= |value|, with the sign of value (toward zero). */
export function roundToStep(value: Decimal, step: Decimal): Decimal {
  if (step.lte(0)) throw new RangeError(`step must be > 0, got ${step.toString()}`);
  const units = new Truncating(value.abs()).div(step).floor();
  const rounded = new Decimal(units.times(step).toString());
  return value.isNeg() ? rounded.neg() : rounded;
}

/**
 * value / price, truncated (never rounded up) at 50 significant digits: the quantity a notional
 * buys, ready for roundToStep. A plain division rounds half-up at 20 digits and could land exactly
 * on the next step (0.03329999999999999999996 -> 0.0333).
 */
export function quantityFor(value: Decimal, price: Decimal): Decimal {
  return new Decimal(new Truncating(value).div(price).toString());
}

/** Rounds a price to the tick, down for a buy cap's floor or up, as asked. */
export function roundPriceToTick(price: Decimal, tick: Decimal, direction: 'down' | 'up'): Decimal {
  const units = new Truncating(price).div(tick);
  const whole = direction === 'down' ? units.floor() : units.ceil();
  return new Decimal(whole.times(tick).toString());
}

/** The size that fits both venues: rounded down to each step until both divide it. */
export function roundToBothSteps(value: Decimal, stepA: Decimal, stepB: Decimal): Decimal {
  let current = value;
  for (let i = 0; i < 8; i++) {
    const next = roundToStep(roundToStep(current, stepA), stepB);
    if (next.eq(current)) return next;
    current = next;
  }
  return current;
}

/** |a - b| / b <= fraction, decided with a multiplication (no division on the hot path). */
export function withinFraction(a: Decimal, b: Decimal, fraction: Decimal): boolean {
  return a.minus(b).abs().lte(b.abs().times(fraction));
}

export function maxDecimal(...values: Decimal[]): Decimal {
  return values.reduce((best, value) => (value.gt(best) ? value : best));
}
