/**
 * The engine's trading state (strategy.md "State contents"). Only the engine writes it; adapters
 * report fills and the engine applies them here.
 */
import type Decimal from 'decimal.js';
import type { ComboKey, Side, VenueId } from '../../shared/contract';
import { ZERO } from '../kernel/decimalMath';
import { positionAfterFill } from '../kernel/position';
import type { FillDelta, Position } from '../ports/venue';

export interface LiveOrder {
  clientId: string;
  venue: VenueId;
  side: Side;
  price: Decimal;
  qty: Decimal;
  filledQty: Decimal;
  combo: ComboKey;
  direction: 'entry' | 'exit';
  /** `unknown`: its placement lost its answer; it may rest until the venue's record settles it. */
  status: 'placing' | 'live' | 'cancelling' | 'unknown';
  placedAt: number;
}

export const VENUES: readonly VenueId[] = ['L', 'E'];
export const otherVenue = (venue: VenueId): VenueId => (venue === 'L' ? 'E' : 'L');

export class TradingState {
  /** Signed positions (base units): invL, invE. */
  inv: Record<VenueId, Decimal> = { L: ZERO, E: ZERO };
  /** Average entry prices; 0 when flat. */
  entry: Record<VenueId, Decimal> = { L: ZERO, E: ZERO };
  /** Realised PnL per venue (quote units, fees included when reported). */
  realised: Record<VenueId, Decimal> = { L: ZERO, E: ZERO };
  /** Maker fills not yet hedged (signed base units): unhedged_L, unhedged_E. */
  unhedged: Record<VenueId, Decimal> = { L: ZERO, E: ZERO };
  liveOrder: LiveOrder | null = null;
  /** The maker bias (current_direction): the maker combo being worked. */
  currentDirection: ComboKey | null = null;
  hedgeSeeded = false;
  minHedgeQty: Decimal | null = null;
  /** The trader's intent. */
  armed = false;

  setPosition(venue: VenueId, position: Position): void {
    this.inv[venue] = position.qty;
    this.entry[venue] = position.qty.isZero() ? ZERO : position.avgEntry;
  }

  /** Applies a fill to inventory, average entry and realised PnL (average-cost method). */
  applyFill(fill: FillDelta): void {
    const venue = fill.venue;
    const next = positionAfterFill({ qty: this.inv[venue], avgEntry: this.entry[venue] }, fill.qty, fill.price);
    this.inv[venue] = next.qty;
    this.entry[venue] = next.avgEntry;
    this.realised[venue] = this.realised[venue].plus(next.realised).minus(fill.fee ?? ZERO);
  }

  /** LE when long L and short E, EL when long E and short L, else null. */
  inventoryDirection(): 'LE' | 'EL' | null {
    if (this.inv.L.gt(0) && this.inv.E.lt(0)) return 'LE';
    if (this.inv.E.gt(0) && this.inv.L.lt(0)) return 'EL';
    return null;
  }

  /** max(|invL|·entryL, |invE|·entryE). */
  positionValue(): Decimal {
    const valueL = this.inv.L.abs().times(this.entry.L);
    const valueE = this.inv.E.abs().times(this.entry.E);
    return valueL.gt(valueE) ? valueL : valueE;
  }
}
