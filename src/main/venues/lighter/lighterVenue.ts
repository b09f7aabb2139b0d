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
  type MarketInfo,
  type MarketRequest,
  type MarketResult,
  type OrderAck,
  type OrderReport,
  type OrderStatus,
  type Position,
  type PostOnlyRequest,
  type Venue,
  type VenueAccountView,
  type VenueHealth
} from '../../ports/venue';
import { LIGHTER_TIERS } from '../../../shared/lighterTiers';
import type { PreflightRow } from '../../ports/preflight';
import { PreflightTable, probeStream } from '../common/preflightProbes';
import { VenueAdapterBase } from '../common/adapterBase';
import { FileFrameRecorder, noRecorder, type FrameRecorder } from '../common/recorder';
import { ReconnectingSocket } from '../common/reconnectingSocket';
import { RequestBudget } from '../common/requestBudget';
import { dec } from '../common/frames';
import type { LighterAdapterConfig } from './config';
import { LighterBookSync } from './bookSync';
import { LIGHTER_CANCEL_ALL, LIGHTER_ERROR, LIGHTER_ORDER_BOOKS_PATH, LIGHTER_ORDER_TYPE, LIGHTER_TIME_IN_FORCE } from './constants';
import {
  FrameError,
  lighterMarketFrom,
  parseLighterFrame,
  parseLighterOrders,
  type LighterMarketDetails as MarketDetails,
  type OrderFrame,
  type TradeFrame
} from './parse';
import type { LighterSigner } from './signer';
import { LighterTxClient } from './txClient';

const TOO_MANY_REQUESTS = LIGHTER_ERROR.tooManyRequests;

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
    lastOrderLatencyMs: undefined as number | undefined
  };

  constructor(
    private readonly config: LighterAdapterConfig,
    private readonly signer: LighterSigner,
    private readonly clock: Clock
  ) {
    super('L');
    this.recorder = config.recordPath ? new FileFrameRecorder(config.recordPath) : noRecorder;
    // Lighter counts REST requests and WS txs together, per rolling minute (Standard: 60).
    this.bucket = new RequestBudget(clock, config.requestsPerMinute ?? 60, 60_000, config.reserve);
    this.txClient = new LighterTxClient({
      config,
      clock,
      budget: this.bucket,
      stats: this.stats,
      rest: (path) => this.rest(path),
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

  private async rest(path: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<Record<string, unknown>> {
    await this.bucket.take('read');
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
        // Connected once subscribed: an empty account may send no data frame at all.
        this.markConnected('account');
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
    for (const timer of [this.tokenTimer, this.keepaliveTimer, this.resyncTimer, this.deadManTimer]) if (timer) this.clock.clearTimeout(timer);
    this.bookSocket?.stop();
    this.accountSocket?.stop();
    for (const [coi, pending] of this.pendingMarkets) {
      // Accepted by the venue, final status not yet seen: it may have filled.
      pending.reject(new VenueOrderError('L', 'unknown', 'adapter stopped before the order settled'));
      this.pendingMarkets.delete(coi);
    }
    await this.recorder.close();
  }

  /** Private channels with a fresh auth token, renewed before it expires. */
  private subscribeAccount(): void {
    const ttl = this.config.authTokenTtlMs ?? 7 * 3600_000;
    const token = this.signer.createAuthToken(Math.floor((this.clock.now() + ttl) / 1000));
    for (const channel of ['account_all_orders', 'account_all_trades', 'account_all_positions']) {
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
        this.markConnected('account');
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
        this.markConnected('account');
        for (const order of frame.orders) this.onOrder(order, receivedAt);
        return;
      case 'positions':
        if (frame.position) {
          const size = new Decimal(frame.position.position);
          this.h.onPosition('L', { qty: frame.position.sign < 0 ? size.neg() : size, avgEntry: new Decimal(frame.position.avgEntry) });
        } else this.h.onPosition('L', { qty: new Decimal(0), avgEntry: new Decimal(0) });
        return;
      case 'tx':
        this.txClient.answered(frame.id);
        return;
      case 'error':
        if (frame.id === undefined || !this.txClient.answered(frame.id, frame)) {
          this.stats.malformedFrames += 1;
          this.handlers?.onLog('L', 'warn', `error frame on ${socket} stream: ${frame.code} ${frame.message}`);
        }
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

  private onTrade(trade: TradeFrame, receivedAt: number): void {
    const us = this.config.accountIndex;
    const weSold = trade.askAccount === us;
    const weBought = trade.bidAccount === us;
    if (!weSold && !weBought) return;
    // Replays after a (re)subscribe carry trades we already counted.
    if (!this.seenTrades.add(trade.tradeId)) {
      this.stats.duplicateTrades += 1;
      return;
    }
    const size = new Decimal(trade.size);
    const delta = (weBought ? size : new Decimal(0)).minus(weSold ? size : new Decimal(0));
    if (delta.isZero()) return; // a self-trade moves nothing
    const weMaker = (trade.makerIsAsk && weSold) || (!trade.makerIsAsk && weBought);
    const coi = weBought ? trade.bidClientId : trade.askClientId;
    // Fees are not taken from the frame: their unit is undocumented (lighter.md §5); the engine
    // applies the configured rates instead.
    const fill = {
      id: `L:${trade.tradeId}`,
      venue: 'L' as const,
      qty: delta,
      price: new Decimal(trade.price),
      maker: weMaker,
      orderId: String(coi),
      receivedAt
    };
    const pending = this.pendingMarkets.get(coi);
    if (pending && !weMaker) {
      pending.filled = pending.filled.plus(size);
    }
    this.h.onFill(fill);
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
    const refresh = () => {
      if (!this.deadManArmed) return;
      const time = this.clock.now() + (this.config.deadManMs ?? 330_000);
      this.txClient
        .submit((nonce) => this.signer.signCancelAllOrders({ timeInForce: LIGHTER_CANCEL_ALL.scheduled, time, nonce }), 'cancel')
        .catch((error: unknown) => this.handlers?.onLog('L', 'warn', `scheduled cancel-all (dead man's switch) refresh failed: ${String(error)}`));
      this.deadManTimer = this.clock.setTimeout(refresh, this.config.deadManRefreshMs ?? 60_000);
    };
    refresh();
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

  async cancelAll(): Promise<void> {
    // The last scheduled cancel-all stays set: it cancels what a crash could leave, nothing more.
    this.deadManArmed = false;
    if (this.deadManTimer) this.clock.clearTimeout(this.deadManTimer);
    this.deadManTimer = null;
    await this.txClient.submit((nonce) => this.signer.signCancelAllOrders({ timeInForce: LIGHTER_CANCEL_ALL.immediate, time: 0, nonce }), 'cancel');
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
    return parseLighterOrders(body).map((order) => this.reportOf(order));
  }

  /** By client order index: the active orders first, then the latest 100 inactive ones. */
  async queryOrder(clientId: string): Promise<OrderReport | null> {
    const coi = this.clientOrderIndex(clientId);
    const open = (await this.openOrders()).find((report) => report.clientId === String(coi));
    if (open) return open;
    const marketId = (this.details as MarketDetails).marketId;
    const body = await this.authedGet(`accountInactiveOrders?account_index=${this.config.accountIndex}&market_id=${marketId}&limit=100`);
    const found = parseLighterOrders(body).find((order) => order.clientOrderIndex === coi);
    return found ? this.reportOf(found) : null;
  }

  // ------------------------------------------------------------------ preflight

  /**
   * `npm run preflight` for Lighter: reachability of REST and WS, clock skew, the market's
   * minimums, the account and its collateral, the API key registered and matching (an auth token
   * made with it is accepted), the nonce, the tier and the request budget. It sends no order.
   */
  async preflight(): Promise<PreflightRow[]> {
    const table = new PreflightTable('L');
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
        await this.loadMarket();
        const m = this.market;
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
        const available = new Decimal(String(account.available_balance ?? '0'));
        if (available.lte(0)) throw new Error(`account ${this.config.accountIndex}: available balance ${available}`);
        const tier = account.account_type === 1 ? 'Premium' : account.account_type === 0 ? 'Standard' : `type ${String(account.account_type)}`;
        return `account ${this.config.accountIndex} (${tier}): collateral ${String(account.collateral)}, available ${available} USDC`;
      },
      'check LIGHTER_ACCOUNT_INDEX (lighter.xyz, account page) and deposit collateral'
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
    await table.check('nonce', async () => `next nonce ${await this.txClient.resyncNonce()}`, 'the API key must be registered first');
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
