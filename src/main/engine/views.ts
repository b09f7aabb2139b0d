/**
 * What the console and realtime.log show of the engine: pure functions of its state, built when a
 * snapshot is published (at most 20 a second) or realtime.log is written (once a second), never on
 * the hot path.
 */
import type { BookView, ComboKey, Mode, OrderView, SpreadsView, VenueHealthView, VenueId } from '../../shared/contract';
import { COMBO_KEYS } from '../../shared/contract';
import type { Clock } from '../kernel/clock';
import type { Venue } from '../ports/venue';
import type { MakerBot } from './makerBot';
import type { TrackedOrder } from './orderRegistry';
import type { EngineParams, Fees } from './params';
import { calcNetSpreads, calcSpreads, COMBOS, exitThreshold, thresholdOf } from './spreads';
import { VENUES, type TradingState } from './state';

export interface ViewInput {
  clock: Clock;
  state: TradingState;
  maker: MakerBot;
  venues: Record<VenueId, Venue>;
  params: EngineParams;
  fees: Fees;
}

export function bookView(venue: Venue, levels: number): BookView {
  const { book } = venue;
  const view = (side: 'bid' | 'ask') => book.depth(side, levels).map((level) => ({ price: level.price.toString(), size: level.size.toString() }));
  return {
    ready: book.ready,
    bids: view('bid'),
    asks: view('ask'),
    updatedAt: book.updatedAt,
    priceDecimals: book.priceDecimals,
    sizeDecimals: book.sizeDecimals
  };
}

export function spreadsView({ maker, params: p, fees, state }: ViewInput): SpreadsView | null {
  const evaluation = maker.lastEvaluation;
  if (!evaluation) return null;
  const net = calcNetSpreads(evaluation.tops, fees);
  // The hot path may have skipped the TT spreads (TT disabled): the view shows all six.
  const spreads = p.enableTt ? evaluation.spreads : calcSpreads(evaluation.tops);
  const exitDirection = state.inventoryDirection() === 'LE' ? 'EL' : state.inventoryDirection() === 'EL' ? 'LE' : null;
  const qualifying = COMBO_KEYS.filter((key) => {
    const spread = spreads[key];
    const isTt = key.startsWith('TT');
    if (isTt ? !p.enableTt : p.ttOnly) return false;
    if (exitDirection && COMBOS[key].direction === exitDirection && spread.exceeds(exitThreshold(p.spreadTp, evaluation.inv))) return true;
    return spread.exceeds(thresholdOf(p.minSpread));
  });
  const raw = {} as Record<ComboKey, string>;
  const netView = {} as Record<ComboKey, string>;
  for (const key of COMBO_KEYS) {
    raw[key] = spreads[key].toDecimal().toDecimalPlaces(6).toString();
    netView[key] = net[key].toDecimalPlaces(6).toString();
  }
  return { raw, net: netView, inv: evaluation.inv.toDecimalPlaces(6).toString(), qualifying, ttHits: { ...maker.memory.ttHits } };
}

export function healthView(venue: Venue, connected: boolean, clock: Clock, fees: Fees[VenueId]): VenueHealthView {
  const health = venue.health();
  const { book } = venue;
  return {
    connected,
    bookAgeMs: book.updatedAt > 0 ? clock.now() - book.updatedAt : null,
    bookMessages: health.bookMessages,
    lastOrderLatencyMs: health.lastOrderLatencyMs ?? null,
    rateLimitHeadroom: health.rateLimitHeadroom ?? null,
    rateLimited: health.rateLimited,
    tier: health.tier ?? null,
    fees: { maker: fees.maker.toString(), taker: fees.taker.toString() }
  };
}

/** realtime.log (strategy.md "Logs"): the current state, replacing the previous one. */
export function realtimeText({ clock, state: s, maker, venues, params }: ViewInput, mode: Mode, quoting: boolean): string {
  const now = clock.now();
  const evaluation = maker.lastEvaluation;
  const lines = [
    `time ${new Date(now).toISOString()} mode ${mode} armed ${s.armed} quoting ${quoting}`,
    evaluation
      ? `spreads ${Object.entries(calcSpreads(evaluation.tops))
          .map(([key, value]) => `${key} ${value.format(4)}`)
          .join(' ')} INV ${evaluation.inv.toDecimalPlaces(4)}`
      : 'spreads: books not ready',
    `decision ${maker.lastDecision ? `${maker.lastDecision.action} ${maker.lastDecision.combo ?? ''} ${maker.lastDecision.reason}` : 'none yet'}`,
    ...VENUES.map((venue) => {
      const { book } = venues[venue];
      const bids = book
        .depth('bid', 5)
        .map((l) => `${l.size}@${l.price}`)
        .join(' ');
      const asks = book
        .depth('ask', 5)
        .map((l) => `${l.size}@${l.price}`)
        .join(' ');
      return `book ${venue} bids ${bids} | asks ${asks}`;
    }),
    `MAX_VALUE ${params.maxPositionValue} position value ${s.positionValue()}`,
    `invL ${s.inv.L} @ ${s.entry.L} invE ${s.inv.E} @ ${s.entry.E} INV ${evaluation?.inv.toDecimalPlaces(4) ?? '0'}`,
    `unhedged_L ${s.unhedged.L} unhedged_E ${s.unhedged.E} minHedgeQty ${s.minHedgeQty ?? '-'}`
  ];
  return `${lines.join('\n')}\n`;
}

/** A tracked order as the blotter shows it. */
export function orderView(order: TrackedOrder): OrderView {
  const avg = order.countedFilled.gt(0) && order.filledCost.gt(0) ? order.filledCost.div(order.countedFilled) : null;
  const slippage = avg && order.refPrice ? (order.side === 'buy' ? avg.minus(order.refPrice) : order.refPrice.minus(avg)) : null;
  return {
    clientId: order.clientId,
    venue: order.venue,
    purpose: order.purpose,
    side: order.side,
    price: order.price?.toString() ?? null,
    qty: order.qty.toString(),
    filled: order.countedFilled.toString(),
    avgPrice: avg?.toDecimalPlaces(8).toString() ?? null,
    state: order.state,
    finalStatus: order.finalStatus,
    sentAt: order.sentAt,
    finalAt: order.finalAt,
    latencyMs: order.latencyMs,
    slippage: slippage?.toDecimalPlaces(8).toString() ?? null,
    legOn: order.legOn,
    detail: order.detail
  };
}
