/**
 * The trader's own orders: manual market orders (with the override strategy.md asks for when they
 * add exposure) and flatten. Each is tracked by the order registry like every order, so its fills
 * go through the exposure invariant and a lost answer is settled by the venue's record.
 */
import type Decimal from 'decimal.js';
import type { CommandResult, Side, VenueId } from '../../shared/contract';
import { commandError } from '../../shared/commands';
import type { Clock } from '../kernel/clock';
import { roundToStep, ZERO } from '../kernel/decimalMath';
import type { TradeJournal } from '../ports/records';
import { VenueOrderError, type Venue } from '../ports/venue';
import type { EngineContext } from './context';
import type { Exposure } from './exposure';
import type { HedgeBot } from './hedgeBot';
import type { OrderRegistry } from './orderRegistry';
import { marketWorstPrice } from './pricing';
import { VENUES } from './state';
import { trackedSend } from './trackedSend';

export interface ManualTradingDeps {
  ctx: EngineContext;
  clock: Clock;
  venues: Record<VenueId, Venue>;
  journal: TradeJournal;
  registry: OrderRegistry;
  exposure: Exposure;
  hedger: HedgeBot | null;
  /** Disarms and sweeps; `problems` lists what kept the sweep from completing (empty when it did). */
  disarmAndCancel(reason: string): Promise<{ problems: string[] }>;
}

/** How long flatten waits for hedge and TT legs in flight to settle before it refuses to guess. */
export const FLATTEN_LEG_WAIT_MS = 10_000;
/** How long a manual or flatten market order waits for the venue to settle it before it is reported unknown. */
export const MARKET_SETTLE_WAIT_MS = 15_000;

export class ManualTrading {
  constructor(private readonly deps: ManualTradingDeps) {}

  /**
   * A manual or flatten market order, tracked like every order: its fills go through the exposure
   * invariant (to unhedged on the seed venue); a lost answer leaves it unknown until the venue
   * settles it. Resolves with what it filled once settled.
   */
  async marketOrder(venue: VenueId, side: Side, qty: Decimal, purpose: 'manual' | 'flatten'): Promise<Decimal> {
    const target = this.deps.venues[venue];
    const rounded = roundToStep(qty, target.market.sizeStep);
    const worstPrice = marketWorstPrice(this.deps.ctx, venue, side);
    if (!worstPrice) throw new VenueOrderError(venue, 'invalid', 'book not ready');
    if (rounded.lt(target.market.minSize) || rounded.isZero()) {
      throw new VenueOrderError(venue, 'invalid', `size ${rounded} below min size ${target.market.minSize}`);
    }
    const clientId = this.deps.ctx.nextClientId();
    const refPrice = side === 'buy' ? target.book.bestAsk() : target.book.bestBid();
    const order = this.deps.registry.track({ clientId, venue, purpose, side, qty: rounded, price: worstPrice, refPrice });
    const sent = await trackedSend(this.deps, {
      row: { clientId, venue, kind: 'market', side, price: worstPrice.toString(), qty: rounded.toString(), purpose },
      tracked: { order, answer: 'market' },
      send: () => target.sendMarket({ clientId, side, qty: rounded, worstPrice }),
      replied: (result) => ({ detail: `filled ${result.filledQty}`, filledQty: result.filledQty })
    });
    // A refusal is an answer (nothing executed); a lost answer waits for the venue's record like any order.
    if (!sent.ok && !sent.unknown) throw sent.error;
    // Bounded: a flatten or a manual order must not hang on an answer that may never come; the
    // registry keeps the order unknown and the reconciler settles it from the venue's record.
    if (!(await this.deps.registry.whenSettledWithin(order, MARKET_SETTLE_WAIT_MS, this.deps.clock))) {
      throw new Error(
        `${purpose} order ${clientId} on ${venue}: outcome not known after ${MARKET_SETTLE_WAIT_MS / 1000} s (it may have executed; the venue's record will settle it)`
      );
    }
    return order.countedFilled;
  }

  /**
   * Why a manual order needs the trader's override (strategy.md): it would raise |net| above
   * minHedgeQty, or a position's value above MAX_POSITION_VALUE. Null when it needs none.
   */
  limits(venue: VenueId, side: Side, qty: Decimal): string | null {
    const signed = side === 'buy' ? qty : qty.neg();
    const net = this.deps.ctx.state.inv.L.plus(this.deps.ctx.state.inv.E);
    const after = net.plus(signed);
    const problems: string[] = [];
    const threshold = this.deps.ctx.state.minHedgeQty ?? ZERO;
    if (after.abs().gt(net.abs()) && after.abs().gt(threshold)) problems.push(`net exposure would go from ${net} to ${after} (minHedgeQty ${threshold})`);
    const book = this.deps.venues[venue].book;
    const price = (side === 'buy' ? book.bestAsk() : book.bestBid()) ?? this.deps.ctx.state.entry[venue];
    const position = this.deps.ctx.state.inv[venue].plus(signed);
    const value = position.abs().times(price);
    if (position.abs().gt(this.deps.ctx.state.inv[venue].abs()) && value.gt(this.deps.ctx.params().maxPositionValue)) {
      problems.push(`the ${venue} position would be worth ${value.toDecimalPlaces(2)} > MAX_POSITION_VALUE ${this.deps.ctx.params().maxPositionValue}`);
    }
    return problems.length > 0 ? problems.join('; ') : null;
  }

  /**
   * Flatten: disarm and cancel the quotes first (nothing new may fill while it works), stop the hedge
   * engine, wait for the legs in flight (at most FLATTEN_LEG_WAIT_MS: a leg of unknown outcome may
   * still execute, so flatten refuses to guess and alarms), then close each venue's position as the
   * venue reports it. What could not be closed stays as exposure, alarmed, and the hedge engine stays
   * held (it would re-open a leg) until the trader flattens again or hedges now.
   */
  async flatten(): Promise<CommandResult> {
    // One at a time: a second flatten reading positions while the first one's orders are on their way would close twice.
    if (this.flattening) return commandError('REJECTED', 'a flatten is already running: wait for its answer');
    this.flattening = true;
    try {
      return await this.flattenHeld();
    } catch (error) {
      // Whatever broke, the trader must not be left with a held hedge engine and no word of it.
      const message = `flatten failed: ${error instanceof Error ? error.message : String(error)}. The hedge engine is held: flatten again, or hedge now.`;
      this.raiseFlattenAlarm(message, 'Flatten again');
      return commandError('REJECTED', message);
    } finally {
      this.flattening = false;
    }
  }

  private flattening = false;

  private async flattenHeld(): Promise<CommandResult> {
    const kill = await this.deps.disarmAndCancel('flatten');
    await this.deps.hedger?.hold();
    if (kill.problems.length > 0) {
      // Quotes may still rest and fill: closing now would trade against a moving position.
      const message = `flatten stopped before trading: the kill sweep did not complete (${kill.problems.join('; ')}); quotes may still rest. The hedge engine is held: flatten again, or hedge now.`;
      this.raiseFlattenAlarm(message, 'Flatten again');
      return commandError('REJECTED', message);
    }
    // Every market order still in flight (hedge and TT legs, manual and flatten orders): it may
    // still execute and change the positions flatten is about to read.
    const legs = this.deps.registry.unsettled().filter((order) => order.purpose !== 'maker' && order.purpose !== 'adopted');
    const waits = await Promise.all(legs.map((order) => this.deps.registry.whenSettledWithin(order, FLATTEN_LEG_WAIT_MS, this.deps.clock)));
    const stuck = legs.filter((_, index) => !waits[index]);
    if (stuck.length > 0) {
      const which = stuck.map((order) => `${order.purpose} ${order.side} ${order.qty} on ${order.venue} (${order.state})`).join(', ');
      const message =
        `flatten stopped before trading: ${stuck.length} market order(s) in flight not settled after ${FLATTEN_LEG_WAIT_MS / 1000} s: ${which}. ` +
        'They may still execute, so closing the positions now could over-trade. The hedge engine is held: flatten again once they settle, or hedge now.';
      this.raiseFlattenAlarm(message, 'Flatten again');
      return commandError('REJECTED', message);
    }
    const results: string[] = [];
    for (const venue of VENUES) {
      try {
        const position = await this.deps.venues[venue].loadPosition();
        if (position.qty.isZero()) continue;
        const filled = await this.marketOrder(venue, position.qty.isPos() ? 'sell' : 'buy', position.qty.abs(), 'flatten');
        results.push(`${venue} closed ${filled} of ${position.qty.abs()}`);
      } catch (error) {
        results.push(`${venue} failed: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    const after = await Promise.all(VENUES.map((venue) => this.deps.venues[venue].loadPosition().catch(() => null)));
    // The venues' positions become the engine's inventory, and unhedged is rebuilt from them: a
    // stale picture would otherwise have the hedge engine "hedge" a difference flatten just closed.
    this.deps.exposure.adopt(
      'flatten',
      VENUES.map((venue, index) => ({ venue, position: after[index] ?? null }))
    );
    const open = VENUES.map((venue, index) => ({ venue, qty: after[index]?.qty ?? null })).filter((entry) => entry.qty === null || !entry.qty.isZero());
    this.deps.ctx.changed();
    if (open.length === 0) {
      this.deps.hedger?.unhold();
      this.deps.ctx.clearAlarm('flatten');
      return { ok: true, message: `flattened: ${results.join('; ') || 'already flat'}` };
    }
    const remaining = open.map((entry) => `${entry.venue} ${entry.qty?.toString() ?? 'unknown'}`).join(', ');
    const message = `flatten incomplete: still open ${remaining} (${results.join('; ')}). The hedge engine is held: flatten again, or hedge now.`;
    this.raiseFlattenAlarm(message, `Flatten remaining ${remaining}`);
    return commandError('REJECTED', message);
  }

  private raiseFlattenAlarm(message: string, flattenLabel: string): void {
    this.deps.ctx.changed();
    this.deps.ctx.raiseAlarm('exposure_leak', message, 'flatten', [
      { label: flattenLabel, command: 'flatten' },
      ...(this.deps.hedger ? [{ label: 'Hedge now', command: 'hedgeUnhedged' as const }] : [])
    ]);
  }
}
