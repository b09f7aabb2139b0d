/**
 * An in-memory venue behind the same `Venue` interface as the real adapters: tests script its
 * book, fills and failures; the benchmark and replays drive it at full speed. It behaves like the
 * real venues where the engine depends on it: a post-only order that would cross is cancelled
 * after the API accepted it, an IOC walks the book up to its worst price, fills arrive as deltas.
 */
import type Decimal from 'decimal.js';
import { OrderBook } from '../kernel/book';
import { sleep, type Clock } from '../kernel/clock';
import { roundToStep, ZERO } from '../kernel/decimalMath';
import { positionAfterFill } from '../kernel/position';
import { LocalOrderRecord } from '../ports/orderRecord';
import {
  VenueOrderError,
  type FillDelta,
  type MarketInfo,
  type MarketRequest,
  type MarketResult,
  type OrderAck,
  type Position,
  type OrderReport,
  type OrderStatus,
  type PostOnlyRequest,
  type Venue,
  type VenueAccountView,
  type VenueHandlers,
  type VenueHealth,
  type VenueId
} from '../ports/venue';

export interface RestingOrder extends PostOnlyRequest {
  filledQty: Decimal;
}

export type SentOrder =
  | { kind: 'post_only'; at: number; request: PostOnlyRequest }
  | { kind: 'market'; at: number; request: MarketRequest }
  | { kind: 'cancel'; at: number; clientId: string }
  | { kind: 'cancel_all'; at: number };

export interface MemoryVenueOptions {
  id: VenueId;
  market: MarketInfo;
  priceDecimals: number;
  sizeDecimals: number;
  clock: Clock;
  /** Simulated round trip of every order call. */
  latencyMs?: number;
  position?: Position;
}

export class MemoryVenue implements Venue {
  /** None by default (the engine then shows what it knows); a test may script one. */
  accountView?: () => Promise<VenueAccountView>;
  readonly id: VenueId;
  readonly book: OrderBook;
  readonly market: MarketInfo;
  readonly orders = new Map<string, RestingOrder>();
  /** Everything the engine sent, in order. */
  readonly sent: SentOrder[] = [];
  /** Every fill this venue reported. */
  readonly fillsReported: Array<{ id: string; qty: Decimal; price: Decimal; maker: boolean }> = [];
  position: Position;
  private handlers: VenueHandlers | null = null;
  private tradeSeq = 0;
  connected = false;
  /** Failures queued for the next market orders (each entry serves one call). */
  marketFailures: Array<VenueOrderError | 'zero_fill'> = [];
  /** When set, market orders fill only this fraction of the asked quantity. */
  marketFillRatio: Decimal | null = null;
  /** When set, cancel calls fail with this error. */
  cancelFailure: VenueOrderError | null = null;
  /** When set, loadPosition fails this many more times. */
  positionFailures = 0;
  /** The next N orders (post-only or market) execute, but their answer is lost (outcome unknown). */
  lostAnswers = 0;
  /** When set, every post-only is refused with this error (an account that cannot trade). */
  postOnlyFailure: VenueOrderError | null = null;
  /** Extra time before a post-only reaches the book (an order accepted after a cancel-all). */
  placeDelayMs = 0;
  /** loadPosition reads the position when the request arrives, and answers after the round trip. */
  positionReadEarly = false;
  /** When set, queryOrder fails with this error (the venue's record cannot be read). */
  queryFailure: VenueOrderError | null = null;
  /** The next N fills are in the venue's record (its trades) but never reach the stream. */
  dropFills = 0;
  /** A market order executes this long after it was sent (a taker delay, a queue); its answer comes then. */
  marketDelayMs = 0;
  /** A market order's fills reach the stream this long after its answer (or its lost answer). */
  marketFillDelayMs = 0;
  /** The venue's record of every order, by client id (what queryOrder answers). */
  readonly record: LocalOrderRecord;

  constructor(private readonly options: MemoryVenueOptions) {
    this.id = options.id;
    this.record = new LocalOrderRecord(options.id);
    this.market = options.market;
    this.book = new OrderBook(options.priceDecimals, options.sizeDecimals);
    this.position = options.position ?? { qty: ZERO, avgEntry: ZERO };
  }

  setHandlers(handlers: VenueHandlers): void {
    this.handlers = handlers;
  }

  private get h(): VenueHandlers {
    if (!this.handlers) throw new Error(`${this.id}: handlers not set`);
    return this.handlers;
  }

  async start(): Promise<void> {
    this.connected = true;
    this.h.onConnection(this.id, true, 'memory venue started');
  }

  async stop(): Promise<void> {
    this.connected = false;
  }

  /** What health() says of REST (set by a test: every request failing since then). */
  restFailing: VenueHealth['restFailing'] = null;

  health(): VenueHealth {
    return { connected: this.connected, bookMessages: this.book.updates, rateLimited: 0, restFailing: this.restFailing };
  }

  private async roundTrip(): Promise<void> {
    if (this.options.latencyMs) await sleep(this.options.clock, this.options.latencyMs);
    else await Promise.resolve();
  }

  async loadPosition(): Promise<Position> {
    const early = { ...this.position };
    await this.roundTrip();
    if (this.positionFailures > 0) {
      this.positionFailures -= 1;
      throw new VenueOrderError(this.id, 'network', 'positions request failed');
    }
    return this.positionReadEarly ? early : { ...this.position };
  }

  // ---- scripting ----

  /** Replaces the book (wire strings) and reports it. */
  setBook(bids: Array<[string, string]>, asks: Array<[string, string]>): void {
    this.book.applySnapshot(bids, asks, this.options.clock.now());
    this.notifyBook();
  }

  /** Tells the engine the book changed. */
  protected notifyBook(): void {
    this.handlers?.onBook(this.id);
  }

  setConnected(connected: boolean, detail = 'scripted'): void {
    this.connected = connected;
    this.handlers?.onConnection(this.id, connected, detail);
  }

  /** Fills `qty` (default: all that is left) of a resting post-only order, as the venue would report it. */
  fillResting(clientId: string, qty?: Decimal, options: { duplicate?: boolean } = {}): void {
    const order = this.orders.get(clientId);
    if (!order) throw new Error(`${this.id}: no resting order ${clientId}`);
    const left = order.qty.minus(order.filledQty);
    const amount = qty && qty.lt(left) ? qty : left;
    order.filledQty = order.filledQty.plus(amount);
    const tradeId = `${this.id}-t${++this.tradeSeq}`;
    const signed = order.side === 'buy' ? amount : amount.neg();
    this.reportFill(tradeId, signed, order.price, true, clientId, options.duplicate ?? false);
    const done = order.filledQty.gte(order.qty);
    if (done) this.orders.delete(clientId);
    this.setRecord(clientId, done ? 'filled' : 'partially_filled', order.filledQty);
    this.h.onOrderUpdate({
      venue: this.id,
      clientId,
      status: done ? 'filled' : 'partially_filled',
      filledQty: order.filledQty,
      receivedAt: this.options.clock.now()
    });
  }

  /** Rests an order the engine never sent (an earlier run's), as the venue would list it. */
  restForeign(request: PostOnlyRequest): void {
    this.orders.set(request.clientId, { ...request, filledQty: ZERO });
    this.setRecord(request.clientId, 'open', ZERO, request);
  }

  private setRecord(clientId: string, status: OrderStatus, filledQty: Decimal, request?: { side: 'buy' | 'sell'; qty: Decimal; price?: Decimal }): void {
    this.record.set(clientId, status, filledQty, request);
  }

  /** Throws the lost answer when one is scripted (after the order executed). */
  private answer<T>(value: T): T {
    if (this.lostAnswers > 0) {
      this.lostAnswers -= 1;
      throw new VenueOrderError(this.id, 'unknown', 'answer lost (scripted)');
    }
    return value;
  }

  /** Reports a fill of an order that was already cancelled (the cancel/fill race). */
  lateFill(clientId: string, side: 'buy' | 'sell', qty: Decimal, price: Decimal): void {
    const tradeId = `${this.id}-t${++this.tradeSeq}`;
    this.reportFill(tradeId, side === 'buy' ? qty : qty.neg(), price, true, clientId, false);
  }

  private reportFill(tradeId: string, signed: Decimal, price: Decimal, maker: boolean, orderId: string, duplicate: boolean, streamDelayMs = 0): void {
    const { qty, avgEntry } = positionAfterFill(this.position, signed, price);
    this.position = { qty, avgEntry };
    const fill = { id: tradeId, venue: this.id, qty: signed, price, maker, orderId, receivedAt: this.options.clock.now() };
    this.fillsReported.push({ id: tradeId, qty: signed, price, maker });
    this.record.addFill(fill);
    if (this.dropFills > 0) {
      this.dropFills -= 1;
      return;
    }
    const times = duplicate ? 2 : 1;
    const stream = () => {
      for (let i = 0; i < times; i++) this.h.onFill({ ...fill, receivedAt: this.options.clock.now() });
    };
    if (streamDelayMs > 0) this.options.clock.setTimeout(stream, streamDelayMs);
    else stream();
  }

  /** Empties the book (a dropped feed: the next snapshot restores it) and tells the engine. */
  dropBook(): void {
    this.book.reset();
    this.notifyBook();
  }

  /** Reports a fill of one of our orders as the venue would stream it (a forged or a foreign one, in tests). */
  /** A fill frame on the stream; `recorded`: the venue's trades (REST) list it too, a forged frame is not. */
  streamFill(fill: { id: string; qty: Decimal; price: Decimal; maker: boolean; orderId: string }, options: { recorded?: boolean } = {}): void {
    const delta: FillDelta = { ...fill, venue: this.id, receivedAt: this.options.clock.now() };
    if (options.recorded) this.record.addFill({ ...delta, at: delta.receivedAt });
    this.h.onFill(delta);
  }

  // ---- Venue: orders ----

  async placePostOnly(request: PostOnlyRequest): Promise<OrderAck> {
    this.sent.push({ kind: 'post_only', at: this.options.clock.now(), request });
    await this.roundTrip();
    if (this.postOnlyFailure) throw this.postOnlyFailure;
    if (this.placeDelayMs > 0) await sleep(this.options.clock, this.placeDelayMs);
    const bestOpposite = request.side === 'buy' ? this.book.bestAsk() : this.book.bestBid();
    const crosses = bestOpposite !== null && (request.side === 'buy' ? request.price.gte(bestOpposite) : request.price.lte(bestOpposite));
    if (crosses) {
      // Like both venues: accepted by the API, then cancelled by the matching engine.
      this.setRecord(request.clientId, 'cancelled', ZERO, request);
      queueMicrotask(() =>
        this.h.onOrderUpdate({
          venue: this.id,
          clientId: request.clientId,
          status: 'cancelled',
          filledQty: ZERO,
          reason: 'post-only would cross',
          receivedAt: this.options.clock.now()
        })
      );
      return this.answer({ clientId: request.clientId });
    }
    this.orders.set(request.clientId, { ...request, filledQty: ZERO });
    this.setRecord(request.clientId, 'open', ZERO, request);
    return this.answer({ clientId: request.clientId, venueOrderId: `${this.id}-o${request.clientId}` });
  }

  async sendMarket(request: MarketRequest): Promise<MarketResult> {
    this.sent.push({ kind: 'market', at: this.options.clock.now(), request });
    await this.roundTrip();
    if (this.marketDelayMs > 0) await sleep(this.options.clock, this.marketDelayMs);
    // Like both venues: an order below the minimum size or value is refused.
    if (request.qty.lt(this.market.minSize) || request.qty.times(request.worstPrice).lt(this.market.minValue)) {
      throw new VenueOrderError(
        this.id,
        'rejected',
        `order ${request.qty} @ ${request.worstPrice} below min size ${this.market.minSize} / min value ${this.market.minValue}`
      );
    }
    const failure = this.marketFailures.shift();
    if (failure instanceof VenueOrderError) throw failure;
    if (failure === 'zero_fill') {
      this.setRecord(request.clientId, 'cancelled', ZERO, { side: request.side, qty: request.qty, price: request.worstPrice });
      return this.answer({ clientId: request.clientId, filledQty: ZERO });
    }
    // Walk the opposite side up to the worst price.
    const levels = this.book.depth(request.side === 'buy' ? 'ask' : 'bid', 1000);
    let wanted = this.marketFillRatio ? roundToStep(request.qty.times(this.marketFillRatio), this.market.sizeStep) : request.qty;
    let filled = ZERO;
    let cost = ZERO;
    for (const level of levels) {
      if (wanted.lte(0)) break;
      const acceptable = request.side === 'buy' ? level.price.lte(request.worstPrice) : level.price.gte(request.worstPrice);
      if (!acceptable) break;
      const take = level.size.lt(wanted) ? level.size : wanted;
      filled = filled.plus(take);
      cost = cost.plus(take.times(level.price));
      wanted = wanted.minus(take);
    }
    this.setRecord(request.clientId, filled.gte(request.qty) ? 'filled' : 'cancelled', filled, {
      side: request.side,
      qty: request.qty,
      price: request.worstPrice
    });
    if (filled.isZero()) return this.answer({ clientId: request.clientId, filledQty: ZERO });
    const avgPrice = cost.div(filled);
    const tradeId = `${this.id}-t${++this.tradeSeq}`;
    this.reportFill(tradeId, request.side === 'buy' ? filled : filled.neg(), avgPrice, false, request.clientId, false, this.marketFillDelayMs);
    return this.answer({ clientId: request.clientId, filledQty: filled, avgPrice });
  }

  async cancel(clientId: string): Promise<void> {
    this.sent.push({ kind: 'cancel', at: this.options.clock.now(), clientId });
    await this.roundTrip();
    if (this.cancelFailure) throw this.cancelFailure;
    const order = this.orders.get(clientId);
    if (!order) throw new VenueOrderError(this.id, 'not_found', `order ${clientId} not found`);
    this.orders.delete(clientId);
    this.setRecord(clientId, 'cancelled', order.filledQty);
    this.h.onOrderUpdate({ venue: this.id, clientId, status: 'cancelled', filledQty: ZERO, receivedAt: this.options.clock.now() });
  }

  async cancelAll(): Promise<void> {
    this.sent.push({ kind: 'cancel_all', at: this.options.clock.now() });
    await this.roundTrip();
    if (this.cancelFailure) throw this.cancelFailure;
    const ids = [...this.orders.keys()];
    for (const [clientId, order] of this.orders) this.setRecord(clientId, 'cancelled', order.filledQty);
    this.orders.clear();
    for (const clientId of ids) {
      this.h.onOrderUpdate({ venue: this.id, clientId, status: 'cancelled', filledQty: ZERO, receivedAt: this.options.clock.now() });
    }
  }

  async queryOrder(clientId: string): Promise<OrderReport | null> {
    await this.roundTrip();
    if (this.queryFailure) throw this.queryFailure;
    return this.record.get(clientId);
  }

  async recentFills(sinceMs: number): Promise<FillDelta[]> {
    return this.record.fillsSince(sinceMs);
  }

  async orderFills(order: { clientId: string }): Promise<FillDelta[]> {
    await this.roundTrip();
    if (this.queryFailure) throw this.queryFailure;
    return this.record.fills(order.clientId);
  }

  async openOrders(): Promise<OrderReport[]> {
    await this.roundTrip();
    return [...this.orders.values()].map((order) => ({
      venue: this.id,
      clientId: order.clientId,
      status: order.filledQty.gt(0) ? 'partially_filled' : 'open',
      side: order.side,
      price: order.price,
      qty: order.qty,
      filledQty: order.filledQty
    }));
  }
}
