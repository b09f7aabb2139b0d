/**
 * The Lighter adapter: the engine's `Venue` over Lighter's real protocol. It keeps the book in
 * sync (snapshot, then updates chained by begin_nonce; any gap or crossed book drops the book and
 * resubscribes), turns account_all_trades into signed maker and all-fill deltas (deduplicated by
 * trade id across replays), account_all_orders into order updates and the filled quantity of
 * "market" orders, and sends signed txs over the WebSocket (REST as fallback) with one nonce
 * sequence per API key and a request budget.
 *
 * Its rooms: `bookSync.ts` (the pure book state machine live, paper and replay share), `txClient.ts`
 * (nonces, the tx queue by urgency, WS and REST sending, answers classified), `parse.ts` (every
 * frame field checked), `signer.ts`; here, the streams, the order API and the venue's record.
 */
import Decimal from 'decimal.js';
import { decimalToScaled, OrderBook } from '../../kernel/book';
import type { Clock, TimerHandle } from '../../kernel/clock';
import { RecentIds } from '../../kernel/recentIds';
import {
  VenueOrderError,
  type FillDelta,
  type MarketInfo,
  type MarketRequest,
  type MarketResult,
  type OrderAck,
  type OrderReport,
  type OrderStatus,
  type Position,
  type PostOnlyRequest,
  type Venue,
  type CancelAllUrgency,
  type VenueAccountView,
  type VenueHealth
} from '../../ports/venue';
import { LIGHTER_TIERS, LIGHTER_WEIGHT_PER_MINUTE, lighterRequestWeight, lighterTierOf } from '../../../shared/lighterTiers';
import type { PreflightRow } from '../../ports/preflight';
import { PreflightTable, probeStream } from '../common/preflightProbes';
import { VenueAdapterBase } from '../common/adapterBase';
import { FileFrameRecorder, noRecorder, type FrameRecorder } from '../common/recorder';
import { ReconnectingSocket } from '../common/reconnectingSocket';
import { RequestBudget, type RequestPriority } from '../common/requestBudget';
import { dec } from '../common/frames';
import type { LighterAdapterConfig } from './config';
import { LighterBookSync } from './bookSync';
import {
  isSubscriptionErrorCode,
  isTxErrorCode,
  LIGHTER_CANCEL_ALL,
  LIGHTER_ERROR,
  LIGHTER_FEE_TICK,
  LIGHTER_ORDER_BOOKS_PATH,
  LIGHTER_ORDER_TYPE,
  LIGHTER_TIME_IN_FORCE
} from './constants';
import {
  FrameError,
  lighterMarketFrom,
  parseLighterFrame,
  parseLighterOrders,
  parseLighterTrades,
  type LighterMarketDetails as MarketDetails,
  type OrderFrame,
  type TradeFrame
} from './parse';
import type { LighterSigner } from './signer';
import { LighterTxClient } from './txClient';

const TOO_MANY_REQUESTS = LIGHTER_ERROR.tooManyRequests;
/** The account channels the adapter needs; each must be confirmed before the stream counts as up. */
const ACCOUNT_CHANNELS = ['account_all_orders', 'account_all_trades', 'account_all_positions'] as const;

interface PendingMarket {
  resolve(result: MarketResult): void;
  reject(error: Error): void;
  timer: TimerHandle | null;
  /** Trades of it seen so far (for the log when its outcome is handed over). */
  filled: Decimal;
  /** Monotonic ms when the venue accepted it (0 until then). */
  acceptedAt: number;
}

/** Lighter's order statuses in the engine's terms. */
export function orderStatusOf(status: string, filled: boolean): OrderStatus {
  if (status === 'filled') return 'filled';
  if (status === 'open' || status === 'pending' || status === 'in-progress') return filled ? 'partially_filled' : 'open';
  if (status === 'canceled-expired') return 'expired';
  if (status.startsWith('canceled')) return 'cancelled';
  return 'rejected';
}

export class LighterVenue extends VenueAdapterBase implements Venue {
  declare readonly id: 'L';
  book: OrderBook = new OrderBook(2, 4);
  private details: MarketDetails | null = null;
  private readonly recorder: FrameRecorder;
  protected readonly bucket: RequestBudget;
  private bookSocket: ReconnectingSocket | null = null;
  private accountSocket: ReconnectingSocket | null = null;
  private bookSync: LighterBookSync = new LighterBookSync(this.book);
  private readonly seenTrades = new RecentIds();
  private readonly pendingMarkets = new Map<number, PendingMarket>();
  private tokenTimer: TimerHandle | null = null;
  private keepaliveTimer: TimerHandle | null = null;
  private tradesBaselined = false;
  readonly stats = {
    bookMessages: 0,
    malformedFrames: 0,
    resyncs: 0,
    rateLimited: 0,
    duplicateTrades: 0,
    nonceResyncs: 0,
    subscriptionRefusals: 0,
    foreignActivity: 0,
    tradesCaughtUp: 0,
    deadManRefusals: 0,
    lastOrderLatencyMs: undefined as number | undefined
  };

  constructor(
    private readonly config: LighterAdapterConfig,
    private readonly signer: LighterSigner,
    private readonly clock: Clock
  ) {
    super('L');
    this.recorder = config.recordPath
      ? new FileFrameRecorder(config.recordPath, (message) => this.handlers?.onWriterFailed?.('L', 'frame recorder', message))
      : noRecorder;
    // Lighter counts REST requests and WS txs together, per rolling minute: Standard 60 requests,
    // and for every tier a weighted limit of 24,000 (a GET weighs 300, a tx 6, trades 600).
    const tier = LIGHTER_TIERS[config.tier ?? 'standard'];
    this.bucket = new RequestBudget(clock, config.requestsPerMinute ?? tier.requestsPerMinute, 60_000, config.reserve);
    this.bucket.weightPerWindow = config.weightPerMinute ?? LIGHTER_WEIGHT_PER_MINUTE;
    this.txClient = new LighterTxClient({
      config,
      clock,
      budget: this.bucket,
      stats: this.stats,
      rest: (path, priority) => this.rest(path, { priority }),
      // Txs go over the account socket while it is up, and not while it restarts for a new token.
      socket: () => (this.accountSocket?.connected && !this.renewing ? this.accountSocket : null),
      log: (level, message) => this.handlers?.onLog('L', level, message)
    });
  }

  private readonly txClient: LighterTxClient;

  get market(): MarketInfo {
    if (!this.details) throw new Error('Lighter: market details not loaded (start() first)');
    return this.details.info;
  }

  // ------------------------------------------------------------------ REST

  private async rest(
    path: string,
    init: { method?: string; body?: string; headers?: Record<string, string>; priority?: RequestPriority } = {}
  ): Promise<Record<string, unknown>> {
    await this.bucket.take(init.priority ?? 'read', lighterRequestWeight(path));
    try {
      const body = await this.restCall(path, init);
      this.restHealth.answered();
      return body;
    } catch (error) {
      if (error instanceof VenueOrderError && error.kind === 'rejected') this.restHealth.answered();
      else this.restHealth.failed(this.clock.now(), String(error));
      throw error;
    }
  }

  private async restCall(path: string, init: { method?: string; body?: string; headers?: Record<string, string> }): Promise<Record<string, unknown>> {
    let response: Response;
    try {
      response = await fetch(`${this.config.restUrl}/api/v1/${path}`, {
        method: init.method ?? 'GET',
        body: init.body,
        headers: init.headers,
        signal: AbortSignal.timeout(this.config.requestTimeoutMs ?? 10_000)
      });
    } catch (error) {
      throw new VenueOrderError('L', 'network', `${path}: ${(error as Error).message}`);
    }
    let body: Record<string, unknown>;
    try {
      body = (await response.json()) as Record<string, unknown>;
    } catch {
      throw new VenueOrderError('L', 'network', `${path}: HTTP ${response.status} without a JSON body`);
    }
    if (response.status === 429 || body.code === TOO_MANY_REQUESTS) {
      this.stats.rateLimited += 1;
      throw new VenueOrderError('L', 'rate_limited', `${path}: ${String(body.message ?? 'too many requests')}`, TOO_MANY_REQUESTS);
    }
    if (!response.ok || (typeof body.code === 'number' && body.code !== 200)) {
      throw new VenueOrderError(
        'L',
        response.status >= 500 ? 'network' : 'rejected',
        `${path}: ${String(body.message ?? `HTTP ${response.status}`)}`,
        body.code as number
      );
    }
    return body;
  }

  private async loadMarket(): Promise<void> {
    const body = await this.rest(LIGHTER_ORDER_BOOKS_PATH);
    // Kept with the recording, so that a replay knows the market as it was.
    this.recorder.record('L.rest.orderBooks', JSON.stringify(body), this.clock.now());
    this.details = lighterMarketFrom(body, this.config.symbol);
    this.book = new OrderBook(this.details.priceDecimals, this.details.sizeDecimals);
    this.bookSync = new LighterBookSync(this.book);
  }

  async loadPosition(): Promise<Position> {
    const body = await this.rest(`account?by=index&value=${this.config.accountIndex}`);
    const accounts = body.accounts;
    if (!Array.isArray(accounts) || accounts.length === 0) throw new FrameError('accounts', accounts);
    const positions = (accounts[0] as { positions?: unknown }).positions;
    const mine = Array.isArray(positions)
      ? (positions.find((p) => (p as { market_id?: unknown }).market_id === this.details?.marketId) as Record<string, unknown> | undefined)
      : undefined;
    if (!mine) return { qty: new Decimal(0), avgEntry: new Decimal(0) };
    const size = new Decimal(String(mine.position));
    return { qty: Number(mine.sign) < 0 ? size.neg() : size, avgEntry: size.isZero() ? new Decimal(0) : new Decimal(String(mine.avg_entry_price)) };
  }

  // ------------------------------------------------------------------ streams

  async start(): Promise<void> {
    await this.loadMarket();
    await this.txClient.resyncNonce();
    // A start-up step tried again calls start again: the streams of the earlier try go first.
    this.bookSocket?.stop();
    this.accountSocket?.stop();
    if (this.keepaliveTimer) this.clock.clearTimeout(this.keepaliveTimer);
    const staleMs = this.config.staleBookMs ?? 5000;
    this.bookSocket = new ReconnectingSocket({
      name: 'L.book',
      url: this.config.wsUrl,
      clock: this.clock,
      recorder: this.recorder,
      staleMs,
      onOpen: () => {
        this.bookSocket?.send({ type: 'subscribe', channel: `order_book/${this.details?.marketId}` });
        // Recording: the public trades too, so that a replay fills quotes as paper trading does.
        if (this.config.recordPath) this.bookSocket?.send({ type: 'subscribe', channel: `trade/${this.details?.marketId}` });
      },
      onFrame: (text, at) => this.onFrame(text, at, 'book'),
      onClose: (reason) => this.onSocketClosed('book', reason)
    });
    this.accountSocket = new ReconnectingSocket({
      // An account stream may be silent for long (an empty account): pinged after 15 s, dead after 30 s.
      name: 'L.account',
      url: this.config.wsUrl,
      clock: this.clock,
      recorder: this.recorder,
      staleMs: this.config.accountStaleMs ?? 15_000,
      onOpen: () => {
        this.subscribeAccount();
      },
      onFrame: (text, at) => this.onFrame(text, at, 'account'),
      onClose: (reason) => {
        // Txs sent on this socket lost their answers with it: they may have executed.
        this.txClient.socketClosed(reason);
        this.onSocketClosed('account', reason);
      }
    });
    this.bookSocket.start();
    this.accountSocket.start();
    this.scheduleKeepalive();
  }

  async stop(): Promise<void> {
    this.deadManArmed = false;
    for (const timer of [this.tokenTimer, this.keepaliveTimer, this.resyncTimer, this.deadManTimer, this.resubscribeTimer])
      if (timer) this.clock.clearTimeout(timer);
    this.stopCatchUp(this.clock);
    this.bookSocket?.stop();
    this.accountSocket?.stop();
    for (const [coi, pending] of this.pendingMarkets) {
      // Accepted by the venue, final status not yet seen: it may have filled.
      pending.reject(new VenueOrderError('L', 'unknown', 'adapter stopped before the order settled'));
      this.pendingMarkets.delete(coi);
    }
    await this.recorder.close();
  }

  /**
   * Private channels with a fresh auth token, renewed before it expires. The account stream counts
   * as up only once the venue confirmed every subscription (its `subscribed/...` frame): a refused
   * one (bad token, a limit) must not leave the engine quoting with no fill stream.
   */
  private subscribeAccount(): void {
    const ttl = this.config.authTokenTtlMs ?? 7 * 3600_000;
    const token = this.signer.createAuthToken(Math.floor((this.clock.now() + ttl) / 1000));
    this.unconfirmed = new Set(ACCOUNT_CHANNELS);
    for (const channel of ACCOUNT_CHANNELS) {
      this.accountSocket?.send({ type: 'subscribe', channel: `${channel}/${this.config.accountIndex}`, auth: token });
    }
    if (this.tokenTimer) this.clock.clearTimeout(this.tokenTimer);
    // Renew at 85 % of the lifetime: reconnect the private socket, which resubscribes with a new token.
    this.tokenTimer = this.clock.setTimeout(() => this.renewWhenIdle(0), Math.floor(ttl * 0.85));
  }

  /**
   * The renewal restarts the socket that carries the txs: wait until no tx waits for its answer
   * there (at most 10 s; new txs meanwhile go over REST), so that no ack is lost by a planned restart.
   */
  private renewWhenIdle(waitedMs: number): void {
    this.renewing = true;
    if (this.txClient.awaitingAnswers > 0 && waitedMs < 10_000) {
      this.tokenTimer = this.clock.setTimeout(() => this.renewWhenIdle(waitedMs + 100), 100);
      return;
    }
    this.renewing = false;
    this.accountSocket?.restart('auth token renewal');
  }

  private renewing = false;
  /** Account channels subscribed on the current socket whose confirmation has not come yet. */
  private unconfirmed = new Set<string>(ACCOUNT_CHANNELS);
  /** The account stream has been confirmed once (later confirmations follow a reconnect). */
  private accountConfirmedOnce = false;

  /** A subscription's confirmation (its snapshot frame); the stream is up once all came. */
  private confirmed(channel: (typeof ACCOUNT_CHANNELS)[number]): void {
    if (!this.unconfirmed.delete(channel) || this.unconfirmed.size > 0) return;
    this.markConnected('account');
    const reconnect = this.accountConfirmedOnce;
    this.accountConfirmedOnce = true;
    // Back after an outage: the trades snapshot may carry none of the trades made meanwhile.
    if (reconnect) this.catchUpTrades(this.clock, () => this.readMissedTrades());
  }

  /** The venue refused a subscription of the account stream: not up; subscribe again on a fresh socket after a pause. */
  private subscriptionRefused(code: number, message: string): void {
    this.stats.subscriptionRefusals += 1;
    this.handlers?.onLog('L', 'error', `account stream subscription refused (${code} ${message}): no fill stream, not quoting; retrying`);
    if (this.resubscribeTimer) return;
    const delay = Math.min(30_000, 1000 * 2 ** Math.min(5, this.stats.subscriptionRefusals - 1));
    this.resubscribeTimer = this.clock.setTimeout(() => {
      this.resubscribeTimer = null;
      this.accountSocket?.restart(`subscription refused: ${code}`);
    }, delay);
  }

  private resubscribeTimer: TimerHandle | null = null;

  private scheduleKeepalive(): void {
    this.keepaliveTimer = this.clock.setTimeout(() => {
      this.bookSocket?.send({ type: 'ping' });
      this.accountSocket?.send({ type: 'ping' });
      this.scheduleKeepalive();
    }, 30_000);
  }

  protected forgetBook(): void {
    this.bookSync.reset();
  }

  private onFrame(text: string, receivedAt: number, socket: 'book' | 'account'): void {
    let frame;
    try {
      frame = parseLighterFrame(text, this.details?.marketId ?? 0);
    } catch (error) {
      this.stats.malformedFrames += 1;
      this.reportMalformed(socket, error, text, receivedAt);
      return;
    }
    const target = socket === 'book' ? this.bookSocket : this.accountSocket;
    switch (frame.kind) {
      case 'ping':
        target?.send({ type: 'pong' });
        return;
      case 'book':
        this.onBook(frame, receivedAt);
        return;
      case 'trades':
        if (frame.foreign > 0) this.foreignActivity(`${frame.foreign} trade(s) of another market of the account`);
        if (frame.snapshot) this.confirmed('account_all_trades');
        if (frame.snapshot && !this.tradesBaselined) {
          // The first snapshot after start replays history that the position loaded over REST
          // already contains: remember the ids, count none. Later snapshots (after a reconnect)
          // may hold trades made while we were away: those count, once.
          this.tradesBaselined = true;
          for (const trade of frame.trades) this.seenTrades.add(trade.tradeId);
          return;
        }
        for (const trade of frame.trades) this.onTrade(trade, receivedAt);
        if (frame.snapshot) this.handOverMarketsAfterResubscribe();
        return;
      case 'orders':
        if (frame.foreign > 0) this.foreignActivity(`${frame.foreign} order update(s) of another market of the account`);
        if (frame.snapshot) this.confirmed('account_all_orders');
        for (const order of frame.orders) this.onOrder(order, receivedAt);
        return;
      case 'positions':
        if (frame.snapshot) this.confirmed('account_all_positions');
        if (frame.position) {
          const size = new Decimal(frame.position.position);
          this.h.onPosition('L', { qty: frame.position.sign < 0 ? size.neg() : size, avgEntry: new Decimal(frame.position.avgEntry) });
        } else this.h.onPosition('L', { qty: new Decimal(0), avgEntry: new Decimal(0) });
        return;
      case 'tx':
        // Accepted (200) or refused with the venue's code: either way the tx has its answer now.
        if (!this.txClient.answered(frame.id, frame.ok ? undefined : frame)) {
          this.handlers?.onLog('L', 'warn', `tx answer for no tx waiting: ${frame.code} ${frame.message}`);
        }
        return;
      case 'error':
        if (socket === 'account' && this.unconfirmed.size > 0 && isSubscriptionErrorCode(frame.code)) {
          this.subscriptionRefused(frame.code, frame.message);
          return;
        }
        // An error about a tx answers the tx in flight (the venue may leave the id out).
        if ((frame.id !== undefined || isTxErrorCode(frame.code)) && this.txClient.answered(frame.id, frame)) return;
        this.handlers?.onLog('L', 'warn', `error frame on ${socket} stream: ${frame.code} ${frame.message}`);
        return;
      default:
        return;
    }
  }

  private onBook(frame: Extract<ReturnType<typeof parseLighterFrame>, { kind: 'book' }>, receivedAt: number): void {
    this.stats.bookMessages += 1;
    const outcome = this.bookSync.onFrame(frame, receivedAt);
    if (outcome.kind === 'ignored') return;
    if (outcome.kind === 'resync') {
      this.resync(outcome.reason);
      return;
    }
    // A good update (not just a fresh snapshot) ends a series of resyncs and their backoff.
    if (!frame.snapshot) this.consecutiveResyncs = 0;
    this.markConnected('book');
    this.h.onBook('L');
  }

  /**
   * Drops the book and subscribes again: never patch across a gap. Resyncs that follow each other
   * back off (0.25 s doubling to 10 s), so a venue that keeps sending a bad book is not hammered.
   */
  private resync(reason: string): void {
    this.stats.resyncs += 1;
    this.bookSync.reset();
    this.handlers?.onLog('L', 'warn', `order book resync: ${reason}`);
    this.h.onBook('L');
    const channel = `order_book/${this.details?.marketId}`;
    this.bookSocket?.send({ type: 'unsubscribe', channel });
    const delay = this.consecutiveResyncs === 0 ? 0 : Math.min(10_000, 250 * 2 ** (this.consecutiveResyncs - 1));
    this.consecutiveResyncs += 1;
    if (this.resyncTimer) this.clock.clearTimeout(this.resyncTimer);
    this.resyncTimer = this.clock.setTimeout(() => {
      this.resyncTimer = null;
      this.bookSocket?.send({ type: 'subscribe', channel });
    }, delay);
  }

  private consecutiveResyncs = 0;
  private resyncTimer: TimerHandle | null = null;

  /**
   * One trade as our fill, or null when it is not ours (another account's side, another market, a
   * self-trade). Its fee is the venue's: the trade's rate (millionths of its USD value; a zero rate
   * is left out) on our side of it.
   */
  private fillOf(trade: TradeFrame, receivedAt: number): FillDelta | null {
    if (trade.marketId !== null && trade.marketId !== (this.details as MarketDetails).marketId) return null;
    const us = this.config.accountIndex;
    const weSold = trade.askAccount === us;
    const weBought = trade.bidAccount === us;
    if (!weSold && !weBought) return null;
    const size = new Decimal(trade.size);
    const delta = (weBought ? size : new Decimal(0)).minus(weSold ? size : new Decimal(0));
    if (delta.isZero()) return null; // a self-trade moves nothing
    const weMaker = (trade.makerIsAsk && weSold) || (!trade.makerIsAsk && weBought);
    const coi = weBought ? trade.bidClientId : trade.askClientId;
    const price = new Decimal(trade.price);
    const value = trade.usdAmount === null ? size.times(price) : new Decimal(trade.usdAmount);
    return {
      id: `L:${trade.tradeId}`,
      venue: 'L',
      qty: delta,
      price,
      maker: weMaker,
      orderId: String(coi),
      fee: value.times(weMaker ? trade.makerFee : trade.takerFee).div(LIGHTER_FEE_TICK),
      receivedAt,
      ...(trade.timestamp === null ? {} : { at: trade.timestamp })
    };
  }

  private onTrade(trade: TradeFrame, receivedAt: number): void {
    const fill = this.fillOf(trade, receivedAt);
    if (!fill) return;
    // Replays after a (re)subscribe, and the REST catch-up, carry trades we already counted.
    if (!this.seenTrades.add(trade.tradeId)) {
      this.stats.duplicateTrades += 1;
      return;
    }
    const pending = this.pendingMarkets.get(Number(fill.orderId));
    if (pending && !fill.maker) pending.filled = pending.filled.plus(fill.qty.abs());
    this.h.onFill(fill);
  }

  /** Activity of the account on markets this console does not trade: never ours, shown. */
  private foreignActivity(what: string): void {
    this.stats.foreignActivity += 1;
    this.handlers?.onForeignActivity?.('L', what);
  }

  /**
   * After the account stream came back: the account's latest trades over REST (newest first, pages
   * of 100 until one holds a trade already seen), so that a fill made while the stream was down
   * is counted once even when the new snapshot carries no trades.
   */
  private async readMissedTrades(): Promise<void> {
    const marketId = (this.details as MarketDetails).marketId;
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const body = await this.authedGet(
        `trades?account_index=${this.config.accountIndex}&market_id=${marketId}&sort_by=trade_id&sort_dir=desc&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      );
      const trades = parseLighterTrades(body, marketId);
      const fresh = trades.filter((trade) => !this.seenTrades.has(trade.tradeId));
      // Oldest first, as they happened.
      for (const trade of [...fresh].reverse()) {
        this.stats.tradesCaughtUp += 1;
        this.onTrade(trade, this.clock.now());
      }
      cursor = typeof body.next_cursor === 'string' ? body.next_cursor : '';
      if (fresh.length < trades.length || trades.length < 100 || !cursor) return;
    }
  }

  /**
   * After the account stream came back, an IOC accepted before has long finished (IOCs end at
   * sequencing), but its final status is not in the new snapshot (open orders only). Its trades
   * are replayed and reported as fills; its outcome is handed to the engine as unknown, which
   * settles it from the venue's record (inactive orders by client order index) instead of this
   * adapter guessing it from the trades it happened to see.
   */
  private handOverMarketsAfterResubscribe(): void {
    const now = this.clock.monotonic();
    for (const [coi, pending] of this.pendingMarkets) {
      if (pending.acceptedAt === 0 || now - pending.acceptedAt < 500) continue;
      this.pendingMarkets.delete(coi);
      if (pending.timer) this.clock.clearTimeout(pending.timer);
      this.handlers?.onLog(
        'L',
        'warn',
        `IOC ${coi}: the account stream restarted before its final status (${pending.filled} filled seen); the venue's record settles it`
      );
      pending.reject(new VenueOrderError('L', 'unknown', `account stream restarted before the final status of IOC ${coi}`));
    }
  }

  private onOrder(order: OrderFrame, receivedAt: number): void {
    const filled = new Decimal(order.filledBase);
    const status = orderStatusOf(order.status, filled.gt(0));
    this.noteSeen(String(order.clientOrderIndex));
    this.h.onOrderUpdate({
      venue: 'L',
      clientId: String(order.clientOrderIndex),
      status,
      filledQty: filled,
      reason: order.status.startsWith('canceled-') ? order.status.slice('canceled-'.length) : undefined,
      receivedAt
    });
    const pending = this.pendingMarkets.get(order.clientOrderIndex);
    if (pending && status !== 'open' && status !== 'partially_filled') {
      this.pendingMarkets.delete(order.clientOrderIndex);
      if (pending.timer) this.clock.clearTimeout(pending.timer);
      pending.resolve({
        clientId: String(order.clientOrderIndex),
        filledQty: filled,
        avgPrice: filled.gt(0) ? new Decimal(order.filledQuote).div(filled) : undefined
      });
    }
  }

  // ------------------------------------------------------------------ transactions

  private clientOrderIndex(clientId: string): number {
    const coi = Number(clientId);
    if (!Number.isSafeInteger(coi) || coi < 1 || coi > 2 ** 48 - 1)
      throw new VenueOrderError('L', 'invalid', `client id ${clientId} is not a client order index (1..2^48-1)`);
    return coi;
  }

  private scaled(qty: Decimal, price: Decimal): { baseAmount: number; price: number } {
    const d = this.details as MarketDetails;
    try {
      return { baseAmount: decimalToScaled(qty, d.sizeDecimals, 'qty'), price: decimalToScaled(price, d.priceDecimals, 'price') };
    } catch (error) {
      throw new VenueOrderError('L', 'invalid', (error as Error).message);
    }
  }

  /** Signs and sends a create-order tx: a post-only quote (28-day expiry) or an IOC taker order. */
  private submitCreate(clientId: string, side: 'buy' | 'sell', qty: Decimal, price: Decimal, kind: 'post_only' | 'ioc'): Promise<number> {
    const coi = this.clientOrderIndex(clientId);
    const amounts = this.scaled(qty, price);
    const quote = kind === 'post_only';
    const expiry = quote ? this.clock.now() + (this.config.orderExpiryMs ?? 28 * 86_400_000) : 0;
    return this.txClient.submit(
      (nonce) =>
        this.signer.signCreateOrder({
          marketIndex: (this.details as MarketDetails).marketId,
          clientOrderIndex: coi,
          ...amounts,
          isAsk: side === 'sell',
          orderType: quote ? LIGHTER_ORDER_TYPE.limit : LIGHTER_ORDER_TYPE.market,
          timeInForce: quote ? LIGHTER_TIME_IN_FORCE.postOnly : LIGHTER_TIME_IN_FORCE.immediateOrCancel,
          reduceOnly: false,
          orderExpiry: expiry,
          nonce
        }),
      quote ? 'quote' : 'taker'
    );
  }

  async placePostOnly(request: PostOnlyRequest): Promise<OrderAck> {
    await this.submitCreate(request.clientId, request.side, request.qty, request.price, 'post_only');
    this.notePlaced(request.clientId);
    this.armDeadMan();
    return { clientId: request.clientId };
  }

  /**
   * Quotes die with the process: while quotes may rest, a scheduled cancel-all (Lighter's dead
   * man's switch, at least 5 minutes ahead) is renewed every minute, so if this process dies every
   * order is cancelled by the venue within about 6 minutes. Cancel-all stops the renewals.
   */
  private armDeadMan(): void {
    if (this.deadManArmed || this.config.deadManMs === 0) return;
    this.deadManArmed = true;
    let failures = 0;
    const refresh = () => {
      if (!this.deadManArmed) return;
      const time = this.clock.now() + (this.config.deadManMs ?? 330_000);
      this.scheduleCancelAll(time).then(
        () => (failures = 0),
        (error: unknown) => {
          failures += 1;
          // Not renewed, the cancel-all queued last fires and cancels every order of the account (all markets).
          this.handlers?.onLog(
            'L',
            failures >= 2 ? 'error' : 'warn',
            `scheduled cancel-all (dead man's switch) not renewed (${failures} in a row): ${String(error)}${failures >= 2 ? '; the one queued last will cancel every order of the account' : ''}`
          );
        }
      );
      this.deadManTimer = this.clock.setTimeout(refresh, this.config.deadManRefreshMs ?? 60_000);
    };
    refresh();
  }

  /**
   * Schedules the cancel-all at `time`. A venue may refuse a second one while one is queued (21712):
   * then the queued one is aborted and the new one scheduled, and the time the venue holds is read
   * back from GET /account (`cancel_all_time`), so a renewal that only seemed to work is noticed.
   */
  private async scheduleCancelAll(time: number): Promise<void> {
    const schedule = () =>
      this.txClient.submit((nonce) => this.signer.signCancelAllOrders({ timeInForce: LIGHTER_CANCEL_ALL.scheduled, time, nonce }), 'cancel');
    try {
      await schedule();
      return;
    } catch (error) {
      if (!(error instanceof VenueOrderError && error.code === LIGHTER_ERROR.cancelAllScheduled)) throw error;
    }
    this.stats.deadManRefusals += 1;
    await this.txClient.submit((nonce) => this.signer.signCancelAllOrders({ timeInForce: LIGHTER_CANCEL_ALL.abortScheduled, time: 0, nonce }), 'cancel');
    await schedule();
    const queued = await this.queuedCancelAllTime();
    if (queued !== null && Math.abs(queued - time) > 1000)
      throw new Error(`the venue holds a scheduled cancel-all at ${new Date(queued).toISOString()}, not ${new Date(time).toISOString()}`);
  }

  /** The scheduled cancel-all the venue holds for the account (GET /account `cancel_all_time`, ms; null when none). */
  async queuedCancelAllTime(): Promise<number | null> {
    const body = await this.rest(`account?by=index&value=${this.config.accountIndex}`);
    const account = (Array.isArray(body.accounts) ? body.accounts[0] : undefined) as Record<string, unknown> | undefined;
    const time = account?.cancel_all_time;
    return typeof time === 'number' && time > 0 ? time : null;
  }

  private deadManArmed = false;
  private deadManTimer: TimerHandle | null = null;

  /** IOC at the worst price; resolves with what the order stream reports as filled. */
  async sendMarket(request: MarketRequest): Promise<MarketResult> {
    const coi = this.clientOrderIndex(request.clientId);
    const result = new Promise<MarketResult>((resolve, reject) =>
      this.pendingMarkets.set(coi, { resolve, reject, timer: null, filled: new Decimal(0), acceptedAt: 0 })
    );
    try {
      await this.submitCreate(request.clientId, request.side, request.qty, request.worstPrice, 'ioc');
    } catch (error) {
      this.pendingMarkets.delete(coi);
      throw error;
    }
    const pending = this.pendingMarkets.get(coi);
    if (pending) {
      pending.acceptedAt = this.clock.monotonic();
      const timeoutMs = this.config.marketResultTimeoutMs ?? 10_000;
      pending.timer = this.clock.setTimeout(() => {
        this.pendingMarkets.delete(coi);
        // No final status: the trades seen may not be all of them. The outcome is the venue's to
        // say (the engine looks the order up); its fills already reported count as they came.
        pending.reject(new VenueOrderError('L', 'timeout', `no final status for IOC ${coi} within ${timeoutMs} ms (${pending.filled} filled so far)`));
      }, timeoutMs);
    }
    return result;
  }

  async cancel(clientId: string): Promise<void> {
    const index = this.clientOrderIndex(clientId);
    await this.cancelKnown(clientId, this.clock, async () => {
      await this.txClient.submit((nonce) => this.signer.signCancelOrder({ marketIndex: (this.details as MarketDetails).marketId, index, nonce }), 'cancel');
    });
  }

  async cancelAll(urgency: CancelAllUrgency = 'kill'): Promise<void> {
    // The last scheduled cancel-all stays set: it cancels what a crash could leave, nothing more.
    this.deadManArmed = false;
    if (this.deadManTimer) this.clock.clearTimeout(this.deadManTimer);
    this.deadManTimer = null;
    // Quotes still queued for the budget never leave: the cancel-all would not catch them.
    const withdrawn = this.txClient.withdrawQuotes('cancel-all');
    if (withdrawn > 0) this.handlers?.onLog('L', 'info', `cancel-all: ${withdrawn} queued quote(s) withdrawn before sending`);
    await this.txClient.submit(
      (nonce) => this.signer.signCancelAllOrders({ timeInForce: LIGHTER_CANCEL_ALL.immediate, time: 0, nonce }),
      urgency === 'kill' ? 'kill' : 'cancel'
    );
  }

  /**
   * The account as Lighter reports it: one GET /account (position fields, collateral, available
   * balance) and the market's funding rate from GET /funding-rates (the venue lists several
   * exchanges there: ours is exchange "lighter"), read at most every 5 minutes. Both count against
   * the request budget.
   */
  async accountView(): Promise<VenueAccountView> {
    const body = await this.rest(`account?by=index&value=${this.config.accountIndex}`);
    const account = (Array.isArray(body.accounts) ? body.accounts[0] : undefined) as Record<string, unknown> | undefined;
    if (!account) throw new FrameError('accounts', body.accounts);
    const marketId = (this.details as MarketDetails).marketId;
    const positions = Array.isArray(account.positions) ? (account.positions as Array<Record<string, unknown>>) : [];
    const mine = positions.find((p) => p.market_id === marketId);
    const optional = (value: unknown, field: string) => (value === undefined || value === null ? null : new Decimal(dec(value, field)));
    const collateral = optional(account.collateral, 'account.collateral');
    const available = optional(account.available_balance, 'account.available_balance');
    const flat = !mine || new Decimal(dec(mine.position ?? '0', 'position.position')).isZero();
    const liquidation = flat ? null : optional(mine?.liquidation_price, 'position.liquidation_price');
    return {
      markPrice: null,
      unrealisedPnl: flat ? null : optional(mine?.unrealized_pnl, 'position.unrealized_pnl'),
      marginUsed: collateral && available ? collateral.minus(available) : null,
      available,
      equity: optional(account.total_asset_value, 'account.total_asset_value'),
      liquidationPrice: liquidation && liquidation.gt(0) ? liquidation : null,
      fundingRate: await this.fundingRate(),
      fundingAccrued: flat ? null : optional(mine?.total_funding_paid_out, 'position.total_funding_paid_out')
    };
  }

  private funding: { rate: Decimal | null; at: number } | null = null;

  private async fundingRate(): Promise<Decimal | null> {
    if (this.funding && this.clock.now() - this.funding.at < 300_000) return this.funding.rate;
    const body = await this.rest('funding-rates');
    const list = Array.isArray(body.funding_rates) ? (body.funding_rates as Array<Record<string, unknown>>) : [];
    const marketId = (this.details as MarketDetails).marketId;
    const mine = list.find((entry) => entry.market_id === marketId && entry.exchange === 'lighter');
    // The rate comes as a JSON number: shown as received (a display figure, never traded on).
    const rate = mine && (typeof mine.rate === 'number' || typeof mine.rate === 'string') ? new Decimal(String(mine.rate)) : null;
    this.funding = { rate, at: this.clock.now() };
    return rate;
  }

  // ------------------------------------------------------------------ the venue's record

  /** An account-authenticated GET (auth token in the query, as the official SDKs send it). */
  private authedGet(path: string): Promise<Record<string, unknown>> {
    const token = this.signer.createAuthToken(Math.floor((this.clock.now() + 600_000) / 1000));
    const sep = path.includes('?') ? '&' : '?';
    return this.rest(`${path}${sep}auth=${encodeURIComponent(token)}`);
  }

  private reportOf(order: OrderFrame): OrderReport {
    const filled = new Decimal(order.filledBase);
    return {
      venue: 'L',
      clientId: String(order.clientOrderIndex),
      venueOrderId: String(order.orderIndex),
      status: orderStatusOf(order.status, filled.gt(0)),
      side: order.isAsk ? 'sell' : 'buy',
      qty: order.initialBase === undefined ? undefined : new Decimal(order.initialBase),
      price: order.price === undefined ? undefined : new Decimal(order.price),
      filledQty: filled,
      avgPrice: filled.gt(0) ? new Decimal(order.filledQuote).div(filled) : undefined
    };
  }

  async openOrders(): Promise<OrderReport[]> {
    const marketId = (this.details as MarketDetails).marketId;
    const body = await this.authedGet(`accountActiveOrders?account_index=${this.config.accountIndex}&market_id=${marketId}`);
    return parseLighterOrders(body, marketId).map((order) => this.reportOf(order));
  }

  /**
   * By client order index: GET accountOrders?client_order_indexes= (the venue's look-up by our id,
   * open and finished alike). Not accountInactiveOrders: it lists only the newest 100, which a
   * requoting maker passes within minutes.
   */
  async queryOrder(clientId: string): Promise<OrderReport | null> {
    const coi = this.clientOrderIndex(clientId);
    const marketId = (this.details as MarketDetails).marketId;
    const body = await this.authedGet(`accountOrders?account_index=${this.config.accountIndex}&client_order_indexes=${coi}`);
    const found = parseLighterOrders(body, marketId).find((order) => order.clientOrderIndex === coi);
    return found ? this.reportOf(found) : null;
  }

  /** The account's trades on the market since a time (GET trades, newest first, paged), with the stream's fill ids. */
  async recentFills(sinceMs: number): Promise<FillDelta[]> {
    const marketId = (this.details as MarketDetails).marketId;
    const now = this.clock.now();
    const fills: FillDelta[] = [];
    let cursor = '';
    for (let page = 0; page < 10; page++) {
      const body = await this.authedGet(
        `trades?account_index=${this.config.accountIndex}&market_id=${marketId}&sort_by=timestamp&sort_dir=desc&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      );
      const trades = parseLighterTrades(body, marketId);
      for (const trade of trades) {
        const fill = this.fillOf(trade, now);
        if (fill && (fill.at ?? now) >= sinceMs) fills.push(fill);
      }
      cursor = typeof body.next_cursor === 'string' ? body.next_cursor : '';
      if (!cursor || trades.length === 0 || trades.some((trade) => trade.timestamp !== null && trade.timestamp < sinceMs)) break;
    }
    return fills;
  }

  /** The venue's trades of one order (GET trades by its order index), with the stream's fill ids. */
  async orderFills(order: { clientId: string; venueOrderId?: string }): Promise<FillDelta[]> {
    const index = order.venueOrderId ?? (await this.queryOrder(order.clientId))?.venueOrderId;
    if (!index) return [];
    const marketId = (this.details as MarketDetails).marketId;
    const body = await this.authedGet(`trades?account_index=${this.config.accountIndex}&order_index=${index}&sort_by=trade_id&limit=100`);
    const now = this.clock.now();
    return parseLighterTrades(body, marketId)
      .map((trade) => this.fillOf(trade, now))
      .filter((fill): fill is FillDelta => fill !== null && fill.orderId === order.clientId);
  }

  // ------------------------------------------------------------------ preflight

  /**
   * `npm run preflight` for Lighter: reachability of REST and WS, clock skew, the market's
   * minimums, the account and its collateral, the API key registered and matching (an auth token
   * made with it is accepted), the nonce, the tier and the request budget. It sends no order.
   */
  async preflight(maxPositionValue: Decimal): Promise<PreflightRow[]> {
    const table = new PreflightTable('L');
    let available = new Decimal(0);
    let market: MarketDetails | null = this.details;
    const reachable = await table.probeRest(
      this.config.restUrl,
      `${this.config.restUrl}/api/v1/${LIGHTER_ORDER_BOOKS_PATH}`,
      {},
      "check LIGHTER_REST_URL and this machine's network"
    );
    if (!reachable) return table.rows;
    await table.check(
      'market',
      async () => {
        // Read, not loaded: preflight runs beside a live session (arming) and must not touch its book.
        market = lighterMarketFrom(await this.rest(LIGHTER_ORDER_BOOKS_PATH), this.config.symbol);
        // Not started (`npm run preflight`): the reads below need the market's id.
        this.details ??= market;
        const m = market.info;
        return `${m.symbol}: min size ${m.minSize}, min value ${m.minValue} USD, size step ${m.sizeStep}, price tick ${m.priceTick}`;
      },
      `check LIGHTER_MARKET (${this.config.symbol})`
    );
    await table.check(
      'account and collateral',
      async () => {
        const body = await this.rest(`account?by=index&value=${this.config.accountIndex}`);
        const account = (Array.isArray(body.accounts) ? body.accounts[0] : undefined) as Record<string, unknown> | undefined;
        if (!account) throw new Error(`account ${this.config.accountIndex} not found`);
        available = new Decimal(dec(account.available_balance ?? '0', 'account.available_balance'));
        if (available.lte(0)) throw new Error(`account ${this.config.accountIndex}: available balance ${available}`);
        // account_type tells a master account from a sub-account; the fee tier is in accountLimits.
        const kind =
          account.account_type === 1 ? 'sub-account' : account.account_type === 0 ? 'master account' : `account type ${String(account.account_type)}`;
        return `account ${this.config.accountIndex} (${kind}): collateral ${String(account.collateral)}, available ${available} USDC`;
      },
      'check LIGHTER_ACCOUNT_INDEX (lighter.xyz, account page) and deposit collateral'
    );
    await table.check(
      'account tier',
      async () => {
        const limits = await this.authedGet(`accountLimits?account_index=${this.config.accountIndex}`);
        const venueTier = lighterTierOf(limits.user_tier, limits.user_tier_name);
        const configured = this.config.tier ?? 'standard';
        const detail = `the venue says ${String(limits.user_tier_name ?? limits.user_tier)}; LIGHTER_ACCOUNT_TIER is ${configured}`;
        if (venueTier !== configured) throw new Error(`${detail}: fees, delays and the request budget would be wrong`);
        return detail;
      },
      'set LIGHTER_ACCOUNT_TIER to the tier the venue reports (standard or premium)'
    );
    await table.check(
      'API key may take',
      async () => {
        const body = await this.authedGet(`getMakerOnlyApiKeys?account_index=${this.config.accountIndex}`);
        const makerOnly = Array.isArray(body.api_key_indexes) ? body.api_key_indexes.map(Number) : [];
        if (makerOnly.includes(this.config.apiKeyIndex))
          throw new Error(`API key ${this.config.apiKeyIndex} is maker-only: the venue refuses every hedge it sends`);
        return `API key ${this.config.apiKeyIndex} is not maker-only (hedges and TT legs can be sent)`;
      },
      'use an API key that is not in the maker-only list (lighter.xyz, API keys), or remove it from the list'
    );
    await table.check(
      'leverage',
      async () => {
        const body = await this.rest(`orderBookDetails?market_id=${market?.marketId ?? 255}`);
        const list = Array.isArray(body.order_book_details) ? (body.order_book_details as Array<Record<string, unknown>>) : [];
        const mine = list.find((entry) => entry.symbol === this.config.symbol);
        const fraction = mine ? Number(mine.default_initial_margin_fraction) : NaN;
        if (!(fraction > 0)) throw new Error(`no initial margin fraction reported for ${this.config.symbol}`);
        // Fractions in basis points of the position's value (500 = 5 % = 20x).
        const leverage = new Decimal(10_000).div(fraction);
        const buyingPower = available.times(leverage);
        const short = buyingPower.lt(maxPositionValue);
        return {
          status: short ? 'warn' : 'pass',
          detail: `${leverage.toDecimalPlaces(2)}x: ${buyingPower.toDecimalPlaces(2)} USD of position for ${available} USDC available`,
          fix: short ? `MAX_POSITION_VALUE ${maxPositionValue} needs more collateral on Lighter, or lower MAX_POSITION_VALUE` : undefined
        };
      },
      'read the market details (orderBookDetails) on lighter.xyz'
    );
    await table.check(
      'API key registered',
      async () => {
        const body = await this.rest(`apikeys?account_index=${this.config.accountIndex}&api_key_index=${this.config.apiKeyIndex}`);
        const keys = Array.isArray(body.api_keys) ? (body.api_keys as Array<Record<string, unknown>>) : [];
        const mine = keys.find((key) => key.api_key_index === this.config.apiKeyIndex);
        if (!mine) throw new Error(`no API key ${this.config.apiKeyIndex} registered on account ${this.config.accountIndex}`);
        // A request authenticated with a token our key signed is accepted only when the key matches.
        await this.openOrders();
        return `key ${this.config.apiKeyIndex} registered, and a token signed with the configured key is accepted`;
      },
      'check LIGHTER_API_KEY_INDEX and LIGHTER_API_PRIVATE_KEY: register the key on lighter.xyz (API keys), index 3..254'
    );
    await table.check('nonce', async () => `next nonce ${await this.txClient.readNonce()}`, 'the API key must be registered first');
    await table.check('WebSocket reachable', () => probeStream(this.config.wsUrl, { waitForFrame: true }), 'check LIGHTER_WS_URL');
    table.row(
      'request budget',
      'pass',
      `${this.bucket.perWindow} requests per rolling minute (Standard: 60), ${this.bucket.reserve} kept for cancels and hedges`
    );
    return table.rows;
  }

  override health(): VenueHealth {
    const tier = LIGHTER_TIERS[this.config.tier ?? 'standard'];
    return {
      ...super.health(),
      tier: { name: this.config.tier ?? 'standard', makerDelayMs: tier.makerDelayMs, takerDelayMs: tier.takerDelayMs, cancelDelayMs: tier.cancelDelayMs }
    };
  }
}
