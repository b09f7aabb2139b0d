/**
 * Reconciliation with the venues (strategy.md "Order and exposure truth"): the engine's picture is
 * a cache of the venues' record, and this is where the cache is checked.
 * - Orders of unknown outcome (and pending or cancelled orders whose final status is late) are
 *   looked up by client id until the venue settles them; past a deadline, an alarm.
 * - Strays (an open order of ours that the maker is not working: acknowledged after a kill, left by
 *   an earlier run, found by a look-up) are cancelled whatever the engine is doing.
 * - Every `reconcileMs` and after a reconnect: positions and open orders over REST. A position that
 *   differs from ours on two reads in a row, with no fill in between, is corrected (the venue wins)
 *   and the difference goes through the exposure invariant, alarmed.
 * - The kill sweep: cancel-all, then look, until each venue lists no open order of ours.
 */
import type Decimal from 'decimal.js';
import type { VenueId } from '../../shared/contract';
import { sleep } from '../kernel/clock';
import type { EngineContext } from './context';
import type { Exposure } from './exposure';
import { isTerminal, type OrderRegistry, type TrackedOrder } from './orderRegistry';
import { VENUES } from './state';
import { trackedSend, type SendDeps } from './trackedSend';
import { VenueOrderError, type OrderReport, type Position } from '../ports/venue';

export interface ReconcilerOptions {
  /** Period of the REST reconciliation; 0 turns it off. */
  reconcileMs: number;
  /** An unknown outcome not settled within this raises `order_unknown`. */
  unknownDeadlineMs: number;
  /** How long after sending the venue may still not know an order (writes are asynchronous). */
  notFoundGraceMs: number;
  /** The maker's live order, which is not a stray. */
  liveOrderId(): string | null;
  armed(): boolean;
  quotingAllowed(): boolean;
  connected(venue: VenueId): boolean;
  /** The venue's record of an order the engine tracks (a look-up or an open-orders list). */
  reported(report: OrderReport): void;
  /** After a correction or a settled look-up: re-run the hedge engine and refresh views. */
  afterChange(): void;
}

export class Reconciler {
  /** A kill sweep is running: quoting stays off until it completes. */
  sweeping = false;
  /** The engine stopped: sweeps and look-ups end. */
  stopped = false;
  private lastReconcileAt = 0;
  private reconciling = false;
  /** Per venue: the position difference seen by the previous reconcile, with the fill count then. */
  private readonly suspect: Record<VenueId, { diff: Decimal; fills: number } | null> = { L: null, E: null };
  private readonly lookingUp = new Set<string>();
  private readonly strayCancelAt = new Map<string, number>();
  /** Fills counted per venue (the engine increments): a reconcile only trusts a quiet venue. */
  readonly fillCount: Record<VenueId, number> = { L: 0, E: 0 };
  readonly stats = { lookups: 0, corrections: 0, straysCancelled: 0, sweeps: 0 };

  constructor(
    private readonly ctx: EngineContext,
    private readonly registry: OrderRegistry,
    private readonly exposure: Exposure,
    private readonly options: ReconcilerOptions
  ) {}

  private get sendDeps(): SendDeps {
    return { clock: this.ctx.clock, journal: this.ctx.journal, registry: this.registry };
  }

  /** Called by the engine's safety tick. */
  tick(): void {
    const now = this.ctx.clock.now();
    for (const order of this.registry.expireFillWaits()) {
      this.ctx.log(
        'warn',
        'reconcile',
        `${order.venue} order ${order.clientId}: final status said ${order.reportedFilled} filled, ${order.countedFilled} counted; settled (positions will tell)`
      );
    }
    for (const order of this.registry.unsettled()) {
      this.maybeLookUp(order, now);
      this.maybeAlarm(order, now);
      this.maybeCancelStray(order, now);
    }
    if (this.options.reconcileMs > 0 && now - this.lastReconcileAt >= this.options.reconcileMs && this.ctx.state.hedgeSeeded) {
      void this.reconcile('periodic');
    }
  }

  private needsLookUp(order: TrackedOrder, now: number): boolean {
    if (order.state === 'unknown') return true;
    if (order.state === 'pending') return now - order.sentAt >= this.options.notFoundGraceMs;
    if (order.state === 'finished') return false;
    // Resting, with a cancel accepted, but no final status after a while: ask.
    return order.cancelAccepted;
  }

  private maybeLookUp(order: TrackedOrder, now: number): void {
    const key = `${order.venue}:${order.clientId}`;
    if (!this.needsLookUp(order, now) || this.lookingUp.has(key) || now - order.lastLookupAt < 1000) return;
    if (!this.options.connected(order.venue) && order.state !== 'unknown') return;
    order.lastLookupAt = now;
    this.lookingUp.add(key);
    this.stats.lookups += 1;
    this.ctx.venues[order.venue]
      .queryOrder(order.clientId)
      .then((report) => this.applyLookUp(order, report))
      .catch((error: unknown) => this.ctx.log('warn', 'reconcile', `look-up of ${order.venue} order ${order.clientId} failed: ${String(error)}`))
      .finally(() => this.lookingUp.delete(key));
  }

  private applyLookUp(order: TrackedOrder, report: OrderReport | null): void {
    const now = this.ctx.clock.now();
    if (!report) {
      // The venue has no such order: once its writes have had time, it never executed.
      if (now - order.sentAt < this.options.notFoundGraceMs) return;
      this.ctx.log(
        'info',
        'reconcile',
        `${order.venue} order ${order.clientId} (${order.purpose}, ${order.state}): the venue has no record of it; it did not execute`
      );
      this.registry.report({ venue: order.venue, clientId: order.clientId, status: 'rejected', filledQty: order.reportedFilled });
    } else {
      const was = order.state;
      this.registry.report(report);
      this.options.reported(report);
      if (was === 'unknown')
        this.ctx.log(
          'info',
          'reconcile',
          `${order.venue} order ${order.clientId} (${order.purpose}) settled by look-up: ${report.status}, filled ${report.filledQty}`
        );
    }
    this.options.afterChange();
  }

  private maybeAlarm(order: TrackedOrder, now: number): void {
    if (order.state !== 'unknown' || order.alarmed || order.unknownSince === null) return;
    if (now - order.unknownSince < this.options.unknownDeadlineMs) return;
    order.alarmed = true;
    this.ctx.raiseAlarm(
      'order_unknown',
      `${order.venue} ${order.purpose} ${order.side} ${order.qty} (id ${order.clientId}) has had no answer for ${Math.round((now - order.unknownSince) / 1000)} s: it may have executed. Still looking it up; nothing depending on it is re-sent.`,
      `order_unknown:${order.venue}:${order.clientId}`
    );
  }

  /** An open maker order that is not the live one, or any when quoting is off, is cancelled. */
  private maybeCancelStray(order: TrackedOrder, now: number): void {
    if (order.purpose !== 'maker' && order.purpose !== 'adopted') return;
    if (order.state !== 'open' && order.state !== 'partially_filled') return;
    if (order.cancelAccepted) return;
    const isLive = order.clientId === this.options.liveOrderId();
    if (isLive && this.options.quotingAllowed()) return;
    if (isLive) return; // the engine's safety check cancels the live order itself
    // Adopted orders of an earlier run keep resting while disarmed; arming hands the book to the maker.
    if (order.purpose === 'adopted' && !this.options.armed()) return;
    void this.cancelStray(order, now);
  }

  private async cancelStray(order: TrackedOrder, now: number): Promise<void> {
    const key = `${order.venue}:${order.clientId}`;
    if (now - (this.strayCancelAt.get(key) ?? 0) < 1000) return;
    this.strayCancelAt.set(key, now);
    if (this.strayCancelAt.size > 1000) this.strayCancelAt.delete(this.strayCancelAt.keys().next().value as string);
    this.stats.straysCancelled += 1;
    this.ctx.log('warn', 'reconcile', `${order.venue} order ${order.clientId} (${order.purpose}) rests but is not the maker's live order: cancelling it`);
    const problem = await this.cancelTracked(order);
    if (problem) this.ctx.log('warn', 'reconcile', `cancelling stray ${order.venue} ${order.clientId}: ${problem}`);
  }

  /**
   * Cancels one tracked order that is not the maker's live quote (a stray, an adopted order).
   * Returns null when the venue took the cancel or no longer has the order; else why not.
   */
  async cancelTracked(order: TrackedOrder): Promise<string | null> {
    const sent = await trackedSend(this.sendDeps, {
      row: { clientId: order.clientId, venue: order.venue, kind: 'cancel', purpose: 'kill' },
      send: () => this.ctx.venues[order.venue].cancel(order.clientId),
      replied: () => ({ detail: 'cancelled' })
    });
    if (sent.ok || (sent.error instanceof VenueOrderError && sent.error.kind === 'not_found')) {
      order.cancelAccepted = true;
      return null;
    }
    return sent.detail;
  }

  /** Positions and open orders over REST, compared with ours (periodic, and after every reconnect). */
  async reconcile(reason: string): Promise<void> {
    // A reconcile scheduled before stop() (after a reconnect) must not call stopped venues or wake the hedge engine.
    if (this.reconciling || this.stopped) return;
    this.reconciling = true;
    this.lastReconcileAt = this.ctx.clock.now();
    try {
      await Promise.all(VENUES.map((venue) => this.reconcileVenue(venue, reason)));
    } finally {
      this.reconciling = false;
      this.options.afterChange();
    }
  }

  private async reconcileVenue(venue: VenueId, reason: string): Promise<void> {
    const fillsBefore = this.fillCount[venue];
    let position: Position;
    let open: OrderReport[];
    try {
      [position, open] = await Promise.all([this.ctx.venues[venue].loadPosition(), this.ctx.venues[venue].openOrders()]);
    } catch (error) {
      this.ctx.log('warn', 'reconcile', `${venue} (${reason}): could not read positions and open orders: ${String(error)}`);
      return;
    }
    this.checkOpenOrders(venue, open);
    // A fill counted while the read was out may or may not be in it: judge next time.
    if (this.fillCount[venue] !== fillsBefore) {
      this.suspect[venue] = null;
      return;
    }
    const ours = this.ctx.state.inv[venue];
    const diff = position.qty.minus(ours);
    if (diff.isZero()) {
      this.suspect[venue] = null;
      if (!position.qty.isZero() && !position.avgEntry.eq(this.ctx.state.entry[venue])) this.ctx.state.entry[venue] = position.avgEntry;
      return;
    }
    const previous = this.suspect[venue];
    if (!previous || !previous.diff.eq(diff) || previous.fills !== fillsBefore) {
      // Once can be a fill on its way to us: confirm on the next read.
      this.suspect[venue] = { diff, fills: fillsBefore };
      this.ctx.log('warn', 'reconcile', `${venue} (${reason}): venue position ${position.qty}, ours ${ours}: checking again`);
      return;
    }
    this.suspect[venue] = null;
    this.stats.corrections += 1;
    this.ctx.state.setPosition(venue, position);
    const message = `${venue} position corrected to the venue's ${position.qty} (ours was ${ours}, difference ${diff}; ${reason})`;
    this.ctx.log('error', 'reconcile', message);
    this.ctx.logs.hedge(`${new Date(this.ctx.clock.now()).toISOString()} RECONCILE ${message}`);
    this.exposure.check(`reconcile: ${message}`);
    this.ctx.raiseAlarm('exposure_leak', message, `reconcile:${venue}`);
  }

  /** Open orders the registry does not know are strays; tracked ones the venue does not list are looked up. */
  private checkOpenOrders(venue: VenueId, open: OrderReport[]): void {
    const listed = new Set(open.map((report) => report.clientId));
    for (const report of open) {
      const tracked = this.registry.find(venue, report.clientId);
      if (tracked && this.registry.isLive(tracked)) {
        if (!isTerminal(report.status)) {
          this.registry.report(report);
          this.options.reported(report);
        }
        continue;
      }
      // Not ours to keep (an earlier run's, or one we consider finished): track it and cancel it.
      const side = report.side ?? 'buy';
      const stray = this.registry.track({
        clientId: report.clientId,
        venue,
        purpose: 'maker',
        side,
        qty: report.qty ?? report.filledQty,
        price: report.price ?? null,
        state: 'open',
        reportedFilled: report.filledQty
      });
      this.ctx.log('warn', 'reconcile', `${venue} lists open order ${report.clientId} that the engine does not track: cancelling it`);
      void this.cancelStray(stray, this.ctx.clock.now());
    }
    const now = this.ctx.clock.now();
    for (const order of this.registry.unsettled()) {
      if (order.venue !== venue || listed.has(order.clientId)) continue;
      if ((order.state === 'open' || order.state === 'partially_filled') && now - order.sentAt >= this.options.notFoundGraceMs) {
        // Resting in our picture, not in the venue's: ask how it ended.
        order.lastLookupAt = 0;
        order.cancelAccepted = true;
      }
    }
  }

  /**
   * The kill sweep: cancel-all on both venues, then list open orders, until both list none.
   * Resolves when complete or when `deadlineMs` ran out (then it goes on in the background, alarmed).
   */
  async killSweep(deadlineMs = 10_000): Promise<{ complete: boolean; detail: string; working: number }> {
    this.stats.sweeps += 1;
    this.sweeping = true;
    const started = this.ctx.clock.now();
    // What the kill stops, as the trader reads it: our quotes working (or being placed) when it began.
    const working = this.registry.unsettled().filter((order) => order.purpose === 'maker' || order.purpose === 'adopted').length;
    for (let round = 1; ; round++) {
      if (this.stopped) {
        this.sweeping = false;
        return { complete: false, detail: 'engine stopped', working };
      }
      const left: string[] = [];
      await Promise.all(
        VENUES.map(async (venue) => {
          const clientId = `cancel-all-${this.ctx.clock.now()}-${venue}-${round}`;
          const sent = await trackedSend(this.sendDeps, {
            row: { clientId, venue, kind: 'cancel_all', purpose: 'kill' },
            send: () => this.ctx.venues[venue].cancelAll(),
            replied: () => ({ detail: 'cancel-all accepted' })
          });
          if (!sent.ok) {
            left.push(`${venue}: ${sent.detail}`);
            return;
          }
          try {
            const open = await this.ctx.venues[venue].openOrders();
            if (open.length > 0) left.push(`${venue}: ${open.length} open (${open.map((o) => o.clientId).join(', ')})`);
          } catch (error) {
            left.push(`${venue}: listing open orders: ${String(error)}`);
          }
        })
      );
      // Orders the engine still thinks are being placed may be accepted after this round: look again.
      const placing = this.registry
        .unsettled()
        .filter((order) => (order.purpose === 'maker' || order.purpose === 'adopted') && (order.state === 'pending' || order.state === 'unknown'));
      if (left.length === 0 && placing.length === 0) {
        for (const order of this.registry.unsettled()) {
          if (order.purpose === 'maker' || order.purpose === 'adopted') order.cancelAccepted = true;
        }
        this.sweeping = false;
        const text = `kill complete after ${round} sweep${round > 1 ? 's' : ''}: no open order of ours on either venue`;
        this.ctx.log('info', 'safety', text);
        this.options.afterChange();
        return { complete: true, detail: text, working };
      }
      const detail = [...left, ...placing.map((order) => `${order.venue}: order ${order.clientId} still ${order.state}`)].join('; ');
      if (this.ctx.clock.now() - started >= deadlineMs) {
        this.ctx.raiseAlarm(
          'kill_incomplete',
          `kill not complete after ${Math.round((this.ctx.clock.now() - started) / 1000)} s: ${detail}; still sweeping`,
          'kill_incomplete'
        );
        this.options.afterChange();
        void this.continueSweep(round, started);
        return { complete: false, detail, working };
      }
      await sleep(this.ctx.clock, 500);
    }
  }

  /** Keeps sweeping after the kill command returned, slower, until complete. */
  private async continueSweep(round: number, started: number): Promise<void> {
    await sleep(this.ctx.clock, 2000);
    if (this.stopped) return;
    const result = await this.killSweep(0).catch(() => ({ complete: false, detail: 'sweep failed' }));
    if (result.complete)
      this.ctx.log('info', 'safety', `kill completed ${Math.round((this.ctx.clock.now() - started) / 1000)} s after it started (round ${round}+)`);
  }
}
