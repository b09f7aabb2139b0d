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
  /** The trade's market (absent from older frames: then the channel's). */
  marketId: number | null;
  size: string;
  price: string;
  /** The trade's value in USDC (fees are rates of it). */
  usdAmount: string | null;
  /** Fee rates in millionths of the value (lighter-go FeeTick = 1,000,000); the venue leaves out a zero one. */
  takerFee: number;
  makerFee: number;
  /** The venue's order ids of both sides. */
  askId: string | null;
  bidId: string | null;
  /** When it happened (ms), when the frame says. */
  timestamp: number | null;
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
  /** `foreign`: entries of the account's other markets in the frame (never ours). */
  | { kind: 'trades'; snapshot: boolean; trades: TradeFrame[]; foreign: number }
  /** The market's public trades (channel trade/{market}): id, the aggressor's side, price and size; `snapshot` is the subscription's recent history. */
  | { kind: 'publicTrades'; snapshot: boolean; trades: Array<{ id: string; aggressor: 'buy' | 'sell'; price: string; size: string }> }
  | { kind: 'orders'; snapshot: boolean; orders: OrderFrame[]; foreign: number }
  | { kind: 'positions'; snapshot: boolean; position: PositionFrame | null }
  /** The answer to a tx: accepted (code 200) or refused (any other code); the venue may leave out the id. */
  | { kind: 'tx'; id: string | undefined; ok: boolean; code: number; message: string; txHash: unknown }
  | { kind: 'error'; id?: string; code: number; message: string }
  | { kind: 'other'; type: string };

/**
 * Entries for our market from an object keyed by market index, or a flat list (whose entries carry
 * their market: the venue sends every market of the account on the account channels).
 */
function forMarket(value: unknown, marketId: number, field: string): { mine: unknown[]; foreign: number } {
  if (value === undefined || value === null) return { mine: [], foreign: 0 };
  if (Array.isArray(value)) {
    const marketOf = (entry: unknown) => {
      const e = entry && typeof entry === 'object' ? (entry as Record<string, unknown>) : {};
      return e.market_id ?? e.market_index;
    };
    const mine = value.filter((entry) => marketOf(entry) === undefined || marketOf(entry) === marketId);
    return { mine, foreign: value.length - mine.length };
  }
  const byMarket = obj(value, field);
  let foreign = 0;
  for (const [key, entries] of Object.entries(byMarket)) if (key !== String(marketId)) foreign += Array.isArray(entries) ? entries.length : 1;
  const entry = byMarket[String(marketId)];
  if (entry === undefined || entry === null) return { mine: [], foreign };
  return { mine: Array.isArray(entry) ? entry : [entry], foreign };
}

/** An optional integer field: absent or null is `fallback`. */
function optInt(value: unknown, field: string, fallback: number): number {
  return value === undefined || value === null ? fallback : int(value, field);
}

/** An id that may come as a number or as a string of digits. */
function idOf(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value === 'string' && /^\d+$/.test(value)) return value;
  throw new FrameError(field, value);
}

/** Book levels: strings here; their digits are checked exactly where they are scaled (book.ts). */
function levels(value: unknown, field: string): LevelUpdate[] {
  if (!Array.isArray(value)) throw new FrameError(field, value);
  return value.map((level, i) => {
    const l = obj(level, `${field}[${i}]`);
    return { price: str(l.price, `${field}[${i}].price`), size: str(l.size, `${field}[${i}].size`) };
  });
}

export function parseLighterTrade(value: unknown, i: number): TradeFrame {
  const t = obj(value, `trades[${i}]`);
  const id = t.trade_id_str ?? t.trade_id;
  if (typeof id !== 'string' && typeof id !== 'number') throw new FrameError(`trades[${i}].trade_id`, id);
  return {
    tradeId: String(id),
    marketId: t.market_id === undefined || t.market_id === null ? null : int(t.market_id, `trades[${i}].market_id`),
    size: positiveDec(t.size, `trades[${i}].size`),
    price: positiveDec(t.price, `trades[${i}].price`),
    usdAmount: t.usd_amount === undefined || t.usd_amount === null ? null : dec(t.usd_amount, `trades[${i}].usd_amount`),
    takerFee: optInt(t.taker_fee, `trades[${i}].taker_fee`, 0),
    makerFee: optInt(t.maker_fee, `trades[${i}].maker_fee`, 0),
    askId: idOf(t.ask_id_str ?? t.ask_id, `trades[${i}].ask_id`),
    bidId: idOf(t.bid_id_str ?? t.bid_id, `trades[${i}].bid_id`),
    timestamp: t.timestamp === undefined || t.timestamp === null ? null : int(t.timestamp, `trades[${i}].timestamp`),
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

/** The `orders` array of GET accountActiveOrders / accountInactiveOrders / accountOrders (the same order shape as the stream's), of one market. */
export function parseLighterOrders(body: Record<string, unknown>, marketId?: number): OrderFrame[] {
  const orders = body.orders;
  if (!Array.isArray(orders)) throw new FrameError('orders', orders);
  const list = marketId === undefined ? orders : forMarket(orders, marketId, 'orders').mine;
  return list.map((value, i) => order(value, i));
}

/** The `trades` array of GET /api/v1/trades (the stream's trade shape), of one market. */
export function parseLighterTrades(body: Record<string, unknown>, marketId: number): TradeFrame[] {
  const trades = body.trades;
  if (!Array.isArray(trades)) throw new FrameError('trades', trades);
  return forMarket(trades, marketId, 'trades').mine.map(parseLighterTrade);
}

export function parseLighterFrame(text: string, marketId: number): LighterFrame {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new FrameError('frame', text);
  }
  const frame = obj(raw, 'frame');
  const id = frame.id === undefined || frame.id === null ? undefined : String(frame.id);
  // Two error shapes occur: {"error": {code, message}} and {"type": "error", code, message}; neither need carry an id.
  if (frame.error !== undefined && frame.error !== null && typeof frame.error === 'object') {
    const error = obj(frame.error, 'error');
    return { kind: 'error', id, code: int(error.code, 'error.code'), message: String(error.message ?? '') };
  }
  const type = str(frame.type, 'type');
  if (type === 'error') return { kind: 'error', id, code: int(frame.code, 'code'), message: String(frame.message ?? '') };
  if (type === 'connected') return { kind: 'connected' };
  if (type === 'ping') return { kind: 'ping' };
  if (type === 'pong') return { kind: 'pong' };
  if (type === 'jsonapi/sendtx' || type === 'jsonapi/sendtxbatch') {
    // A refused tx comes back on the same type with the venue's code: an answer, not noise.
    const code = int(frame.code, 'code');
    const message = typeof frame.message === 'string' ? frame.message : typeof frame.error === 'string' ? frame.error : '';
    return { kind: 'tx', id, ok: code === 200, code, message, txHash: frame.tx_hash };
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
    const list = frame.trades ?? [];
    if (!Array.isArray(list)) throw new FrameError('trades', list);
    return {
      kind: 'publicTrades',
      snapshot,
      trades: list.map((value, i) => {
        const t = obj(value, `trades[${i}]`);
        const tradeId = t.trade_id_str ?? t.trade_id;
        if (typeof tradeId !== 'string' && typeof tradeId !== 'number') throw new FrameError(`trades[${i}].trade_id`, tradeId);
        // The maker sold when is_maker_ask: the aggressor bought.
        return {
          id: String(tradeId),
          aggressor: bool(t.is_maker_ask, `trades[${i}].is_maker_ask`) ? 'buy' : 'sell',
          price: positiveDec(t.price, `trades[${i}].price`),
          size: positiveDec(t.size, `trades[${i}].size`)
        };
      })
    };
  }
  if (channel === 'account_all_trades') {
    const { mine, foreign } = forMarket(frame.trades, marketId, 'trades');
    return { kind: 'trades', snapshot, trades: mine.map(parseLighterTrade), foreign };
  }
  if (channel === 'account_all_orders') {
    const { mine, foreign } = forMarket(frame.orders, marketId, 'orders');
    return { kind: 'orders', snapshot, orders: mine.map(order), foreign };
  }
  if (channel === 'account_all_positions') {
    const [entry] = forMarket(frame.positions, marketId, 'positions').mine;
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

/**
 * The market trades of a `trade/{market}` frame as fresh aggressor flow for paper trading: the
 * subscription's frame carries recent history (not news), and later pushes may repeat trades
 * already sent (the consumer dedupes by id).
 */
export function freshPublicTrades(
  frame: Extract<LighterFrame, { kind: 'publicTrades' }>
): Array<{ id: string; aggressor: 'buy' | 'sell'; price: Decimal; qty: Decimal }> {
  if (frame.snapshot) return [];
  return frame.trades.map((trade) => ({ id: `L:${trade.id}`, aggressor: trade.aggressor, price: new Decimal(trade.price), qty: new Decimal(trade.size) }));
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
