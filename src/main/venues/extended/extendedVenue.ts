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
  type FillDelta,
  type MarketInfo,
  type MarketRequest,
  type MarketResult,
  type OrderAck,
  type OrderReport,
  type OrderStatus,
  type Position,
  type PostOnlyRequest,
  type CancelAllUrgency,
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
import { FrameError, dec, int, obj, positiveDec, str } from '../common/frames';
import { RecentIds } from '../../kernel/recentIds';
import type { ExtendedAdapterConfig } from './config';
import { ExtendedBookSync } from './bookSync';
import { EXTENDED_FINAL_STATUS, EXTENDED_MARKET_BAND, EXTENDED_ORDER_TYPE } from './constants';
import { extendedMarketFrom, parseExtendedBookFrame, type ExtendedBookFrame } from './parse';
import { publicKeyOf, type L2Config, type StarknetDomain } from './signing';

/** One of our orders as the venue states it (stream or REST). */
interface ExtendedOrderState {
  venueId: string;
  clientId: string;
  status: string;
  /** Cumulative filled size and its average price; null where the venue left them out (both are optional). */
  filled: Decimal | null;
  average: Decimal | null;
  side: string;
  /** Null for TP/SL orders (the venue sends null). */
  price: Decimal | null;
  qty: Decimal;
  reason?: string;
}

const TERMINAL: Record<string, OrderStatus> = EXTENDED_FINAL_STATUS;
/** GET /user/balance answers HTTP 404 when the balance is zero (whatever code its envelope carries). */
const zeroBalance = (error: unknown): boolean => error instanceof VenueOrderError && error.httpStatus === 404;

/** How long a trade of an order whose venue id is not known yet waits for it. */
const UNMAPPED_TRADE_WAIT_MS = 2000;

/** A venue id (int64): a JSON number (exact, lossless parse) or a string of digits. */
function idText(value: unknown, field: string): string {
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'bigint') return value.toString();
  throw new FrameError(field, value);
}

/** A trade of the account (python_sdk AccountTradeModel: all fields required; no external id, CCXT shows one on the stream). */
interface ExtendedTrade {
  id: string;
  market: string;
  orderId: string;
  externalOrderId?: string;
  side: string;
  price: Decimal;
  qty: Decimal;
  fee: Decimal;
  isTaker: boolean;
  createdTime: number | null;
}

function parseExtendedTrade(t: Record<string, unknown>, i: number): ExtendedTrade {
  return {
    id: idText(t.id, `trades[${i}].id`),
    market: str(t.market, `trades[${i}].market`),
    orderId: idText(t.orderId, `trades[${i}].orderId`),
    externalOrderId: typeof t.externalOrderId === 'string' ? t.externalOrderId : typeof t.externalId === 'string' ? t.externalId : undefined,
    side: str(t.side, `trades[${i}].side`),
    price: new Decimal(positiveDec(t.price, `trades[${i}].price`)),
    qty: new Decimal(positiveDec(t.qty, `trades[${i}].qty`)),
    fee: new Decimal(dec(t.fee, `trades[${i}].fee`)),
    isTaker: t.isTaker === true,
    createdTime: typeof t.createdTime === 'number' && Number.isSafeInteger(t.createdTime) ? t.createdTime : null
  };
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
  /** Per order not yet final (keyed by our external id): the cumulative filled size the venue reported. */
  private readonly reportedFilled = new Map<string, Decimal>();
  /** The venue's order id -> our external id (from the create reply and the stream): trades carry only the former. */
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
    duplicateTrades: 0,
    foreignActivity: 0,
    tradesCaughtUp: 0,
    lastOrderLatencyMs: undefined as number | undefined
  };

  constructor(
    private readonly config: ExtendedAdapterConfig,
    private readonly clock: Clock
  ) {
    super('E');
    this.recorder = config.recordPath
      ? new FileFrameRecorder(config.recordPath, (message) => this.handlers?.onWriterFailed?.('E', 'frame recorder', message))
      : noRecorder;
    this.bucket = new RequestBudget(clock, config.requestsPerMinute ?? 1000);
    this.restClient = new ExtendedRest({ config, clock, budget: this.bucket, stats: this.stats, restHealth: this.restHealth });
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

  /** The market, the signing domain and the account's fee field, as the venue states them now (nothing assigned). */
  private async readMarket() {
    const [markets, domain, fees] = await Promise.all([
      this.rest('GET', `/info/markets?market=${encodeURIComponent(this.config.market)}`),
      this.rest('GET', '/info/starknet'),
      this.rest('GET', `/user/fees?market=${encodeURIComponent(this.config.market)}`)
    ]);
    const market = extendedMarketFrom(markets, this.config.market);
    const d = obj(domain, 'starknet domain');
    // The signing domain is read from the venue, never hard-coded.
    const starknet: StarknetDomain = {
      name: str(d.name, 'domain.name'),
      version: str(d.version, 'domain.version'),
      chainId: str(d.chainId, 'domain.chainId'),
      revision: int(d.revision, 'domain.revision')
    };
    let feeRate = this.feeRate;
    if (Array.isArray(fees) && fees.length > 0) {
      const f = obj(fees[0], 'fees[0]');
      // The order's fee is a maximum: the larger of the two rates is always accepted.
      feeRate = Decimal.max(new Decimal(dec(f.makerFeeRate, 'makerFeeRate')), new Decimal(dec(f.takerFeeRate, 'takerFeeRate')));
    }
    return { raw: markets, market, domain: starknet, feeRate };
  }

  private async loadMarket(): Promise<void> {
    const { raw, market, domain, feeRate } = await this.readMarket();
    // Kept with the recording, so that a replay knows the market as it was.
    this.recorder.record('E.rest.markets', JSON.stringify(raw), this.clock.now());
    this.info = market.info;
    this.l2 = market.l2;
    this.domain = domain;
    this.feeRate = feeRate;
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
    // A position the venue says is CLOSED is flat, whatever size it still shows.
    if (p.status === 'CLOSED') return { qty: new Decimal(0), avgEntry: new Decimal(0) };
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
        if (zeroBalance(error)) return null;
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
      if (zeroBalance(error)) return new Decimal(0);
      throw error;
    }
  }

  // ------------------------------------------------------------------ streams

  async start(): Promise<void> {
    await this.loadMarket();
    // A start-up step tried again calls start again: the streams of the earlier try go first (two
    // book sockets feeding one book would look like a stream of sequence gaps).
    this.closeStreams();
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
    this.stopCatchUp(this.clock);
    this.closeStreams();
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

  private closeStreams(): void {
    for (const socket of [this.bookSocket, this.accountSocket, this.tradesSocket]) socket?.stop();
    this.bookSocket = this.accountSocket = this.tradesSocket = null;
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
      // The live stream carries the flag inside `data` (python_sdk's stream models, a live capture);
      // older frames put it at the top or not at all: then the first ORDER frame after connecting is the state.
      const flag = typeof data.isSnapshot === 'boolean' ? data.isSnapshot : typeof frame.isSnapshot === 'boolean' ? frame.isSnapshot : null;
      if (type === 'ORDER') {
        const orders = data.orders;
        if (!Array.isArray(orders)) throw new FrameError('data.orders', orders);
        const initialState = flag ?? this.awaitingOrderState;
        this.awaitingOrderState = false;
        const parsed = orders.map((raw, i) => this.parseOrder(obj(raw, `orders[${i}]`), i));
        if (initialState && !this.ordersBaselined) {
          // At start the fills already made on open orders are in the REST position: the state is a
          // baseline (the venue id of each order learnt, so their later trades find our id).
          this.ordersBaselined = true;
          for (const order of parsed) if (order) this.rememberVenueId(order.venueId, order.clientId);
          return;
        }
        for (const order of parsed) if (order) this.applyOrderState(order, receivedAt);
        // After a reconnect: the trades made while we were away, from the venue's REST record.
        if (initialState) this.catchUpTrades(this.clock, () => this.readMissedTrades());
      } else if (type === 'TRADE') {
        const trades = data.trades;
        if (!Array.isArray(trades)) throw new FrameError('data.trades', trades);
        for (const [i, raw] of trades.entries()) this.onTrade(parseExtendedTrade(obj(raw, `trades[${i}]`), i), receivedAt);
      } else if (type === 'POSITION') {
        const positions = data.positions;
        if (!Array.isArray(positions)) throw new FrameError('data.positions', positions);
        const mine = positions.map((p, i) => obj(p, `positions[${i}]`)).find((p) => p.market === this.config.market);
        // A frame about another market says nothing of ours; the opening state without ours means flat.
        if (mine) this.h.onPosition('E', this.positionOf(mine));
        else if (flag === true) this.h.onPosition('E', { qty: new Decimal(0), avgEntry: new Decimal(0) });
      }
      // BALANCE carries nothing the engine needs.
    } catch (error) {
      this.malformed('account', error, text);
    }
  }

  /**
   * An order of the account stream or of a REST list, parsed (each field named in its error); null
   * for an order that is not ours to track: another market's, or one this engine never sends (a
   * TP/SL or conditional order placed in the web app, whose price is null).
   */
  private parseOrder(o: Record<string, unknown>, i: number): ExtendedOrderState | null {
    if (o.market !== this.config.market) return null;
    const type = str(o.type, `orders[${i}].type`);
    const venueId = idText(o.id, `orders[${i}].id`);
    const externalId = typeof o.externalId === 'string' ? o.externalId : undefined;
    if (type !== EXTENDED_ORDER_TYPE.limit && type !== EXTENDED_ORDER_TYPE.market) {
      this.foreignActivity(`a ${type} order ${venueId} on ${this.config.market} (not one this engine sends)`);
      return null;
    }
    return {
      venueId,
      clientId: externalId ?? this.clientIdOf.get(venueId) ?? venueId,
      status: str(o.status, `orders[${i}].status`),
      // filledQty is optional (python_sdk OpenOrderModel): absent says nothing about what filled.
      filled: o.filledQty === undefined || o.filledQty === null ? null : new Decimal(dec(o.filledQty, `orders[${i}].filledQty`)),
      average: o.averagePrice === undefined || o.averagePrice === null ? null : new Decimal(dec(o.averagePrice, `orders[${i}].averagePrice`)),
      side: str(o.side, `orders[${i}].side`),
      price: o.price === undefined || o.price === null ? null : new Decimal(dec(o.price, `orders[${i}].price`)),
      qty: new Decimal(dec(o.qty, `orders[${i}].qty`)),
      reason: typeof o.statusReason === 'string' ? o.statusReason : undefined
    };
  }

  /**
   * The venue's state of one of our orders: an order update (status and cumulative filled size).
   * Fills come from TRADE frames (with their ids and fees); this only states how the order stands.
   */
  private applyOrderState(order: ExtendedOrderState, receivedAt: number): void {
    const { venueId, clientId, status } = order;
    this.rememberVenueId(venueId, clientId);
    this.noteSeen(clientId);
    if (this.finishedOrders.has(clientId)) {
      // Already final: a stale or repeated update (PARTIALLY_FILLED after FILLED) adds nothing.
      this.stats.repeatedUpdates += 1;
      return;
    }
    // A frame without filledQty (it is optional) keeps what was known before (reported, or traded);
    // a lower figure than before is a stale frame: the cumulative figure never goes back.
    const traded = this.tradedFilled.get(clientId) ?? new Decimal(0);
    const reported = this.reportedFilled.get(clientId) ?? new Decimal(0);
    const known = traded.gt(reported) ? traded : reported;
    const filled = order.filled && order.filled.gt(known) ? order.filled : known;
    this.reportedFilled.set(clientId, filled);
    const terminal = TERMINAL[status];
    const engineStatus: OrderStatus = terminal ?? (filled.gt(0) ? 'partially_filled' : 'open');
    this.h.onOrderUpdate({ venue: 'E', clientId, venueOrderId: venueId, status: engineStatus, filledQty: filled, reason: order.reason, receivedAt });
    if (terminal) {
      this.reportedFilled.delete(clientId);
      this.tradedFilled.delete(clientId);
      this.finishedOrders.set(clientId, filled);
      if (this.finishedOrders.size > 20_000) this.finishedOrders.delete(this.finishedOrders.keys().next().value as string);
      const pending = this.pendingMarkets.get(clientId);
      if (pending) {
        this.pendingMarkets.delete(clientId);
        if (pending.timer) this.clock.clearTimeout(pending.timer);
        pending.resolve({ clientId, filledQty: filled, avgPrice: filled.gt(0) && order.average?.gt(0) ? order.average : undefined });
      }
    }
    if (this.reportedFilled.size > 10_000) this.reportedFilled.delete(this.reportedFilled.keys().next().value as string);
  }

  /** A trade of ours as a fill, with the venue's trade id and fee (one identity with REST /user/trades). */
  private fillOf(trade: ExtendedTrade, clientId: string, receivedAt: number): FillDelta {
    return {
      id: `E:${trade.id}`,
      venue: 'E',
      qty: trade.side === 'SELL' ? trade.qty.neg() : trade.qty,
      price: trade.price,
      maker: !trade.isTaker,
      orderId: clientId,
      fee: trade.fee,
      receivedAt,
      ...(trade.createdTime === null ? {} : { at: trade.createdTime })
    };
  }

  /**
   * A TRADE of the account: a fill, counted once by its trade id. Its order is named by the venue's
   * id only (python_sdk's trade model has no external id): a trade of an order whose venue id we do
   * not know yet (its create reply or first ORDER frame still on the way) waits for it, at most
   * `UNMAPPED_TRADE_WAIT_MS`, then goes to the engine under the venue's id (which the engine does
   * not know: foreign).
   */
  private onTrade(trade: ExtendedTrade, receivedAt: number): void {
    if (trade.market !== this.config.market) {
      this.foreignActivity(`a trade on ${trade.market}, a market this console does not trade`);
      return;
    }
    if (this.seenTrades.has(trade.id)) {
      this.stats.duplicateTrades += 1;
      return;
    }
    const clientId = this.clientIdOf.get(trade.orderId) ?? trade.externalOrderId;
    if (!clientId) {
      const waiting = this.unmappedTrades.get(trade.orderId) ?? [];
      waiting.push({ trade, receivedAt });
      this.unmappedTrades.set(trade.orderId, waiting);
      this.clock.setTimeout(() => this.releaseUnmapped(trade.orderId), UNMAPPED_TRADE_WAIT_MS);
      return;
    }
    this.seenTrades.add(trade.id);
    this.noteTraded(clientId, trade.qty);
    this.h.onFill(this.fillOf(trade, clientId, receivedAt));
  }

  /** The size traded on an order not yet final, as its trades came (a final frame may not say it). */
  private noteTraded(clientId: string, qty: Decimal): void {
    if (this.finishedOrders.has(clientId)) return;
    this.tradedFilled.set(clientId, (this.tradedFilled.get(clientId) ?? new Decimal(0)).plus(qty));
    if (this.tradedFilled.size > 10_000) this.tradedFilled.delete(this.tradedFilled.keys().next().value as string);
  }

  private readonly tradedFilled = new Map<string, Decimal>();

  /** Trades that waited for their order's id go out now (under our id when it came, else the venue's). */
  private releaseUnmapped(venueId: string): void {
    const waiting = this.unmappedTrades.get(venueId);
    if (!waiting) return;
    this.unmappedTrades.delete(venueId);
    const clientId = this.clientIdOf.get(venueId) ?? venueId;
    for (const { trade, receivedAt } of waiting) {
      if (!this.seenTrades.add(trade.id)) continue;
      this.noteTraded(clientId, trade.qty);
      this.h.onFill(this.fillOf(trade, clientId, receivedAt));
    }
  }

  private readonly seenTrades = new RecentIds();
  private readonly unmappedTrades = new Map<string, Array<{ trade: ExtendedTrade; receivedAt: number }>>();

  private foreignActivity(what: string): void {
    this.stats.foreignActivity += 1;
    this.handlers?.onForeignActivity?.('E', what);
  }

  /**
   * The account's trades on the market from the venue's REST record, newest first, page by page
   * (cursor) until `stop` says enough: at most `pages` pages of 100.
   */
  private async tradePages(stop: (page: ExtendedTrade[]) => boolean, pages = 10): Promise<ExtendedTrade[]> {
    const all: ExtendedTrade[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < pages; page++) {
      const { data, cursor: next }: { data: unknown; cursor: string | null } = await this.restClient.callPaged(
        'GET',
        `/user/trades?market=${encodeURIComponent(this.config.market)}&limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`
      );
      if (!Array.isArray(data)) throw new FrameError('trades', data);
      const trades = data.map((raw, i) => parseExtendedTrade(obj(raw, `trades[${i}]`), i)).filter((trade) => trade.market === this.config.market);
      all.push(...trades);
      // The last page says so with no cursor (a page may hold fewer than asked for).
      if (stop(trades) || trades.length === 0 || next === null || next === cursor) break;
      cursor = next;
    }
    return all;
  }

  /** After the account stream came back: trades made while it was down, counted once (by trade id). */
  private async readMissedTrades(): Promise<void> {
    const trades = await this.tradePages((page) => page.some((trade) => this.seenTrades.has(trade.id)));
    const fresh = trades.filter((trade) => !this.seenTrades.has(trade.id)).reverse();
    if (fresh.length > 0) this.handlers?.onLog('E', 'warn', `${fresh.length} trade(s) made while the account stream was down`);
    for (const trade of fresh) {
      this.stats.tradesCaughtUp += 1;
      this.onTrade(trade, this.clock.now());
    }
  }

  /** The account's trades on the market since a time (REST /user/trades, newest first, page by page), with the stream's fill ids. */
  async recentFills(sinceMs: number): Promise<FillDelta[]> {
    const trades = await this.tradePages((page) => page.some((trade) => trade.createdTime !== null && trade.createdTime < sinceMs));
    const now = this.clock.now();
    return trades
      .filter((trade) => (trade.createdTime ?? now) >= sinceMs)
      .map((trade) => this.fillOf(trade, this.clientIdOf.get(trade.orderId) ?? trade.orderId, now));
  }

  /** The venue's trades of one order of ours (REST /user/trades by its venue id), with the stream's fill ids. */
  async orderFills(order: { clientId: string; venueOrderId?: string }): Promise<FillDelta[]> {
    const venueId = order.venueOrderId ?? this.venueIdOf(order.clientId) ?? (await this.queryOrder(order.clientId))?.venueOrderId;
    if (!venueId) return [];
    const trades = await this.tradePages(() => false, 5);
    const now = this.clock.now();
    return trades.filter((trade) => trade.orderId === venueId).map((trade) => this.fillOf(trade, order.clientId, now));
  }

  private venueIdOf(clientId: string): string | undefined {
    for (const [venueId, mapped] of this.clientIdOf) if (mapped === clientId) return venueId;
    return undefined;
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
    // Trades of this order that came before its id was known go out now, under our id.
    if (this.unmappedTrades.has(venueId)) this.releaseUnmapped(venueId);
  }

  /** POST /user/order; the reply's `data.id` is the venue's id for it. */
  private async createOrder(body: ExtendedOrderBody): Promise<string> {
    const data = obj(await this.rest('POST', '/user/order', body, body.postOnly ? 'quote' : 'taker'), 'order reply');
    const venueId = String(data.id);
    this.rememberVenueId(venueId, body.id);
    return venueId;
  }

  async placePostOnly(request: PostOnlyRequest): Promise<OrderAck> {
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
        // No final status: the fills streamed so far count as they came; how the order ended is the
        // venue's to say (the engine looks it up), never this adapter's guess.
        pending.reject(new VenueOrderError('E', 'timeout', `no final status for IOC ${request.clientId} within ${timeoutMs} ms`));
      }, timeoutMs);
    }
    return result;
  }

  /**
   * DELETE /user/order?externalId=. The venue's answer to a cancel of an order that is already gone
   * is not documented by its own code (a 404, CCXT's 1142 is "edit order not found"): a refusal is
   * checked against the venue's record, and an order it shows finished (or does not know) is
   * `not_found` (the maker's slot is free), anything else a refusal.
   */
  async cancel(clientId: string): Promise<void> {
    await this.cancelKnown(clientId, this.clock, async () => {
      try {
        await this.rest('DELETE', `/user/order?externalId=${encodeURIComponent(clientId)}`);
      } catch (error) {
        if (!(error instanceof VenueOrderError) || error.kind !== 'rejected') throw error;
        const record = await this.queryOrder(clientId).catch(() => undefined);
        if (record === null || (record && record.status !== 'open' && record.status !== 'partially_filled'))
          throw new VenueOrderError('E', 'not_found', `${error.message} (the venue's record: ${record ? record.status : 'no such order'})`, error.code);
        throw error;
      }
    });
  }

  async cancelAll(urgency: CancelAllUrgency = 'kill'): Promise<void> {
    await this.rest('POST', '/user/order/massCancel', { markets: [this.config.market] }, urgency === 'kill' ? 'kill' : 'cancel');
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

  private reportOf(order: ExtendedOrderState): OrderReport {
    this.rememberVenueId(order.venueId, order.clientId);
    const filled = order.filled ?? new Decimal(0);
    return {
      venue: 'E',
      clientId: order.clientId,
      venueOrderId: order.venueId,
      status: TERMINAL[order.status] ?? (filled.gt(0) ? 'partially_filled' : 'open'),
      side: order.side === 'SELL' ? 'sell' : 'buy',
      qty: order.qty,
      price: order.price ?? undefined,
      filledQty: filled,
      avgPrice: order.average?.gt(0) ? order.average : undefined
    };
  }

  /** Our open orders on the market: TP/SL and conditional orders (web app) are not ours and are left out (shown as foreign). */
  async openOrders(): Promise<OrderReport[]> {
    const data = await this.rest('GET', `/user/orders?market=${encodeURIComponent(this.config.market)}`);
    if (!Array.isArray(data)) throw new FrameError('orders', data);
    return data
      .map((raw, i) => this.parseOrder(obj(raw, `orders[${i}]`), i))
      .filter((order): order is ExtendedOrderState => order !== null)
      .map((order) => this.reportOf(order));
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
    const orders = list.map((raw, i) => this.parseOrder(obj(raw, `orders[${i}]`), i)).filter((order): order is ExtendedOrderState => order !== null);
    const mine = orders.find((o) => o.clientId === clientId) ?? orders[0];
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
        // Read, not loaded: preflight runs beside a live session (arming) and must not touch its book.
        const { market, feeRate } = await this.readMarket();
        const m = market.info;
        return `${m.symbol}: min size ${m.minSize}, size step ${m.sizeStep}, price tick ${m.priceTick}; order fee field ${feeRate} (the larger of maker and taker)`;
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
