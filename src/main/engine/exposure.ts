/**
 * Exposure truth (strategy.md "Order and exposure truth"): `net = invL + invE` from every fill
 * counted once, and the invariant the hedge engine works on:
 *
 *   unhedged_L + unhedged_E = net + legsInFlight
 *
 * where `legsInFlight` is the signed quantity hedge and TT legs still have to fill (a leg of unknown
 * outcome at its requested size): in strategy.md's words, net minus what the legs in flight will
 * take out. A leg is provisioned into `unhedged` when it is sent and its unfilled part given back
 * when the venue settles it, so an unknown hedge is never sent twice. Maker fills add to `unhedged`
 * on their venue (that is where exposure arose); every other fill that is not a leg (manual,
 * flatten, an order of an earlier run) goes to the seed venue. Anything left over is a leak: added
 * to `unhedged` on the seed venue, written to the hedge log with its cause, and alarmed once it
 * reaches minHedgeQty.
 */
import type Decimal from 'decimal.js';
import type { VenueId } from '../../shared/contract';
import type { EngineContext } from './context';
import type { OrderRegistry, TrackedOrder } from './orderRegistry';
import { signedQty } from './orderRegistry';
import type { FillDelta } from '../ports/venue';
import { ZERO } from '../kernel/decimalMath';

export class Exposure {
  /** Leaks found (a count the tests and the soak read). */
  leaks = 0;

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
    if (order.legOn) this.add(order.legOn, signedQty(order.side, order.qty), `${order.purpose} leg ${order.venue} ${order.clientId} sent`);
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

  /** Routes one counted fill: legs are provisioned already, maker fills stay on their venue, the rest goes to the seed venue. */
  fill(fill: FillDelta, order: TrackedOrder | undefined): void {
    if (order?.legOn) return;
    const maker = order ? order.purpose === 'maker' || order.purpose === 'adopted' : fill.maker;
    if (maker) this.add(fill.venue, fill.qty, `maker fill ${fill.id}`);
    else this.add(this.seedOn, fill.qty, `${order ? `${order.purpose} order` : 'untracked order'} fill ${fill.id} on ${fill.venue}`);
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
    this.ctx.logs.hedge(
      `${new Date(this.ctx.clock.now()).toISOString()} netted unhedged_${drop} ${state.unhedged[drop]} into unhedged_${keep} = ${state.unhedged[keep]}`
    );
    state.unhedged[drop] = ZERO;
  }
}
