/**
 * Reconciliation with the venues (strategy.md "Order and exposure truth"): the engine's picture is
 * a cache of the venues' record, and this is where the cache is checked.
 * - Orders of unknown outcome (and pending or cancelled orders whose final status is late) are
 *   looked up by client id until the venue settles them; past a deadline, an alarm.
 * - Strays (an open order of ours that the maker is not working: acknowledged after a kill, left by
 *   an earlier run, found by a look-up) are cancelled whatever the engine is doing.
 * - Every `reconcileMs` and after a reconnect: positions and open orders over REST. A position that
 *   differs from ours by the same amount on two conclusive reads (no fill of that venue arrived
 *   while the read was out or just after it; fills between reads do not matter) is corrected (the
 *   venue wins) and the difference goes through the exposure invariant, alarmed. Foreign fills
 *   (orders this engine did not send) are left out of the venue's position first.
 * - The kill sweep: cancel-all, then look, until each venue lists no open order of ours.
 */
import type Decimal from 'decimal.js';
import type { VenueId } from '../../shared/contract';
import { sleep, type TimerHandle } from '../kernel/clock';
import type { EngineContext } from './context';
import type { Exposure } from './exposure';
import type { ForeignFills } from './foreignFills';
import { isTerminal, type OrderRegistry, type TrackedOrder } from './orderRegistry';
import { VENUES } from './state';
import { trackedSend, type SendDeps } from './trackedSend';
import { VenueOrderError, type FillDelta, type OrderReport, type Position } from '../ports/venue';

export interface SweepResult {
  complete: boolean;
  detail: string;
  /** Our quotes working (or being placed) when the kill began. */
  working: number;
}

export interface ReconcilerOptions {
  /** Period of the REST reconciliation; 0 turns it off. */
  reconcileMs: number;
  /** An unknown outcome not settled within this raises `order_unknown`. */
  unknownDeadlineMs: number;
  /** How long after its send was answered the venue may still not know an order (writes are asynchronous). */
  notFoundGraceMs: number;
  /** How long a fill may take from the venue's matching to our stream: a position read is judged only after it. */
  streamLagMs?: number;
  /** The maker's live order, which is not a stray. */
  liveOrderId(): string | null;
  armed(): boolean;
  quotingAllowed(): boolean;
  connected(venue: VenueId): boolean;
  /** The venue's record of an order the engine tracks (a look-up or an open-orders list). */
  reported(report: OrderReport): void;
  /** A fill read from the venue's record: counted like a streamed one (once, by its id). */
  fill(fill: FillDelta): void;
  /** Fills of orders this engine did not send: in the venue's position, never ours. */
  foreign: Pick<ForeignFills, 'quantity' | 'pending'>;
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
  /** Per venue: the position difference seen by the previous reconcile. */
  private readonly suspect: Record<VenueId, Decimal | null> = { L: null, E: null };
  private readonly lookingUp = new Set<string>();
  private readonly strayCancelAt = new Map<string, number>();
  /** Fills counted per venue (the engine increments): a reconcile only trusts a quiet venue. */
  readonly fillCount: Record<VenueId, number> = { L: 0, E: 0 };
  readonly stats = { lookups: 0, corrections: 0, straysCancelled: 0, sweeps: 0, sweepsJoined: 0, sweepsSkipped: 0 };

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
    for (const order of this.registry.awaitingFills()) this.fetchMissingFills(order, now);
    for (const order of this.registry.unsettled()) {
      this.maybeLookUp(order, now);
      this.maybeAlarm(order, now);
      this.maybeCancelStray(order, now);
    }
    if (this.options.reconcileMs > 0 && now - this.lastReconcileAt >= this.options.reconcileMs && this.ctx.state.hedgeSeeded) {
      void this.reconcile('periodic');
    }
  }

  private readonly fetchingFills = new Set<string>();

  /**
   * The venue's final status said more filled than the stream brought: its trades are fetched (the
   * venue's filled wins; the fills keep the stream's ids, so none counts twice). When the venue's
   * trades answered three times without the rest, or ten fetches failed, the rest is taken as filled
   * at the venue's average price (`inferred`, journaled): never given back and hedged again.
   */
  private fetchMissingFills(order: TrackedOrder, now: number): void {
    const key = `${order.venue}:${order.clientId}`;
    if (this.fetchingFills.has(key) || now - order.lastLookupAt < 1000) return;
    order.lastLookupAt = now;
    order.fillFetches += 1;
    this.fetchingFills.add(key);
    this.ctx.venues[order.venue]
      .orderFills({ clientId: order.clientId, venueOrderId: order.venueOrderId })
      .then((fills) => {
        order.fillFetchesAnswered += 1;
        for (const fill of fills) this.options.fill(fill);
      })
      .catch((error: unknown) => this.ctx.log('warn', 'reconcile', `trades of ${order.venue} order ${order.clientId} could not be read: ${String(error)}`))
      .finally(() => {
        this.fetchingFills.delete(key);
        if (this.registry.isLive(order) && (order.fillFetchesAnswered >= 3 || order.fillFetches >= 10)) this.inferRest(order);
      });
  }

  private inferRest(order: TrackedOrder): void {
    const missing = order.reportedFilled.minus(order.countedFilled);
    if (missing.lte(0)) return;
    const price = order.reportedAvg ?? order.price;
    if (!price) return;
    this.ctx.log(
      'warn',
      'reconcile',
      `${order.venue} order ${order.clientId}: the venue reported ${order.reportedFilled} filled, its trades show ${order.countedFilled}; the rest ${missing} is taken as filled at ${price} (inferred)`
    );
    this.options.fill({
      id: `inferred:${order.clientId}:${order.reportedFilled.toString()}`,
      venue: order.venue,
      qty: order.side === 'buy' ? missing : missing.neg(),
      price,
      maker: order.purpose === 'maker' || order.purpose === 'adopted',
      orderId: order.clientId,
      receivedAt: this.ctx.clock.now()
    });
  }

  private needsLookUp(order: TrackedOrder): boolean {
    if (order.state === 'finished') return false;
    if (order.state === 'unknown') return true;
    // A send not yet answered (perhaps still waiting for a slot of the request budget) is not
    // looked up: its answer will come, or the adapter gives it up as unknown.
    if (order.answeredAt === null) return false;
    // An IOC never rests: a market order the venue reported not finished is asked until it says how it ended.
    if (order.purpose !== 'maker' && order.purpose !== 'adopted') return true;
    // Resting, with a cancel accepted, but no final status after a while: ask.
    return order.cancelAccepted;
  }

  /** The venue's record may speak for an order only once its send was answered, and its writes have had time since. */
  private recordCanSpeak(order: TrackedOrder, now: number): boolean {
    return order.answeredAt !== null && now - order.answeredAt >= this.options.notFoundGraceMs;
  }

  private maybeLookUp(order: TrackedOrder, now: number): void {
    const key = `${order.venue}:${order.clientId}`;
    if (!this.needsLookUp(order) || this.lookingUp.has(key) || now - order.lastLookupAt < 1000) return;
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
      // The venue has no such order: once its send was answered and its writes have had time, it
      // never executed. While the send is unanswered the absence of a record settles nothing.
      if (!this.recordCanSpeak(order, now)) return;
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
    const foreignBefore = this.options.foreign.quantity(venue);
    let position: Position;
    let open: OrderReport[];
    try {
      [position, open] = await Promise.all([this.ctx.venues[venue].loadPosition(), this.ctx.venues[venue].openOrders()]);
    } catch (error) {
      this.ctx.log('warn', 'reconcile', `${venue} (${reason}): could not read positions and open orders: ${String(error)}`);
      return;
    }
    this.checkOpenOrders(venue, open);
    // A fill executed before the read but still on its way to us would make the read look wrong:
    // the read decides something only if no fill of that venue arrives while it is out or within
    // `streamLagMs` after it.
    await sleep(this.ctx.clock, this.options.streamLagMs ?? 1000);
    if (this.fillCount[venue] !== fillsBefore || this.stopped) return;
    // Foreign fills are in the venue's position but not in ours; while one waits for the venue's
    // record (or one was confirmed since the read) the foreign part is not known for this read.
    const foreign = this.options.foreign.quantity(venue);
    if (this.options.foreign.pending(venue) || !foreign.eq(foreignBefore)) return;
    const ours = this.ctx.state.inv[venue];
    const venueOurs = position.qty.minus(foreign);
    const diff = venueOurs.minus(ours);
    if (diff.isZero()) {
      this.suspect[venue] = null;
      if (!position.qty.isZero() && foreign.isZero() && !position.avgEntry.eq(this.ctx.state.entry[venue])) this.ctx.state.entry[venue] = position.avgEntry;
      return;
    }
    // Once can be a fill on its way to us. The same difference on the next read is not (fills
    // counted in between included: a fill in flight changes the difference, a missed one does not).
    const previous = this.suspect[venue];
    if (!previous || !previous.eq(diff)) {
      this.suspect[venue] = diff;
      this.ctx.log('warn', 'reconcile', `${venue} (${reason}): venue position ${position.qty}, ours ${ours}: checking again`);
      return;
    }
    this.suspect[venue] = null;
    this.stats.corrections += 1;
    this.ctx.state.setPosition(venue, foreign.isZero() ? position : { qty: venueOurs, avgEntry: this.ctx.state.entry[venue] });
    const message = `${venue} position corrected to the venue's ${venueOurs}${foreign.isZero() ? '' : ` (${position.qty} less ${foreign} foreign)`} (ours was ${ours}, difference ${diff}; ${reason})`;
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
        sizeKnown: report.qty !== undefined,
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
      if ((order.state === 'open' || order.state === 'partially_filled') && this.recordCanSpeak(order, now)) {
        // Resting in our picture, not in the venue's: ask how it ended.
        order.lastLookupAt = 0;
        order.cancelAccepted = true;
      }
    }
  }

  /** The sweep running now (its rounds, and its slower continuation once a kill gave up waiting). */
  private sweep: Promise<SweepResult> | null = null;
  /** Clock ms when the running sweep began (the first kill's). */
  private sweepStartedAt = 0;

  /**
   * The kill sweep: cancel-all on both venues, then list open orders, until both list none.
   * Resolves when complete or when `deadlineMs` ran out (then it goes on in the background, alarmed).
   * A kill while a sweep runs joins it (a held Ctrl+K is one kill, not ninety): it waits for the
   * same sweep, at most its own deadline.
   */
  killSweep(deadlineMs = 10_000): Promise<SweepResult> {
    this.stats.sweeps += 1;
    // What the kill stops, as the trader reads it: our quotes working (or being placed) when it began.
    const working = this.registry.unsettled().filter((order) => order.purpose === 'maker' || order.purpose === 'adopted').length;
    if (this.sweep) {
      this.stats.sweepsJoined += 1;
      return this.joinSweep(this.sweep, deadlineMs, working);
    }
    // The last sweep saw both venues empty, and no order that could rest was sent or found since:
    // nothing to cancel, nothing spent from the request budget (a held Ctrl+K after the first kill).
    if (this.cleanAt === this.registry.restingTracked && working === 0) {
      this.stats.sweepsSkipped += 1;
      return Promise.resolve({ complete: true, detail: 'no order of ours sent since the last complete sweep', working });
    }
    this.sweeping = true;
    this.sweepStartedAt = this.ctx.clock.now();
    const sweep = this.runSweep(working).finally(() => {
      if (this.sweep === sweep) this.sweep = null;
      this.sweeping = false;
    });
    this.sweep = sweep;
    return this.joinSweep(sweep, deadlineMs, working);
  }

  /** The sweep's result, or "not complete" once `deadlineMs` passed (the sweep goes on, alarmed). */
  private joinSweep(sweep: Promise<SweepResult>, deadlineMs: number, working: number): Promise<SweepResult> {
    let timer: TimerHandle | null = null;
    const deadline = new Promise<SweepResult>((resolve) => {
      timer = this.ctx.clock.setTimeout(() => {
        const detail = this.lastSweepDetail || 'cancel-all not answered yet';
        this.ctx.raiseAlarm(
          'kill_incomplete',
          `kill not complete after ${Math.round((this.ctx.clock.now() - this.sweepStartedAt) / 1000)} s: ${detail}; still sweeping`,
          'kill_incomplete'
        );
        this.options.afterChange();
        resolve({ complete: false, detail, working });
      }, deadlineMs);
    });
    return Promise.race([sweep.then((result) => ({ ...result, working })), deadline]).finally(() => {
      if (timer) this.ctx.clock.clearTimeout(timer);
    });
  }

  private lastSweepDetail = '';
  /** The registry's count of resting-kind orders when a sweep last completed (null: none yet). */
  private cleanAt: number | null = null;

  /**
   * The rounds: every 500 ms for the first 10 s, then every 2.5 s, until both venues list no open
   * order of ours and no quote of ours is still being placed. The first round's cancel-all goes
   * ahead of everything in the request budget; later rounds' go behind hedges.
   */
  private async runSweep(working: number): Promise<SweepResult> {
    const started = this.ctx.clock.now();
    for (let round = 1; ; round++) {
      if (this.stopped) return { complete: false, detail: 'engine stopped', working };
      const left: string[] = [];
      await Promise.all(
        VENUES.map(async (venue) => {
          const clientId = `cancel-all-${this.ctx.clock.now()}-${venue}-${round}`;
          const sent = await trackedSend(this.sendDeps, {
            row: { clientId, venue, kind: 'cancel_all', purpose: 'kill' },
            send: () => this.ctx.venues[venue].cancelAll(round === 1 ? 'kill' : 'sweep'),
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
        // Nothing that could rest has been tracked since this round began (an order sent during it would be `placing`).
        this.cleanAt = this.registry.restingTracked;
        const elapsed = this.ctx.clock.now() - started;
        const text = `kill complete after ${round} sweep${round > 1 ? 's' : ''}: no open order of ours on either venue`;
        this.ctx.log('info', 'safety', elapsed > 10_000 ? `${text} (${Math.round(elapsed / 1000)} s after it started)` : text);
        this.ctx.clearAlarm('kill_incomplete');
        this.options.afterChange();
        return { complete: true, detail: text, working };
      }
      this.lastSweepDetail = [...left, ...placing.map((order) => `${order.venue}: order ${order.clientId} still ${order.state}`)].join('; ');
      await sleep(this.ctx.clock, this.ctx.clock.now() - started < 10_000 ? 500 : 2500);
    }
  }
}
