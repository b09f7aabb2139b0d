/**
 * Lighter wire frames into typed values. Every check names the field and the value it refused;
 * a frame that fails is reported and dropped, never half-applied.
 */
import Decimal from 'decimal.js';
import type { OrderBook } from '../../kernel/book';
import type { MarketInfo } from '../../ports/venue';
import { FrameError, bool, dec, positiveDec, int, obj, str } from '../common/frames';

export { FrameError };

export interface LevelUpdate {
  price: string;
  size: string;
}

export interface BookFrame {
  kind: 'book';
  snapshot: boolean;
  bids: LevelUpdate[];
  asks: LevelUpdate[];
  nonce: number;
  /** The nonce this update follows; null when the frame carries none (older frames: offset/nonce only). */
  beginNonce: number | null;
}

export interface TradeFrame {
  tradeId: string;
  size: string;
  price: string;
  askAccount: number;
  bidAccount: number;
  askClientId: number;
  bidClientId: number;
  makerIsAsk: boolean;
  type: string;
}

export interface OrderFrame {
  clientOrderIndex: number;
  /** Size and limit price as sent (absent from frames that do not carry them). */
  initialBase?: string;
  price?: string;
  orderIndex: number;
  status: string;
  filledBase: string;
  filledQuote: string;
  isAsk: boolean;
  timeInForce: string;
}

export interface PositionFrame {
  sign: number;
  position: string;
  avgEntry: string;
}

export type LighterFrame =
  | { kind: 'connected' }
  | { kind: 'ping' }
  | { kind: 'pong' }
  | BookFrame
  | { kind: 'trades'; snapshot: boolean; trades: TradeFrame[] }
  /** The market's public trades (channel trade/{market}): the aggressor's side, price and size. */
  | { kind: 'publicTrades'; trades: Array<{ aggressor: 'buy' | 'sell'; price: string; size: string }> }
  | { kind: 'orders'; snapshot: boolean; orders: OrderFrame[] }
  | { kind: 'positions'; snapshot: boolean; position: PositionFrame | null }
  | { kind: 'tx'; id: string; ok: true; txHash: unknown }
  | { kind: 'error'; id?: string; code: number; message: string }
  | { kind: 'other'; type: string };

/** Entries for our market from an object keyed by market index, or a flat array. */
function forMarket(value: unknown, marketId: number, field: string): unknown[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value;
  const entry = obj(value, field)[String(marketId)];
  if (entry === undefined) return [];
  return Array.isArray(entry) ? entry : [entry];
}

/** Book levels: strings here; their digits are checked exactly where they are scaled (book.ts). */
function levels(value: unknown, field: string): LevelUpdate[] {
  if (!Array.isArray(value)) throw new FrameError(field, value);
  return value.map((level, i) => {
    const l = obj(level, `${field}[${i}]`);
    return { price: str(l.price, `${field}[${i}].price`), size: str(l.size, `${field}[${i}].size`) };
  });
}

function trade(value: unknown, i: number): TradeFrame {
  const t = obj(value, `trades[${i}]`);
  const id = t.trade_id_str ?? t.trade_id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new FrameError(`trades[${i}].trade_id`, id);
  return {
    tradeId: String(id),
    size: positiveDec(t.size, `trades[${i}].size`),
    price: positiveDec(t.price, `trades[${i}].price`),
    askAccount: int(t.ask_account_id, `trades[${i}].ask_account_id`),
    bidAccount: int(t.bid_account_id, `trades[${i}].bid_account_id`),
    askClientId: int(t.ask_client_id ?? 0, `trades[${i}].ask_client_id`),
    bidClientId: int(t.bid_client_id ?? 0, `trades[${i}].bid_client_id`),
    makerIsAsk: bool(t.is_maker_ask, `trades[${i}].is_maker_ask`),
    type: str(t.type ?? 'trade', `trades[${i}].type`)
  };
}

function order(value: unknown, i: number): OrderFrame {
  const o = obj(value, `orders[${i}]`);
  return {
    clientOrderIndex: int(o.client_order_index, `orders[${i}].client_order_index`),
    initialBase: o.initial_base_amount === undefined ? undefined : dec(o.initial_base_amount, `orders[${i}].initial_base_amount`),
    price: o.price === undefined ? undefined : dec(o.price, `orders[${i}].price`),
    orderIndex: int(o.order_index, `orders[${i}].order_index`),
    status: str(o.status, `orders[${i}].status`),
    filledBase: dec(o.filled_base_amount, `orders[${i}].filled_base_amount`),
    filledQuote: dec(o.filled_quote_amount, `orders[${i}].filled_quote_amount`),
    isAsk: bool(o.is_ask, `orders[${i}].is_ask`),
    timeInForce: str(o.time_in_force, `orders[${i}].time_in_force`)
  };
}

/** The `orders` array of GET accountActiveOrders / accountInactiveOrders (the same order shape as the stream's). */
export function parseLighterOrders(body: Record<string, unknown>): OrderFrame[] {
  const orders = body.orders;
  if (!Array.isArray(orders)) throw new FrameError('orders', orders);
  return orders.map((value, i) => order(value, i));
}

export function parseLighterFrame(text: string, marketId: number): LighterFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError('frame', text);
  }
  const frame = obj(raw, 'frame');
  if (frame.error !== undefined) {
    const error = obj(frame.error, 'error');
    return {
      kind: 'error',
      id: frame.id === undefined ? undefined : String(frame.id),
      code: int(error.code, 'error.code'),
      message: String(error.message ?? '')
    };
  }
  const type = str(frame.type, 'type');
  if (type === 'connected') return { kind: 'connected' };
  if (type === 'ping') return { kind: 'ping' };
  if (type === 'pong') return { kind: 'pong' };
  if (type === 'jsonapi/sendtx' || type === 'jsonapi/sendtxbatch') {
    if (frame.code !== 200) throw new FrameError('code', frame.code);
    return { kind: 'tx', id: String(frame.id), ok: true, txHash: frame.tx_hash };
  }
  const [phase, channel] = type.split('/');
  const snapshot = phase === 'subscribed';
  if ((phase !== 'subscribed' && phase !== 'update') || !channel) return { kind: 'other', type };
  if (channel === 'order_book') {
    const book = obj(frame.order_book, 'order_book');
    return {
      kind: 'book',
      snapshot,
      bids: levels(book.bids, 'order_book.bids'),
      asks: levels(book.asks, 'order_book.asks'),
      nonce: int(book.nonce, 'order_book.nonce'),
      beginNonce: book.begin_nonce === undefined || book.begin_nonce === null ? null : int(book.begin_nonce, 'order_book.begin_nonce')
    };
  }
  if (channel === 'trade') {
    const list = frame.trades;
    if (!Array.isArray(list)) throw new FrameError('trades', list);
    return {
      kind: 'publicTrades',
      trades: list.map((value, i) => {
        const t = obj(value, `trades[${i}]`);
        // The maker sold when is_maker_ask: the aggressor bought.
        return {
          aggressor: bool(t.is_maker_ask, `trades[${i}].is_maker_ask`) ? 'buy' : 'sell',
          price: positiveDec(t.price, `trades[${i}].price`),
          size: positiveDec(t.size, `trades[${i}].size`)
        };
      })
    };
  }
  if (channel === 'account_all_trades') return { kind: 'trades', snapshot, trades: forMarket(frame.trades, marketId, 'trades').map(trade) };
  if (channel === 'account_all_orders') return { kind: 'orders', snapshot, orders: forMarket(frame.orders, marketId, 'orders').map(order) };
  if (channel === 'account_all_positions') {
    const [entry] = forMarket(frame.positions, marketId, 'positions');
    if (entry === undefined) return { kind: 'positions', snapshot, position: null };
    const p = obj(entry, 'positions[market]');
    return {
      kind: 'positions',
      snapshot,
      position: {
        sign: int(p.sign, 'position.sign'),
        position: dec(p.position, 'position.position'),
        avgEntry: dec(p.avg_entry_price, 'position.avg_entry_price')
      }
    };
  }
  return { kind: 'other', type };
}

export interface LighterMarketDetails {
  marketId: number;
  sizeDecimals: number;
  priceDecimals: number;
  info: MarketInfo;
}

/** A market's details from the body of GET /orderBooks. */
export function lighterMarketFrom(body: Record<string, unknown>, symbol: string): LighterMarketDetails {
  const books = body.order_books;
  if (!Array.isArray(books)) throw new FrameError('order_books', books);
  const entry = books.find((book) => (book as { symbol?: unknown }).symbol === symbol) as Record<string, unknown> | undefined;
  if (!entry) throw new Error(`Lighter: no market ${symbol} in /orderBooks`);
  const sizeDecimals = int(entry.supported_size_decimals, 'supported_size_decimals');
  const priceDecimals = int(entry.supported_price_decimals, 'supported_price_decimals');
  const step = new Decimal(`1e-${sizeDecimals}`);
  return {
    marketId: int(entry.market_id, 'market_id'),
    sizeDecimals,
    priceDecimals,
    info: {
      symbol,
      minSize: new Decimal(dec(entry.min_base_amount, 'min_base_amount')),
      minSizeChange: step,
      minValue: new Decimal(dec(entry.min_quote_amount, 'min_quote_amount')),
      sizeStep: step,
      priceTick: new Decimal(`1e-${priceDecimals}`)
    }
  };
}

/** Applies a snapshot (replaces the book) or an update (absolute sizes; "0" removes a level). */
export function applyLighterBookFrame(book: OrderBook, frame: BookFrame, at: number): void {
  const pair = (levels: LevelUpdate[]) => levels.map((l) => [l.price, l.size] as const);
  if (frame.snapshot) {
    book.applySnapshot(pair(frame.bids), pair(frame.asks), at);
    return;
  }
  book.applyLevels('bid', pair(frame.bids), at);
  book.applyLevels('ask', pair(frame.asks), at);
}
