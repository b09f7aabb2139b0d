/**
 * The venues' word on our accounts (margin, liquidation, funding), read every ACCOUNT_READ_MS over
 * REST once start-up is done. Lighter's Standard budget is 60 requests a rolling minute: one read
 * every 30 s (plus the funding rate every 5 minutes) costs about 2 of them. A failed read keeps the
 * last good one, with its time, and says why; it is not an alarm (nothing trades on these figures).
 */
import type Decimal from 'decimal.js';
import type { PositionView, VenueId } from '../../shared/contract';
import type { Clock, TimerHandle } from '../kernel/clock';
import { HUNDRED } from '../kernel/decimalMath';
import type { Venue, VenueAccountView } from '../ports/venue';
import type { TradingState } from './state';
import { VENUES } from './state';

export const ACCOUNT_READ_MS = 30_000;
/** After a fill the figures move (margin, liquidation): read again soon, but not more often than this. */
export const ACCOUNT_READ_AFTER_FILL_MS = 15_000;

export class AccountWatch {
  private readonly last: Record<VenueId, { view: VenueAccountView; at: number } | null> = { L: null, E: null };
  private readonly errors: Record<VenueId, string | null> = { L: null, E: null };
  private timer: TimerHandle | null = null;
  private stopped = false;

  constructor(
    private readonly venues: Record<VenueId, Venue>,
    private readonly clock: Clock,
    private readonly changed: () => void
  ) {}

  start(): void {
    if (this.stopped || this.timer) return;
    void this.read();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  /** A fill changed the position: the next read comes within ACCOUNT_READ_AFTER_FILL_MS of the last. */
  filled(): void {
    if (this.stopped || !this.timer || this.reading) return;
    // From the last attempt, successful or not: failing reads (a 429) must not be retried on every fill.
    const due = Math.max(this.lastAttemptAt + ACCOUNT_READ_AFTER_FILL_MS, this.clock.now() + 1000);
    if (due >= this.nextAt) return;
    this.clock.clearTimeout(this.timer);
    this.nextAt = due;
    this.timer = this.clock.setTimeout(() => void this.read(), due - this.clock.now());
  }

  private nextAt = Number.POSITIVE_INFINITY;
  private reading = false;

  private lastAttemptAt = 0;

  private async read(): Promise<void> {
    this.reading = true;
    this.lastAttemptAt = this.clock.now();
    await Promise.all(
      VENUES.map(async (venue) => {
        const read = this.venues[venue].accountView;
        if (!read) return;
        try {
          this.last[venue] = { view: await read.call(this.venues[venue]), at: this.clock.now() };
          this.errors[venue] = null;
        } catch (error) {
          this.errors[venue] = error instanceof Error ? error.message : String(error);
        }
      })
    );
    this.reading = false;
    // The next read is scheduled before the views are told: a listener that throws cannot stop the reads.
    if (!this.stopped) {
      this.nextAt = this.clock.now() + ACCOUNT_READ_MS;
      this.timer = this.clock.setTimeout(() => void this.read(), ACCOUNT_READ_MS);
    }
    this.changed();
  }

  /**
   * A venue's position card: size and entry from the engine's fills; mark (the book's mid) and the
   * unrealised PnL live; margin, liquidation and funding as the venue last reported them.
   */
  view(venue: VenueId, state: TradingState): PositionView {
    const qty = state.inv[venue];
    const entry = state.entry[venue];
    const bid = this.venues[venue].book.bestBid();
    const ask = this.venues[venue].book.bestAsk();
    const mark = bid && ask ? bid.plus(ask).div(2) : null;
    const last = this.last[venue];
    const v = last?.view ?? null;
    const open = !qty.isZero();
    const liquidation = open ? (v?.liquidationPrice ?? null) : null;
    const rate = v?.fundingRate ?? null;
    const text = (value: Decimal | null | undefined, places?: number) =>
      value === null || value === undefined ? null : places === undefined ? value.toString() : value.toDecimalPlaces(places).toString();
    return {
      qty: qty.toString(),
      entry: open ? entry.toString() : null,
      mark: text(mark),
      unrealisedPnl: open && mark ? text(qty.times(mark.minus(entry)), 4) : null,
      venueUnrealisedPnl: open ? text(v?.unrealisedPnl, 4) : null,
      marginUsed: text(v?.marginUsed, 2),
      available: text(v?.available, 2),
      equity: text(v?.equity, 2),
      liquidationPrice: text(liquidation),
      // How far the mark may move before liquidation, in percent of the mark.
      liquidationDistancePercent: liquidation && mark && mark.gt(0) ? text(mark.minus(liquidation).abs().div(mark).times(HUNDRED), 2) : null,
      fundingRatePercentPerHour: text(rate?.times(HUNDRED), 6),
      // What the position pays (+) or receives (-) a day at the current rate: longs pay a positive rate.
      fundingPerDay: open && rate && mark ? text(rate.times(24).times(qty).times(mark), 4) : null,
      fundingAccrued: open ? text(v?.fundingAccrued, 4) : null,
      asOf: last?.at ?? null,
      error: this.errors[venue]
    };
  }
}
