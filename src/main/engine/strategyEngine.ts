/**
 * The strategy engine: owns the trading state, both venues, the MakerBot and the HedgeBot, the
 * safety state and the start-up runner, and answers the engine host (snapshots, events,
 * commands). It never imports Electron and runs the same live, on the emulators and in tests.
 * Views are in views.ts, the trader's own orders in manualTrading.ts, reconciliation in
 * reconciler.ts.
 *
 * Over 400 lines: the wiring of every part and the fill path, safety and commands that tie them
 * together; a later step moves safety and start-up baseline out (docs/architecture.md).
 */
import Decimal from 'decimal.js';
import type {
  AlarmAction,
  AlarmKind,
  Command,
  CommandResult,
  EngineEvent,
  EngineSnapshot,
  Mode,
  QueryRequest,
  QueryResult,
  StartupStep,
  StrategyLogName,
  VenueId
} from '../../shared/contract';
import { commandError } from '../../shared/commands';
import { paramsConflict, type StrategyParams } from '../../shared/params';
import type { Engine, EngineListener } from '../ports/engine';
import { AlarmCenter } from './alarms';
import { sleep, type Clock, type TimerHandle } from '../kernel/clock';
import type { EngineContext } from './context';
import { resetTtHits } from './decide';
import { Exposure } from './exposure';
import { AccountWatch } from './accountWatch';
import { HedgeBot } from './hedgeBot';
import { MakerBot } from './makerBot';
import { ManualTrading } from './manualTrading';
import { OrderRegistry, type TrackedOrder } from './orderRegistry';
import { RecentIds } from '../kernel/recentIds';
import { ForeignFills } from './foreignFills';
import { Reconciler } from './reconciler';
import { toEngineParams, type EngineParams, type Fees } from './params';
import type { PreflightRow } from '../ports/preflight';
import type { StrategyLogs, TradeJournal } from '../ports/records';
import { initialSteps, runStartup, StartupFailed, StartupRefused } from './startup';
import { bookView, healthView, orderView, realtimeText, spreadsView, type ViewInput } from './views';
import { TradingState, VENUES } from './state';
import type { Notifier } from '../ports/notifier';
import { type FillDelta, type OrderReport, type OrderUpdate, type Venue } from '../ports/venue';

/** Open orders at start are read twice this far apart: new ones mean another live engine on the account. */
const LIVE_ENGINE_CHECK_MS = 2000;
/** Every REST request of a venue failing this long is an alarm. */
const REST_FAILURE_ALARM_MS = 30_000;

export interface StrategyEngineOptions {
  clock: Clock;
  mode: Mode;
  params: StrategyParams;
  fees: Fees;
  venues: Record<VenueId, Venue>;
  logs: StrategyLogs;
  journal: TradeJournal;
  notifier: Notifier;
  seedUnhedgedOn: 'L' | 'E';
  /** Book levels per side in snapshots. */
  bookLevels?: number;
  /** Safety checks and heartbeat period. */
  tickMs?: number;
  /** Called after a parameter change was applied (persistence). */
  onParamsChanged?: (params: StrategyParams) => void;
  /** First client order id; defaults to one derived from the clock so restarts never reuse ids. */
  firstClientId?: number;
  /**
   * TESTNET/MAINNET: the venues' preflight checks (`npm run preflight`), run before arming (at most
   * every 10 minutes while they pass); a failed check refuses the arm. No order is sent by them.
   */
  preflight?: () => Promise<PreflightRow[]>;
  /** REST reconciliation period (RECONCILE_MS); 0 turns it off. Default 10 s. */
  reconcileMs?: number;
  /** Orders of an earlier run found at start-up: cancelled (default) or adopted (STARTUP_OPEN_ORDERS). */
  startupOpenOrders?: 'cancel' | 'adopt';
  /** What the trader must see at start (a saved parameter the config's ceiling overrode): logged as warnings. */
  startupNotices?: string[];
  /** An unknown order outcome not settled within this raises an alarm (default 15 s). */
  unknownDeadlineMs?: number;
  /** DEMO only: makes the built-in emulators misbehave (the console's fault buttons). */
  demoFault?: (venue: VenueId, fault: Extract<Command, { type: 'demoFault' }>['fault']) => string;
}

/** Writes to the strategy log files and shows the same lines in the console. */
function teeLogs(files: StrategyLogs, show: (log: StrategyLogName, line: string) => void): StrategyLogs {
  return {
    spread: (line) => (files.spread(line), show('spread', line)),
    maker: (line) => (files.maker(line), show('maker', line)),
    hedge: (line) => (files.hedge(line), show('hedge', line)),
    realtime: (text) => (files.realtime(text), show('realtime', text)),
    close: () => files.close()
  };
}

export class StrategyEngine implements Engine {
  readonly state = new TradingState();
  readonly maker: MakerBot;
  readonly hedger: HedgeBot | null;
  readonly registry: OrderRegistry;
  readonly exposure: Exposure;
  private readonly accountWatch: AccountWatch;
  readonly reconciler: Reconciler;
  readonly foreignFills: ForeignFills;
  /** Per venue: the REST-failing alarm is up (raised once per outage). */
  private readonly restAlarmed: Record<VenueId, boolean> = { L: false, E: false };
  /** Why start-up refused to go on (another engine on the account): arming is refused too. */
  private startupRefusal: string | null = null;
  private readonly manual: ManualTrading;
  private readonly ctx: EngineContext;
  /** Fills apply only after the start-up baseline: earlier ones are inside the REST positions. */
  private baselined = false;
  private fillsBeforeBaseline = 0;
  private readonly alarms: AlarmCenter;
  private listener: EngineListener | null = null;
  private params: StrategyParams;
  private engineParams: EngineParams;
  private readonly connected: Record<VenueId, boolean> = { L: false, E: false };
  private readonly seenFills: Record<VenueId, RecentIds> = { L: new RecentIds(), E: new RecentIds() };
  private readonly staleAlarmed: Record<VenueId, boolean> = { L: false, E: false };
  private startup: StartupStep[] = initialSteps();
  private readonly startedAt: number;
  private heartbeat = 0;
  private timer: TimerHandle | null = null;
  private stopped = false;
  private clientId: number;
  private readonly firstClientId: number;
  /** Orders found open at start-up (venue:clientId): cancelled or adopted, their late fills are ours. */
  private readonly startupOrders = new Set<string>();
  private bookWaiters: Array<() => void> = [];
  private lastRealtimeAt = 0;
  readonly counters = { bookUpdates: 0, makerFills: 0, fills: 0, duplicateFills: 0, badFills: 0, foreignFills: 0, foreignActivity: 0, eventLoopLags: 0 };
  /** Resolves when start-up finished (or failed). */
  startupDone: Promise<void> = Promise.resolve();

  constructor(private readonly options: StrategyEngineOptions) {
    this.params = { ...options.params };
    this.engineParams = toEngineParams(this.params);
    this.startedAt = options.clock.now();
    this.clientId = options.firstClientId ?? options.clock.now() * 10;
    this.firstClientId = this.clientId;
    this.alarms = new AlarmCenter(options.clock, (alarm) => this.emit({ type: 'alarm', alarm }));
    this.ctx = {
      clock: options.clock,
      state: this.state,
      venues: options.venues,
      params: () => this.engineParams,
      fees: options.fees,
      logs: teeLogs(options.logs, (log, line) => this.emit({ type: 'strategyLog', log, at: options.clock.now(), line })),
      journal: options.journal,
      emit: (event) => this.emit(event),
      changed: () => this.listener?.changed(),
      raiseAlarm: (kind, message, key, actions) => this.raiseAlarm(kind, message, key, actions),
      clearAlarm: (key) => {
        if (this.alarms.clear(key)) this.listener?.changed();
      },
      log: (level, source, message) => this.log(level, source, message),
      nextClientId: () => String(this.clientId++),
      quotingAllowed: () => this.blockedBy().length === 0
    };
    this.registry = new OrderRegistry({ now: () => options.clock.now(), onSettled: (order) => this.onSettled(order), finishedMemory: 5000 });
    this.exposure = new Exposure(this.ctx, this.registry, options.seedUnhedgedOn);
    this.accountWatch = new AccountWatch(options.venues, options.clock, () => this.listener?.changed());
    this.maker = new MakerBot(this.ctx, this.registry, this.exposure, !this.params.ttOnly);
    this.hedger = this.params.ttOnly ? null : new HedgeBot(this.ctx, options.notifier, this.registry, this.exposure);
    if (this.hedger) this.hedger.onExhausted = (message) => void this.disarmAndCancel(message);
    this.maker.onRejectStorm = (message) => {
      this.raiseAlarm('order_rejected', message, 'reject_storm');
      void this.disarmAndCancel(message);
    };
    this.foreignFills = new ForeignFills({
      clock: options.clock,
      venues: options.venues,
      log: (level, message) => this.log(level, 'foreign', message),
      confirmed: (fill) => {
        this.counters.foreignFills += 1;
        this.journalFill(fill, { fee: fill.fee, estimated: false }, 'foreign: not an order of this engine');
        this.raiseAlarm(
          'foreign_activity',
          `${fill.venue}: a fill of order ${fill.orderId}, which this engine did not send (another bot or the venue's web app on this account): ${fill.qty} @ ${fill.price}. Not counted and not hedged; ${this.foreignFills.quantity(fill.venue)} of the venue's position is foreign.`,
          `foreign:${fill.venue}`
        );
        this.listener?.changed();
      },
      dropped: (fill, why) => {
        this.counters.badFills += 1;
        this.journalFill({ ...fill, id: `${fill.id}#refused` }, { fee: fill.fee, estimated: false }, `foreign claim: ${why}`);
        this.raiseAlarm(
          'bad_fill',
          `${fill.venue} streamed a fill of order ${fill.orderId}, which this engine did not send, that ${why}: ${fill.id} qty ${fill.qty} @ ${fill.price}; refused, not counted.`,
          `bad_fill:${fill.venue}`
        );
        this.listener?.changed();
      }
    });
    this.reconciler = new Reconciler(this.ctx, this.registry, this.exposure, {
      reconcileMs: options.reconcileMs ?? 10_000,
      unknownDeadlineMs: options.unknownDeadlineMs ?? 15_000,
      notFoundGraceMs: 3000,
      liveOrderId: () => this.state.liveOrder?.clientId ?? null,
      armed: () => this.state.armed,
      quotingAllowed: () => this.blockedBy().length === 0,
      connected: (venue) => this.connected[venue],
      reported: (report) => this.maker.onOrderUpdate({ ...report, receivedAt: options.clock.now() }),
      fill: (fill) => this.onFill(fill),
      foreign: this.foreignFills,
      afterChange: () => {
        this.hedger?.kick();
        this.listener?.changed();
      }
    });
    this.manual = new ManualTrading({
      ctx: this.ctx,
      clock: options.clock,
      venues: options.venues,
      journal: options.journal,
      registry: this.registry,
      exposure: this.exposure,
      hedger: this.hedger,
      disarmAndCancel: (reason) => this.disarmAndCancel(reason)
    });
  }

  /** The venue's record settled an order: legs give back what did not fill, the maker slot frees up. */
  private onSettled(order: TrackedOrder): void {
    this.exposure.settled(order);
    this.maker.onSettled(order);
    this.exposure.check(`${order.venue} ${order.purpose} order ${order.clientId} settled`);
    this.hedger?.kick();
    this.listener?.changed();
  }

  setListener(listener: EngineListener): void {
    this.listener = listener;
  }

  private emit(event: EngineEvent): void {
    this.listener?.event(event);
  }

  private log(level: 'info' | 'warn' | 'error', source: string, message: string): void {
    this.emit({ type: 'log', at: this.options.clock.now(), level, source, message });
  }

  private raiseAlarm(kind: AlarmKind, message: string, key?: string, actions?: AlarmAction[]): void {
    this.alarms.raise(kind, message, key, actions);
    this.listener?.changed();
  }

  async start(): Promise<void> {
    this.scheduleTick();
    this.log('info', 'engine', `engine started in ${this.options.mode} mode, disarmed`);
    for (const notice of this.options.startupNotices ?? []) this.log('warn', 'params', notice);
    this.startupDone = runStartup(this.ctx, this.hedger, {
      seedOn: this.options.seedUnhedgedOn,
      ttOnly: this.params.ttOnly,
      wireCallbacks: () => this.wireCallbacks(),
      booksReady: () => this.booksReady(),
      loadBaseline: () => this.loadBaseline(),
      seed: (net) => this.exposure.addUnexplained(net, 'start-up seed from net position'),
      progress: (step) => {
        this.startup[step.id - 1] = step;
        this.emit({ type: 'startup', step });
        this.listener?.changed();
      }
    })
      // The position cards' venue figures, once the venues are up and the positions known.
      .then(() => this.accountWatch.start())
      .catch((error: unknown) => {
        if (error instanceof StartupRefused) this.startupRefusal = error.message;
        if (!(error instanceof StartupFailed)) {
          this.raiseAlarm('startup_failed', `start-up failed: ${String(error)}`, 'startup_failed');
        }
        this.log('error', 'startup', `start-up stopped: ${String(error)}`);
      });
  }

  /** An error that escaped to the process (a dropped promise, a throwing handler): logged and alarmed, trading goes on. */
  reportInternalError(where: string, error: unknown): void {
    const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
    this.log('error', 'internal', `${where}: ${text}`);
    this.raiseAlarm('internal', `${where}: ${error instanceof Error ? error.message : String(error)}`, `internal:${where}`);
  }

  /**
   * A writer that cannot write (journal, logs) fails safe: an alarm, and when fills can no longer be
   * recorded the engine disarms (it cannot trade on a record it cannot keep).
   */
  writerFailed(writer: string, message: string, disarm: boolean): void {
    this.log(disarm ? 'error' : 'warn', writer, message);
    this.raiseAlarm('internal', `${writer}: ${message}${disarm ? '; disarmed until it can record fills again' : ''}`, `writer:${writer}`);
    if (disarm && this.state.armed) void this.disarmAndCancel(`${writer} cannot record fills`);
  }

  /**
   * Quotes die with the process: a best-effort cancel-all on both venues, bounded by `deadlineMs`
   * (stop, a signal, a fatal error). The venues' dead man's switches cover what this cannot.
   */
  async emergencyCancel(deadlineMs = 3000): Promise<string> {
    this.state.armed = false;
    const attempts = VENUES.map((venue) =>
      this.options.venues[venue].cancelAll().then(
        () => `${venue} cancelled`,
        (error: unknown) => `${venue} failed: ${String(error)}`
      )
    );
    let timer: TimerHandle | null = null;
    const deadline = new Promise<string[]>((resolve) => {
      timer = this.options.clock.setTimeout(() => resolve([`deadline of ${deadlineMs} ms reached`]), deadlineMs);
    });
    const result = await Promise.race([Promise.all(attempts), deadline]);
    if (timer) this.options.clock.clearTimeout(timer);
    return result.join('; ');
  }

  async stop(): Promise<void> {
    // Armed, or a quote of ours may rest: cancel before the streams close (after a completed kill, nothing to do).
    const mayRest = this.registry.unsettled().some((order) => (order.purpose === 'maker' || order.purpose === 'adopted') && !order.cancelAccepted);
    if (!this.stopped && (this.state.armed || mayRest)) this.log('warn', 'engine', `stopping: ${await this.emergencyCancel()}`);
    this.stopped = true;
    this.reconciler.stopped = true;
    this.accountWatch.stop();
    if (this.timer) this.options.clock.clearTimeout(this.timer);
    this.timer = null;
    for (const venue of VENUES) {
      try {
        await this.options.venues[venue].stop();
      } catch (error) {
        this.log('warn', 'engine', `stopping ${venue}: ${String(error)}`);
      }
    }
    await this.options.logs.close();
    await this.options.journal.close();
  }

  private wireCallbacks(): void {
    for (const venue of VENUES) {
      this.options.venues[venue].setHandlers({
        onBook: () => this.onBook(),
        onFill: (fill) => this.onFill(fill),
        onOrderUpdate: (update) => this.onOrderUpdate(update),
        onPosition: (id, position) => {
          if (!position.qty.eq(this.state.inv[id])) {
            this.log('warn', 'reconcile', `${id} venue position ${position.qty} differs from ours ${this.state.inv[id]} (fills in flight, or missed)`);
          }
        },
        onConnection: (id, connected, detail) => this.onConnection(id, connected, detail),
        onLog: (id, level, message) => this.log(level, `venue ${id}`, message),
        onForeignActivity: (id, what) => this.foreignActivity(id, what),
        onWriterFailed: (id, writer, message) => this.writerFailed(`${id} ${writer}`, message, false)
      });
    }
  }

  private booksReady(): Promise<void> {
    if (this.options.venues.L.book.ready && this.options.venues.E.book.ready) return Promise.resolve();
    return new Promise((resolve) => this.bookWaiters.push(resolve));
  }

  /** The hot path: every book update of either venue. */
  private onBook(): void {
    const receivedAt = this.options.clock.monotonic();
    this.counters.bookUpdates += 1;
    if (this.bookWaiters.length > 0 && this.options.venues.L.book.ready && this.options.venues.E.book.ready) {
      this.bookWaiters.splice(0).forEach((wake) => wake());
    }
    this.maker.onBook(receivedAt);
    if (this.hedger && (!this.state.unhedged.L.isZero() || !this.state.unhedged.E.isZero())) this.hedger.kick();
    this.listener?.changed();
  }

  /**
   * Start-up step 5: orders left by an earlier run are cancelled and confirmed gone (or adopted),
   * then both positions are read until no fill arrived during the read, so that a fill streamed
   * meanwhile is either inside the positions or counted after them, never both or neither.
   */
  private async loadBaseline(): Promise<{ detail: string }> {
    const parts: string[] = [];
    const open = await Promise.all(VENUES.map((venue) => this.options.venues[venue].openOrders()));
    const found = open.flat();
    if (found.length > 0) await this.refuseBesideAnotherEngine(found);
    for (const report of found) this.startupOrders.add(`${report.venue}:${report.clientId}`);
    if (found.length > 0 && (this.options.startupOpenOrders ?? 'cancel') === 'adopt') {
      for (const report of found) {
        this.registry.track({
          clientId: report.clientId,
          venue: report.venue,
          purpose: 'adopted',
          side: report.side ?? 'buy',
          qty: report.qty ?? report.filledQty,
          sizeKnown: report.qty !== undefined,
          price: report.price ?? null,
          state: 'open',
          reportedFilled: report.filledQty
        });
      }
      parts.push(`adopted ${found.length} open order(s) of an earlier run`);
    } else if (found.length > 0) {
      const sweep = await this.reconciler.killSweep(10_000);
      if (!sweep.complete) throw new Error(`open orders of an earlier run could not be cancelled: ${sweep.detail}`);
      parts.push(`cancelled ${found.length} open order(s) of an earlier run`);
    }
    for (let read = 1; ; read++) {
      const before = this.fillsBeforeBaseline;
      const positions = await Promise.all(VENUES.map((venue) => this.options.venues[venue].loadPosition()));
      if (this.fillsBeforeBaseline !== before && read < 5) {
        this.log('info', 'startup', `a fill arrived while positions were read: reading again (${read})`);
        continue;
      }
      VENUES.forEach((venue, index) => this.state.setPosition(venue, positions[index]!));
      this.baselined = true;
      if (this.fillsBeforeBaseline > 0) parts.push(`${this.fillsBeforeBaseline} fill(s) streamed during start-up are inside the positions`);
      const backfilled = await this.backfillJournal();
      if (backfilled > 0) parts.push(`${backfilled} trade(s) since the journal's last fill read from the venues and kept in the journal once`);
      return { detail: parts.join('; ') || 'no open orders' };
    }
  }

  /**
   * Orders resting at start are an earlier run's, unless something is still placing them: a second
   * engine on this account (another machine, another data folder) would have its quotes swept as
   * strays while it sweeps ours. The open orders are read again after LIVE_ENGINE_CHECK_MS; new
   * ones mean a live process: start-up is refused, with an alarm, and nothing is cancelled.
   */
  private async refuseBesideAnotherEngine(found: OrderReport[]): Promise<void> {
    await sleep(this.options.clock, LIVE_ENGINE_CHECK_MS);
    const again = (await Promise.all(VENUES.map((venue) => this.options.venues[venue].openOrders()))).flat();
    const known = new Set(found.map((report) => `${report.venue}:${report.clientId}`));
    const fresh = again.filter((report) => !known.has(`${report.venue}:${report.clientId}`));
    if (fresh.length === 0) return;
    const message = `another process is placing orders on this account: ${fresh.length} new open order(s) within ${LIVE_ENGINE_CHECK_MS / 1000} s of start-up (${fresh
      .slice(0, 3)
      .map((report) => `${report.venue} ${report.clientId}`)
      .join(
        ', '
      )}). Start-up refused, nothing cancelled: two engines on one account sweep each other's quotes. Stop the other one (another machine or data folder), then restart.`;
    this.raiseAlarm('startup_failed', message, 'another_engine');
    throw new StartupRefused(message);
  }

  /**
   * Fills made while the engine was stopped (a fill racing the last kill, one during start-up, a
   * trade by hand) are in the positions just read but not in the journal: the venues' trades since
   * the journal's newest fill are written to it, marked backfilled, and not applied again (one fill
   * identity across the stream and REST trades: the journal keeps each once). A venue whose trades
   * cannot be read is logged; start-up goes on.
   */
  private async backfillJournal(): Promise<number> {
    const journal = this.options.journal;
    if (!journal.lastFillAt) return 0;
    let written = 0;
    for (const venue of VENUES) {
      const since = journal.lastFillAt(venue);
      if (since === null) continue;
      let fills: FillDelta[];
      try {
        fills = await this.options.venues[venue].recentFills(since);
      } catch (error) {
        this.log(
          'warn',
          'startup',
          `${venue}: the trades since the journal's last fill could not be read (${String(error)}); the journal may miss fills made while stopped`
        );
        continue;
      }
      for (const fill of fills) {
        const dated = { ...fill, receivedAt: fill.at ?? fill.receivedAt };
        this.journalFill(dated, this.feeOf(dated), undefined, true);
        this.seenFills[venue].add(fill.id);
        written += 1;
      }
    }
    return written;
  }

  private onOrderUpdate(update: OrderUpdate): void {
    const order = this.registry.find(update.venue, update.clientId);
    if (order?.sizeKnown && update.filledQty.gt(order.qty)) {
      // An update claiming more filled than the order's size is not believed for the size; its status still counts.
      this.counters.badFills += 1;
      this.raiseAlarm(
        'bad_fill',
        `${update.venue} reported order ${update.clientId} (${order.side} ${order.qty}) ${update.filledQty} filled: more than its size; the filled figure is refused, the venue's trades and position settle it.`,
        `bad_fill:${update.venue}`
      );
      update = { ...update, filledQty: order.qty };
    }
    this.registry.report(update);
    this.maker.onOrderUpdate(update);
  }

  /** The fee the venue reported for a fill, or the configured rate applied to it (marked estimated). */
  private feeOf(fill: FillDelta): { fee: Decimal; estimated: boolean } {
    if (fill.fee) return { fee: fill.fee, estimated: false };
    const rates = this.options.fees[fill.venue];
    return {
      fee: fill.qty
        .abs()
        .times(fill.price)
        .times(fill.maker ? rates.maker : rates.taker),
      estimated: true
    };
  }

  /**
   * Why a reported fill cannot be true, or null. A fill's size must not be zero, its price must be
   * positive and within 20 % of the venue's mid (a 1e30 price or a flipped sign would corrupt
   * inventory, entries and PnL for good).
   */
  private insaneFill(fill: FillDelta): string | null {
    if (fill.qty.isZero() || !fill.qty.isFinite()) return `size ${fill.qty}`;
    if (!fill.price.isFinite() || fill.price.lte(0)) return `price ${fill.price}`;
    // The band around the book without a division (this runs on every fill).
    const { book } = this.options.venues[fill.venue];
    const bid = book.bestBid();
    const ask = book.bestAsk();
    if (bid && ask && (fill.price.lt(bid.times('0.8')) || fill.price.gt(ask.times('1.2'))))
      return `price ${fill.price} more than 20 % outside the book ${bid}/${ask}`;
    return null;
  }

  /**
   * Why a fill of an order the engine tracks cannot be true, or null. The registry knows the order's
   * side and size: a frame that claims the other side, or more than the order's size, moves no money
   * (one crafted frame must never make the hedge engine trade 20 ETH).
   */
  private impossibleForOrder(fill: FillDelta, order: TrackedOrder): string | null {
    const side = fill.qty.isPos() ? 'buy' : 'sell';
    if (side !== order.side) return `a ${side} fill of our ${order.side} order`;
    const after = order.countedFilled.plus(fill.qty.abs());
    if (order.sizeKnown && after.gt(order.qty)) return `${after} filled of an order of ${order.qty}`;
    return null;
  }

  /** True when the order id is one of ours: tracked, found at start-up, or issued by this engine. */
  private isOurs(venue: VenueId, orderId: string): boolean {
    if (this.registry.find(venue, orderId) || this.startupOrders.has(`${venue}:${orderId}`)) return true;
    if (!/^\d{1,16}$/.test(orderId)) return false;
    const id = Number(orderId);
    return id >= this.firstClientId && id < this.clientId;
  }

  /** A refused fill is kept in the journal, marked, and never counted; the venue's position settles what it was. */
  private journalFill(fill: FillDelta, fee: { fee?: Decimal; estimated: boolean }, refused?: string, backfilled = false): void {
    this.options.journal.fill({
      id: fill.id,
      at: fill.receivedAt,
      venue: fill.venue,
      side: fill.qty.isNeg() ? 'sell' : 'buy',
      qty: fill.qty.abs().toString(),
      price: fill.price.toString(),
      maker: fill.maker,
      orderId: fill.orderId,
      fee: fee.fee?.toString(),
      feeEstimated: fee.estimated,
      refused,
      ...(backfilled ? { backfilled } : {})
    });
  }

  private onFill(fill: FillDelta): void {
    const insane = this.insaneFill(fill);
    if (insane) {
      this.counters.badFills += 1;
      this.raiseAlarm(
        'bad_fill',
        `${fill.venue} reported a fill that cannot be true (${insane}): ${fill.id} qty ${fill.qty} @ ${fill.price}, order ${fill.orderId}; refused, not applied. Reconciliation reads the venue's position.`,
        `bad_fill:${fill.venue}`
      );
      return;
    }
    if (!this.seenFills[fill.venue].add(fill.id)) {
      this.counters.duplicateFills += 1;
      return;
    }
    if (!this.baselined) {
      // Before the start-up baseline: the REST positions read after it contain this fill.
      this.fillsBeforeBaseline += 1;
      return;
    }
    const order = this.registry.find(fill.venue, fill.orderId);
    const impossible = order ? this.impossibleForOrder(fill, order) : null;
    if (impossible) {
      this.counters.badFills += 1;
      // The id stays free: the venue's true record of that trade (a REST fetch) may still come, and count.
      this.seenFills[fill.venue].delete(fill.id);
      this.journalFill({ ...fill, id: `${fill.id}#refused` }, { fee: fill.fee, estimated: false }, `impossible: ${impossible}`);
      this.raiseAlarm(
        'bad_fill',
        `${fill.venue} reported a fill that cannot be ours (${impossible}): ${fill.id} qty ${fill.qty} @ ${fill.price}, order ${fill.orderId}; refused, not counted, nothing hedged. Reconciliation reads the venue's position.`,
        `bad_fill:${fill.venue}`
      );
      this.listener?.changed();
      return;
    }
    if (!order && !this.isOurs(fill.venue, fill.orderId)) {
      // Another bot's or the web app's order on this account: never our exposure (strategy.md
      // "Many markets"); once the venue's record shows it, the reconciler leaves it out.
      this.foreignFills.claim(fill);
      return;
    }
    const fee = this.feeOf(fill);
    const counted = fee.fee === fill.fee ? fill : { ...fill, fee: fee.fee };
    // On disk first: a fill the engine acted on is never missing from the journal after a crash.
    this.journalFill(counted, fee);
    this.counters.fills += 1;
    if (fill.maker) this.counters.makerFills += 1;
    this.reconciler.fillCount[fill.venue] += 1;
    this.state.applyFill(counted);
    this.exposure.fill(fill, order);
    if (order) this.registry.filled(order, fill.qty, fill.price);
    if (fill.maker && !this.hedger)
      this.raiseAlarm('tt_imbalance', `maker fill ${fill.venue} ${fill.qty} in TT-only mode: no hedge engine`, 'maker_fill_tt_only');
    this.exposure.check(`fill ${fill.id}`);
    this.hedger?.kick();
    this.accountWatch.filled();
    this.listener?.changed();
  }

  /**
   * Activity of the account that is not this engine's (another market, an order it never sent):
   * counted nowhere, shown, alarmed once per venue (the alarm's message keeps the latest).
   */
  private foreignActivity(venue: VenueId, what: string): void {
    this.counters.foreignActivity += 1;
    this.log('warn', `venue ${venue}`, `foreign activity: ${what}`);
    if (this.alarms.isActive(`foreign:${venue}`)) return;
    this.raiseAlarm(
      'foreign_activity',
      `${venue}: activity on the account that this engine did not send (another bot or the venue's web app): ${what}. Not counted and not hedged.`,
      `foreign:${venue}`
    );
  }

  private onConnection(venue: VenueId, connected: boolean, detail: string): void {
    const was = this.connected[venue];
    this.connected[venue] = connected;
    // Updates across an outage are not consecutive: TT hits start again.
    if (!connected) resetTtHits(this.maker.memory);
    if (was && !connected) this.raiseAlarm('disconnect', `${venue} disconnected: ${detail}`, `disconnect:${venue}`);
    if (!was && connected) this.alarms.clear(`disconnect:${venue}`);
    // Back after an outage: what happened meanwhile is read from the venue's record.
    if (!was && connected && this.state.hedgeSeeded) this.options.clock.setTimeout(() => void this.reconciler.reconcile(`${venue} reconnected`), 1000);
    this.log(connected ? 'info' : 'warn', `venue ${venue}`, `${connected ? 'connected' : 'disconnected'}: ${detail}`);
    this.safetyCheck();
    this.listener?.changed();
  }

  /** Why quoting is off while armed; empty when quoting is allowed. */
  blockedBy(): string[] {
    const reasons: string[] = [];
    if (!this.state.armed) return ['disarmed'];
    const now = this.options.clock.now();
    for (const venue of VENUES) {
      const { book } = this.options.venues[venue];
      if (!this.connected[venue]) reasons.push(`${venue} disconnected`);
      else if (!book.ready) reasons.push(`${venue} book not ready`);
      else if (now - book.updatedAt > this.engineParams.staleBookMs) reasons.push(`${venue} book stale`);
    }
    if (!this.state.hedgeSeeded) reasons.push('start-up not finished');
    if (this.reconciler.sweeping) reasons.push('kill sweep in progress');
    // Orders of an earlier run adopted at start-up are cancelled, and confirmed gone, before the
    // maker's first quote: never two quotes.
    const adopted = this.registry.unsettled().filter((order) => order.purpose === 'adopted').length;
    if (adopted > 0) reasons.push(`cancelling ${adopted} adopted order${adopted === 1 ? '' : 's'} of an earlier run`);
    return reasons;
  }

  private scheduleTick(): void {
    const periodMs = this.options.tickMs ?? 250;
    const expectedAt = this.options.clock.monotonic() + periodMs;
    this.timer = this.options.clock.setTimeout(() => {
      if (this.stopped) return;
      // The event loop's lag, measured by this timer: over 100 ms, the engine was not reacting.
      const lagMs = this.options.clock.monotonic() - expectedAt;
      if (lagMs > 100) {
        this.counters.eventLoopLags += 1;
        this.raiseAlarm('internal', `event loop lagged ${Math.round(lagMs)} ms (safety checks, hedges and cancels waited)`, 'event_loop_lag');
      }
      this.heartbeat += 1;
      this.safetyCheck();
      this.reconciler.tick();
      this.foreignFills.tick();
      this.hedger?.checkDelayed();
      this.writeRealtime();
      this.listener?.changed();
      this.scheduleTick();
    }, periodMs);
  }

  /** Cancels the live maker order when quoting is no longer allowed; alarms on stale books. */
  private safetyCheck(): void {
    const now = this.options.clock.now();
    for (const venue of VENUES) {
      const { book } = this.options.venues[venue];
      const stale = this.connected[venue] && book.ready && now - book.updatedAt > this.engineParams.staleBookMs;
      if (stale && !this.staleAlarmed[venue] && this.state.armed) {
        this.staleAlarmed[venue] = true;
        this.raiseAlarm('stale_book', `${venue} book not updated for ${now - book.updatedAt} ms`, `stale_book:${venue}`);
      } else if (!stale && this.connected[venue] && book.ready) {
        // Fresh again (a disconnected venue is not "fresh": its own alarm tells that story).
        if (this.staleAlarmed[venue] && this.alarms.clear(`stale_book:${venue}`)) this.listener?.changed();
        this.staleAlarmed[venue] = false;
      }
      // REST failing for REST_FAILURE_ALARM_MS: no position read, no REST order or cancel, whatever the streams say.
      const failing = this.options.venues[venue].health().restFailing;
      if (failing && now - failing.sinceMs >= REST_FAILURE_ALARM_MS && !this.restAlarmed[venue]) {
        this.restAlarmed[venue] = true;
        this.raiseAlarm(
          'disconnect',
          `${venue}: every REST request has failed for ${Math.round((now - failing.sinceMs) / 1000)} s (last: ${failing.lastError}): positions cannot be read, REST orders and cancels cannot go out`,
          `rest:${venue}`
        );
      } else if (!failing && this.restAlarmed[venue]) {
        this.restAlarmed[venue] = false;
        if (this.alarms.clear(`rest:${venue}`)) this.listener?.changed();
      }
    }
    const live = this.state.liveOrder;
    if (live && live.status === 'live' && this.blockedBy().length > 0) {
      void this.maker.cancelLive(`quoting stopped: ${this.blockedBy().join(', ')}`, null);
    }
  }

  private writeRealtime(): void {
    const now = this.options.clock.now();
    if (now - this.lastRealtimeAt < 1000) return;
    this.lastRealtimeAt = now;
    this.ctx.logs.realtime(realtimeText(this.viewInput(), this.options.mode, this.blockedBy().length === 0));
  }

  private viewInput(): ViewInput {
    return { clock: this.options.clock, state: this.state, maker: this.maker, venues: this.options.venues, params: this.engineParams, fees: this.options.fees };
  }

  snapshot(): Omit<EngineSnapshot, 'seq' | 'at'> {
    const s = this.state;
    const blockedBy = this.blockedBy();
    const live = s.liveOrder;
    return {
      mode: this.options.mode,
      startedAt: this.startedAt,
      heartbeat: this.heartbeat,
      safety: { armed: s.armed, effectiveQuoting: blockedBy.length === 0, blockedBy: s.armed ? blockedBy : [] },
      hedgeSeeded: s.hedgeSeeded,
      startup: this.startup.map((step) => ({ ...step })),
      params: { ...this.params },
      alarms: this.alarms.active(),
      books: { L: bookView(this.options.venues.L, this.options.bookLevels ?? 10), E: bookView(this.options.venues.E, this.options.bookLevels ?? 10) },
      spreads: spreadsView(this.viewInput()),
      inventory: {
        invL: s.inv.L.toString(),
        invE: s.inv.E.toString(),
        entryL: s.entry.L.toString(),
        entryE: s.entry.E.toString(),
        net: s.inv.L.plus(s.inv.E).toString(),
        unhedgedL: s.unhedged.L.toString(),
        unhedgedE: s.unhedged.E.toString(),
        minHedgeQty: s.minHedgeQty?.toString() ?? null,
        positionValue: s.positionValue().toString(),
        maxPositionValue: this.params.maxPositionValue,
        realisedPnl: s.realised.L.plus(s.realised.E).toString(),
        currentDirection: s.currentDirection,
        dust: this.maker.dust(),
        legsInFlight: this.registry.legsInFlight().toString(),
        unknownOrders: this.registry.unsettled().filter((order) => order.state === 'unknown').length
      },
      liveOrder: live
        ? {
            clientId: live.clientId,
            venue: live.venue,
            side: live.side,
            price: live.price.toString(),
            qty: live.qty.toString(),
            filledQty: live.filledQty.toString(),
            combo: live.combo,
            status: live.status,
            placedAt: live.placedAt
          }
        : null,
      positions: { L: this.accountWatch.view('L', s), E: this.accountWatch.view('E', s) },
      orders: {
        open: this.registry
          .unsettled()
          .sort((a, b) => b.sentAt - a.sentAt)
          .map(orderView),
        recent: this.registry.recentlySettled().map(orderView)
      },
      lastDecision: this.maker.lastDecision,
      venues: {
        L: healthView(this.options.venues.L, this.connected.L, this.options.clock, this.options.fees.L),
        E: healthView(this.options.venues.E, this.connected.E, this.options.clock, this.options.fees.E)
      }
    };
  }

  private preflightPassedAt = Number.NEGATIVE_INFINITY;

  /** Null when arming may go ahead; else why not (the failed preflight checks and what to do). */
  private async preflightBeforeArming(): Promise<string | null> {
    if (this.options.mode === 'DEMO' || !this.options.preflight) return null;
    if (this.options.clock.now() - this.preflightPassedAt < 10 * 60_000) return null;
    let rows: PreflightRow[];
    try {
      rows = await this.options.preflight();
    } catch (error) {
      return `preflight could not run: ${String(error)}`;
    }
    const failed = rows.filter((row) => row.status === 'fail');
    for (const row of rows.filter((r) => r.status !== 'pass'))
      this.log(row.status === 'fail' ? 'error' : 'warn', 'preflight', `${row.venue} ${row.check}: ${row.detail}${row.fix ? ` (${row.fix})` : ''}`);
    if (failed.length > 0)
      return `not armed: preflight failed: ${failed.map((row) => `${row.venue} ${row.check}: ${row.detail}${row.fix ? ` -> ${row.fix}` : ''}`).join('; ')}`;
    this.preflightPassedAt = this.options.clock.now();
    return null;
  }

  /**
   * Disarm and cancel every order of ours on both venues (the kill switch): the sweep goes on until
   * each venue lists none (strategy.md: kill is complete only then; re-arming cannot cut it short).
   */
  /** Disarms and sweeps; returns what stopped it from completing (empty when complete) and how many of our orders were working. */
  private async disarmAndCancel(reason: string): Promise<{ problems: string[]; working: number }> {
    this.state.armed = false;
    resetTtHits(this.maker.memory);
    this.listener?.changed();
    this.log('warn', 'safety', `disarmed: ${reason}`);
    const sweep = await this.reconciler.killSweep();
    if (sweep.complete) this.state.liveOrder = null;
    this.listener?.changed();
    return { problems: sweep.complete ? [] : [sweep.detail], working: sweep.working };
  }

  async execute(command: Command): Promise<CommandResult> {
    switch (command.type) {
      case 'arm': {
        if (this.options.mode === 'MAINNET' && command.confirmMainnet !== true) {
          return commandError('FORBIDDEN', 'arming on MAINNET needs confirmMainnet: true', { field: 'confirmMainnet', value: String(command.confirmMainnet) });
        }
        // Another engine trades the account: arming here would race it (restart once it is stopped).
        if (this.startupRefusal) return commandError('REJECTED', `start-up was refused: ${this.startupRefusal}`);
        // Quoting while no hedge may go out builds exposure nobody hedges.
        if (this.hedger?.latched)
          return commandError(
            'REJECTED',
            'hedging is held (a hedge ran out of retries or was too large to send): hedge now, flatten, or acknowledge its alarm before arming'
          );
        const refused = await this.preflightBeforeArming();
        if (refused) return commandError('REJECTED', refused);
        this.state.armed = true;
        this.log('info', 'safety', 'armed');
        // Arming hands the book to the maker: adopted orders of an earlier run go first.
        for (const order of this.registry.unsettled()) if (order.purpose === 'adopted' && !order.cancelAccepted) void this.reconciler.cancelTracked(order);
        this.listener?.changed();
        const blocked = this.blockedBy();
        return { ok: true, message: blocked.length ? `armed; not quoting yet: ${blocked.join(', ')}` : 'armed and quoting' };
      }
      case 'disarm':
      case 'kill': {
        const { problems, working } = await this.disarmAndCancel(command.type === 'kill' ? 'kill switch' : 'disarmed by the trader');
        return problems.length
          ? commandError('REJECTED', `disarmed, but cancel failed: ${problems.join('; ')}`)
          : { ok: true, message: `${command.type}: disarmed, ${working} order${working === 1 ? '' : 's'} cancelled, none open on either venue` };
      }
      case 'flatten':
        return this.manual.flatten();
      case 'hedgeUnhedged': {
        if (!this.hedger) return commandError('UNAVAILABLE', 'TT-only mode: no hedge engine');
        if (this.state.unhedged.L.isZero() && this.state.unhedged.E.isZero()) return { ok: true, message: 'nothing unhedged' };
        await this.hedger.hedgeNow();
        return { ok: true, message: `hedged: unhedged_L ${this.state.unhedged.L}, unhedged_E ${this.state.unhedged.E}` };
      }
      case 'manualHedge': {
        // Its fills go to unhedged on the seed venue (exposure.ts): an order against unhedged reduces
        // it, one that adds exposure is hedged by the hedge engine.
        const limits = this.manual.limits(command.venue, command.side, new Decimal(command.qty));
        if (limits && command.overrideLimits !== true) {
          return commandError('REJECTED', `${limits}; the hedge engine would hedge the exposure it creates. Send again with overrideLimits: true to go ahead`, {
            field: 'overrideLimits',
            value: String(command.overrideLimits)
          });
        }
        try {
          const filled = await this.manual.marketOrder(command.venue, command.side, new Decimal(command.qty), 'manual');
          this.listener?.changed();
          return { ok: true, message: `manual ${command.side} ${command.qty} on ${command.venue}: filled ${filled}` };
        } catch (error) {
          return commandError('REJECTED', `manual hedge failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      case 'setParams': {
        const next = { ...this.params, ...command.params };
        if (next.ttOnly !== this.params.ttOnly) {
          return commandError('REJECTED', 'TT_ONLY changes the engine layout: change it in the config and restart', {
            field: 'params.ttOnly',
            value: String(next.ttOnly)
          });
        }
        const conflict = paramsConflict(next);
        if (conflict) return commandError('INVALID_COMMAND', conflict.text, { field: `params.${conflict.field}`, value: String(next[conflict.field]) });
        this.params = next;
        this.engineParams = toEngineParams(next);
        this.options.onParamsChanged?.(next);
        this.log('info', 'params', `parameters changed: ${JSON.stringify(command.params)}`);
        this.listener?.changed();
        return { ok: true, message: 'parameters applied' };
      }
      case 'ackAlarm': {
        if (!this.alarms.acknowledge(command.id)) return commandError('REJECTED', `no active alarm with id ${command.id}`, { field: 'id', value: command.id });
        // Acknowledging an exhausted or held hedge is the trader's word that automatic rounds may
        // resume (a hedge still too large is held again at once).
        if (command.id.startsWith('hedge_exhausted') || command.id.startsWith('hedge_held')) this.hedger?.release();
        this.listener?.changed();
        return { ok: true, message: 'alarm acknowledged' };
      }
      case 'cancelOrder':
        return this.cancelOrder(command.venue, command.clientId);
      case 'demoFault': {
        if (this.options.mode !== 'DEMO' || !this.options.demoFault) return commandError('FORBIDDEN', 'fault injection exists only in DEMO mode');
        const message = this.options.demoFault(command.venue, command.fault);
        this.log('warn', 'demo', message);
        return { ok: true, message };
      }
    }
  }

  /**
   * The trader cancels one resting order (the open-orders table). The maker's quote is cancelled as
   * the maker does it (the slot frees when the venue confirms; while armed it may quote again at
   * once); any other resting order of ours (adopted, a stray) through the reconciler. Market
   * orders are IOCs: there is nothing to cancel.
   */
  private async cancelOrder(venue: VenueId, clientId: string): Promise<CommandResult> {
    const order = this.registry.find(venue, clientId);
    if (!order || !this.registry.isLive(order))
      return commandError('REJECTED', `no working order ${clientId} on ${venue}`, { field: 'clientId', value: clientId });
    if (order.purpose !== 'maker' && order.purpose !== 'adopted') {
      return commandError('REJECTED', `${order.purpose} order ${clientId} is a market order (IOC): it ends by itself`, { field: 'clientId', value: clientId });
    }
    // Only an order the venue confirmed resting: a cancel overtaking a create still on its way (or
    // one of unknown outcome) could free the maker's slot while the create lands and rests.
    const live = this.state.liveOrder;
    const mine = live && live.venue === venue && live.clientId === clientId ? live : null;
    if ((mine && mine.status !== 'live') || (order.state !== 'open' && order.state !== 'partially_filled')) {
      const state = mine?.status ?? order.state;
      return commandError('REJECTED', `order ${clientId} is ${state}, not resting: cancel it once the venue says it rests (or use KILL)`, {
        field: 'clientId',
        value: clientId
      });
    }
    if (mine) {
      const cancelled = await this.maker.cancelLive('cancelled by the trader', null);
      this.listener?.changed();
      return cancelled
        ? { ok: true, message: `cancelled ${venue} ${clientId}${this.state.armed ? ' (armed: the maker may quote again)' : ''}` }
        : commandError('REJECTED', `${venue} did not confirm the cancel of ${clientId}: it may still rest`);
    }
    const problem = await this.reconciler.cancelTracked(order);
    this.listener?.changed();
    return problem ? commandError('REJECTED', `cancel of ${venue} ${clientId} failed: ${problem}`) : { ok: true, message: `cancelled ${venue} ${clientId}` };
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    if (request.type === 'export') {
      if (!this.options.journal.exportCsv) return commandError('UNAVAILABLE', 'this journal keeps no history') as QueryResult;
      const { table, from, to } = request;
      if (from !== undefined && to !== undefined && from >= to)
        return commandError('INVALID_COMMAND', `from ${from} is not before to ${to}`, { field: 'from', value: String(from) }) as QueryResult;
      const result = await this.options.journal.exportCsv({ table, from, to });
      return { ok: true, export: { table, ...result } };
    }
    const history = this.options.journal.history?.(request.limit ?? 500);
    if (!history) return commandError('UNAVAILABLE', 'this journal keeps no history') as QueryResult;
    return { ok: true, history };
  }
}
