/**
 * The Extended adapter: the engine's `Venue` over Extended's real protocol. The book follows
 * SNAPSHOT then DELTA (c is the absolute size when present, else q is added); the per-minute
 * snapshot replaces it; a seq gap, a bad level or a crossed book drops it and reconnects. ORDER
 * updates of the account stream give the order lifecycle, the fill deltas (by the change of
 * filledQty, so a repeated update counts once) and the final filled quantity of IOC hedges.
 * Orders are Stark-signed by our own module over the domain read from the venue; ids above 2^53
 * stay exact strings; the dead man's switch is armed while orders rest.
 *
 * Its rooms: `bookSync.ts` (the pure book state machine live, paper and replay share),
 * `restClient.ts` (budget, headers, envelope, failures classified), `orderBody.ts` (the signed
 * order), `parse.ts`, `signing.ts`; here, the streams, the order API and the venue's record.
 */
import Decimal from 'decimal.js';
import { OrderBook } from '../../kernel/book';
import type { Clock, TimerHandle } from '../../kernel/clock';
import { roundPriceToTick } from '../../kernel/decimalMath';
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
  type VenueAccountView
} from '../../ports/venue';
import type { PreflightRow } from '../../ports/preflight';
import { PreflightTable, probeStream } from '../common/preflightProbes';
import { parseLosslessJson } from '../common/losslessJson';
import { ExtendedRest } from './restClient';
import { signedOrderBody, type ExtendedOrderBody, type OrderBodyRequest } from './orderBody';
import { VenueAdapterBase } from '../common/adapterBase';
import { FileFrameRecorder, noRecorder, type FrameRecorder } from '../common/recorder';
import { ReconnectingSocket } from '../common/reconnectingSocket';
import { RequestBudget, type RequestPriority } from '../common/requestBudget';
import { FrameError, dec, int, obj, str } from '../common/frames';
import type { ExtendedAdapterConfig } from './config';
import { ExtendedBookSync } from './bookSync';
import { EXTENDED_FINAL_STATUS, EXTENDED_MARKET_BAND, EXTENDED_ORDER_TYPE } from './constants';
import { extendedMarketFrom, parseExtendedBookFrame, type ExtendedBookFrame } from './parse';
import { publicKeyOf, type L2Config, type StarknetDomain } from './signing';

/** One of our orders as the venue states it, whichever way it came. */
interface ExtendedOrderState {
  venueId: string;
  clientId: string;
  status: string;
  /** Cumulative filled size and its average price (0 when none). */
  filled: Decimal;
  average: Decimal;
  side: string;
  /** The order's limit price, read only when the average is missing. */
  price: () => Decimal;
  postOnlyLimit: boolean;
  reason?: string;
}

const TERMINAL: Record<string, OrderStatus> = EXTENDED_FINAL_STATUS;

interface OrderState {
  filled: Decimal;
  /** Average price of the filled part so far. */
  average: Decimal;
  postOnlyLimit: boolean;
}

interface PendingMarket {
  resolve(result: MarketResult): void;
  reject(error: Error): void;
  timer: TimerHandle | null;
}

export class ExtendedVenue extends VenueAdapterBase implements Venue {
  declare readonly id: 'E';
  book: OrderBook = new OrderBook(1, 3);
  private info: MarketInfo | null = null;
  private l2: L2Config | null = null;
  private domain: StarknetDomain | null = null;
  private feeRate = new Decimal('0.0005');
  private readonly starkKey: string;
  private readonly recorder: FrameRecorder;
  protected readonly bucket: RequestBudget;
  private bookSocket: ReconnectingSocket | null = null;
  private accountSocket: ReconnectingSocket | null = null;
  private tradesSocket: ReconnectingSocket | null = null;
  private bookSync: ExtendedBookSync = new ExtendedBookSync(this.book);
  /** Per order (keyed by our external id, else the venue id): what has been counted. */
  private readonly orders = new Map<string, OrderState>();
  /** The venue's order id -> our external id (from the create reply and the stream): REST trades carry only the former. */
  private readonly clientIdOf = new Map<string, string>();
  /** Orders seen at their final status, remembered so that a stale update after it adds nothing. */
  private readonly finishedOrders = new Map<string, Decimal>();
  private readonly pendingMarkets = new Map<string, PendingMarket>();
  private deadManTimer: TimerHandle | null = null;
  private deadManArmed = false;
  /** The account stream opens with the open orders' state: the first time it is the baseline. */
  private awaitingOrderState = false;
  private ordersBaselined = false;
  readonly stats = {
    bookMessages: 0,
    malformedFrames: 0,
    reconnectsForGaps: 0,
    rateLimited: 0,
    repeatedUpdates: 0,
    lastOrderLatencyMs: undefined as number | undefined
  };

  constructor(
    private readonly config: ExtendedAdapterConfig,
    private readonly clock: Clock
  ) {
    super('E');
    this.recorder = config.recordPath ? new FileFrameRecorder(config.recordPath) : noRecorder;
    this.bucket = new RequestBudget(clock, config.requestsPerMinute ?? 1000);
    this.restClient = new ExtendedRest({ config, clock, budget: this.bucket, stats: this.stats });
    this.starkKey = publicKeyOf(config.starkPrivateKey);
  }

  private readonly restClient: ExtendedRest;

  get market(): MarketInfo {
    if (!this.info) throw new Error('Extended: market details not loaded (start() first)');
    return this.info;
  }

  private headers(): Record<string, string> {
    return this.restClient.headers();
  }

  // ------------------------------------------------------------------ REST

  /** One REST call through the client (budget, headers, envelope, answers classified). */
  private rest(method: string, path: string, body?: unknown, priority?: RequestPriority): Promise<unknown> {
    return this.restClient.call(method, path, body, priority);
  }

  private async loadMarket(): Promise<void> {
    const [markets, domain, fees] = await Promise.all([
      this.rest('GET', `/info/markets?market=${encodeURIComponent(this.config.market)}`),
      this.rest('GET', '/info/starknet'),
      this.rest('GET', `/user/fees?market=${encodeURIComponent(this.config.market)}`)
    ]);
    // Kept with the recording, so that a replay knows the market as it was.
    this.recorder.record('E.rest.markets', JSON.stringify(markets), this.clock.now());
    const market = extendedMarketFrom(markets, this.config.market);
    this.info = market.info;
    this.l2 = market.l2;
    const d = obj(domain, 'starknet domain');
    // The signing domain is read from the venue, never hard-coded.
    this.domain = {
      name: str(d.name, 'domain.name'),
      version: str(d.version, 'domain.version'),
      chainId: str(d.chainId, 'domain.chainId'),
      revision: int(d.revision, 'domain.revision')
    };
    if (Array.isArray(fees) && fees.length > 0) {
      const f = obj(fees[0], 'fees[0]');
      // The order's fee is a maximum: the larger of the two rates is always accepted.
      this.feeRate = Decimal.max(new Decimal(dec(f.makerFeeRate, 'makerFeeRate')), new Decimal(dec(f.takerFeeRate, 'takerFeeRate')));
    }
    this.book = new OrderBook(market.priceDecimals, market.sizeDecimals);
    this.bookSync = new ExtendedBookSync(this.book);
  }

  async loadPosition(): Promise<Position> {
    const data = await this.rest('GET', `/user/positions?market=${encodeURIComponent(this.config.market)}`);
    if (!Array.isArray(data)) throw new FrameError('positions', data);
    const mine = data.find((p) => (p as { market?: unknown }).market === this.config.market);
    if (!mine) return { qty: new Decimal(0), avgEntry: new Decimal(0) };
    return this.positionOf(obj(mine, 'position'));
  }

  private positionOf(p: Record<string, unknown>): Position {
    const size = new Decimal(dec(p.size, 'position.size'));
    const side = str(p.side, 'position.side');
    return { qty: side === 'SHORT' ? size.neg() : size, avgEntry: size.isZero() ? new Decimal(0) : new Decimal(dec(p.openPrice, 'position.openPrice')) };
  }

  /**
   * The account as Extended reports it: GET /user/positions (mark, liquidation, margin, unrealised
   * PnL), GET /user/balance (equity, available; 404 when the balance is zero) and the market's
   * hourly funding rate from GET /info/markets (marketStats), read at most every 5 minutes.
   * Extended's position reports no funding paid: that stays null.
   */
  async accountView(): Promise<VenueAccountView> {
    const [positions, balance, fundingRate] = await Promise.all([
      this.rest('GET', `/user/positions?market=${encodeURIComponent(this.config.market)}`),
      this.rest('GET', '/user/balance').catch((error: unknown) => {
        if (error instanceof VenueOrderError && error.code === 404) return null;
        throw error;
      }),
      this.fundingRate()
    ]);
    if (!Array.isArray(positions)) throw new FrameError('positions', positions);
    const found = positions.find((p) => (p as { market?: unknown }).market === this.config.market);
    const mine = found ? obj(found, 'position') : null;
    const b = balance === null ? null : obj(balance, 'balance');
    const optional = (value: unknown, field: string) => (value === undefined || value === null ? null : new Decimal(dec(value, field)));
    const liquidation = mine ? optional(mine.liquidationPrice, 'position.liquidationPrice') : null;
    return {
      markPrice: mine ? optional(mine.markPrice, 'position.markPrice') : null,
      unrealisedPnl: mine ? optional(mine.unrealisedPnl, 'position.unrealisedPnl') : null,
      marginUsed: b ? optional(b.initialMargin, 'balance.initialMargin') : new Decimal(0),
      available: b ? optional(b.availableForTrade, 'balance.availableForTrade') : new Decimal(0),
      equity: b ? optional(b.equity, 'balance.equity') : new Decimal(0),
      liquidationPrice: liquidation && liquidation.gt(0) ? liquidation : null,
      fundingRate,
      fundingAccrued: null
    };
  }

  private funding: { rate: Decimal | null; at: number } | null = null;

  private async fundingRate(): Promise<Decimal | null> {
    if (this.funding && this.clock.now() - this.funding.at < 300_000) return this.funding.rate;
    const markets = await this.rest('GET', `/info/markets?market=${encodeURIComponent(this.config.market)}`);
    const market = Array.isArray(markets) ? markets.map((m) => obj(m, 'market')).find((m) => m.name === this.config.market) : undefined;
    const stats = market?.marketStats === undefined ? undefined : obj(market.marketStats, 'marketStats');
    const rate = stats?.fundingRate === undefined ? null : new Decimal(dec(stats.fundingRate, 'marketStats.fundingRate'));
    this.funding = { rate, at: this.clock.now() };
    return rate;
  }

  /** The account's balance; the venue answers 404 when it is zero. */
  async loadBalance(): Promise<Decimal> {
    try {
      const data = obj(await this.rest('GET', '/user/balance'), 'balance');
      return new Decimal(dec(data.balance, 'balance.balance'));
    } catch (error) {
      if (error instanceof VenueOrderError && error.code === 404) return new Decimal(0);
      throw error;
    }
  }

  // ------------------------------------------------------------------ streams

  async start(): Promise<void> {
    await this.loadMarket();
    this.bookSocket = new ReconnectingSocket({
      name: 'E.book',
      url: `${this.config.wsUrl}/orderbooks/${encodeURIComponent(this.config.market)}`,
      headers: this.headers(),
      clock: this.clock,
      recorder: this.recorder,
      staleMs: this.config.staleBookMs ?? 5000,
      onOpen: () => undefined,
      onFrame: (text, at) => this.onBookFrame(text, at),
      onClose: (reason) => this.onSocketClosed('book', reason)
    });
    this.accountSocket = new ReconnectingSocket({
      // The venue sends the account stream no pings: we ping after 15 s of silence, and replace a
      // connection that answers nothing for 30 s (a half-open socket would otherwise go unnoticed).
      name: 'E.account',
      url: `${this.config.wsUrl}/account`,
      headers: this.headers(),
      clock: this.clock,
      recorder: this.recorder,
      staleMs: this.config.accountStaleMs ?? 15_000,
      onOpen: () => {
        this.awaitingOrderState = true;
        this.markConnected('account');
      },
      onFrame: (text, at) => this.onAccountFrame(text, at),
      onClose: (reason) => this.onSocketClosed('account', reason)
    });
    this.bookSocket.start();
    this.accountSocket.start();
    // Recording: the public trades too (only recorded), so that a replay fills quotes as paper trading does.
    if (this.config.recordPath) {
      this.tradesSocket = new ReconnectingSocket({
        name: 'E.trades',
        url: `${this.config.wsUrl}/publicTrades/${encodeURIComponent(this.config.market)}`,
        headers: this.headers(),
        clock: this.clock,
        recorder: this.recorder,
        staleMs: 0,
        onOpen: () => undefined,
        onFrame: () => undefined,
        onClose: () => undefined
      });
      this.tradesSocket.start();
    }
  }

  async stop(): Promise<void> {
    this.deadManArmed = false;
    if (this.deadManTimer) this.clock.clearTimeout(this.deadManTimer);
    this.deadManTimer = null;
    this.bookSocket?.stop();
    this.accountSocket?.stop();
    this.tradesSocket?.stop();
    for (const [id, pending] of this.pendingMarkets) {
      // Accepted by the venue, final status not yet seen: it may have filled.
      pending.reject(new VenueOrderError('E', 'unknown', 'adapter stopped before the order settled'));
      this.pendingMarkets.delete(id);
    }
    await this.recorder.close();
  }

  protected forgetBook(): void {
    this.bookSync.reset();
  }

  private malformed(stream: string, error: unknown, text: string): void {
    this.stats.malformedFrames += 1;
    this.reportMalformed(stream, error, text, this.clock.monotonic());
  }

  private dropBook(reason: string): void {
    this.stats.reconnectsForGaps += 1;
    this.bookSync.reset();
    this.handlers?.onLog('E', 'warn', `order book dropped: ${reason}; reconnecting`);
    this.h.onBook('E');
    this.bookSocket?.restart(reason);
  }

  private onBookFrame(text: string, receivedAt: number): void {
    this.stats.bookMessages += 1;
    let frame: ExtendedBookFrame;
    try {
      frame = parseExtendedBookFrame(text);
    } catch (error) {
      this.malformed('book', error, text);
      return;
    }
    const outcome = this.bookSync.onFrame(frame, receivedAt);
    if (outcome.kind === 'ignored') return;
    if (outcome.kind === 'resync') {
      this.dropBook(outcome.reason);
      return;
    }
    this.markConnected('book');
    this.h.onBook('E');
  }

  private onAccountFrame(text: string, receivedAt: number): void {
    try {
      const frame = obj(parseLosslessJson(text), 'frame');
      const type = str(frame.type, 'type');
      const data = obj(frame.data ?? {}, 'data');
      if (type === 'ORDER') {
        const orders = data.orders;
        if (!Array.isArray(orders)) throw new FrameError('data.orders', orders);
        // The stream says which frames are the state it opens with (isSnapshot); without the flag,
        // the first ORDER frame after connecting is that state.
        const initialState = typeof frame.isSnapshot === 'boolean' ? frame.isSnapshot : this.awaitingOrderState;
        this.awaitingOrderState = false;
        if (initialState && !this.ordersBaselined) {
          // At start the fills already made on open orders are in the REST position: baseline
          // them without counting. After a reconnect the state is compared with what we knew,
          // so fills made while we were away count once.
          this.ordersBaselined = true;
          for (const [i, raw] of orders.entries()) {
            const order = obj(raw, `orders[${i}]`);
            const clientId = typeof order.externalId === 'string' ? order.externalId : String(order.id);
            this.orders.set(clientId, {
              filled: new Decimal(dec(order.filledQty ?? '0', 'order.filledQty')),
              average: new Decimal(dec(order.averagePrice ?? '0', 'order.averagePrice')),
              postOnlyLimit: order.type === EXTENDED_ORDER_TYPE.limit && order.postOnly === true
            });
          }
          return;
        }
        for (const [i, order] of orders.entries()) this.onOrder(obj(order, `orders[${i}]`), receivedAt);
        // After a reconnect the state lists open orders only: orders that filled while we were
        // away are found in the account's recent trades.
        if (initialState) void this.reconcileFromTrades(receivedAt);
      } else if (type === 'POSITION') {
        const positions = data.positions;
        if (!Array.isArray(positions)) throw new FrameError('data.positions', positions);
        const mine = positions.find((p) => (p as { market?: unknown }).market === this.config.market);
        this.h.onPosition('E', mine ? this.positionOf(obj(mine, 'position')) : { qty: new Decimal(0), avgEntry: new Decimal(0) });
      }
      // TRADE and BALANCE carry nothing the engine needs beyond ORDER and POSITION.
    } catch (error) {
      this.malformed('account', error, text);
    }
  }

  /** An ORDER frame of the account stream: parsed (each field named in its error), then applied. */
  private onOrder(o: Record<string, unknown>, receivedAt: number): void {
    if (o.market !== this.config.market) return;
    const venueId = String(o.id);
    this.applyOrderState(
      {
        venueId,
        clientId: typeof o.externalId === 'string' ? o.externalId : (this.clientIdOf.get(venueId) ?? venueId),
        status: str(o.status, 'order.status'),
        filled: new Decimal(dec(o.filledQty ?? '0', 'order.filledQty')),
        average: new Decimal(dec(o.averagePrice ?? '0', 'order.averagePrice')),
        side: str(o.side, 'order.side'),
        price: () => new Decimal(dec(o.price, 'order.price')),
        postOnlyLimit: o.type === EXTENDED_ORDER_TYPE.limit && o.postOnly === true,
        reason: typeof o.statusReason === 'string' ? o.statusReason : undefined
      },
      receivedAt
    );
  }

  /**
   * The venue's state of one of our orders (from the stream, or from REST trades after an
   * outage): reported as an order update, and the growth of its cumulative filled size as a fill.
   */
  private applyOrderState(order: ExtendedOrderState, receivedAt: number): void {
    const { venueId, clientId, status, filled, average, side } = order;
    this.rememberVenueId(venueId, clientId);
    this.noteSeen(clientId);
    const finishedAt = this.finishedOrders.get(clientId);
    if (finishedAt !== undefined) {
      // Already final: a stale or repeated update (PARTIALLY_FILLED after FILLED) adds nothing.
      this.stats.repeatedUpdates += 1;
      return;
    }
    const known = this.orders.get(clientId) ?? { filled: new Decimal(0), average: new Decimal(0), postOnlyLimit: order.postOnlyLimit };
    // Fill deltas come from the change of the cumulative filledQty: a repeated or replayed update
    // with the same filledQty adds nothing.
    if (filled.gt(known.filled)) {
      const delta = filled.minus(known.filled);
      const price = average.gt(0) ? average.times(filled).minus(known.average.times(known.filled)).div(delta) : order.price();
      const fill = {
        id: `E:${venueId}:${filled.toString()}`,
        venue: 'E' as const,
        qty: side === 'SELL' ? delta.neg() : delta,
        price,
        maker: known.postOnlyLimit,
        orderId: clientId,
        receivedAt
      };
      known.filled = filled;
      known.average = average;
      this.orders.set(clientId, known);
      this.h.onFill(fill);
    } else if (filled.lt(known.filled) || (filled.eq(known.filled) && filled.gt(0) && status === 'PARTIALLY_FILLED')) {
      this.stats.repeatedUpdates += 1;
    } else {
      this.orders.set(clientId, known);
    }
    const terminal = TERMINAL[status];
    const engineStatus: OrderStatus = terminal ?? (filled.gt(0) ? 'partially_filled' : 'open');
    this.h.onOrderUpdate({
      venue: 'E',
      clientId,
      status: engineStatus,
      filledQty: filled,
      reason: order.reason,
      receivedAt
    });
    if (terminal) {
      this.orders.delete(clientId);
      this.finishedOrders.set(clientId, filled);
      if (this.finishedOrders.size > 20_000) this.finishedOrders.delete(this.finishedOrders.keys().next().value as string);
      const pending = this.pendingMarkets.get(clientId);
      if (pending) {
        this.pendingMarkets.delete(clientId);
        if (pending.timer) this.clock.clearTimeout(pending.timer);
        pending.resolve({ clientId, filledQty: filled, avgPrice: filled.gt(0) ? average : undefined });
      }
    }
    if (this.orders.size > 10_000) this.orders.delete(this.orders.keys().next().value as string);
  }

  /**
   * Fills missed during a disconnect: for every order we still track, the sum of its trades in
   * GET /user/trades beyond what we counted becomes a fill delta (so nothing is counted twice).
   */
  private async reconcileFromTrades(receivedAt: number): Promise<void> {
    if (this.orders.size === 0) return;
    let trades: unknown;
    try {
      trades = await this.rest('GET', `/user/trades?market=${encodeURIComponent(this.config.market)}`);
    } catch (error) {
      this.handlers?.onLog('E', 'warn', `reconciliation after reconnect failed: ${(error as Error).message}`);
      return;
    }
    if (!Array.isArray(trades)) return;
    const byOrder = new Map<string, { qty: Decimal; cost: Decimal; side: string; venueId: string }>();
    for (const raw of trades) {
      const trade = raw as Record<string, unknown>;
      // REST trades carry the venue's order id only (no external id): map it back to ours.
      const clientId = this.clientIdOf.get(String(trade.orderId)) ?? String(trade.orderId);
      if (!this.orders.has(clientId)) continue;
      const entry = byOrder.get(clientId) ?? { qty: new Decimal(0), cost: new Decimal(0), side: String(trade.side), venueId: String(trade.orderId) };
      const qty = new Decimal(dec(trade.qty, 'trade.qty'));
      entry.qty = entry.qty.plus(qty);
      entry.cost = entry.cost.plus(qty.times(dec(trade.price, 'trade.price')));
      byOrder.set(clientId, entry);
    }
    for (const [clientId, traded] of byOrder) {
      const known = this.orders.get(clientId);
      if (!known || !traded.qty.gt(known.filled)) continue;
      this.handlers?.onLog('E', 'warn', `order ${clientId}: ${traded.qty.minus(known.filled)} filled while the account stream was down`);
      const average = traded.cost.div(traded.qty);
      this.applyOrderState(
        {
          venueId: traded.venueId,
          clientId,
          // Trades say how much filled, not whether the order ended: the stream's next state, or the
          // engine's look-up of the order, says that.
          status: 'PARTIALLY_FILLED',
          filled: traded.qty,
          average,
          side: traded.side,
          price: () => average,
          postOnlyLimit: known.postOnlyLimit
        },
        receivedAt
      );
    }
  }

  // ------------------------------------------------------------------ orders

  /** A signed order body for this market and account. */
  private orderBody(request: OrderBodyRequest, kind: 'post_only' | 'market'): ExtendedOrderBody {
    if (!this.l2 || !this.domain) throw new VenueOrderError('E', 'invalid', 'market not loaded');
    return signedOrderBody(request, kind, {
      market: this.config.market,
      vault: this.config.vault,
      starkPrivateKey: this.config.starkPrivateKey,
      starkKey: this.starkKey,
      l2: this.l2,
      domain: this.domain,
      feeRate: this.feeRate,
      expiresAt: this.clock.now() + (kind === 'post_only' ? (this.config.orderExpiryMs ?? 86_400_000) : (this.config.marketExpiryMs ?? 3_600_000))
    });
  }

  private rememberVenueId(venueId: string, clientId: string): void {
    if (venueId === clientId || this.clientIdOf.has(venueId)) return;
    this.clientIdOf.set(venueId, clientId);
    if (this.clientIdOf.size > 20_000) this.clientIdOf.delete(this.clientIdOf.keys().next().value as string);
  }

  /** POST /user/order; the reply's `data.id` is the venue's id for it. */
  private async createOrder(body: ExtendedOrderBody): Promise<string> {
    const data = obj(await this.rest('POST', '/user/order', body, body.postOnly ? 'quote' : 'taker'), 'order reply');
    const venueId = String(data.id);
    this.rememberVenueId(venueId, body.id);
    return venueId;
  }

  async placePostOnly(request: PostOnlyRequest): Promise<OrderAck> {
    this.orders.set(request.clientId, { filled: new Decimal(0), average: new Decimal(0), postOnlyLimit: true });
    const venueOrderId = await this.createOrder(this.orderBody(request, 'post_only'));
    this.notePlaced(request.clientId);
    void this.armDeadMan();
    return { clientId: request.clientId, venueOrderId };
  }

  /** MARKET + IOC at the worst price (kept inside the venue's ±5 % band); resolves with the reported fill. */
  async sendMarket(request: MarketRequest): Promise<MarketResult> {
    const mid = this.book.mid();
    let worst = request.worstPrice;
    if (mid) {
      const cap =
        request.side === 'buy'
          ? roundPriceToTick(mid.times(new Decimal(1).plus(EXTENDED_MARKET_BAND)), this.market.priceTick, 'down')
          : roundPriceToTick(mid.times(new Decimal(1).minus(EXTENDED_MARKET_BAND)), this.market.priceTick, 'up');
      worst = request.side === 'buy' ? Decimal.min(worst, cap) : Decimal.max(worst, cap);
    }
    this.orders.set(request.clientId, { filled: new Decimal(0), average: new Decimal(0), postOnlyLimit: false });
    const result = new Promise<MarketResult>((resolve, reject) => this.pendingMarkets.set(request.clientId, { resolve, reject, timer: null }));
    try {
      await this.createOrder(this.orderBody({ ...request, price: worst }, 'market'));
    } catch (error) {
      this.pendingMarkets.delete(request.clientId);
      throw error;
    }
    const pending = this.pendingMarkets.get(request.clientId);
    if (pending) {
      const timeoutMs = this.config.marketResultTimeoutMs ?? 10_000;
      pending.timer = this.clock.setTimeout(() => {
        this.pendingMarkets.delete(request.clientId);
        const seen = this.orders.get(request.clientId)?.filled ?? new Decimal(0);
        // No final status: what the stream reported as filled is the truth; nothing is a timeout.
        if (seen.gt(0)) pending.resolve({ clientId: request.clientId, filledQty: seen });
        else pending.reject(new VenueOrderError('E', 'timeout', `no final status and no fill for IOC ${request.clientId} within ${timeoutMs} ms`));
      }, timeoutMs);
    }
    return result;
  }

  async cancel(clientId: string): Promise<void> {
    await this.cancelKnown(clientId, this.clock, async () => {
      await this.rest('DELETE', `/user/order?externalId=${encodeURIComponent(clientId)}`);
    });
  }

  async cancelAll(): Promise<void> {
    await this.rest('POST', '/user/order/massCancel', { markets: [this.config.market] });
    await this.clearDeadMan();
  }

  /** While orders rest the dead man's switch is armed and refreshed; cancel-all clears it. */
  private async armDeadMan(): Promise<void> {
    if (this.deadManArmed) return;
    this.deadManArmed = true;
    const seconds = this.config.deadManSeconds ?? 30;
    const refresh = async () => {
      if (!this.deadManArmed) return;
      try {
        await this.rest('POST', `/user/deadmanswitch?countdownTime=${seconds}`);
      } catch (error) {
        this.handlers?.onLog('E', 'warn', `dead man's switch refresh failed: ${(error as Error).message}`);
      }
      if (this.deadManArmed) this.deadManTimer = this.clock.setTimeout(() => void refresh(), Math.floor((seconds * 1000) / 3));
    };
    await refresh();
  }

  private async clearDeadMan(): Promise<void> {
    if (!this.deadManArmed) return;
    this.deadManArmed = false;
    if (this.deadManTimer) this.clock.clearTimeout(this.deadManTimer);
    this.deadManTimer = null;
    await this.rest('POST', '/user/deadmanswitch?countdownTime=0');
  }

  // ------------------------------------------------------------------ the venue's record

  private reportOf(o: Record<string, unknown>): OrderReport {
    const venueId = String(o.id);
    const clientId = typeof o.externalId === 'string' ? o.externalId : (this.clientIdOf.get(venueId) ?? venueId);
    const status = str(o.status, 'order.status');
    const filled = new Decimal(dec(o.filledQty ?? '0', 'order.filledQty'));
    const average = new Decimal(dec(o.averagePrice ?? '0', 'order.averagePrice'));
    return {
      venue: 'E',
      clientId,
      venueOrderId: venueId,
      status: TERMINAL[status] ?? (filled.gt(0) ? 'partially_filled' : 'open'),
      side: o.side === 'SELL' ? 'sell' : 'buy',
      qty: o.qty === undefined ? undefined : new Decimal(dec(o.qty, 'order.qty')),
      price: o.price === undefined ? undefined : new Decimal(dec(o.price, 'order.price')),
      filledQty: filled,
      avgPrice: average.gt(0) ? average : undefined
    };
  }

  async openOrders(): Promise<OrderReport[]> {
    const data = await this.rest('GET', `/user/orders?market=${encodeURIComponent(this.config.market)}`);
    if (!Array.isArray(data)) throw new FrameError('orders', data);
    return data
      .map((raw, i) => obj(raw, `orders[${i}]`))
      .filter((o) => o.market === this.config.market)
      .map((o) => this.reportOf(o));
  }

  /** GET /user/orders/external/{externalId} (an array); none, or a 404, means the venue has no such order. */
  async queryOrder(clientId: string): Promise<OrderReport | null> {
    let data: unknown;
    try {
      data = await this.rest('GET', `/user/orders/external/${encodeURIComponent(clientId)}`);
    } catch (error) {
      if (error instanceof VenueOrderError && error.kind === 'not_found') return null;
      throw error;
    }
    const list = Array.isArray(data) ? data : data === null ? [] : [data];
    const orders = list.map((raw, i) => obj(raw, `orders[${i}]`));
    const mine = orders.find((o) => o.externalId === clientId) ?? orders[0];
    return mine ? this.reportOf(mine) : null;
  }

  // ------------------------------------------------------------------ preflight

  /**
   * `npm run preflight` for Extended: reachability of REST and both streams, clock skew, the
   * market and its signing config, fees, the API key's account against the configured Stark key
   * and vault, the balance, and the leverage against MAX_POSITION_VALUE. It sends no order.
   */
  async preflight(maxPositionValue: Decimal): Promise<PreflightRow[]> {
    const table = new PreflightTable('E');
    const reachable = await table.probeRest(
      this.config.restUrl,
      `${this.config.restUrl}/info/markets?market=${encodeURIComponent(this.config.market)}`,
      this.headers(),
      "check EXTENDED_REST_URL and this machine's network"
    );
    if (!reachable) return table.rows;
    await table.check(
      'market and fees',
      async () => {
        await this.loadMarket();
        const m = this.market;
        return `${m.symbol}: min size ${m.minSize}, size step ${m.sizeStep}, price tick ${m.priceTick}; order fee field ${this.feeRate} (the larger of maker and taker)`;
      },
      'check EXTENDED_MARKET and EXTENDED_API_KEY'
    );
    await table.check(
      'API key, Stark key and vault',
      async () => {
        const info = obj(await this.rest('GET', '/user/account/info'), 'account info');
        const problems: string[] = [];
        if (String(info.status) !== 'ACTIVE') problems.push(`account status ${String(info.status)}`);
        if (typeof info.l2Key !== 'string' || BigInt(info.l2Key) !== BigInt(this.starkKey))
          problems.push(`the account's Stark key ${String(info.l2Key)} is not the configured key's ${this.starkKey}`);
        if (String(info.l2Vault) !== String(this.config.vault))
          problems.push(`the account's vault ${String(info.l2Vault)} is not EXTENDED_VAULT ${this.config.vault}`);
        if (problems.length > 0) throw new Error(problems.join('; '));
        return `account ${String(info.accountId)}: ACTIVE, Stark key and vault ${this.config.vault} match`;
      },
      'EXTENDED_API_KEY, EXTENDED_STARK_PRIVATE_KEY and EXTENDED_VAULT must come from the same sub-account (extended.exchange, API management)'
    );
    let balance = new Decimal(0);
    await table.check(
      'balance',
      async () => {
        balance = await this.loadBalance();
        if (balance.lte(0)) throw new Error('balance 0');
        return `${balance} USD`;
      },
      'deposit collateral on the sub-account'
    );
    await table.check(
      'leverage',
      async () => {
        const data = await this.rest('GET', `/user/leverage?market=${encodeURIComponent(this.config.market)}`);
        const list = Array.isArray(data) ? data : [data];
        const mine = list.map((entry) => obj(entry, 'leverage')).find((entry) => entry.market === this.config.market);
        if (!mine) throw new Error(`no leverage reported for ${this.config.market}`);
        const leverage = new Decimal(dec(mine.leverage, 'leverage'));
        const buyingPower = balance.times(leverage);
        const short = buyingPower.lt(maxPositionValue);
        return {
          status: short ? 'warn' : 'pass',
          detail: `${leverage}x: ${buyingPower} USD of position for ${balance} USD of balance`,
          fix: short
            ? `MAX_POSITION_VALUE ${maxPositionValue} needs more: raise the leverage (PATCH /user/leverage) or the balance, or lower MAX_POSITION_VALUE`
            : undefined
        };
      },
      'read the leverage on extended.exchange for this market'
    );
    await table.check(
      'order book stream',
      () => probeStream(`${this.config.wsUrl}/orderbooks/${encodeURIComponent(this.config.market)}`, { headers: this.headers(), waitForFrame: true }),
      'check EXTENDED_WS_URL'
    );
    await table.check(
      'account stream',
      () => probeStream(`${this.config.wsUrl}/account`, { headers: this.headers(), waitForFrame: false }),
      'check EXTENDED_API_KEY (the account stream refuses another key)'
    );
    table.row('request budget', 'pass', `${this.bucket.perWindow} requests per rolling minute`);
    return table.rows;
  }
}
