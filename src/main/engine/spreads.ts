/**
 * calc_spreads: the six cross-venue spreads and the INV spread, in exact decimals, as
 * strategy.md defines them (percent of the buy leg's price).
 */
import type Decimal from 'decimal.js';
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

export type SpreadSet = Record<ComboKey, Decimal>;

/**
 * (sell − buy) / buy × 100 for every combo. With `withTt` false the two TT spreads are left at
 * zero: the decision does not read them when TT is disabled, and the hot path saves two divisions
 * (views compute the full set when they publish).
 */
export function calcSpreads(tops: Tops, withTt = true): SpreadSet {
  const spread = (spec: ComboSpec) => {
    const buy = tops[spec.buy.price];
    return tops[spec.sell.price].minus(buy).times(HUNDRED).div(buy);
  };
  return {
    TT_LE: withTt ? spread(COMBOS.TT_LE) : ZERO,
    MT_LE: spread(COMBOS.MT_LE),
    TM_LE: spread(COMBOS.TM_LE),
    TT_EL: withTt ? spread(COMBOS.TT_EL) : ZERO,
    MT_EL: spread(COMBOS.MT_EL),
    TM_EL: spread(COMBOS.TM_EL)
  };
}

/** Net of both legs' fees: (sell·(1 − fee_sell) − buy·(1 + fee_buy)) / buy × 100. */
export function calcNetSpreads(tops: Tops, fees: Fees): SpreadSet {
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

/**
 * What the open inventory locked in: LE `(entryE − entryL) / entryL × 100`, EL
 * `(entryL − entryE) / entryE × 100`, else 0.
 */
export function invSpread(direction: Direction | null, entryL: Decimal, entryE: Decimal): Decimal {
  if (direction === 'LE' && entryL.gt(0)) return entryE.minus(entryL).div(entryL).times(HUNDRED);
  if (direction === 'EL' && entryE.gt(0)) return entryL.minus(entryE).div(entryE).times(HUNDRED);
  return ZERO;
}
