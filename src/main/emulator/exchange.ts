/**
 * One venue's matching core for our account, shared by the Lighter and Extended emulators: the
 * synthetic book from the market model, our resting orders, IOC orders that walk the book,
 * post-only orders that are cancelled when they would cross, background flow that fills our
 * resting orders (sometimes partially), our position, and a record of everything our account did.
 * Protocol servers translate its events into each venue's wire format.
 */
import Decimal from 'decimal.js';
import { ZERO } from '../kernel/decimalMath';
import type { VenueId } from '../../shared/contract';
import type { Position } from '../kernel/position';
import type { ScaledBook } from './marketModel';

export type OrderSide = 'buy' | 'sell';
export type TimeInForce = 'gtt' | 'ioc' | 'post_only';
export type OrderState = 'open' | 'filled' | 'cancelled' | 'rejected';

export interface ExchangeOrder {
  /** The venue's id for the order. */
  orderId: number;
  /** Our id for it (Lighter client order index, Extended external id). */
  clientId: string;
  side: OrderSide;
  /** Scaled price (worst price for IOC). */
  price: number;
  /** Scaled size. */
  qty: number;
  filled: number;
  /** Sum of price × size of the fills, scaled by both decimals. */
  filledNotional: number;
  type: 'limit' | 'market';
  tif: TimeInForce;
  reduceOnly: boolean;
  state: OrderState;
  /** Why it ended: 'post_only', 'ioc_remainder', 'cancelled', 'rejected:<code>'. */
  reason?: string;
  createdAt: number;
  updatedAt: number;
  expiresAt: number;
  /** Extra venue fields (nonce, fee...) the protocol layer keeps with the order. */
  meta: Record<string, unknown>;
}

export interface ExchangeTrade {
  tradeId: number;
  orderId: number;
  clientId: string;
  side: OrderSide;
  price: number;
  qty: number;
  maker: boolean;
  at: number;
  /** The counterparty's order id (synthetic). */
  counterOrderId: number;
  /** Our position before the trade. */
  positionBefore: Position;
}

export interface BookChange {
  side: 'bid' | 'ask';
  price: number;
  /** Size before and after (scaled). */
  before: number;
  after: number;
}

export interface ExchangeEvents {
  book(changes: BookChange[], full: boolean): void;
  order(order: ExchangeOrder): void;
  trade(trade: ExchangeTrade): void;
  position(position: Position): void;
  /** A trade anyone can see on the public feed (the market's flow, ours included). */
  publicTrade?(trade: PublicTrade): void;
}

/** A trade of the public feed: the aggressor's side, the price, the size (scaled). */
export interface PublicTrade {
  id: number;
  aggressor: OrderSide;
  price: number;
  qty: number;
  at: number;
}

export interface ExchangeRecord {
  orders: ExchangeOrder[];
  trades: ExchangeTrade[];
  cancels: Array<{ at: number; clientId: string; found: boolean }>;
}

export interface ExchangeOptions {
  venue: VenueId;
  priceDecimals: number;
  sizeDecimals: number;
  now: () => number;
  random: () => number;
  /** Chance per flow step that a resting order at the top gets (part of) a fill. */
  fillProbability?: number;
  /** First venue order id (Lighter's order_index is >= 2^48; Extended's are large int64). */
  firstOrderId?: number;
  firstTradeId?: number;
  position?: Position;
}

export class Exchange {
  private bids = new Map<number, number>();
  private asks = new Map<number, number>();
  readonly orders = new Map<string, ExchangeOrder>();
  readonly record: ExchangeRecord = { orders: [], trades: [], cancels: [] };
  position: Position;
  private nextOrderId: number;
  private nextTradeId: number;
  private listeners: ExchangeEvents[] = [];

  constructor(private readonly options: ExchangeOptions) {
    this.nextOrderId = options.firstOrderId ?? 281_474_976_710_656;
    this.nextTradeId = options.firstTradeId ?? 27_101_400_000;
    this.position = options.position ?? { qty: ZERO, avgEntry: ZERO };
  }

  get venue(): VenueId {
    return this.options.venue;
  }

  listen(events: ExchangeEvents): () => void {
    this.listeners.push(events);
    return () => {
      this.listeners = this.listeners.filter((listener) => listener !== events);
    };
  }

  /** The book, best first. */
  book(): ScaledBook {
    return {
      bids: [...this.bids.entries()].sort((a, b) => b[0] - a[0]),
      asks: [...this.asks.entries()].sort((a, b) => a[0] - b[0])
    };
  }

  bestBid(): number | undefined {
    let best: number | undefined;
    for (const price of this.bids.keys()) if (best === undefined || price > best) best = price;
    return best;
  }

  bestAsk(): number | undefined {
    let best: number | undefined;
    for (const price of this.asks.keys()) if (best === undefined || price < best) best = price;
    return best;
  }

  /** Replaces the synthetic book with the model's next one and reports the changed levels. */
  replaceBook(next: ScaledBook): void {
    const changes: BookChange[] = [];
    const apply = (side: 'bid' | 'ask', current: Map<number, number>, levels: Array<[number, number]>) => {
      const incoming = new Map(levels);
      for (const [price, before] of current) {
        if (!incoming.has(price)) changes.push({ side, price, before, after: 0 });
      }
      for (const [price, after] of incoming) {
        const before = current.get(price) ?? 0;
        if (before !== after) changes.push({ side, price, before, after });
      }
      return incoming;
    };
    this.bids = apply('bid', this.bids, next.bids);
    this.asks = apply('ask', this.asks, next.asks);
    if (changes.length > 0) for (const listener of this.listeners) listener.book(changes, false);
  }

  /** Takes the next venue order id now, for venues that answer with it before matching. */
  reserveOrderId(): number {
    return this.nextOrderId++;
  }

  /**
   * Orders of "an earlier run" of the bot: post-only, resting at the top of each side, with client
   * ids the current run never uses. They fill like any resting order of ours.
   */
  restEarlierRun(count: number, qty: number): ExchangeOrder[] {
    const placed: ExchangeOrder[] = [];
    for (let i = 0; i < count; i++) {
      const side: OrderSide = i % 2 === 0 ? 'buy' : 'sell';
      const price = side === 'buy' ? this.bestBid() : this.bestAsk();
      if (price === undefined) continue;
      placed.push(
        this.submit({
          clientId: String(900_000_000 + this.record.orders.length),
          side,
          price,
          qty,
          type: 'limit',
          tif: 'post_only',
          reduceOnly: false,
          expiresAt: this.options.now() + 86_400_000,
          meta: { earlierRun: true }
        })
      );
    }
    return placed;
  }

  /** A new order of ours. Validation of the venue's rules happens in the protocol layer. */
  submit(input: Omit<ExchangeOrder, 'orderId' | 'filled' | 'filledNotional' | 'state' | 'createdAt' | 'updatedAt'>, reservedId?: number): ExchangeOrder {
    const now = this.options.now();
    const order: ExchangeOrder = {
      ...input,
      orderId: reservedId ?? this.nextOrderId++,
      filled: 0,
      filledNotional: 0,
      state: 'open',
      createdAt: now,
      updatedAt: now
    };
    this.record.orders.push(order);
    const bestOpposite = order.side === 'buy' ? this.bestAsk() : this.bestBid();
    const crosses = bestOpposite !== undefined && (order.side === 'buy' ? order.price >= bestOpposite : order.price <= bestOpposite);
    if (order.tif === 'post_only' && crosses) {
      this.finish(order, 'cancelled', 'post_only');
      return order;
    }
    if (crosses) this.take(order);
    if (order.state === 'open' && order.tif === 'ioc') {
      this.finish(order, 'cancelled', 'ioc_remainder');
      return order;
    }
    if (order.state === 'open') {
      this.orders.set(order.clientId, order);
      this.emitOrder(order);
    }
    return order;
  }

  /** Walks the opposite side up to the order's price, taking liquidity. */
  private take(order: ExchangeOrder): void {
    const side = order.side === 'buy' ? this.asks : this.bids;
    const levels = [...side.entries()].sort((a, b) => (order.side === 'buy' ? a[0] - b[0] : b[0] - a[0]));
    const changes: BookChange[] = [];
    // A partial fill by design (the takerPartial fault): the order fills at most `meta.fillCap`.
    const cap = typeof order.meta.fillCap === 'number' ? Math.min(order.qty, order.meta.fillCap) : order.qty;
    for (const [price, size] of levels) {
      const left = cap - order.filled;
      if (left <= 0) break;
      if (order.side === 'buy' ? price > order.price : price < order.price) break;
      const qty = Math.min(size, left);
      side.set(price, size - qty);
      if (size - qty === 0) side.delete(price);
      changes.push({ side: order.side === 'buy' ? 'ask' : 'bid', price, before: size, after: size - qty });
      this.fill(order, price, qty, false);
    }
    if (changes.length > 0) for (const listener of this.listeners) listener.book(changes, false);
  }

  /** A scaled quantity on a side as the signed base quantity it moves the position by. */
  signedQty(side: OrderSide, qty: number): Decimal {
    return new Decimal(`${side === 'buy' ? '' : '-'}${qty}e-${this.options.sizeDecimals}`);
  }

  private fill(order: ExchangeOrder, price: number, qty: number, maker: boolean): void {
    const now = this.options.now();
    order.filled += qty;
    order.filledNotional += price * qty;
    order.updatedAt = now;
    const positionBefore = this.position;
    const signed = this.signedQty(order.side, qty);
    this.position = venuePositionAfter(this.position, signed, new Decimal(`${price}e-${this.options.priceDecimals}`));
    const trade: ExchangeTrade = {
      tradeId: this.nextTradeId++,
      orderId: order.orderId,
      clientId: order.clientId,
      side: order.side,
      price,
      qty,
      maker,
      at: now,
      counterOrderId: this.nextOrderId++,
      positionBefore
    };
    this.record.trades.push(trade);
    // On the public feed the aggressor is the other side when we were the maker.
    this.emitPublicTrade(maker ? (order.side === 'buy' ? 'sell' : 'buy') : order.side, price, qty);
    if (order.filled >= order.qty) {
      order.state = 'filled';
      this.orders.delete(order.clientId);
    }
    for (const listener of this.listeners) listener.trade(trade);
    this.emitOrder(order);
    for (const listener of this.listeners) listener.position(this.position);
  }

  private finish(order: ExchangeOrder, state: OrderState, reason: string): void {
    order.state = state;
    order.reason = reason;
    order.updatedAt = this.options.now();
    this.orders.delete(order.clientId);
    this.emitOrder(order);
  }

  private emitOrder(order: ExchangeOrder): void {
    for (const listener of this.listeners) listener.order({ ...order });
  }

  /** Cancels one of our resting orders by client id or venue id; false when there is none. */
  cancel(id: string): ExchangeOrder | null {
    const order = this.orders.get(id) ?? [...this.orders.values()].find((candidate) => String(candidate.orderId) === id);
    this.record.cancels.push({ at: this.options.now(), clientId: id, found: !!order });
    if (!order) return null;
    this.finish(order, 'cancelled', 'cancelled');
    return order;
  }

  cancelAll(): ExchangeOrder[] {
    const cancelled = [...this.orders.values()];
    for (const order of cancelled) this.finish(order, 'cancelled', 'cancelled');
    return cancelled;
  }

  /** Fills (part of) a resting order as a maker, e.g. the fill that lands while a cancel is in flight. */
  fillResting(clientId: string, qty?: number): boolean {
    const order = this.orders.get(clientId);
    if (!order) return false;
    this.fill(order, order.price, Math.min(qty ?? order.qty - order.filled, order.qty - order.filled), true);
    return true;
  }

  private publicTradeId = 1;

  private emitPublicTrade(aggressor: OrderSide, price: number, qty: number): void {
    const trade: PublicTrade = { id: this.publicTradeId++, aggressor, price, qty, at: this.options.now() };
    for (const listener of this.listeners) listener.publicTrade?.(trade);
  }

  /**
   * Background flow after a book change: the market trades at the top (public trades of others);
   * a resting order the book moved through fills in full; one at the top of its side fills with
   * `fillProbability`, half the time only in part.
   */
  flow(): void {
    const top = { buy: this.bestAsk(), sell: this.bestBid() };
    if (this.options.random() < 0.6) {
      const aggressor: OrderSide = this.options.random() < 0.5 ? 'buy' : 'sell';
      const price = top[aggressor];
      const size = price === undefined ? undefined : (aggressor === 'buy' ? this.asks : this.bids).get(price);
      if (price !== undefined && size) this.emitPublicTrade(aggressor, price, Math.max(1, Math.floor(size * (0.05 + this.options.random() * 0.6))));
    }
    const bestBid = this.bestBid();
    const bestAsk = this.bestAsk();
    for (const order of [...this.orders.values()]) {
      const through = order.side === 'buy' ? bestAsk !== undefined && order.price >= bestAsk : bestBid !== undefined && order.price <= bestBid;
      const atTop = order.side === 'buy' ? bestBid === undefined || order.price >= bestBid : bestAsk === undefined || order.price <= bestAsk;
      if (through) {
        this.fill(order, order.price, order.qty - order.filled, true);
      } else if (atTop && this.options.random() < (this.options.fillProbability ?? 0.15)) {
        const left = order.qty - order.filled;
        const part = this.options.random() < 0.5 ? left : Math.max(1, Math.floor(left / 2));
        this.fill(order, order.price, part, true);
      }
    }
  }
}

/**
 * The venue's own position arithmetic, written here and not taken from the engine (the emulator
 * checks the engine, so it must not share its code): the entry is the size-weighted average while
 * the position grows, unchanged while it shrinks, and the fill price once it flips.
 */
export function venuePositionAfter(position: Position, signed: Decimal, price: Decimal): Position {
  const qty = position.qty.plus(signed);
  if (qty.isZero()) return { qty, avgEntry: new Decimal(0) };
  const sameWay = position.qty.isZero() || position.qty.isPos() === signed.isPos();
  if (sameWay) {
    const cost = position.qty.abs().times(position.avgEntry).plus(signed.abs().times(price));
    return { qty, avgEntry: cost.div(qty.abs()) };
  }
  const flipped = qty.isPos() !== position.qty.isPos();
  return { qty, avgEntry: flipped ? price : position.avgEntry };
}
