/**
 * The MakerBot's decision rule (strategy.md "Decisions"), as a pure function of the market, the
 * inventory and a small memory (TT hit counters and the maker bias). Execution lives in makerBot.ts.
 */
import type Decimal from 'decimal.js';
import type { ComboKey, Direction, Side, VenueId } from '../../shared/contract';
import { withinFraction } from '../kernel/decimalMath';
import type { EngineParams } from './params';
import { COMBOS, exitThreshold, thresholdOf, type SpreadSet, type Tops } from './spreads';
import type { LiveOrder } from './state';

/** A decision to act: MAKE (the maker leg), TAKE (the buy leg of a TT pair) or CANCEL (the live order). */
export interface ActiveDecision {
  action: 'MAKE' | 'TAKE' | 'CANCEL';
  combo: ComboKey;
  direction: 'entry' | 'exit';
  /** The maker leg's venue, side and price for MAKE; the buy leg's for TAKE; the live order's for CANCEL. */
  venue: VenueId;
  side: Side;
  price: Decimal;
  reason: string;
}

/** Nothing to do, and why. */
export interface NoDecision {
  action: 'NONE';
  combo: null;
  direction: null;
  venue: null;
  side: null;
  price: null;
  reason: string;
}

/** What the MakerBot does on a book update: a discriminated union, so that acting needs no casts. */
export type Decision = ActiveDecision | NoDecision;

export interface DecisionMemory {
  /** Consecutive qualifying updates: `entry:TT_LE`, `entry:TT_EL`, `exit:TT_LE`, `exit:TT_EL`. */
  ttHits: Record<string, number>;
  /** current_direction: the maker combo being worked. */
  bias: ComboKey | null;
}

export function newDecisionMemory(): DecisionMemory {
  return { ttHits: { 'entry:TT_LE': 0, 'entry:TT_EL': 0, 'exit:TT_LE': 0, 'exit:TT_EL': 0 }, bias: null };
}

export interface DecideInput {
  tops: Tops;
  spreads: SpreadSet;
  /** The INV spread (percent). */
  inv: Decimal;
  inventoryDirection: Direction | null;
  params: EngineParams;
  positionValue: Decimal;
  liveOrder: LiveOrder | null;
  /**
   * Why the inventory cannot be exited (dust: below a venue's min size or min value), or null.
   * Dust yields no exit decision and blocks no entry (strategy.md "Dust").
   */
  dust?: string | null;
}

const MAKER_ENTRY_COMBOS: readonly ComboKey[] = ['MT_LE', 'MT_EL', 'TM_LE', 'TM_EL'];

function none(reason: string): NoDecision {
  return { action: 'NONE', combo: null, direction: null, venue: null, side: null, price: null, reason };
}

function make(input: DecideInput, combo: ComboKey, direction: 'entry' | 'exit', reason: string): ActiveDecision {
  const maker = COMBOS[combo].maker;
  if (!maker) throw new Error(`${combo} has no maker leg`);
  return { action: 'MAKE', combo, direction, venue: maker.venue, side: maker.side, price: input.tops[maker.price], reason };
}

function take(input: DecideInput, combo: ComboKey, direction: 'entry' | 'exit', reason: string): ActiveDecision {
  const buy = COMBOS[combo].buy;
  return { action: 'TAKE', combo, direction, venue: buy.venue, side: 'buy', price: input.tops[buy.price], reason };
}

const fmt = (value: Decimal) => value.toDecimalPlaces(4).toString();

/** The direction that unwinds the inventory; null when there is none to unwind, or only dust. */
function exitDirectionOf(input: DecideInput): Direction | null {
  if (input.dust) return null;
  return input.inventoryDirection === 'LE' ? 'EL' : input.inventoryDirection === 'EL' ? 'LE' : null;
}

/** The TT hit counters' keys, built once (this runs on every book update). */
const TT_COUNTERS = (['LE', 'EL'] as const).map((direction) => ({
  direction,
  combo: `TT_${direction}` as const,
  entryKey: `entry:TT_${direction}`,
  exitKey: `exit:TT_${direction}`
}));

/**
 * Moves the TT hit counters for one book update. strategy.md: every book update after hedge_seeded
 * counts, whatever the safety state and whatever is in flight; one that does not qualify resets.
 * `decide` calls it; the MakerBot calls it alone on the updates it does not decide on.
 */
export function countTtHits(input: DecideInput, memory: DecisionMemory): void {
  const { spreads, params } = input;
  const exitDirection = exitDirectionOf(input);
  for (const { direction, combo, entryKey, exitKey } of TT_COUNTERS) {
    const tt = spreads[combo];
    memory.ttHits[entryKey] = params.enableTt && tt.exceeds(thresholdOf(params.minSpread)) ? (memory.ttHits[entryKey] ?? 0) + 1 : 0;
    memory.ttHits[exitKey] =
      params.enableTt && exitDirection === direction && tt.exceeds(exitThreshold(params.spreadTp, input.inv)) ? (memory.ttHits[exitKey] ?? 0) + 1 : 0;
  }
}

/** Every count back to zero (disarming resets them, strategy.md). */
export function resetTtHits(memory: DecisionMemory): void {
  for (const key of Object.keys(memory.ttHits)) memory.ttHits[key] = 0;
}

export function decide(input: DecideInput, memory: DecisionMemory): Decision {
  const { spreads, params } = input;
  const exitDirection = exitDirectionOf(input);
  countTtHits(input, memory);

  // 1. Exits first: TT, then MT, then TM, in the direction that unwinds the inventory.
  if (exitDirection) {
    const tt: ComboKey = `TT_${exitDirection}`;
    if (params.enableTt && (memory.ttHits[`exit:${tt}`] ?? 0) >= params.ttMinHits) {
      memory.ttHits[`exit:${tt}`] = 0;
      return take(input, tt, 'exit', `exit ${tt} ${spreads[tt].format()}% + INV ${fmt(input.inv)}% > ${params.spreadTp}% on ${params.ttMinHits} updates`);
    }
    if (!params.ttOnly) {
      for (const combo of [`MT_${exitDirection}`, `TM_${exitDirection}`] as const) {
        if (spreads[combo].exceeds(exitThreshold(params.spreadTp, input.inv))) {
          return make(input, combo, 'exit', `exit ${combo} ${spreads[combo].format()}% + INV ${fmt(input.inv)}% > ${params.spreadTp}%`);
        }
      }
    }
  }

  // 2. Entries, unless the position is already as large as allowed.
  let noEntryReason = 'no combo over MIN_SPREAD';
  if (input.positionValue.gte(params.maxPositionValue)) {
    noEntryReason = `entries blocked: position value ${fmt(input.positionValue)} >= MAX_POSITION_VALUE ${params.maxPositionValue}`;
  } else {
    if (params.enableTt) {
      let best: ComboKey | null = null;
      for (const combo of ['TT_LE', 'TT_EL'] as const) {
        if ((memory.ttHits[`entry:${combo}`] ?? 0) >= params.ttMinHits && (!best || spreads[combo].greaterThan(spreads[best]))) best = combo;
      }
      if (best) {
        memory.ttHits['entry:TT_LE'] = 0;
        memory.ttHits['entry:TT_EL'] = 0;
        return take(input, best, 'entry', `entry ${best} ${spreads[best].format()}% > ${params.minSpread}% on ${params.ttMinHits} updates`);
      }
    }
    if (!params.ttOnly) {
      const minSpread = thresholdOf(params.minSpread);
      const bias = memory.bias;
      if (bias && spreads[bias].exceeds(minSpread)) {
        return make(input, bias, 'entry', `keep bias ${bias} ${spreads[bias].format()}% > ${params.minSpread}%`);
      }
      let best: ComboKey | null = null;
      for (const combo of MAKER_ENTRY_COMBOS) {
        if (spreads[combo].exceeds(minSpread) && (!best || spreads[combo].greaterThan(spreads[best]))) best = combo;
      }
      memory.bias = best;
      if (best) return make(input, best, 'entry', `entry ${best} ${spreads[best].format()}% > ${params.minSpread}%`);
    }
  }

  // 3. NONE with a live maker order becomes CANCEL, unless the order still sits within
  //    REPRICE_TICK of the price its combo would quote now.
  const live = input.liveOrder;
  if (live && live.direction === 'exit' && COMBOS[live.combo].direction !== exitDirection) {
    // An exit with nothing left to unwind in its direction would open a position: never keep it.
    return {
      action: 'CANCEL',
      combo: live.combo,
      direction: 'exit',
      venue: live.venue,
      side: live.side,
      price: live.price,
      reason: `${noEntryReason}; live ${live.combo} exit has no inventory left to unwind, cancel`
    };
  }
  if (live) {
    const maker = COMBOS[live.combo].maker;
    const wanted = maker ? input.tops[maker.price] : null;
    if (wanted && withinFraction(live.price, wanted, params.repriceTick)) {
      return none(`${noEntryReason}; live ${live.combo} order within REPRICE_TICK, left`);
    }
    return {
      action: 'CANCEL',
      combo: live.combo,
      direction: live.direction,
      venue: live.venue,
      side: live.side,
      price: live.price,
      reason: `${noEntryReason}; cancel live ${live.combo} order`
    };
  }
  return none(noEntryReason);
}
