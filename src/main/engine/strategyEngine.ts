/**
 * The strategy engine: owns the trading state, both venues, the MakerBot and the HedgeBot, the
 * safety state and the start-up runner, and answers the engine host (snapshots, events,
 * commands). It never imports Electron and runs the same live, on the emulators and in tests.
 */
import Decimal from 'decimal.js';
import type {
  AlarmKind, BookView, Command, CommandResult, ComboKey, EngineEvent, EngineSnapshot, Mode, QueryRequest, QueryResult,
  Side, SpreadsView, StartupStep, StrategyLogName, VenueHealthView, VenueId
} from '../../shared/contract';
import { COMBO_KEYS } from '../../shared/contract';
import { commandError } from '../../shared/commands';
import type { StrategyParams } from '../../shared/params';
import type { Engine, EngineListener } from '../host/engine';
import { AlarmCenter } from './alarms';
import type { Clock, TimerHandle } from './clock';
import type { EngineContext } from './context';
import { roundToStep, ZERO } from './decimalMath';
import { HedgeBot, marketWorstPrice, RecentIds } from './hedgeBot';
import { MakerBot } from './makerBot';
import { toEngineParams, type EngineParams, type Fees } from './params';
import type { StrategyLogs, TradeJournal } from './records';
import { calcNetSpreads, calcSpreads, COMBOS } from './spreads';
import { initialSteps, runStartup, StartupFailed } from './startup';
import { otherVenue, TradingState, VENUES } from './state';
import type { Notifier } from './telegram';
import { VenueOrderError, type FillDelta, type Venue } from './venue';

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
  private readonly ctx: EngineContext;
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
  private bookWaiters: Array<() => void> = [];
  private lastRealtimeAt = 0;
  readonly counters = { bookUpdates: 0, makerFills: 0, fills: 0, duplicateFills: 0 };
  /** Resolves when start-up finished (or failed). */
  startupDone: Promise<void> = Promise.resolve();

  constructor(private readonly options: StrategyEngineOptions) {
    this.params = { ...options.params };
    this.engineParams = toEngineParams(this.params);
    this.startedAt = options.clock.now();
    this.clientId = options.firstClientId ?? options.clock.now() * 10;
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
      raiseAlarm: (kind, message, key) => this.raiseAlarm(kind, message, key),
      log: (level, source, message) => this.log(level, source, message),
      nextClientId: () => String(this.clientId++),
      quotingAllowed: () => this.blockedBy().length === 0
    };
    this.maker = new MakerBot(this.ctx);
    this.hedger = this.params.ttOnly ? null : new HedgeBot(this.ctx, options.notifier);
    if (this.hedger) {
      this.hedger.onExhausted = () => void this.disarmAndCancel('hedge retries exhausted');
      this.maker.onTtImbalance = (venue, qty) => this.hedger?.addUnhedged(venue, qty, 'TT leg imbalance');
    }
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

  private raiseAlarm(kind: AlarmKind, message: string, key?: string): void {
    this.alarms.raise(kind, message, key);
    this.listener?.changed();
  }

  async start(): Promise<void> {
    this.scheduleTick();
    this.log('info', 'engine', `engine started in ${this.options.mode} mode, disarmed`);
    this.startupDone = runStartup(this.ctx, this.hedger, {
      seedOn: this.options.seedUnhedgedOn,
      ttOnly: this.params.ttOnly,
      wireCallbacks: () => this.wireCallbacks(),
      booksReady: () => this.booksReady(),
      progress: (step) => {
        this.startup[step.id - 1] = step;
        this.emit({ type: 'startup', step });
        this.listener?.changed();
      }
    }).catch((error: unknown) => {
      if (!(error instanceof StartupFailed)) {
        this.raiseAlarm('startup_failed', `start-up failed: ${String(error)}`, 'startup_failed');
      }
      this.log('error', 'startup', `start-up stopped: ${String(error)}`);
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
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
        onMakerFill: (fill) => this.onMakerFill(fill),
        onFill: (fill) => this.onFill(fill),
        onOrderUpdate: (update) => this.maker.onOrderUpdate(update),
        onPosition: (id, position) => {
          if (!position.qty.eq(this.state.inv[id])) {
            this.log('warn', 'reconcile', `${id} venue position ${position.qty} differs from ours ${this.state.inv[id]} (fills in flight, or missed)`);
          }
        },
        onConnection: (id, connected, detail) => this.onConnection(id, connected, detail),
        onLog: (id, level, message) => this.log(level, `venue ${id}`, message)
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

  private onMakerFill(fill: FillDelta): void {
    this.counters.makerFills += 1;
    if (!this.hedger) {
      this.raiseAlarm('tt_imbalance', `maker fill ${fill.venue} ${fill.qty} in TT-only mode: no hedge engine`, 'maker_fill_tt_only');
      return;
    }
    this.hedger.onMakerFill(fill);
  }

  private onFill(fill: FillDelta): void {
    if (!this.seenFills[fill.venue].add(fill.id)) {
      this.counters.duplicateFills += 1;
      return;
    }
    this.counters.fills += 1;
    this.state.applyFill(fill);
    const live = this.state.liveOrder;
    if (live && live.clientId === fill.orderId) live.filledQty = live.filledQty.plus(fill.qty.abs());
    this.options.journal.fill({
      id: fill.id, at: fill.receivedAt, venue: fill.venue, side: fill.qty.isNeg() ? 'sell' : 'buy', qty: fill.qty.abs().toString(),
      price: fill.price.toString(), maker: fill.maker, orderId: fill.orderId, fee: fill.fee?.toString()
    });
    this.listener?.changed();
  }

  private onConnection(venue: VenueId, connected: boolean, detail: string): void {
    const was = this.connected[venue];
    this.connected[venue] = connected;
    if (was && !connected) this.raiseAlarm('disconnect', `${venue} disconnected: ${detail}`, `disconnect:${venue}`);
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
    return reasons;
  }

  private scheduleTick(): void {
    this.timer = this.options.clock.setTimeout(() => {
      if (this.stopped) return;
      this.heartbeat += 1;
      this.safetyCheck();
      this.writeRealtime();
      this.listener?.changed();
      this.scheduleTick();
    }, this.options.tickMs ?? 250);
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
      } else if (!stale) {
        this.staleAlarmed[venue] = false;
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
    const evaluation = this.maker.lastEvaluation;
    const s = this.state;
    const lines = [
      `time ${new Date(now).toISOString()} mode ${this.options.mode} armed ${s.armed} quoting ${this.blockedBy().length === 0}`,
      evaluation
        ? `spreads ${Object.entries(calcSpreads(evaluation.tops)).map(([key, value]) => `${key} ${value.toDecimalPlaces(4)}`).join(' ')} INV ${evaluation.inv.toDecimalPlaces(4)}`
        : 'spreads: books not ready',
      `decision ${this.maker.lastDecision ? `${this.maker.lastDecision.action} ${this.maker.lastDecision.combo ?? ''} ${this.maker.lastDecision.reason}` : 'none yet'}`,
      ...VENUES.map((venue) => {
        const { book } = this.options.venues[venue];
        const bids = book.depth('bid', 5).map((l) => `${l.size}@${l.price}`).join(' ');
        const asks = book.depth('ask', 5).map((l) => `${l.size}@${l.price}`).join(' ');
        return `book ${venue} bids ${bids} | asks ${asks}`;
      }),
      `MAX_VALUE ${this.engineParams.maxPositionValue} position value ${s.positionValue()}`,
      `invL ${s.inv.L} @ ${s.entry.L} invE ${s.inv.E} @ ${s.entry.E} INV ${evaluation?.inv.toDecimalPlaces(4) ?? '0'}`,
      `unhedged_L ${s.unhedged.L} unhedged_E ${s.unhedged.E} minHedgeQty ${s.minHedgeQty ?? '-'}`
    ];
    this.ctx.logs.realtime(`${lines.join('\n')}\n`);
  }

  private bookView(venue: VenueId): BookView {
    const { book } = this.options.venues[venue];
    const levels = this.options.bookLevels ?? 10;
    const view = (side: 'bid' | 'ask') => book.depth(side, levels).map((level) => ({ price: level.price.toString(), size: level.size.toString() }));
    return { ready: book.ready, bids: view('bid'), asks: view('ask'), updatedAt: book.updatedAt };
  }

  private spreadsView(): SpreadsView | null {
    const evaluation = this.maker.lastEvaluation;
    if (!evaluation) return null;
    const p = this.engineParams;
    const net = calcNetSpreads(evaluation.tops, this.options.fees);
    // The hot path may have skipped the TT spreads (TT disabled): the view shows all six.
    const spreads = p.enableTt ? evaluation.spreads : calcSpreads(evaluation.tops);
    const exitDirection = this.state.inventoryDirection() === 'LE' ? 'EL' : this.state.inventoryDirection() === 'EL' ? 'LE' : null;
    const qualifying = COMBO_KEYS.filter((key) => {
      const spread = spreads[key];
      const isTt = key.startsWith('TT');
      if (isTt ? !p.enableTt : p.ttOnly) return false;
      if (exitDirection && COMBOS[key].direction === exitDirection && spread.plus(evaluation.inv).gt(p.spreadTp)) return true;
      return spread.gt(p.minSpread);
    });
    const raw = {} as Record<ComboKey, string>;
    const netView = {} as Record<ComboKey, string>;
    for (const key of COMBO_KEYS) {
      raw[key] = spreads[key].toDecimalPlaces(6).toString();
      netView[key] = net[key].toDecimalPlaces(6).toString();
    }
    return { raw, net: netView, inv: evaluation.inv.toDecimalPlaces(6).toString(), qualifying, ttHits: { ...this.maker.memory.ttHits } };
  }

  private healthView(venue: VenueId): VenueHealthView {
    const health = this.options.venues[venue].health();
    const { book } = this.options.venues[venue];
    return {
      connected: this.connected[venue],
      bookAgeMs: book.updatedAt > 0 ? this.options.clock.now() - book.updatedAt : null,
      bookMessages: health.bookMessages,
      lastOrderLatencyMs: health.lastOrderLatencyMs ?? null,
      rateLimitHeadroom: health.rateLimitHeadroom ?? null,
      rateLimited: health.rateLimited
    };
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
      books: { L: this.bookView('L'), E: this.bookView('E') },
      spreads: this.spreadsView(),
      inventory: {
        invL: s.inv.L.toString(), invE: s.inv.E.toString(), entryL: s.entry.L.toString(), entryE: s.entry.E.toString(),
        net: s.inv.L.plus(s.inv.E).toString(), unhedgedL: s.unhedged.L.toString(), unhedgedE: s.unhedged.E.toString(),
        minHedgeQty: s.minHedgeQty?.toString() ?? null, positionValue: s.positionValue().toString(),
        maxPositionValue: this.params.maxPositionValue, realisedPnl: s.realised.L.plus(s.realised.E).toString(),
        currentDirection: s.currentDirection
      },
      liveOrder: live
        ? { clientId: live.clientId, venue: live.venue, side: live.side, price: live.price.toString(), qty: live.qty.toString(),
            filledQty: live.filledQty.toString(), combo: live.combo, status: live.status, placedAt: live.placedAt }
        : null,
      lastDecision: this.maker.lastDecision,
      venues: { L: this.healthView('L'), E: this.healthView('E') }
    };
  }

  /** Disarm and cancel every live order on both venues (the kill switch). */
  private async disarmAndCancel(reason: string): Promise<string[]> {
    this.state.armed = false;
    this.listener?.changed();
    this.log('warn', 'safety', `disarmed: ${reason}`);
    const problems: string[] = [];
    await Promise.all(
      VENUES.map(async (venue) => {
        const at = this.options.clock.now();
        const clientId = `cancel-all-${at}-${venue}`;
        this.options.journal.order({ at, clientId, venue, kind: 'cancel_all', purpose: 'kill' });
        const started = this.options.clock.monotonic();
        try {
          await this.options.venues[venue].cancelAll();
          this.options.journal.reply({ at: this.options.clock.now(), clientId, venue, ok: true, detail: 'cancelled all', latencyMs: this.options.clock.monotonic() - started });
        } catch (error) {
          problems.push(`${venue}: ${String(error)}`);
          this.options.journal.reply({ at: this.options.clock.now(), clientId, venue, ok: false, detail: String(error), latencyMs: this.options.clock.monotonic() - started });
        }
      })
    );
    if (problems.length === 0) this.state.liveOrder = null;
    else this.raiseAlarm('order_rejected', `cancel all failed: ${problems.join('; ')}`, 'cancel_all');
    this.listener?.changed();
    // A second sweep a moment later: an order the venues accepted but had not processed when the
    // first cancel-all arrived would otherwise stay (writes are asynchronous on both venues).
    this.options.clock.setTimeout(() => {
      if (this.state.armed || this.stopped) return;
      for (const venue of VENUES) {
        void this.options.venues[venue].cancelAll().catch((error: unknown) => this.log('warn', 'safety', `second cancel-all on ${venue}: ${String(error)}`));
      }
    }, 500);
    return problems;
  }

  private async marketOrder(venue: VenueId, side: Side, qty: Decimal, purpose: 'manual' | 'flatten'): Promise<Decimal> {
    const target = this.options.venues[venue];
    const rounded = roundToStep(qty, target.market.sizeStep);
    const worstPrice = marketWorstPrice(this.ctx, venue, side);
    if (!worstPrice) throw new VenueOrderError(venue, 'invalid', 'book not ready');
    if (rounded.lt(target.market.minSize) || rounded.isZero()) {
      throw new VenueOrderError(venue, 'invalid', `size ${rounded} below min size ${target.market.minSize}`);
    }
    const clientId = this.ctx.nextClientId();
    const at = this.options.clock.now();
    this.options.journal.order({ at, clientId, venue, kind: 'market', side, price: worstPrice.toString(), qty: rounded.toString(), purpose });
    const started = this.options.clock.monotonic();
    try {
      const result = await target.sendMarket({ clientId, side, qty: rounded, worstPrice });
      this.options.journal.reply({ at: this.options.clock.now(), clientId, venue, ok: true, detail: `filled ${result.filledQty}`, latencyMs: this.options.clock.monotonic() - started, filledQty: result.filledQty.toString() });
      return result.filledQty;
    } catch (error) {
      this.options.journal.reply({ at: this.options.clock.now(), clientId, venue, ok: false, detail: String(error), latencyMs: this.options.clock.monotonic() - started });
      throw error;
    }
  }

  async execute(command: Command): Promise<CommandResult> {
    switch (command.type) {
      case 'arm': {
        if (this.options.mode === 'MAINNET' && command.confirmMainnet !== true) {
          return commandError('FORBIDDEN', 'arming on MAINNET needs confirmMainnet: true', { field: 'confirmMainnet', value: String(command.confirmMainnet) });
        }
        this.state.armed = true;
        this.log('info', 'safety', 'armed');
        this.listener?.changed();
        const blocked = this.blockedBy();
        return { ok: true, message: blocked.length ? `armed; not quoting yet: ${blocked.join(', ')}` : 'armed and quoting' };
      }
      case 'disarm':
      case 'kill': {
        const problems = await this.disarmAndCancel(command.type === 'kill' ? 'kill switch' : 'disarmed by the trader');
        return problems.length
          ? commandError('REJECTED', `disarmed, but cancel failed: ${problems.join('; ')}`)
          : { ok: true, message: `${command.type}: disarmed, all orders cancelled` };
      }
      case 'flatten': {
        await this.disarmAndCancel('flatten');
        const results: string[] = [];
        let allFilled = true;
        for (const venue of VENUES) {
          const position = this.state.inv[venue];
          if (position.isZero()) continue;
          try {
            const filled = await this.marketOrder(venue, position.isPos() ? 'sell' : 'buy', position.abs(), 'flatten');
            if (filled.lt(roundToStep(position.abs(), this.options.venues[venue].market.sizeStep))) allFilled = false;
            results.push(`${venue} closed ${filled} of ${position.abs()}`);
          } catch (error) {
            allFilled = false;
            results.push(`${venue} failed: ${String(error)}`);
          }
        }
        if (allFilled) this.state.unhedged = { L: ZERO, E: ZERO };
        else this.raiseAlarm('order_rejected', `flatten incomplete: ${results.join('; ')}`, 'flatten');
        this.listener?.changed();
        return allFilled ? { ok: true, message: `flattened: ${results.join('; ') || 'already flat'}` } : commandError('REJECTED', `flatten incomplete: ${results.join('; ')}`);
      }
      case 'hedgeUnhedged': {
        if (!this.hedger) return commandError('UNAVAILABLE', 'TT-only mode: no hedge engine');
        if (this.state.unhedged.L.isZero() && this.state.unhedged.E.isZero()) return { ok: true, message: 'nothing unhedged' };
        await this.hedger.hedgeNow();
        return { ok: true, message: `hedged: unhedged_L ${this.state.unhedged.L}, unhedged_E ${this.state.unhedged.E}` };
      }
      case 'manualHedge': {
        const qty = new Decimal(command.qty);
        try {
          const filled = await this.marketOrder(command.venue, command.side, qty, 'manual');
          // A manual order that works against the unhedged of the other venue reduces it.
          const from = otherVenue(command.venue);
          const unhedged = this.state.unhedged[from];
          const reduces = (command.side === 'sell' && unhedged.isPos()) || (command.side === 'buy' && unhedged.isNeg());
          if (reduces) {
            const applied = filled.gt(unhedged.abs()) ? unhedged.abs() : filled;
            this.state.unhedged[from] = unhedged.isPos() ? unhedged.minus(applied) : unhedged.plus(applied);
          }
          this.listener?.changed();
          return { ok: true, message: `manual ${command.side} ${command.qty} on ${command.venue}: filled ${filled}` };
        } catch (error) {
          return commandError('REJECTED', `manual hedge failed: ${error instanceof Error ? error.message : String(error)}`);
        }
      }
      case 'setParams': {
        const next = { ...this.params, ...command.params };
        if (next.ttOnly !== this.params.ttOnly) {
          return commandError('REJECTED', 'TT_ONLY changes the engine layout: change it in the config and restart', { field: 'params.ttOnly', value: String(next.ttOnly) });
        }
        this.params = next;
        this.engineParams = toEngineParams(next);
        this.options.onParamsChanged?.(next);
        this.log('info', 'params', `parameters changed: ${JSON.stringify(command.params)}`);
        this.listener?.changed();
        return { ok: true, message: 'parameters applied' };
      }
      case 'ackAlarm': {
        if (!this.alarms.acknowledge(command.id)) return commandError('REJECTED', `no active alarm with id ${command.id}`, { field: 'id', value: command.id });
        this.listener?.changed();
        return { ok: true, message: 'alarm acknowledged' };
      }
      case 'demoFault': {
        if (this.options.mode !== 'DEMO' || !this.options.demoFault) return commandError('FORBIDDEN', 'fault injection exists only in DEMO mode');
        const message = this.options.demoFault(command.venue, command.fault);
        this.log('warn', 'demo', message);
        return { ok: true, message };
      }
    }
  }

  async query(request: QueryRequest): Promise<QueryResult> {
    const history = this.options.journal.history?.(request.limit ?? 500);
    if (!history) return commandError('UNAVAILABLE', 'this journal keeps no history') as QueryResult;
    return { ok: true, history };
  }
}
