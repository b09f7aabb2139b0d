/**
 * The engine's order registry (strategy.md "Order and exposure truth"): every order the engine
 * sends is tracked by client id from the moment it is sent until the venue's record says it is
 * finished AND its fills have been counted. An order whose send lost its answer is `unknown`, never
 * failed: it stays here (and its hedge or TT leg stays provisioned at its requested size) until an
 * account-stream update or a look-up by client id settles it.
 *
 * The registry only records; the engine decides what a settled order means (unprovisioning a leg,
 * freeing the maker slot) through `onSettled`.
 */
import type Decimal from 'decimal.js';
import type { Side, VenueId } from '../../shared/contract';
import type { Clock } from '../kernel/clock';
import { ZERO } from '../kernel/decimalMath';
import type { OrderReport, OrderStatus } from '../ports/venue';

/** Why the engine sent an order; `adopted` is an order of an earlier run kept at start-up. */
export type OrderPurpose = 'maker' | 'hedge' | 'tt' | 'manual' | 'flatten' | 'adopted';

/** pending: sent, no answer yet; open/partially_filled: resting; unknown: answer lost; finished: final status known. */
export type TrackedState = 'pending' | 'open' | 'partially_filled' | 'unknown' | 'finished';

const TERMINAL: ReadonlySet<OrderStatus> = new Set(['filled', 'cancelled', 'rejected', 'expired']);
export const isTerminal = (status: OrderStatus): boolean => TERMINAL.has(status);

/** How many settled orders the blotter keeps. */
const RECENT_KEPT = 50;

export interface TrackedOrder {
  clientId: string;
  venue: VenueId;
  purpose: OrderPurpose;
  side: Side;
  qty: Decimal;
  price: Decimal | null;
  state: TrackedState;
  /** For hedge and TT legs: the venue whose `unhedged` carries the leg while it is in flight. */
  legOn: VenueId | null;
  /** Sum of |qty| x price of the counted fills (their average price is filledCost / countedFilled). */
  filledCost: Decimal;
  /** The book's best price on the order's side when it was sent (a market order's slippage reference). */
  refPrice: Decimal | null;
  /** Send to answer, ms; null until the venue answered. */
  latencyMs: number | null;
  /** Cumulative filled quantity as the venue last reported it. */
  reportedFilled: Decimal;
  /** Fills of this order counted by the engine (sum of |qty|). */
  countedFilled: Decimal;
  finalStatus: OrderStatus | null;
  /** The venue's own id for it, once a reply or a report gave it. */
  venueOrderId?: string;
  /** The average price of the filled part as the venue last reported it. */
  reportedAvg?: Decimal;
  /** Fetches of its trades from the venue (fills the stream did not bring), and how many answered. */
  fillFetches: number;
  fillFetchesAnswered: number;
  /** The order's size is known (an earlier run's order listed without one is not): fills beyond it are impossible. */
  sizeKnown: boolean;
  /** Clock ms: sent, its send answered (or given up as unknown; null while the send is unanswered), became unknown, final status known, last look-up. */
  sentAt: number;
  answeredAt: number | null;
  unknownSince: number | null;
  finalAt: number | null;
  lastLookupAt: number;
  /** The maker has an accepted cancel for it (the venue said the cancel went through). */
  cancelAccepted: boolean;
  /** The unknown-outcome alarm was raised for it. */
  alarmed: boolean;
  detail: string;
}

export interface RegistryOptions {
  now(): number;
  /** Called once when an order is settled: final status known and its fills counted. */
  onSettled(order: TrackedOrder): void;
  /** How long a final status waits for its fills on the stream before they are fetched from the venue. */
  fillWaitMs?: number;
  /** How many finished orders are remembered (so that late updates and fills are recognised). */
  finishedMemory?: number;
}

export class OrderRegistry {
  private readonly live = new Map<string, TrackedOrder>();
  /** Settled orders, oldest first, bounded: late fills and stale updates find their purpose here. */
  private readonly finished = new Map<string, TrackedOrder>();
  private readonly waiters = new Map<string, Array<(order: TrackedOrder) => void>>();
  /** The last settled orders, oldest first (the console's blotter). */
  private readonly recent: TrackedOrder[] = [];

  /** The last settled orders, newest first. */
  recentlySettled(): TrackedOrder[] {
    return [...this.recent].reverse();
  }

  constructor(private readonly options: RegistryOptions) {}

  private key(venue: VenueId, clientId: string): string {
    return `${venue}:${clientId}`;
  }

  track(order: {
    clientId: string;
    venue: VenueId;
    purpose: OrderPurpose;
    side: Side;
    qty: Decimal;
    price: Decimal | null;
    legOn?: VenueId | null;
    state?: TrackedState;
    reportedFilled?: Decimal;
    refPrice?: Decimal | null;
    /** False for an order listed by the venue without its size. */
    sizeKnown?: boolean;
  }): TrackedOrder {
    const now = this.options.now();
    // An order found on the venue (adopted, a stray) has been answered: the venue listed it.
    const listed = order.state !== undefined && order.state !== 'pending';
    const tracked: TrackedOrder = {
      clientId: order.clientId,
      venue: order.venue,
      purpose: order.purpose,
      side: order.side,
      qty: order.qty,
      price: order.price,
      state: order.state ?? 'pending',
      legOn: order.legOn ?? null,
      filledCost: ZERO,
      refPrice: order.refPrice ?? null,
      latencyMs: null,
      reportedFilled: order.reportedFilled ?? ZERO,
      // An adopted order's earlier fills are in the position already: counted.
      countedFilled: order.reportedFilled ?? ZERO,
      finalStatus: null,
      sizeKnown: order.sizeKnown ?? true,
      sentAt: now,
      answeredAt: listed ? now : null,
      unknownSince: null,
      finalAt: null,
      lastLookupAt: 0,
      cancelAccepted: false,
      fillFetches: 0,
      fillFetchesAnswered: 0,
      alarmed: false,
      detail: ''
    };
    this.live.set(this.key(order.venue, order.clientId), tracked);
    if (order.purpose === 'maker' || order.purpose === 'adopted') this.restingTracked += 1;
    return tracked;
  }

  /** Orders that may rest (maker quotes, adopted and stray orders) tracked so far: a kill sweep compares it. */
  restingTracked = 0;

  /** A tracked order, or a settled one still remembered. */
  find(venue: VenueId, clientId: string): TrackedOrder | undefined {
    const key = this.key(venue, clientId);
    return this.live.get(key) ?? this.finished.get(key);
  }

  /** Orders not yet settled. */
  unsettled(): TrackedOrder[] {
    return [...this.live.values()];
  }

  get size(): number {
    return this.live.size;
  }

  /** The send came back (answered, refused, or given up as lost): from now on the venue's record can speak for it. */
  answered(order: TrackedOrder): void {
    order.answeredAt ??= this.options.now();
  }

  /** The venue accepted it. */
  accepted(order: TrackedOrder): void {
    if (order.state === 'pending' || order.state === 'unknown') {
      order.state = order.reportedFilled.gt(0) ? 'partially_filled' : 'open';
      order.unknownSince = null;
    }
  }

  /** The send's answer was lost: it may have executed. */
  unknown(order: TrackedOrder, detail: string): void {
    if (order.state === 'finished') return;
    order.state = 'unknown';
    order.unknownSince ??= this.options.now();
    order.detail = detail;
  }

  /** The venue's definite "no" to the send: it did not execute. */
  refused(order: TrackedOrder, detail: string): void {
    order.detail = detail;
    this.report({ venue: order.venue, clientId: order.clientId, status: 'rejected', filledQty: order.reportedFilled });
  }

  /**
   * The venue's record of an order (account stream or look-up). Ignored for settled orders (a stale
   * update after the final one adds nothing). Returns the order it applied to.
   */
  report(report: Pick<OrderReport, 'venue' | 'clientId' | 'status' | 'filledQty' | 'venueOrderId' | 'avgPrice'>): TrackedOrder | undefined {
    const order = this.live.get(this.key(report.venue, report.clientId));
    if (!order) return undefined;
    if (report.venueOrderId) order.venueOrderId ??= report.venueOrderId;
    if (report.avgPrice && report.filledQty.gte(order.reportedFilled)) order.reportedAvg = report.avgPrice;
    if (report.filledQty.gt(order.reportedFilled)) order.reportedFilled = report.filledQty;
    if (isTerminal(report.status)) {
      if (order.state !== 'finished') {
        order.state = 'finished';
        order.finalStatus = report.status;
        order.finalAt = this.options.now();
      }
    } else if (order.state !== 'finished') {
      order.state = report.status === 'partially_filled' ? 'partially_filled' : 'open';
      order.unknownSince = null;
    }
    this.trySettle(order);
    return order;
  }

  /** A fill of a tracked order was counted. */
  filled(order: TrackedOrder, qty: Decimal, price?: Decimal): void {
    order.countedFilled = order.countedFilled.plus(qty.abs());
    if (price) order.filledCost = order.filledCost.plus(qty.abs().times(price));
    if (order.countedFilled.gt(order.reportedFilled)) order.reportedFilled = order.countedFilled;
    // A fill is the venue's word that the order exists, not how it ended: an order of unknown outcome
    // stays unknown (looked up, alarmed at the deadline) until the venue's order record says.
    if (order.state === 'pending') order.state = 'partially_filled';
    this.trySettle(order);
  }

  /**
   * Orders whose final status has waited `fillWaitMs` for fills the venue reported and the stream
   * has not brought: the engine fetches them from the venue's trades (the venue's filled wins).
   */
  awaitingFills(): TrackedOrder[] {
    const now = this.options.now();
    return [...this.live.values()].filter(
      (order) => order.state === 'finished' && order.finalAt !== null && now - order.finalAt >= (this.options.fillWaitMs ?? 5000)
    );
  }

  /** Resolves when the order is settled (at once when it already is). */
  whenSettled(order: TrackedOrder): Promise<TrackedOrder> {
    if (!this.live.has(this.key(order.venue, order.clientId))) return Promise.resolve(order);
    return new Promise((resolve) => {
      const key = this.key(order.venue, order.clientId);
      const list = this.waiters.get(key) ?? [];
      list.push(resolve);
      this.waiters.set(key, list);
    });
  }

  /**
   * Resolves true when the order settles within `ms`, false when it has not by then; a timed-out
   * wait leaves nothing behind in the registry.
   */
  whenSettledWithin(order: TrackedOrder, ms: number, clock: Pick<Clock, 'setTimeout' | 'clearTimeout'>): Promise<boolean> {
    const key = this.key(order.venue, order.clientId);
    if (!this.live.has(key)) return Promise.resolve(true);
    return new Promise((resolve) => {
      const wake = () => {
        clock.clearTimeout(timer);
        resolve(true);
      };
      const timer = clock.setTimeout(() => {
        const list = this.waiters.get(key);
        const index = list?.indexOf(wake) ?? -1;
        if (list && index >= 0) list.splice(index, 1);
        if (list?.length === 0) this.waiters.delete(key);
        resolve(false);
      }, ms);
      const list = this.waiters.get(key) ?? [];
      list.push(wake);
      this.waiters.set(key, list);
    });
  }

  /** True while the order is tracked and not yet settled. */
  isLive(order: TrackedOrder): boolean {
    return this.live.get(this.key(order.venue, order.clientId)) === order;
  }

  /** Signed quantity still to fill of every hedge and TT leg in flight (unknown legs at their requested size). */
  legsInFlight(): Decimal {
    let total = ZERO;
    for (const order of this.live.values()) {
      if (order.legOn === null) continue;
      const left = order.qty.minus(order.countedFilled);
      if (left.lte(0)) continue;
      total = order.side === 'buy' ? total.plus(left) : total.minus(left);
    }
    return total;
  }

  private trySettle(order: TrackedOrder): void {
    if (order.state === 'finished' && order.countedFilled.gte(order.reportedFilled)) this.settle(order);
  }

  private settle(order: TrackedOrder): void {
    const key = this.key(order.venue, order.clientId);
    if (!this.live.delete(key)) return;
    this.finished.set(key, order);
    this.recent.push(order);
    if (this.recent.length > RECENT_KEPT) this.recent.shift();
    if (this.finished.size > (this.options.finishedMemory ?? 20_000)) this.finished.delete(this.finished.keys().next().value as string);
    this.options.onSettled(order);
    const waiters = this.waiters.get(key);
    this.waiters.delete(key);
    for (const wake of waiters ?? []) wake(order);
  }
}

export const signedQty = (side: Side, qty: Decimal): Decimal => (side === 'buy' ? qty : qty.neg());
