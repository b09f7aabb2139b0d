/**
 * MakerBot (strategy.md "Decisions" and "Execution"): on every book update, once hedge_seeded and
 * only while quoting is allowed, decide and execute. One order operation at a time and never more
 * than one live maker order; TT legs are tracked until both are done.
 *
 * Over 400 lines: decision to wire for the three order kinds (post-only, cancel, TT pair), each
 * with its registry tracking, journal rows and log lines; splitting them would scatter one flow.
 */
import type Decimal from 'decimal.js';
import type { DecisionView, VenueId } from '../../shared/contract';
import type { EngineContext } from './context';
import { countTtHits, decide, newDecisionMemory, resetTtHits, type ActiveDecision, type DecideInput, type Decision, type DecisionMemory } from './decide';
import { quantityFor, roundToBothSteps, roundToStep, withinFraction, ZERO } from '../kernel/decimalMath';
import { marketWorstPrice } from './pricing';
import { calcSpreads, COMBOS, invSpread, type ScaledTops, type SpreadSet, type Tops } from './spreads';
import type { Exposure } from './exposure';
import type { OrderRegistry, TrackedOrder } from './orderRegistry';
import { trackedSend, type SendDeps } from './trackedSend';
import type { LiveOrder } from './state';
import { VenueOrderError, type MarketInfo, type OrderUpdate } from '../ports/venue';

/** Post-only refusals in a row that disarm the engine. */
export const REJECT_STORM = 10;

export interface Evaluation {
  tops: Tops;
  spreads: SpreadSet;
  inv: Decimal;
}

/** Size = value / price rounded down to the step; null with the reason when the venue would refuse it. */
export function orderSize(market: MarketInfo, value: Decimal, price: Decimal, cap?: Decimal): { qty: Decimal; problem?: string } {
  let qty = roundToStep(quantityFor(value, price), market.sizeStep);
  if (cap) qty = minDecimal(qty, roundToStep(cap.abs(), market.sizeStep));
  if (qty.lt(market.minSize) || qty.isZero()) return { qty, problem: `size ${qty} below min size ${market.minSize}` };
  if (qty.times(price).lt(market.minValue)) return { qty, problem: `value ${qty.times(price)} below min value ${market.minValue}` };
  return { qty };
}

function minDecimal(a: Decimal, b: Decimal): Decimal {
  return a.lt(b) ? a : b;
}

export class MakerBot {
  readonly memory: DecisionMemory = newDecisionMemory();
  private busy = false;
  private ttPending = false;
  lastEvaluation: Evaluation | null = null;
  lastDecision: DecisionView | null = null;
  decisions = 0;
  ordersSent = 0;
  /** Cancels refused for a reason other than "no such order", in a row (an alarm at 3). */
  private cancelRefusals = 0;
  /** Post-only orders the venue refused in a row, and until when quoting pauses after them. */
  private rejectsInRow = 0;
  private pausedUntil = 0;
  /** Set by the engine: after REJECT_STORM refusals in a row, disarm (an account that cannot trade). */
  onRejectStorm: ((message: string) => void) | null = null;
  private readonly sendDeps: SendDeps;

  constructor(
    private readonly ctx: EngineContext,
    private readonly registry: OrderRegistry,
    private readonly exposure: Exposure,
    /** TT-only mode has no hedge engine: a TT imbalance is an alarm. */
    private readonly hedging: boolean
  ) {
    this.sendDeps = { clock: ctx.clock, journal: ctx.journal, registry };
  }

  /** Tops of both books when both are ready, else null. */
  tops(): Tops | null {
    const { L, E } = this.ctx.venues;
    if (!L.book.ready || !E.book.ready) return null;
    return { bidL: L.book.bestBid() as Decimal, askL: L.book.bestAsk() as Decimal, bidE: E.book.bestBid() as Decimal, askE: E.book.bestAsk() as Decimal };
  }

  /** The same tops as the books keep them: integers, at the finer of the two venues' scales. */
  scaledTops(): ScaledTops {
    const { L, E } = this.ctx.venues;
    const decimals = Math.max(L.book.priceDecimals, E.book.priceDecimals);
    const factorL = 10 ** (decimals - L.book.priceDecimals);
    const factorE = 10 ** (decimals - E.book.priceDecimals);
    return {
      bidL: L.book.bestScaled('bid') * factorL,
      askL: L.book.bestScaled('ask') * factorL,
      bidE: E.book.bestScaled('bid') * factorE,
      askE: E.book.bestScaled('ask') * factorE,
      decimals
    };
  }

  evaluate(): Evaluation | null {
    const tops = this.tops();
    if (!tops) return null;
    const { state } = this.ctx;
    const scaled = this.scaledTops();
    // A price too large for exact integers at the finer scale (never at today's markets): no decision on a guess.
    if (!Number.isSafeInteger(scaled.bidL) || !Number.isSafeInteger(scaled.askL) || !Number.isSafeInteger(scaled.bidE) || !Number.isSafeInteger(scaled.askE))
      return null;
    const evaluation = {
      tops,
      spreads: calcSpreads(scaled, this.ctx.params().enableTt),
      inv: invSpread(state.inventoryDirection(), state.entry.L, state.entry.E)
    };
    this.lastEvaluation = evaluation;
    return evaluation;
  }

  /**
   * Dust (strategy.md): inventory no exit can trade, because the exit size min(|invL|, |invE|) is
   * below a venue's min size or min value. Null when the inventory can be exited (or there is none).
   */
  dust(): string | null {
    const { state } = this.ctx;
    if (!state.inventoryDirection()) return null;
    // Inventory and entries change only on fills: the answer is kept until they do (hot path).
    const cache = this.dustCache;
    if (cache && cache.invL === state.inv.L && cache.invE === state.inv.E && cache.entryL === state.entry.L && cache.entryE === state.entry.E)
      return cache.result;
    const exitQty = minDecimal(state.inv.L.abs(), state.inv.E.abs());
    let result: string | null = null;
    for (const venue of ['L', 'E'] as const) {
      const { market } = this.ctx.venues[venue];
      const qty = roundToStep(exitQty, market.sizeStep);
      const value = qty.times(state.entry[venue]);
      if (qty.lt(market.minSize) || qty.isZero()) result ??= `dust: exit size ${exitQty} below ${venue} min size ${market.minSize}`;
      else if (value.lt(market.minValue)) result ??= `dust: exit value ${value.toDecimalPlaces(2)} below ${venue} min value ${market.minValue}`;
    }
    this.dustCache = { invL: state.inv.L, invE: state.inv.E, entryL: state.entry.L, entryE: state.entry.E, result };
    return result;
  }

  private dustCache: { invL: Decimal; invE: Decimal; entryL: Decimal; entryE: Decimal; result: string | null } | null = null;

  /** Called on every book update. `receivedAt` is the monotonic time the update arrived. */
  onBook(receivedAt: number): void {
    const evaluation = this.evaluate();
    const { state } = this.ctx;
    if (!state.hedgeSeeded) return;
    if (!evaluation) {
      // A book dropped (a resync, a disconnect): the updates before it are not consecutive with
      // those after it, so no TT fires on hits from before the gap.
      resetTtHits(this.memory);
      return;
    }
    const params = this.ctx.params();
    // A quote whose placement lost its answer may rest: nothing new until the venue settles it.
    const deciding = !(
      !this.ctx.quotingAllowed() ||
      this.busy ||
      this.ttPending ||
      state.liveOrder?.status === 'unknown' ||
      this.ctx.clock.monotonic() < this.pausedUntil
    );
    // Not deciding, and TT off: nothing to count either (the cheap way out of the hot path).
    if (!deciding && !params.enableTt) return;
    const inventoryDirection = state.inventoryDirection();
    const input: DecideInput = {
      tops: evaluation.tops,
      spreads: evaluation.spreads,
      inv: evaluation.inv,
      inventoryDirection,
      params,
      positionValue: deciding ? state.positionValue() : ZERO,
      liveOrder: state.liveOrder,
      dust: inventoryDirection ? this.dust() : null
    };
    if (!deciding) {
      // Not deciding, but every update after hedge_seeded counts towards (or resets) the TT hits.
      countTtHits(input, this.memory);
      return;
    }
    const decision = decide(input, this.memory);
    this.decisions += 1;
    if (state.currentDirection !== this.memory.bias) {
      state.currentDirection = this.memory.bias;
      this.ctx.changed();
    }
    this.recordSpread(evaluation, decision);
    // The outcome changed: a repeated unsendable decision gets its summary now.
    if (this.unsendable && (decision.action !== this.unsendable.decision.action || decision.combo !== this.unsendable.decision.combo)) this.flushUnsendable();
    if (decision.action === 'NONE') return;
    void this.execute(decision, receivedAt);
  }

  /**
   * spread.log keeps the evaluations worth reading: every change of the outcome (action and
   * combo), and otherwise one a second (100 book updates a second would bury the log and cost the
   * hot path a formatted line each). Orders actually sent are in maker.log.
   */
  private recordSpread(evaluation: Evaluation, decision: Decision): void {
    const now = this.ctx.clock.now();
    const outcome = `${decision.action} ${decision.combo ?? ''}`;
    if (outcome === this.lastSpreadReason && now - this.lastSpreadAt < 1000) return;
    this.lastSpreadReason = outcome;
    this.lastSpreadAt = now;
    this.ctx.logs.spread(this.spreadLine(evaluation, decision));
  }

  private lastSpreadReason = '';
  private lastSpreadAt = Number.NEGATIVE_INFINITY;

  private spreadLine(evaluation: Evaluation, decision: Decision): string {
    const s = evaluation.spreads;
    return (
      `${new Date(this.ctx.clock.now()).toISOString()} L ${evaluation.tops.bidL}/${evaluation.tops.askL} E ${evaluation.tops.bidE}/${evaluation.tops.askE} ` +
      `TT_LE ${s.TT_LE.format()} MT_LE ${s.MT_LE.format()} TM_LE ${s.TM_LE.format()} TT_EL ${s.TT_EL.format()} MT_EL ${s.MT_EL.format()} TM_EL ${s.TM_EL.format()} ` +
      `INV ${evaluation.inv.toDecimalPlaces(4).toString()} ` +
      `-> ${decision.action}${decision.combo ? ` ${decision.combo}` : ''} (${decision.reason})`
    );
  }

  private async execute(decision: ActiveDecision, receivedAt: number): Promise<void> {
    this.busy = true;
    try {
      if (decision.action === 'CANCEL') await this.cancelLive(decision.reason, decision, receivedAt);
      else if (decision.action === 'MAKE') await this.make(decision, receivedAt);
      else if (decision.action === 'TAKE') await this.take(decision, receivedAt);
    } catch (error) {
      this.ctx.log('error', 'maker', `executing ${decision.action}: ${String(error)}`);
    } finally {
      this.busy = false;
    }
  }

  /** The unsendable decision being repeated: written once, then summarised (count and span) when it changes. */
  private unsendable: { key: string; decision: ActiveDecision; qty: Decimal; problem: string; count: number; firstAt: number; lastAt: number } | null = null;

  /**
   * A decision no venue would take (below a minimum). maker.log and the journal record what was
   * sent or refused, not a decision repeated on every book update: the first is written, the
   * repeats are counted and summarised once the outcome changes.
   */
  private notSent(decision: ActiveDecision, qty: Decimal, problem: string): void {
    const now = this.ctx.clock.now();
    const key = `${decision.action} ${decision.combo} ${decision.direction} ${problem.replace(/[\d.]+/g, '#')}`;
    if (this.unsendable?.key === key) {
      this.unsendable.count += 1;
      this.unsendable.lastAt = now;
      return;
    }
    this.flushUnsendable();
    this.unsendable = { key, decision, qty, problem, count: 1, firstAt: now, lastAt: now };
    this.ctx.logs.maker(`${new Date(now).toISOString()} ${decision.action} ${decision.combo} not sent: ${problem}`);
    this.record(decision, qty, undefined, `; not sent: ${problem}`);
  }

  /** Writes the summary of a repeated unsendable decision, if it repeated. */
  private flushUnsendable(): void {
    const repeated = this.unsendable;
    this.unsendable = null;
    if (!repeated || repeated.count <= 1) return;
    const line = `${repeated.decision.action} ${repeated.decision.combo} not sent: ${repeated.problem}; repeated ${repeated.count} times over ${((repeated.lastAt - repeated.firstAt) / 1000).toFixed(1)} s`;
    this.ctx.logs.maker(`${new Date(repeated.lastAt).toISOString()} ${line}`);
    this.record(
      repeated.decision,
      repeated.qty,
      undefined,
      `; not sent: ${repeated.problem} (x${repeated.count} over ${((repeated.lastAt - repeated.firstAt) / 1000).toFixed(1)} s)`
    );
  }

  private record(decision: Decision, qty: Decimal | null, latencyMs: number | undefined, reasonSuffix = ''): void {
    const view: DecisionView = {
      at: this.ctx.clock.now(),
      action: decision.action,
      combo: decision.combo,
      direction: decision.direction,
      venue: decision.venue,
      side: decision.side,
      price: decision.price?.toString() ?? null,
      qty: qty?.toString() ?? null,
      reason: decision.reason + reasonSuffix,
      latencyMs
    };
    this.lastDecision = view;
    this.ctx.journal.decision(view);
    this.ctx.emit({ type: 'decision', decision: view });
    this.ctx.changed();
  }

  private async make(decision: ActiveDecision, receivedAt: number): Promise<void> {
    const { venue: venueId, side, price } = decision;
    const venue = this.ctx.venues[venueId];
    const params = this.ctx.params();
    const live = this.ctx.state.liveOrder;
    // Exits never trade more than the inventory still to unwind on both legs (the hedge of a maker
    // exit trades the other venue by the same size), so no exit flips a position.
    const { inv } = this.ctx.state;
    const cap = decision.direction === 'exit' ? minDecimal(inv.L.abs(), inv.E.abs()) : undefined;
    const oversized = live !== null && cap !== undefined && live.qty.minus(live.filledQty).gt(cap);
    if (live && !oversized && live.venue === venueId && live.side === side && this.withinRepriceTick(live.price, price, params.repriceTick)) {
      // Close enough: no churn on every tick. The combo may change (bias), the order stays.
      live.combo = decision.combo;
      live.direction = decision.direction;
      return;
    }
    // The live order goes either way (repriced, or replaced by an order no venue would take): its
    // cancel is sent first, and the new order is sized while the cancel is on its way.
    if (live) {
      const cancelled = await this.cancelLive(`reprice to ${price} (${decision.combo})`, decision, receivedAt);
      if (!cancelled) return;
    }
    const size = orderSize(venue.market, params.orderValue, price, cap);
    if (size.problem) {
      this.notSent(decision, size.qty, size.problem);
      return;
    }
    await this.placePostOnly(decision, size.qty, receivedAt);
  }

  /** withinFraction, asked again with the same decimals on most updates (tops change less often than books): the last answer is kept. */
  private withinRepriceTick(livePrice: Decimal, price: Decimal, repriceTick: Decimal): boolean {
    const last = this.lastReprice;
    if (last && last.livePrice === livePrice && last.price === price && last.repriceTick === repriceTick) return last.within;
    const within = withinFraction(livePrice, price, repriceTick);
    this.lastReprice = { livePrice, price, repriceTick, within };
    return within;
  }

  private lastReprice: { livePrice: Decimal; price: Decimal; repriceTick: Decimal; within: boolean } | null = null;

  private async placePostOnly(decision: ActiveDecision, qty: Decimal, receivedAt: number): Promise<void> {
    const ctx = this.ctx;
    const { venue: venueId, side, price } = decision;
    if (!ctx.quotingAllowed()) return;
    this.flushUnsendable();
    const clientId = ctx.nextClientId();
    const order: LiveOrder = {
      clientId,
      venue: venueId,
      side,
      price,
      qty,
      filledQty: ZERO,
      combo: decision.combo,
      direction: decision.direction,
      status: 'placing',
      placedAt: ctx.clock.now()
    };
    const tracked = this.registry.track({ clientId, venue: venueId, purpose: 'maker', side, qty, price });
    ctx.state.liveOrder = order;
    const sent = await trackedSend(this.sendDeps, {
      row: { clientId, venue: venueId, kind: 'post_only', side, price: price.toString(), qty: qty.toString(), purpose: 'maker', combo: decision.combo },
      tracked: { order: tracked, answer: 'accepted' },
      send: () => ctx.venues[venueId].placePostOnly({ clientId, side, price, qty }),
      replied: (ack) => ({ detail: `accepted ${ack.venueOrderId ?? ''}`.trim() }),
      onSent: (sentAt) => {
        this.ordersSent += 1;
        this.record(decision, qty, sentAt - receivedAt);
      }
    });
    const { latencyMs } = sent;
    if (sent.ok) {
      this.rejectsInRow = 0;
      if (sent.value.venueOrderId) tracked.venueOrderId ??= sent.value.venueOrderId;
      if (ctx.state.liveOrder?.clientId === clientId && (order.status === 'placing' || order.status === 'unknown')) order.status = 'live';
      ctx.logs.maker(
        `${new Date(ctx.clock.now()).toISOString()} PLACE ${decision.combo} ${venueId} ${side} ${qty} @ ${price} post-only id ${clientId} -> accepted in ${latencyMs.toFixed(1)} ms (${decision.reason})`
      );
      // Quoting stopped while the order was on its way (kill, stale book): it must not stay.
      if (!ctx.quotingAllowed() && ctx.state.liveOrder?.clientId === clientId) await this.cancelLive('placed while quoting stopped', null);
    } else if (sent.unknown) {
      // It may rest at the venue: keep it (no second quote) until the venue's record settles it.
      if (ctx.state.liveOrder?.clientId === clientId && order.status === 'placing') order.status = 'unknown';
      ctx.logs.maker(
        `${new Date(ctx.clock.now()).toISOString()} PLACE ${decision.combo} ${venueId} ${side} ${qty} @ ${price} id ${clientId} -> OUTCOME UNKNOWN in ${latencyMs.toFixed(1)} ms: ${sent.detail}; kept until the venue settles it`
      );
    } else {
      const { detail, error } = sent;
      if (ctx.state.liveOrder?.clientId === clientId) ctx.state.liveOrder = null;
      ctx.logs.maker(
        `${new Date(ctx.clock.now()).toISOString()} PLACE ${decision.combo} ${venueId} ${side} ${qty} @ ${price} id ${clientId} -> FAILED in ${latencyMs.toFixed(1)} ms: ${detail}`
      );
      if (error instanceof VenueOrderError && error.kind === 'rejected') {
        ctx.raiseAlarm('order_rejected', `${venueId} rejected a post-only order: ${detail}`, `order_rejected:${venueId}`);
        // Refusals in a row back off (0.5 s doubling to 30 s), and a storm of them disarms.
        this.rejectsInRow += 1;
        this.pausedUntil = ctx.clock.monotonic() + Math.min(30_000, 500 * 2 ** (this.rejectsInRow - 1));
        if (this.rejectsInRow >= REJECT_STORM) {
          const message = `${venueId} refused ${this.rejectsInRow} post-only orders in a row (last: ${detail}); disarmed`;
          this.rejectsInRow = 0;
          this.onRejectStorm?.(message);
        }
      }
    }
    ctx.changed();
  }

  /** Cancels the live maker order. False when it may still be live (the cancel did not go through). */
  async cancelLive(reason: string, decision: Decision | null, receivedAt?: number): Promise<boolean> {
    const ctx = this.ctx;
    const live = ctx.state.liveOrder;
    if (!live) return true;
    live.status = 'cancelling';
    ctx.changed();
    const sent = await trackedSend(this.sendDeps, {
      row: { clientId: live.clientId, venue: live.venue, kind: 'cancel', purpose: 'maker', combo: live.combo },
      send: () => ctx.venues[live.venue].cancel(live.clientId),
      replied: () => ({ detail: 'cancelled' }),
      onSent: (sentAt) => {
        if (decision && decision.action === 'CANCEL') this.record(decision, live.qty, receivedAt !== undefined ? sentAt - receivedAt : undefined);
      }
    });
    const { latencyMs } = sent;
    if (sent.ok) {
      ctx.logs.maker(
        `${new Date(ctx.clock.now()).toISOString()} CANCEL ${live.combo} ${live.venue} ${live.side} ${live.qty} @ ${live.price} id ${live.clientId} -> done in ${latencyMs.toFixed(1)} ms (${reason})`
      );
      this.cancelAccepted(live.venue, live.clientId);
      this.cancelRefusals = 0;
      if (ctx.state.liveOrder?.clientId === live.clientId) ctx.state.liveOrder = null;
      ctx.changed();
      return true;
    }
    const { detail, error } = sent;
    ctx.logs.maker(`${new Date(ctx.clock.now()).toISOString()} CANCEL ${live.combo} id ${live.clientId} -> FAILED in ${latencyMs.toFixed(1)} ms: ${detail}`);
    // "No such order" means it is not resting (filled, cancelled, or never placed): the maker slot
    // is free, and the registry keeps the order until the venue's record says how it ended.
    // Any other refusal, a network error or a rate limit means it may still rest: keep it.
    const gone = error instanceof VenueOrderError && error.kind === 'not_found';
    if (gone) this.cancelAccepted(live.venue, live.clientId);
    else if (error instanceof VenueOrderError && error.kind === 'rejected' && ++this.cancelRefusals >= 3) {
      ctx.raiseAlarm(
        'order_rejected',
        `${live.venue} refused to cancel order ${live.clientId} ${this.cancelRefusals} times: ${detail}; it may still rest`,
        `cancel_refused:${live.venue}`
      );
    }
    if (ctx.state.liveOrder?.clientId === live.clientId) {
      if (gone) ctx.state.liveOrder = null;
      else live.status = 'live';
    }
    ctx.changed();
    return gone;
  }

  private cancelAccepted(venue: VenueId, clientId: string): void {
    const tracked = this.registry.find(venue, clientId);
    if (tracked) tracked.cancelAccepted = true;
  }

  /** TT: both legs as market orders at once, equal sizes on the coarser step. */
  private async take(decision: ActiveDecision, receivedAt: number): Promise<void> {
    const ctx = this.ctx;
    const combo = COMBOS[decision.combo];
    const buyVenue = ctx.venues[combo.buy.venue];
    const sellVenue = ctx.venues[combo.sell.venue];
    const params = ctx.params();
    const buyPrice = decision.price;
    let qty = roundToBothSteps(quantityFor(params.orderValue, buyPrice), buyVenue.market.sizeStep, sellVenue.market.sizeStep);
    if (decision.direction === 'exit') {
      const inventory = minDecimal(ctx.state.inv[combo.buy.venue].abs(), ctx.state.inv[combo.sell.venue].abs());
      qty = roundToBothSteps(minDecimal(qty, inventory), buyVenue.market.sizeStep, sellVenue.market.sizeStep);
    }
    const problems = [buyVenue, sellVenue]
      .map((venue) => orderSize(venue.market, qty.times(buyPrice), buyPrice).problem)
      .filter((problem): problem is string => !!problem);
    const buyWorst = marketWorstPrice(ctx, combo.buy.venue, 'buy');
    const sellWorst = marketWorstPrice(ctx, combo.sell.venue, 'sell');
    if (problems.length > 0 || qty.isZero() || !buyWorst || !sellWorst) {
      this.notSent(decision, qty, problems[0] ?? 'size rounds to zero');
      return;
    }
    // A TT exit takes the inventory a resting maker exit would: cancel that first (strategy.md).
    const live = ctx.state.liveOrder;
    if (decision.direction === 'exit' && live?.direction === 'exit') {
      if (!(await this.cancelLive(`TT exit ${combo.key} replaces the maker exit`, null))) return;
      // A kill, a disarm or a flatten may have begun while the cancel was on its way: send nothing then.
      if (!ctx.quotingAllowed()) return;
    }
    this.flushUnsendable();
    this.ttPending = true;
    try {
      const legOn = this.exposure.seedVenue;
      const legs = [
        { venue: combo.buy.venue, side: 'buy' as const, worst: buyWorst, top: buyVenue.book.bestAsk(), clientId: ctx.nextClientId() },
        { venue: combo.sell.venue, side: 'sell' as const, worst: sellWorst, top: sellVenue.book.bestBid(), clientId: ctx.nextClientId() }
      ].map((leg) => ({
        ...leg,
        tracked: this.registry.track({
          clientId: leg.clientId,
          venue: leg.venue,
          purpose: 'tt',
          side: leg.side,
          qty,
          price: leg.worst,
          legOn,
          refPrice: leg.top
        })
      }));
      const sentAt = ctx.clock.monotonic();
      const results = await Promise.all(
        legs.map((leg) => {
          this.exposure.provision(leg.tracked);
          this.ordersSent += 1;
          return trackedSend(this.sendDeps, {
            row: {
              clientId: leg.clientId,
              venue: leg.venue,
              kind: 'market',
              side: leg.side,
              price: leg.worst.toString(),
              qty: qty.toString(),
              purpose: 'tt',
              combo: combo.key
            },
            tracked: { order: leg.tracked, answer: 'market' },
            send: () => ctx.venues[leg.venue].sendMarket({ clientId: leg.clientId, side: leg.side, qty, worstPrice: leg.worst }),
            replied: (result) => ({ detail: `filled ${result.filledQty}`, filledQty: result.filledQty })
          });
        })
      );
      this.record(decision, qty, sentAt - receivedAt);
      results.forEach((sent, index) => {
        const leg = legs[index]!;
        const detail = sent.ok
          ? `filled ${sent.value.filledQty}`
          : sent.unknown
            ? `OUTCOME UNKNOWN (${sent.detail}): kept until the venue settles it`
            : sent.detail;
        ctx.logs.maker(
          `${new Date(ctx.clock.now()).toISOString()} TAKE ${combo.key} ${leg.venue} ${leg.side} ${qty} @<=${leg.worst} id ${leg.clientId} -> ${detail} in ${sent.latencyMs.toFixed(1)} ms (${decision.reason})`
        );
      });
      // No new decision until both legs are settled by the venues' record (a lost answer included).
      const settled = await Promise.all(legs.map((leg) => this.registry.whenSettled(leg.tracked)));
      const imbalance = settled[0]!.countedFilled.minus(settled[1]!.countedFilled);
      if (!imbalance.isZero()) {
        const message = `TT ${combo.key} legs filled ${settled[0]!.countedFilled} / ${settled[1]!.countedFilled}: imbalance ${imbalance}`;
        if (this.hedging) ctx.log('warn', 'maker', `${message}; the hedge engine evens it out`);
        else ctx.raiseAlarm('tt_imbalance', `${message}; no hedge engine in TT-only mode`, 'tt_imbalance');
      }
    } finally {
      this.ttPending = false;
    }
  }

  /** The venue's update of an order: the live order's filled quantity (its one writer). */
  onOrderUpdate(update: OrderUpdate): void {
    const live = this.ctx.state.liveOrder;
    if (!live || live.clientId !== update.clientId || live.venue !== update.venue) return;
    if (update.filledQty.gt(live.filledQty)) live.filledQty = update.filledQty;
    if ((live.status === 'placing' || live.status === 'unknown') && (update.status === 'open' || update.status === 'partially_filled')) live.status = 'live';
    this.ctx.changed();
  }

  /** The registry settled an order: the live order is forgotten only now (the venue confirmed it finished). */
  onSettled(order: TrackedOrder): void {
    const live = this.ctx.state.liveOrder;
    if (!live || live.clientId !== order.clientId || live.venue !== order.venue) return;
    this.ctx.state.liveOrder = null;
    this.ctx.logs.maker(
      `${new Date(this.ctx.clock.now()).toISOString()} ORDER ${live.clientId} ${order.finalStatus ?? 'settled'}${order.detail ? ` (${order.detail})` : ''}, filled ${order.countedFilled}`
    );
    this.ctx.changed();
  }
}
