/** Prices of "market" orders: neither venue takes price-less orders, so each is an IOC limit at a worst price. */
import type Decimal from 'decimal.js';
import type { Side, VenueId } from '../../shared/contract';
import type { EngineContext } from './context';
import { roundPriceToTick } from '../kernel/decimalMath';

/** The worst acceptable price of a "market" order: best opposite price moved by the slippage cap. */
export function marketWorstPrice(ctx: EngineContext, venue: VenueId, side: Side): Decimal | null {
  const { book, market } = ctx.venues[venue];
  const slip = ctx.params().slippage[venue];
  if (side === 'buy') {
    const ask = book.bestAsk();
    return ask ? roundPriceToTick(ask.times(slip.plus(1)), market.priceTick, 'down') : null;
  }
  const bid = book.bestBid();
  return bid ? roundPriceToTick(bid.times(slip.neg().plus(1)), market.priceTick, 'up') : null;
}
