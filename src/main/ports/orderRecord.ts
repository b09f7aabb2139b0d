import type Decimal from 'decimal.js';
import type { FillDelta, OrderReport, OrderStatus, Side, VenueId } from './venue';

/**
 * The venue's record of our orders as a simulated venue keeps it (the in-memory venue, paper
 * trading): what `queryOrder` and `orderFills` answer. Bounded: the oldest go first.
 */
export class LocalOrderRecord {
  private readonly reports = new Map<string, OrderReport>();

  constructor(
    private readonly venue: VenueId,
    private readonly limit = 20_000
  ) {}

  set(clientId: string, status: OrderStatus, filledQty: Decimal, request?: { side: Side; qty: Decimal; price?: Decimal }): void {
    const previous = this.reports.get(clientId);
    this.reports.set(clientId, {
      venue: this.venue,
      clientId,
      status,
      filledQty,
      side: request?.side ?? previous?.side,
      qty: request?.qty ?? previous?.qty,
      price: request?.price ?? previous?.price
    });
    if (this.reports.size > this.limit) this.reports.delete(this.reports.keys().next().value as string);
  }

  get(clientId: string): OrderReport | null {
    const report = this.reports.get(clientId);
    return report ? { ...report } : null;
  }

  private readonly fillsOf = new Map<string, FillDelta[]>();

  /** A trade of one of our orders, as the venue's REST trades list it (same id as the stream's). */
  addFill(fill: FillDelta): void {
    const list = this.fillsOf.get(fill.orderId) ?? [];
    list.push({ ...fill });
    this.fillsOf.set(fill.orderId, list);
    if (this.fillsOf.size > this.limit) this.fillsOf.delete(this.fillsOf.keys().next().value as string);
  }

  fills(clientId: string): FillDelta[] {
    return (this.fillsOf.get(clientId) ?? []).map((fill) => ({ ...fill }));
  }

  /** Every recorded fill at or after `sinceMs` (by when it happened). */
  fillsSince(sinceMs: number): FillDelta[] {
    return [...this.fillsOf.values()]
      .flat()
      .filter((fill) => (fill.at ?? fill.receivedAt) >= sinceMs)
      .map((fill) => ({ ...fill, at: fill.at ?? fill.receivedAt }));
  }
}
