/** A position and its arithmetic: the same for the engine, the journal's round trips and the in-memory venue. */
import type Decimal from 'decimal.js';
import { ZERO } from './decimalMath';

export interface Position {
  /** Signed: > 0 long, < 0 short (base units). */
  qty: Decimal;
  /** Average entry price; 0 when flat. */
  avgEntry: Decimal;
}

/**
 * A position after a signed fill, average-cost method: adding moves the entry to the size-weighted
 * average; reducing realises the closed part at the entry; flipping starts a new entry at the fill.
 */
export function positionAfterFill(position: Position, signed: Decimal, price: Decimal): Position & { realised: Decimal } {
  const next = position.qty.plus(signed);
  if (position.qty.isZero() || position.qty.isNeg() === signed.isNeg()) {
    const avgEntry = next.isZero() ? ZERO : position.qty.abs().times(position.avgEntry).plus(signed.abs().times(price)).div(next.abs());
    return { qty: next, avgEntry, realised: ZERO };
  }
  const closed = signed.abs().lt(position.qty.abs()) ? signed.abs() : position.qty.abs();
  const perUnit = position.qty.isNeg() ? position.avgEntry.minus(price) : price.minus(position.avgEntry);
  const avgEntry = next.isZero() ? ZERO : next.isNeg() !== position.qty.isNeg() ? price : position.avgEntry;
  return { qty: next, avgEntry, realised: closed.times(perUnit) };
}
