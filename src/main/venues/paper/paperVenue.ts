/**
 * PAPER trading: a venue's real PUBLIC book and trades, no keys, and our orders matched locally.
 * The engine cannot tell it from the live adapter: the same `Venue` contract, order updates, fills
 * and the venue's record (queryOrder, openOrders).
 *
 * The fill model (hftbacktest's risk-averse queue model): a quote joins the back of its price level
 * (the size shown there when it lands is ahead of it) and fills only from public trades: a trade
 * through its price fills it whole; a trade at its price first eats the queue ahead, and what is
 * left of the trade fills it. A level that shrinks without trades moves the queue ahead down to its
 * size (cancels ahead of us). Taker orders walk the public book up to their worst price. The
 * account tier's delays apply before an order or cancel takes effect; fees are charged on fills.
 */
import Decimal from 'decimal.js';
import type { OrderBook } from '../../kernel/book';
import { sleep, type Clock } from '../../kernel/clock';
import { ZERO } from '../../kernel/decimalMath';
import { positionAfterFill, type Position } from '../../kernel/position';
import { LocalOrderRecord } from '../../ports/orderRecord';
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
  type PostOnlyRequest,
  type Venue,
  type VenueHandlers,
  type VenueHealth,
  type VenueId
} from '../../ports/venue';

export interface PaperTrade {
  /** The venue's trade id (a push may repeat trades already sent: each counts once). */
  id: string;
  aggressor: 'buy' | 'sell';
  price: Decimal;
  qty: Decimal;
}

/** A venue's public market data: the book (kept in sync by the venue's own book sync) and its trades. */
export interface PublicFeed {
  readonly book: OrderBook;
  readonly market: MarketInfo;
  /** Loads the market and opens the public streams. */
  start(events: PublicFeedEvents): Promise<void>;
  stop(): Promise<void>;
  readonly bookMessages: number;
}

export interface PublicFeedEvents {
  onBook(): void;
  onTrade(trade: PaperTrade): void;
  onConnection(connected: boolean, detail: string): void;
  onLog(level: 'info' | 'warn' | 'error', message: string): void;
}

export interface PaperVenueOptions {
  id: VenueId;
  clock: Clock;
  /** The venue's delays before an order or cancel takes effect (the account tier's). */
  delays: { makerMs: number; takerMs: number; cancelMs: number };
  fees: { maker: Decimal; taker: Decimal };
}

interface PaperOrder {
  clientId: string;
  side: 'buy' | 'sell';
  price: Decimal;
  qty: Decimal;
  filled: Decimal;
  /** Size ahead of ours at our price level. */
  queueAhead: Decimal;
}

export class PaperVenue implements Venue {
  readonly id: VenueId;
  private handlers: VenueHandlers | null = null;
  private connected = false;
  private readonly resting = new Map<string, PaperOrder>();
  /**
   * Accepted post-onlies still inside the maker delay: listed as open (the venue has them), and a
   * cancel or cancel-all that arrives meanwhile keeps them off the book when the delay ends.
   */
  private readonly arriving = new Map<string, { request: PostOnlyRequest; cancelled: boolean }>();
  private readonly record: LocalOrderRecord;
  private position: Position = { qty: ZERO, avgEntry: ZERO };
  private fillSeq = 0;
  /** Public trades seen, and fills they gave us (the console's health shows both). */
  readonly stats = { publicTrades: 0, repeatedTrades: 0, makerFills: 0, takerFills: 0 };
  private readonly seenTrades = new RecentIds();

  constructor(
    private readonly feed: PublicFeed,
    private readonly options: PaperVenueOptions
  ) {
    this.id = options.id;
    this.record = new LocalOrderRecord(options.id);
  }

  get book(): OrderBook {
    return this.feed.book;
  }

  get market(): MarketInfo {
    return this.feed.market;
  }

  setHandlers(handlers: VenueHandlers): void {
    this.handlers = handlers;
  }

  async start(): Promise<void> {
    await this.feed.start({
      onBook: () => this.onBook(),
      onTrade: (trade) => this.onTrade(trade),
      onConnection: (connected, detail) => {
        this.connected = connected;
        this.handlers?.onConnection(this.id, connected, `paper: ${detail}`);
      },
      onLog: (level, message) => this.handlers?.onLog(this.id, level, message)
    });
  }

  async stop(): Promise<void> {
    await this.feed.stop();
  }

  health(): VenueHealth {
    return { connected: this.connected, bookMessages: this.feed.bookMessages, rateLimited: 0 };
  }

  async loadPosition(): Promise<Position> {
    return { ...this.position };
  }

  // ---- the public feed ----

  private onBook(): void {
    // Cancels ahead of us: a level that shrank below the queue ahead moves us up.
    for (const order of this.resting.values()) {
      const shown = this.levelSize(order.side === 'buy' ? 'bid' : 'ask', order.price);
      if (shown.lt(order.queueAhead)) order.queueAhead = shown;
    }
    this.handlers?.onBook(this.id);
  }

  private onTrade(trade: PaperTrade): void {
    // A repeated trade is not fresh flow: counted twice it would fill our quotes too well.
    if (!this.seenTrades.add(trade.id)) {
      this.stats.repeatedTrades += 1;
      return;
    }
    this.stats.publicTrades += 1;
    for (const order of [...this.resting.values()]) {
      // A sell aggressor hits bids, a buy aggressor lifts asks.
      if ((trade.aggressor === 'sell') !== (order.side === 'buy')) continue;
      const left = order.qty.minus(order.filled);
      const through = order.side === 'buy' ? trade.price.lt(order.price) : trade.price.gt(order.price);
      if (through) {
        this.fill(order, left, order.price, true);
        continue;
      }
      if (!trade.price.eq(order.price)) continue;
      const beyondQueue = trade.qty.minus(order.queueAhead);
      order.queueAhead = Decimal.max(ZERO, order.queueAhead.minus(trade.qty));
      if (beyondQueue.gt(0)) this.fill(order, Decimal.min(left, beyondQueue), order.price, true);
    }
  }

  private levelSize(side: 'bid' | 'ask', price: Decimal): Decimal {
    return this.book.depth(side, 1000).find((level) => level.price.eq(price))?.size ?? ZERO;
  }

  // ---- our orders ----

  private setRecord(clientId: string, status: OrderStatus, filledQty: Decimal, request?: { side: 'buy' | 'sell'; qty: Decimal; price?: Decimal }): void {
    this.record.set(clientId, status, filledQty, request);
  }

  private update(clientId: string, status: OrderStatus, filledQty: Decimal, reason?: string): void {
    this.setRecord(clientId, status, filledQty);
    this.handlers?.onOrderUpdate({ venue: this.id, clientId, status, filledQty, reason, receivedAt: this.options.clock.now() });
  }

  private fill(order: PaperOrder, qty: Decimal, price: Decimal, maker: boolean): void {
    if (qty.lte(0)) return;
    order.filled = order.filled.plus(qty);
    const signed = order.side === 'buy' ? qty : qty.neg();
    const next = positionAfterFill(this.position, signed, price);
    this.position = { qty: next.qty, avgEntry: next.avgEntry };
    const fee = qty.times(price).times(maker ? this.options.fees.maker : this.options.fees.taker);
    if (maker) this.stats.makerFills += 1;
    else this.stats.takerFills += 1;
    const fill = {
      id: `${this.id}:paper:${++this.fillSeq}`,
      venue: this.id,
      qty: signed,
      price,
      maker,
      orderId: order.clientId,
      fee,
      receivedAt: this.options.clock.now()
    };
    this.record.addFill(fill);
    this.handlers?.onFill(fill);
    const done = order.filled.gte(order.qty);
    if (done) this.resting.delete(order.clientId);
    if (maker) this.update(order.clientId, done ? 'filled' : 'partially_filled', order.filled);
  }

  async placePostOnly(request: PostOnlyRequest): Promise<OrderAck> {
    if (request.qty.lt(this.market.minSize) || request.qty.times(request.price).lt(this.market.minValue)) {
      throw new VenueOrderError(this.id, 'rejected', `paper: ${request.qty} @ ${request.price} below the minimum`);
    }
    this.setRecord(request.clientId, 'open', ZERO, request);
    // Accepted now; it reaches the book after the tier's maker delay.
    const arriving = { request, cancelled: false };
    this.arriving.set(request.clientId, arriving);
    sleep(this.options.clock, this.options.delays.makerMs)
      .then(() => this.arrive(arriving))
      .catch((error: unknown) => this.handlers?.onLog(this.id, 'error', `paper: placing ${request.clientId} failed: ${String(error)}`));
    return { clientId: request.clientId, venueOrderId: `paper-${request.clientId}` };
  }

  private arrive(arriving: { request: PostOnlyRequest; cancelled: boolean }): void {
    const { request } = arriving;
    this.arriving.delete(request.clientId);
    if (arriving.cancelled) return;
    const bestOpposite = request.side === 'buy' ? this.book.bestAsk() : this.book.bestBid();
    if (bestOpposite && (request.side === 'buy' ? request.price.gte(bestOpposite) : request.price.lte(bestOpposite))) {
      this.update(request.clientId, 'cancelled', ZERO, 'post-only would cross');
      return;
    }
    const queueAhead = this.levelSize(request.side === 'buy' ? 'bid' : 'ask', request.price);
    this.resting.set(request.clientId, { ...request, filled: ZERO, queueAhead });
    this.update(request.clientId, 'open', ZERO);
  }

  async sendMarket(request: MarketRequest): Promise<MarketResult> {
    if (request.qty.lt(this.market.minSize) || request.qty.times(request.worstPrice).lt(this.market.minValue)) {
      throw new VenueOrderError(this.id, 'rejected', `paper: ${request.qty} @ ${request.worstPrice} below the minimum`);
    }
    await sleep(this.options.clock, this.options.delays.takerMs);
    const order: PaperOrder = { clientId: request.clientId, side: request.side, price: request.worstPrice, qty: request.qty, filled: ZERO, queueAhead: ZERO };
    this.setRecord(request.clientId, 'open', ZERO, { side: request.side, qty: request.qty, price: request.worstPrice });
    let cost = ZERO;
    for (const level of this.book.depth(request.side === 'buy' ? 'ask' : 'bid', 1000)) {
      const left = order.qty.minus(order.filled);
      if (left.lte(0)) break;
      const acceptable = request.side === 'buy' ? level.price.lte(request.worstPrice) : level.price.gte(request.worstPrice);
      if (!acceptable) break;
      const take = Decimal.min(left, level.size);
      cost = cost.plus(take.times(level.price));
      this.fill(order, take, level.price, false);
    }
    const status = order.filled.gte(order.qty) ? 'filled' : 'cancelled';
    this.update(request.clientId, status, order.filled, status === 'cancelled' ? 'IOC remainder' : undefined);
    return { clientId: request.clientId, filledQty: order.filled, avgPrice: order.filled.gt(0) ? cost.div(order.filled) : undefined };
  }

  async cancel(clientId: string): Promise<void> {
    if (!this.resting.has(clientId) && !this.arriving.has(clientId)) throw new VenueOrderError(this.id, 'not_found', `paper: order ${clientId} does not rest`);
    await sleep(this.options.clock, this.options.delays.cancelMs);
    this.cancelNow(clientId);
  }

  async cancelAll(): Promise<void> {
    await sleep(this.options.clock, this.options.delays.cancelMs);
    for (const clientId of [...this.resting.keys(), ...this.arriving.keys()]) this.cancelNow(clientId);
  }

  /** The cancel takes effect: off the book, or kept off it when it is still arriving. */
  private cancelNow(clientId: string): void {
    const arriving = this.arriving.get(clientId);
    if (arriving) {
      if (!arriving.cancelled) this.update(clientId, 'cancelled', ZERO);
      arriving.cancelled = true;
      return;
    }
    const order = this.resting.get(clientId);
    // Filled meanwhile (the cancel/fill race): the fill stands.
    if (!order) return;
    this.resting.delete(clientId);
    this.update(clientId, 'cancelled', order.filled);
  }

  async queryOrder(clientId: string): Promise<OrderReport | null> {
    return this.record.get(clientId);
  }

  async recentFills(sinceMs: number): Promise<FillDelta[]> {
    return this.record.fillsSince(sinceMs);
  }

  async orderFills(order: { clientId: string }): Promise<FillDelta[]> {
    return this.record.fills(order.clientId);
  }

  async openOrders(): Promise<OrderReport[]> {
    const arriving = [...this.arriving.values()]
      .filter((entry) => !entry.cancelled)
      .map(({ request }): PaperOrder => ({ ...request, filled: ZERO, queueAhead: ZERO }));
    return [...this.resting.values(), ...arriving].map((order) => ({
      venue: this.id,
      clientId: order.clientId,
      status: order.filled.gt(0) ? 'partially_filled' : 'open',
      side: order.side,
      price: order.price,
      qty: order.qty,
      filledQty: order.filled
    }));
  }
}
