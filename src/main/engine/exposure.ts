/**
 * Exposure truth (strategy.md "Order and exposure truth"): `net = invL + invE` from every fill
 * counted once, and the invariant the hedge engine works on:
 *
 *   unhedged_L + unhedged_E = net + legsInFlight
 *
 * where `legsInFlight` is the signed quantity hedge and TT legs still have to fill (a leg of unknown
 * outcome at its requested size): in strategy.md's words, net minus what the legs in flight will
 * take out. A leg is provisioned into `unhedged` when it is sent and its unfilled part given back
 * when the venue settles it, so an unknown hedge is never sent twice. Maker fills, and the trader's
 * manual and flatten orders, add to `unhedged` on their venue (that is where exposure arose); any
 * other fill that is not a leg goes to the seed venue. Anything left over is a leak: added
 * to `unhedged` on the seed venue, written to the hedge log with its cause, and alarmed once it
 * reaches minHedgeQty.
 */
import type Decimal from 'decimal.js';
import type { VenueId } from '../../shared/contract';
import type { EngineContext } from './context';
import type { OrderRegistry, TrackedOrder } from './orderRegistry';
import { signedQty } from './orderRegistry';
import type { FillDelta, Position } from '../ports/venue';
import { ZERO } from '../kernel/decimalMath';

export class Exposure {
  /** Leaks found (a count the tests and the soak read). */
  leaks = 0;
  /**
   * Per venue, the part of `unhedged` no fill explains (leaks, reconcile corrections), not yet
   * hedged: the hedge engine sends no automatic hedge for more of it than a position of the strategy
   * could be (hedgeBot.ts); the trader's "hedge now" does.
   */
  readonly leaked: Record<VenueId, Decimal> = { L: ZERO, E: ZERO };

  constructor(
    private readonly ctx: EngineContext,
    private readonly registry: OrderRegistry,
    private readonly seedOn: VenueId
  ) {}

  get seedVenue(): VenueId {
    return this.seedOn;
  }

  private add(venue: VenueId, qty: Decimal, why: string): void {
    if (qty.isZero()) return;
    const { state } = this.ctx;
    state.unhedged[venue] = state.unhedged[venue].plus(qty);
    this.ctx.logs.hedge(
      `${new Date(this.ctx.clock.now()).toISOString()} unhedged_${venue} ${qty.isNeg() ? '' : '+'}${qty} (${why}) = ${state.unhedged[venue]}`
    );
    this.ctx.changed();
  }

  /** Exposure with no maker origin (the start-up seed, a manual order): on the seed venue. */
  addUnexplained(qty: Decimal, why: string): void {
    this.add(this.seedOn, qty, why);
  }

  /** A hedge or TT leg was sent: it counts at its requested size until the venue settles it. */
  provision(order: TrackedOrder): void {
    if (!order.legOn) return;
    this.add(order.legOn, signedQty(order.side, order.qty), `${order.purpose} leg ${order.venue} ${order.clientId} sent`);
    // What the leg takes out of unhedged takes the unexplained part with it first; a leg that adds
    // to it (or none unexplained) leaves it as it is.
    const venue = order.legOn;
    const unexplained = this.leaked[venue];
    const change = signedQty(order.side, order.qty);
    if (unexplained.isZero() || change.isNeg() === unexplained.isNeg()) return;
    const left = unexplained.plus(change);
    this.leaked[venue] = left.isZero() || left.isNeg() !== unexplained.isNeg() ? ZERO : left;
  }

  /** A leg settled: the part that did not fill goes back to unhedged. */
  settled(order: TrackedOrder): void {
    if (!order.legOn) return;
    const left = order.qty.minus(order.countedFilled);
    if (left.gt(0))
      this.add(
        order.legOn,
        signedQty(order.side, left).neg(),
        `${order.purpose} leg ${order.venue} ${order.clientId} ${order.finalStatus ?? 'settled'}, ${order.countedFilled} of ${order.qty} filled`
      );
  }

  /**
   * Routes one counted fill: legs are provisioned already; maker fills, and the trader's manual and
   * flatten orders, stay on the venue they traded (so any hedge goes to the other venue: a manual buy
   * on E is never undone by a sell on E); the rest (an untracked taker fill) goes to the seed venue.
   */
  fill(fill: FillDelta, order: TrackedOrder | undefined): void {
    if (order?.legOn) return;
    const maker = order ? order.purpose === 'maker' || order.purpose === 'adopted' : fill.maker;
    if (maker) this.add(fill.venue, fill.qty, `maker fill ${fill.id}`);
    else if (order && (order.purpose === 'manual' || order.purpose === 'flatten')) this.add(fill.venue, fill.qty, `${order.purpose} order fill ${fill.id}`);
    else this.add(this.seedOn, fill.qty, `${order ? `${order.purpose} order` : 'untracked order'} fill ${fill.id} on ${fill.venue}`);
  }

  /**
   * The venues' positions become the engine's (flatten read them after closing): inventory and entry
   * set to each venue's figure (a venue that could not be read keeps ours), and unhedged rebuilt so
   * the invariant holds: what is left open is unhedged on the venue that holds it (on the seed venue
   * when both do), hedged only when the trader says so.
   */
  adopt(why: string, positions: Array<{ venue: VenueId; position: Position | null }>): void {
    const { state } = this.ctx;
    for (const { venue, position } of positions) {
      if (position && !position.qty.eq(state.inv[venue]))
        this.ctx.logs.hedge(
          `${new Date(this.ctx.clock.now()).toISOString()} ${why}: ${venue} position adopted from the venue: ${position.qty} (ours ${state.inv[venue]})`
        );
      if (position) state.setPosition(venue, position);
    }
    const open = positions.filter(({ position }) => position && !position.qty.isZero()).map(({ venue }) => venue);
    const target = open.length === 1 ? (open[0] as VenueId) : this.seedOn;
    state.unhedged = { L: ZERO, E: ZERO };
    state.unhedged[target] = state.inv.L.plus(state.inv.E).plus(this.registry.legsInFlight());
    // Read from the venues just now: nothing of it is unexplained any more.
    this.leaked.L = ZERO;
    this.leaked.E = ZERO;
    this.ctx.changed();
  }

  /** net + legsInFlight - (unhedged_L + unhedged_E): zero unless something escaped the books above. */
  gap(): Decimal {
    const { state } = this.ctx;
    return state.inv.L.plus(state.inv.E).plus(this.registry.legsInFlight()).minus(state.unhedged.L.plus(state.unhedged.E));
  }

  /** Checks the invariant; a gap is a leak: corrected through unhedged on the seed venue, alarmed when it matters. */
  check(cause: string): Decimal {
    const gap = this.gap();
    if (gap.isZero()) return gap;
    this.leaks += 1;
    this.add(this.seedOn, gap, `LEAK: ${cause}`);
    this.leaked[this.seedOn] = this.leaked[this.seedOn].plus(gap);
    const threshold = this.ctx.state.minHedgeQty;
    const message = `exposure not explained by fills and legs: ${gap} (${cause}); added to unhedged_${this.seedOn}`;
    this.ctx.log('warn', 'exposure', message);
    if (threshold && gap.abs().gte(threshold)) this.ctx.raiseAlarm('exposure_leak', message, 'exposure_leak');
    return gap;
  }

  /** Opposite-sign unhedged amounts offset each other (strategy.md: the hedge engine hedges the net). */
  net(): void {
    const { state } = this.ctx;
    const { L, E } = state.unhedged;
    if (L.isZero() || E.isZero() || L.isNeg() === E.isNeg()) return;
    const [keep, drop]: [VenueId, VenueId] = L.abs().gte(E.abs()) ? ['L', 'E'] : ['E', 'L'];
    state.unhedged[keep] = state.unhedged[keep].plus(state.unhedged[drop]);
    this.leaked[keep] = this.leaked[keep].plus(this.leaked[drop]);
    this.leaked[drop] = ZERO;
    this.ctx.logs.hedge(
      `${new Date(this.ctx.clock.now()).toISOString()} netted unhedged_${drop} ${state.unhedged[drop]} into unhedged_${keep} = ${state.unhedged[keep]}`
    );
    state.unhedged[drop] = ZERO;
  }
}
