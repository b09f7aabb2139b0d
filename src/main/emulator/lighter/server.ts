/**
 * The Lighter emulator: REST under /api/v1 and the WebSocket /stream, speaking Lighter's protocol
 * as the venue's own code shows it (the zklighter-perps openapi.json every REST answer is checked
 * against, lighter-python's WsClient and asyncapi.json, CCXT's lighter code; docs/emulators.md lists
 * each shape and its source), the worst plausible variant where the venue's behaviour varies.
 * It checks what a server can check without the signer: tx structure, integer scaling, nonce
 * sequencing per API key, auth token format and expiry. Signatures are checked for their form
 * (80 bytes, base64) only: no verifier for Lighter's Schnorr scheme exists outside the venue.
 *
 * Over 400 lines: one venue's whole server (REST, WebSocket, tx validation) reads best in one
 * place next to docs/emulators.md; its parts are sections, not separate concerns.
 */
import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import Decimal from 'decimal.js';
import { parseScaled } from '../../kernel/book';
import { TimerGroup, type Clock } from '../../kernel/clock';
import { handleControl } from '../control';
import type { Exchange, ExchangeOrder, ExchangeTrade } from '../exchange';
import { JUNK_FRAMES, deliverFill, type Faults } from '../faults';
import { parseForm, readBody, sendJson, toJson } from '../httpKit';
import { formatScaled } from '../marketModel';

export const LIGHTER_TX = { createOrder: 14, cancelOrder: 15, cancelAll: 16 } as const;
const MAX_48 = 2 ** 48 - 1;
const MAX_32 = 2 ** 32 - 1;
/** The synthetic counterparty of every trade. */
const MARKET_ACCOUNT = 402117;

/** The emulated account's collateral (USDC) and the market's hourly funding rate. */
const EMULATED_COLLATERAL = '100000';
const EMULATED_FUNDING_RATE = 0.0000125;

export interface LighterMarketSpec {
  symbol: string;
  marketId: number;
  sizeDecimals: number;
  priceDecimals: number;
  /** Decimal strings as /orderBooks gives them. */
  minBaseAmount: string;
  minQuoteAmount: string;
}

export interface LighterEmulatorOptions {
  exchange: Exchange;
  market: LighterMarketSpec;
  accountIndex: number;
  /** API key indexes registered for the account. */
  apiKeys: number[];
  /** First nonce of every API key. */
  startNonce?: number;
  clock: Clock;
  faults: Faults;
  host?: string;
  port?: number;
  /** Server ping period and the time allowed for the pong. */
  pingIntervalMs?: number;
  pongTimeoutMs?: number;
  /** The server drops every connection after this long (24 h on the venue). */
  maxConnectionMs?: number;
  /** Time between a tx accepted and its effect on the book (sequencing). */
  processingMs?: number;
  /** The account tier's delays before an order or cancel takes effect (none when absent). */
  tierDelays?: { makerMs: number; takerMs: number; cancelMs: number };
  /**
   * The account's rate limit, as the venue counts it per rolling minute: requests (Standard 60,
   * REST and WS txs together) and weight (24,000: a GET weighs 300, a tx 6, trades 600). Past it: 429.
   */
  requestLimit?: { perMinute: number; weightPerMinute: number };
  /** The account's fee rates in millionths of a trade's value (trades carry them; a zero one is left out). */
  feeRates?: { maker: number; taker: number };
  /** API key indexes that are maker-only (getMakerOnlyApiKeys): the venue refuses their taker orders. */
  makerOnlyKeys?: number[];
  /** What accountLimits reports as the tier (std, premium...). */
  userTier?: string;
  /** Sees every REST answer as it is sent (the conformance tests check each against the venue's openapi.json). */
  answerTap?: (answer: { method: string; path: string; status: number; body: unknown }) => void;
}

class LighterError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 400
  ) {
    super(message);
  }
}

interface Session {
  socket: WebSocket;
  channels: Set<string>;
  lastPongAt: number;
  heldFill: string | null;
  /** The last public trades pushed (the repeatPublicTrades fault sends them again). */
  lastPublicTrades: unknown[];
}

export class LighterEmulator {
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024, autoPong: false });
  private readonly sessions = new Set<Session>();
  private readonly nonces = new Map<number, number>();
  /** Nonces used with the skip-nonce flag, per key: each once. */
  private readonly skippedNonces = new Map<number, Set<number>>();
  /** The market's last public trades (subscribed/trade carries them; /recentTrades lists them). */
  private readonly publicTrades: Array<Record<string, unknown>> = [];
  private bookNonce = 4_037_957_000;
  private offset = 41_692_800;
  private blockHeight = 104_388_000;
  private readonly recentTrades: ExchangeTrade[] = [];
  private readonly timers: TimerGroup;
  private stopped = false;
  url = '';
  wsUrl = '';
  /** Clock ms until which new stream connections are refused (an account drop with accountDownMs). */
  private refuseStreamsUntil = 0;

  constructor(private readonly options: LighterEmulatorOptions) {
    this.timers = new TimerGroup(options.clock);
    for (const key of options.apiKeys) this.nonces.set(key, options.startNonce ?? 1);
    options.faults.onJunk = (count) => {
      for (const session of this.sessions) for (let i = 0; i < count; i++) session.socket.send(JUNK_FRAMES[i % JUNK_FRAMES.length] as string);
    };
    options.faults.onOneShot = (name) => {
      if (name === 'foreignTrade') this.foreignTrade();
    };
    options.faults.onDrop = (which) => {
      if (which !== 'book') this.refuseStreamsUntil = options.clock.now() + options.faults.settings.accountDownMs;
      for (const session of this.sessions) {
        const book = [...session.channels].some((channel) => channel.startsWith('order_book'));
        if (which === 'all' || (which === 'book') === book) session.socket.terminate();
      }
    };
    options.exchange.listen({
      book: (changes) => {
        if (this.options.faults.settings.staleFeed) return;
        const bids = changes.filter((c) => c.side === 'bid').map((c) => this.level(c.price, c.after));
        const asks = changes.filter((c) => c.side === 'ask').map((c) => this.level(c.price, c.after));
        this.broadcast(`order_book:${this.market.marketId}`, () => this.bookMessage('update/order_book', bids, asks));
      },
      order: (order) => {
        this.broadcast(`account_all_orders:${options.accountIndex}`, () => this.ordersMessage('update', [order]));
        this.broadcast(`account_orders:${this.market.marketId}:${options.accountIndex}`, () => this.marketOrdersMessage('update', [order]));
      },
      trade: (trade) => {
        this.recentTrades.push(trade);
        if (this.recentTrades.length > 50) this.recentTrades.shift();
        // A forged frame (the overfill fault): a maker trade reported 20 times its size; the record stays true.
        const forged = trade.maker && options.faults.take('overfill') ? { ...trade, qty: trade.qty * 20 } : trade;
        this.broadcastFill(`account_all_trades:${options.accountIndex}`, this.tradesMessage('update', [forged]));
      },
      position: () => this.broadcast(`account_all_positions:${options.accountIndex}`, () => this.positionsMessage('update')),
      publicTrade: (trade) => {
        const json = {
          trade_id: trade.id,
          trade_id_str: String(trade.id),
          market_id: this.market.marketId,
          type: 'trade',
          size: formatScaled(trade.qty, this.market.sizeDecimals),
          price: formatScaled(trade.price, this.market.priceDecimals),
          usd_amount: formatScaled(trade.qty * trade.price, this.market.sizeDecimals + this.market.priceDecimals).replace(/(\.\d{6})\d*$/, '$1'),
          is_maker_ask: trade.aggressor === 'buy',
          timestamp: trade.at
        };
        this.publicTrades.push(json);
        if (this.publicTrades.length > 100) this.publicTrades.shift();
        const channel = `trade:${this.market.marketId}`;
        for (const session of this.sessions) {
          if (!session.channels.has(channel)) continue;
          // A later push may repeat trades already sent (the repeatPublicTrades fault): clients dedupe by trade id.
          const trades = this.options.faults.settings.repeatPublicTrades ? [...session.lastPublicTrades, json] : [json];
          session.lastPublicTrades = [json];
          this.send(session, { type: 'update/trade', channel, nonce: this.bookNonce, trades, liquidation_trades: [] });
        }
      }
    });
  }

  private get market(): LighterMarketSpec {
    return this.options.market;
  }

  async start(): Promise<void> {
    this.server = createServer((request, response) => void this.http(request, response));
    this.server.on('upgrade', (request, socket, head) => {
      const path = new URL(request.url ?? '/', 'http://localhost').pathname;
      if (path !== '/stream') {
        socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      if (this.options.clock.now() < this.refuseStreamsUntil) {
        socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n');
        return;
      }
      this.wss.handleUpgrade(request, socket, head, (client) => this.attach(client));
    });
    await new Promise<void>((resolve) => this.server?.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}/stream`;
    this.schedulePing();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clear();
    for (const session of this.sessions) session.socket.terminate();
    this.wss.close();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    }
  }

  nonceOf(apiKey: number): number | undefined {
    return this.nonces.get(apiKey);
  }

  private later(ms: number, fn: () => void): void {
    this.timers.later(ms, fn);
  }

  // ---------------------------------------------------------------- messages

  private level(price: number, size: number) {
    return { price: formatScaled(price, this.market.priceDecimals), size: formatScaled(size, this.market.sizeDecimals) };
  }

  private bookMessage(type: 'subscribed/order_book' | 'update/order_book', bids: unknown[], asks: unknown[]) {
    let begin = this.bookNonce;
    if (type === 'update/order_book' && this.options.faults.take('skipSequence')) begin += 5;
    this.bookNonce += 1 + (this.bookNonce % 7);
    this.offset += 3;
    return {
      type,
      channel: `order_book:${this.market.marketId}`,
      offset: this.offset,
      timestamp: this.options.clock.now(),
      order_book: { code: 0, asks, bids, offset: this.offset, nonce: this.bookNonce, begin_nonce: begin }
    };
  }

  private orderJson(order: ExchangeOrder) {
    const m = this.market;
    const status =
      order.state === 'open'
        ? 'open'
        : order.state === 'filled'
          ? 'filled'
          : order.reason === 'post_only'
            ? 'canceled-post-only'
            : order.reason === 'ioc_remainder'
              ? order.filled > 0
                ? 'canceled-too-much-slippage'
                : 'canceled-not-enough-liquidity'
              : order.state === 'rejected'
                ? 'canceled-margin-not-allowed'
                : 'canceled';
    return {
      order_index: order.orderId,
      client_order_index: Number(order.clientId),
      order_id: String(order.orderId),
      client_order_id: order.clientId,
      market_index: m.marketId,
      owner_account_index: this.options.accountIndex,
      initial_base_amount: formatScaled(order.qty, m.sizeDecimals),
      price: formatScaled(order.price, m.priceDecimals),
      nonce: Number(order.meta.nonce ?? 0),
      remaining_base_amount: formatScaled(order.state === 'open' ? order.qty - order.filled : 0, m.sizeDecimals),
      is_ask: order.side === 'sell',
      base_size: 0,
      base_price: order.price,
      filled_base_amount: formatScaled(order.filled, m.sizeDecimals),
      filled_quote_amount: formatScaled(order.filledNotional, m.sizeDecimals + m.priceDecimals).replace(/(\.\d{6})\d*$/, '$1'),
      side: '',
      type: order.type,
      time_in_force: order.tif === 'ioc' ? 'immediate-or-cancel' : order.tif === 'post_only' ? 'post-only' : 'good-till-time',
      reduce_only: order.reduceOnly,
      trigger_price: formatScaled(0, m.priceDecimals),
      order_expiry: order.expiresAt,
      status,
      trigger_status: 'na',
      trigger_time: 0,
      parent_order_index: 0,
      parent_order_id: '0',
      to_trigger_order_id_0: '0',
      to_trigger_order_id_1: '0',
      to_cancel_order_id_0: '0',
      integrator_fee_collector_index: '0',
      integrator_taker_fee: '0',
      integrator_maker_fee: '0',
      order_flags: 0,
      block_height: this.blockHeight,
      // Milliseconds (NautilusTrader's fixtures of the live venue), transaction_time in microseconds.
      timestamp: order.updatedAt,
      created_at: order.createdAt,
      updated_at: order.updatedAt,
      transaction_time: order.updatedAt * 1000
    };
  }

  /** Entries of an account channel: keyed by market (as the docs show), or a flat list (the flatLists fault; asyncapi allows it). */
  private byMarket(entries: unknown[], marketId = this.market.marketId): unknown {
    return this.options.faults.settings.flatLists ? entries : { [String(marketId)]: entries };
  }

  private ordersMessage(kind: 'subscribed' | 'update', orders: ExchangeOrder[]) {
    return {
      type: `${kind}/account_all_orders`,
      channel: `account_all_orders:${this.options.accountIndex}`,
      orders: this.byMarket(orders.map((order) => this.orderJson(order)))
    };
  }

  private tradeJson(trade: ExchangeTrade) {
    const m = this.market;
    const us = this.options.accountIndex;
    const weAreAsk = trade.side === 'sell';
    // The maker is the resting side: us when our order rested, else the market.
    const makerIsAsk = trade.maker ? weAreAsk : !weAreAsk;
    const before = trade.positionBefore;
    const sizeBefore = before.qty.toFixed(m.sizeDecimals);
    const entryQuoteBefore = before.qty.abs().times(before.avgEntry).toFixed(6);
    this.blockHeight += 1;
    // Fee rates in millionths of the value, our side's; the venue leaves a zero one out.
    const rates = this.options.feeRates ?? { maker: 0, taker: 0 };
    const makerRate = trade.maker ? rates.maker : 0;
    const takerRate = trade.maker ? 0 : rates.taker;
    return {
      trade_id: trade.tradeId,
      trade_id_str: String(trade.tradeId),
      ...(takerRate ? { taker_fee: takerRate } : {}),
      ...(makerRate ? { maker_fee: makerRate } : {}),
      tx_hash: txHash(`trade:${trade.tradeId}`),
      type: 'trade',
      market_id: m.marketId,
      size: formatScaled(trade.qty, m.sizeDecimals),
      price: formatScaled(trade.price, m.priceDecimals),
      usd_amount: formatScaled(trade.qty * trade.price, m.sizeDecimals + m.priceDecimals).replace(/(\.\d{6})\d*$/, '$1'),
      ask_id: weAreAsk ? trade.orderId : trade.counterOrderId,
      ask_id_str: String(weAreAsk ? trade.orderId : trade.counterOrderId),
      bid_id: weAreAsk ? trade.counterOrderId : trade.orderId,
      bid_id_str: String(weAreAsk ? trade.counterOrderId : trade.orderId),
      ask_client_id: weAreAsk ? Number(trade.clientId) : 0,
      ask_client_id_str: weAreAsk ? trade.clientId : '0',
      bid_client_id: weAreAsk ? 0 : Number(trade.clientId),
      bid_client_id_str: weAreAsk ? '0' : trade.clientId,
      ask_account_id: weAreAsk ? us : MARKET_ACCOUNT,
      bid_account_id: weAreAsk ? MARKET_ACCOUNT : us,
      is_maker_ask: makerIsAsk,
      block_height: this.blockHeight,
      timestamp: trade.at,
      transaction_time: trade.at * 1000,
      taker_position_size_before: trade.maker ? '0.0000' : sizeBefore,
      taker_entry_quote_before: trade.maker ? '0.000000' : entryQuoteBefore,
      taker_initial_margin_fraction_before: 500,
      maker_position_size_before: trade.maker ? sizeBefore : '0.0000',
      maker_entry_quote_before: trade.maker ? entryQuoteBefore : '0.000000',
      maker_initial_margin_fraction_before: 500,
      taker_position_sign_changed: false,
      maker_position_sign_changed: false,
      ask_account_pnl: '0',
      bid_account_pnl: '0',
      integrator_taker_fee: 0,
      integrator_taker_fee_collector_index: 0,
      integrator_maker_fee: 0,
      integrator_maker_fee_collector_index: 0,
      taker_allocated_margin_usdc_before: 0,
      taker_allocated_margin_usdc_after: 0,
      maker_allocated_margin_usdc_before: 0,
      maker_allocated_margin_usdc_after: 0
    };
  }

  /**
   * account_all_trades: updates carry the new trades; the subscription's snapshot carries the
   * volumes only (the official front end's type; a snapshot with trades is not promised), so fills
   * made while a socket was down are not replayed.
   */
  private tradesMessage(kind: 'subscribed' | 'update', trades: ExchangeTrade[]) {
    const all = this.options.exchange.record.trades;
    const volume = all.reduce((sum, trade) => sum + (trade.qty * trade.price) / 10 ** (this.market.sizeDecimals + this.market.priceDecimals), 0);
    return {
      type: `${kind}/account_all_trades`,
      channel: `account_all_trades:${this.options.accountIndex}`,
      ...(kind === 'update' ? { trades: this.byMarket(trades.map((trade) => this.tradeJson(trade))) } : {}),
      total_volume: volume,
      monthly_volume: volume,
      weekly_volume: volume,
      daily_volume: volume
    };
  }

  private positionJson() {
    const m = this.market;
    const { qty, avgEntry } = this.options.exchange.position;
    return {
      market_id: m.marketId,
      symbol: m.symbol,
      initial_margin_fraction: '20.00',
      open_order_count: this.options.exchange.orders.size,
      pending_order_count: 0,
      position_tied_order_count: 0,
      sign: qty.isNeg() ? -1 : 1,
      position: qty.abs().toFixed(m.sizeDecimals),
      avg_entry_price: avgEntry.toFixed(m.priceDecimals),
      position_value: qty.abs().times(this.markPrice()).toFixed(2),
      unrealized_pnl: this.unrealisedPnl().toFixed(6),
      realized_pnl: '0.000000',
      liquidation_price: this.liquidationPrice().toFixed(m.priceDecimals),
      total_funding_paid_out: '0',
      margin_mode: 0,
      allocated_margin: '0.000000'
    };
  }

  private positionsMessage(kind: 'subscribed' | 'update') {
    return {
      type: `${kind}/account_all_positions`,
      channel: `account_all_positions:${this.options.accountIndex}`,
      positions: { [String(this.market.marketId)]: this.positionJson() },
      shares: []
    };
  }

  // ---------------------------------------------------------------- websocket

  private attach(socket: WebSocket): void {
    const session: Session = { socket, channels: new Set(), lastPongAt: this.options.clock.now(), heldFill: null, lastPublicTrades: [] };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('error', () => this.sessions.delete(session));
    socket.on('message', (data) => this.onFrame(session, data.toString()));
    // Pongs by hand, so that a half-open connection can be played: the socket stays, nothing comes back.
    socket.on('ping', (data) => {
      if (!this.options.faults.settings.halfOpen && socket.readyState === socket.OPEN) socket.pong(data);
    });
    this.send(session, { type: 'connected', session_id: randomUUID() });
    this.later(this.options.maxConnectionMs ?? 24 * 3600 * 1000, () => socket.close(1000, 'connection lifetime reached'));
  }

  private send(session: Session, message: unknown): void {
    const text = typeof message === 'string' ? message : toJson(message);
    const delay = this.options.faults.settings.delayMs;
    const write = () => {
      if (session.socket.readyState === session.socket.OPEN && !this.options.faults.settings.halfOpen) session.socket.send(text);
    };
    if (delay > 0) this.later(delay, write);
    else write();
  }

  private broadcast(channel: string, build: () => unknown): void {
    let text: string | null = null;
    for (const session of this.sessions) {
      if (!session.channels.has(channel)) continue;
      text ??= toJson(build());
      this.send(session, text);
    }
  }

  /** Fill messages honour the duplicate and reorder faults. */
  private broadcastFill(channel: string, message: unknown): void {
    const text = toJson(message);
    for (const session of this.sessions) {
      if (!session.channels.has(channel)) continue;
      deliverFill(
        session,
        text,
        this.options.faults.settings,
        (out) => this.send(session, out),
        (ms, fn) => this.later(ms, fn)
      );
    }
  }

  private wsError(session: Session, code: number, message: string, id?: unknown): void {
    this.send(session, id === undefined ? { error: { code, message } } : { error: { code, message }, id });
  }

  private onFrame(session: Session, text: string): void {
    let frame: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(text);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not an object');
      frame = parsed as Record<string, unknown>;
    } catch {
      this.wsError(session, 30001, 'Invalid JSON');
      return;
    }
    switch (frame.type) {
      case 'ping':
        this.send(session, { type: 'pong' });
        return;
      case 'pong':
        session.lastPongAt = this.options.clock.now();
        return;
      case 'subscribe':
        this.subscribe(session, frame.channel, frame.auth);
        return;
      case 'unsubscribe': {
        const channel = typeof frame.channel === 'string' ? frame.channel.replace('/', ':') : '';
        session.channels.delete(channel);
        // As CCXT and the official front end read it.
        this.send(session, { type: 'unsubscribed', channel });
        return;
      }
      case 'jsonapi/sendtx':
      case 'jsonapi/sendtxbatch':
        this.wsSendTx(session, frame);
        return;
      default:
        this.wsError(session, 30002, 'Invalid Type');
    }
  }

  private subscribe(session: Session, rawChannel: unknown, auth: unknown): void {
    const channel = typeof rawChannel === 'string' ? rawChannel : '';
    const byMarket = /^account_orders\/(\d+)\/(\d+)$/.exec(channel);
    if (byMarket) {
      // One market's orders of the account (CCXT's watchOrders(symbol)); auth required.
      const [, marketId, account] = byMarket as unknown as [string, string, string];
      const problem = Number(marketId) === this.market.marketId ? this.checkAuth(auth, Number(account)) : 'invalid market';
      if (problem) {
        this.wsError(session, 20013, problem);
        return;
      }
      session.channels.add(`account_orders:${marketId}:${account}`);
      this.send(session, this.marketOrdersMessage('subscribed', [...this.options.exchange.orders.values()]));
      return;
    }
    const match = /^(order_book|trade|account_all_trades|account_all_orders|account_all_positions)\/(\d+)$/.exec(channel);
    if (!match) {
      this.wsError(session, 30005, 'Invalid Channel');
      return;
    }
    const [, name, id] = match as unknown as [string, string, string];
    const key = `${name}:${id}`;
    if (session.channels.has(key)) {
      this.wsError(session, 30003, 'Already Subscribed');
      return;
    }
    if (name === 'trade') {
      // The public trades of the market (trade/{MARKET_INDEX}): no auth.
      if (Number(id) !== this.market.marketId) {
        this.wsError(session, 30005, 'Invalid Channel');
        return;
      }
      session.channels.add(key);
      // The subscription carries recent trades (lighter-python WSTradeUpdate; NautilusTrader's fixture): history, not news.
      this.send(session, {
        type: 'subscribed/trade',
        channel: `trade:${id}`,
        nonce: this.bookNonce,
        trades: this.publicTrades.slice(-20),
        liquidation_trades: []
      });
      return;
    }
    if (name === 'order_book') {
      if (Number(id) !== this.market.marketId) {
        this.wsError(session, 30005, 'Invalid Channel');
        return;
      }
      session.channels.add(key);
      // A silent feed sends nothing at all, not even the snapshot of a new subscription.
      if (this.options.faults.settings.staleFeed) return;
      const { bids, asks } = this.options.exchange.book();
      this.send(
        session,
        this.bookMessage(
          'subscribed/order_book',
          bids.map(([p, s]) => this.level(p, s)),
          asks.map(([p, s]) => this.level(p, s))
        )
      );
      return;
    }
    // account_all_trades needs no auth (lighter-python's WsClient; CCXT sends none); the others do.
    const problem =
      name === 'account_all_trades' && auth === undefined
        ? Number(id) === this.options.accountIndex
          ? null
          : 'unknown account'
        : this.checkAuth(auth, Number(id));
    if (problem || this.options.faults.take('refuseSubscriptions')) {
      this.wsError(session, 20013, problem ?? 'invalid auth: subscription refused');
      return;
    }
    session.channels.add(key);
    if (name === 'account_all_orders') this.send(session, this.ordersMessage('subscribed', [...this.options.exchange.orders.values()]));
    else if (name === 'account_all_trades') this.send(session, this.tradesMessage('subscribed', this.recentTrades.slice(-20)));
    else this.send(session, this.positionsMessage('subscribed'));
  }

  /** Auth token: "{deadline}:{account}:{apiKey}:{160 hex}", valid for at most 8 h before its deadline. */
  /** Auth tokens presented to this emulator (tests check they leak nowhere). */
  readonly authTokensSeen = new Set<string>();

  checkAuth(auth: unknown, account: number): string | null {
    if (typeof auth !== 'string') return 'missing auth token';
    this.authTokensSeen.add(auth);
    const match = /^(\d{1,12}):(\d{1,16}):(\d{1,3}):([0-9a-f]{160})$/.exec(auth);
    if (!match) return 'invalid auth token format';
    const deadline = Number(match[1]);
    const nowSeconds = Math.floor(this.options.clock.now() / 1000);
    if (deadline <= nowSeconds) return 'auth token expired';
    if (deadline - 8 * 3600 > nowSeconds) return 'auth token not valid yet';
    if (Number(match[2]) !== account || account !== this.options.accountIndex) return 'auth token is for another account';
    if (!this.nonces.has(Number(match[3]))) return 'auth token api key is not registered';
    return null;
  }

  private schedulePing(): void {
    const interval = this.options.pingIntervalMs ?? 60_000;
    const timeout = this.options.pongTimeoutMs ?? 30_000;
    this.later(interval, () => {
      const now = this.options.clock.now();
      for (const session of this.sessions) {
        if (now - session.lastPongAt > interval + timeout) {
          session.socket.close(1008, 'no pong');
          continue;
        }
        this.send(session, { type: 'ping' });
      }
      this.schedulePing();
    });
  }

  private wsSendTx(session: Session, frame: Record<string, unknown>): void {
    const data = (frame.data ?? {}) as Record<string, unknown>;
    const id = data.id;
    try {
      if (this.options.faults.take('rateLimit') || !this.withinLimit(6)) throw new LighterError(23000, 'Too Many Requests', 429);
      if (frame.type === 'jsonapi/sendtx') {
        const txInfo = typeof data.tx_info === 'string' ? data.tx_info : JSON.stringify(data.tx_info);
        const hash = this.sendTx(data.tx_type, txInfo);
        const answer = { type: 'jsonapi/sendtx', code: 200, id, tx_hash: hash, predicted_execution_time_ms: this.options.clock.now() + 200 };
        if (Number(data.tx_type) === LIGHTER_TX.createOrder && this.options.faults.take('lostAcks')) {
          // Executed, but the connection dies before the answer.
          session.socket.terminate();
          return;
        }
        const delay = Number(data.tx_type) === LIGHTER_TX.createOrder ? this.options.faults.settings.ackDelayMs : 0;
        if (delay > 0) this.later(delay, () => this.send(session, answer));
        else this.send(session, answer);
      } else {
        const hashes = this.sendBatch(data.tx_types, data.tx_infos);
        this.send(session, { type: 'jsonapi/sendtxbatch', code: 200, id, tx_hash: hashes, predicted_execution_time_ms: this.options.clock.now() + 200 });
      }
    } catch (error) {
      const e = this.answerError(error instanceof LighterError ? error : new LighterError(21501, 'invalid tx info'));
      // A refused tx comes back as jsonapi/sendtx with its code (asyncapi TxResponse), or as an
      // error frame with no id at all (the idlessTxErrors fault): both are answers.
      if (this.options.faults.settings.idlessTxErrors) this.wsError(session, e.code, e.message);
      else this.send(session, { type: frame.type, ...(id === undefined ? {} : { id }), code: e.code, message: e.message });
    }
  }

  /** "invalid nonce" comes as 21104, or as {"code":400,"message":"invalid nonce"} (the nonceErrorAs400 fault, as lighter-python#60 saw it). */
  private answerError(e: LighterError): LighterError {
    return e.code === 21104 && this.options.faults.settings.nonceErrorAs400 ? new LighterError(400, 'invalid nonce', 400) : e;
  }

  // ---------------------------------------------------------------- transactions

  private sendBatch(types: unknown, infos: unknown): string[] {
    let txTypes: unknown;
    let txInfos: unknown;
    try {
      txTypes = JSON.parse(String(types));
      txInfos = JSON.parse(String(infos));
    } catch {
      throw new LighterError(21501, 'invalid tx info');
    }
    if (!Array.isArray(txTypes) || !Array.isArray(txInfos) || txTypes.length !== txInfos.length || txTypes.length === 0) {
      throw new LighterError(21501, 'invalid tx info');
    }
    if (txTypes.length > 50) throw new LighterError(21514, 'batch size exceeds 50');
    // A batch is sequenced in order at once, so that a cancel followed by a new order with the
    // same client order index (cancel-replace) works as on the venue.
    return txTypes.map((type, index) => this.sendTx(type, String(txInfos[index]), true));
  }

  /** Validates and accepts one tx; its effect follows after `processingMs`. Returns the tx hash. */
  sendTx(rawType: unknown, txInfoText: string, immediate = false): string {
    const type = Number(rawType);
    let info: Record<string, unknown>;
    try {
      const parsed: unknown = JSON.parse(txInfoText);
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new TypeError('not an object');
      info = parsed as Record<string, unknown>;
    } catch {
      throw new LighterError(21501, 'invalid tx info');
    }
    const fields: Record<number, string[]> = {
      [LIGHTER_TX.createOrder]: [
        'AccountIndex',
        'ApiKeyIndex',
        'MarketIndex',
        'ClientOrderIndex',
        'BaseAmount',
        'Price',
        'IsAsk',
        'Type',
        'TimeInForce',
        'ReduceOnly',
        'TriggerPrice',
        'OrderExpiry',
        'ExpiredAt',
        'Nonce',
        'Sig'
      ],
      [LIGHTER_TX.cancelOrder]: ['AccountIndex', 'ApiKeyIndex', 'MarketIndex', 'Index', 'ExpiredAt', 'Nonce', 'Sig'],
      [LIGHTER_TX.cancelAll]: ['AccountIndex', 'ApiKeyIndex', 'TimeInForce', 'Time', 'ExpiredAt', 'Nonce', 'Sig']
    };
    const expected = fields[type];
    if (!expected) throw new LighterError(21505, 'unsupported tx type');
    const keys = Object.keys(info).filter((key) => key !== 'L2TxAttributes');
    const missing = expected.filter((key) => !(key in info));
    const unknown = keys.filter((key) => !expected.includes(key));
    if (missing.length || unknown.length)
      throw new LighterError(21501, `invalid tx info: ${missing.length ? `missing ${missing.join(',')}` : `unknown ${unknown.join(',')}`}`);
    for (const key of expected) {
      if (key !== 'Sig' && !Number.isSafeInteger(info[key])) throw new LighterError(21501, `invalid tx info: ${key} must be an integer`);
    }
    if (info.L2TxAttributes !== undefined && info.L2TxAttributes !== null && typeof info.L2TxAttributes !== 'object') {
      throw new LighterError(21501, 'invalid tx info: L2TxAttributes');
    }
    const int = (key: string) => info[key] as number;
    if (typeof info.Sig !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(info.Sig) || Buffer.from(info.Sig, 'base64').length !== 80) {
      throw new LighterError(21120, 'invalid signature');
    }
    if (int('AccountIndex') !== this.options.accountIndex) throw new LighterError(21501, 'invalid tx info: unknown account');
    const apiKey = int('ApiKeyIndex');
    const expectedNonce = this.nonces.get(apiKey);
    if (expectedNonce === undefined) throw new LighterError(21136, 'invalid PublicKey, update the sdk');
    if (int('ExpiredAt') <= this.options.clock.now()) throw new LighterError(21501, 'invalid tx info: tx expired');
    // L2TxAttributes {"4": 1} is the signer's skip-nonce flag (CCXT sets it on every tx): any nonce
    // not used before by the key is taken, and the sequence is left alone.
    const attributes = (info.L2TxAttributes ?? {}) as Record<string, unknown>;
    const skipNonce = attributes['4'] === 1;
    if (skipNonce) {
      const used = this.skippedNonces.get(apiKey) ?? new Set<number>();
      if (used.has(int('Nonce'))) throw new LighterError(21104, 'invalid nonce');
      used.add(int('Nonce'));
      this.skippedNonces.set(apiKey, used);
    } else if (int('Nonce') !== expectedNonce) throw new LighterError(21104, 'invalid nonce');

    let effect: () => void;
    if (type === LIGHTER_TX.createOrder) effect = this.checkCreate(info, int);
    else if (type === LIGHTER_TX.cancelOrder) effect = this.checkCancel(int);
    else effect = this.checkCancelAll(int);

    // Accepted: the nonce is consumed, the effect follows once "sequenced", after the account tier's
    // delay (Standard: takers 300 ms, makers and cancels 200 ms).
    if (!skipNonce) this.nonces.set(apiKey, expectedNonce + 1);
    const tier = this.options.tierDelays;
    const taker = type === LIGHTER_TX.createOrder && int('TimeInForce') === 0;
    const tierDelay =
      (!tier ? 0 : type === LIGHTER_TX.createOrder ? (taker ? tier.takerMs : tier.makerMs) : tier.cancelMs) +
      (taker ? this.options.faults.settings.takerDelayMs : 0);
    if (immediate && tierDelay === 0) effect();
    else this.later((immediate ? 0 : (this.options.processingMs ?? 2)) + tierDelay, effect);
    return txHash(txInfoText);
  }

  private checkCreate(info: Record<string, unknown>, int: (key: string) => number): () => void {
    const m = this.market;
    if (int('MarketIndex') !== m.marketId) throw new LighterError(21602, 'invalid market index');
    const coi = int('ClientOrderIndex');
    if (coi < 1 || coi > MAX_48) throw new LighterError(21727, 'invalid client order index');
    if (this.options.exchange.orders.has(String(coi))) throw new LighterError(21728, 'client order index already exists');
    const base = int('BaseAmount');
    if (base < 1 || base > MAX_48) throw new LighterError(21701, 'invalid base amount');
    const price = int('Price');
    if (price < 1 || price > MAX_32) throw new LighterError(21702, 'invalid price');
    if (![0, 1].includes(int('IsAsk')) || ![0, 1].includes(int('ReduceOnly'))) throw new LighterError(21501, 'invalid tx info: IsAsk/ReduceOnly');
    const type = int('Type');
    const tif = int('TimeInForce');
    if (![0, 1].includes(type)) throw new LighterError(21501, 'invalid tx info: unsupported order type');
    if (![0, 1, 2].includes(tif)) throw new LighterError(21705, 'invalid time in force');
    if (type === 1 && tif !== 0) throw new LighterError(21705, 'invalid time in force');
    const expiry = int('OrderExpiry');
    const now = this.options.clock.now();
    if (tif === 0 ? expiry !== 0 : expiry < now + 5 * 60_000 || expiry > now + 30 * 86_400_000) throw new LighterError(21711, 'invalid expiry');
    if (int('TriggerPrice') !== 0) throw new LighterError(21501, 'invalid tx info: trigger price');
    // Minimums compared in exact integers: size in size units, notional in size x price units.
    const minBase = parseScaled(m.minBaseAmount, m.sizeDecimals, 'min_base_amount');
    const quoteScaled = BigInt(base) * BigInt(price);
    const minQuote = BigInt(parseScaled(m.minQuoteAmount, m.sizeDecimals + m.priceDecimals, 'min_quote_amount'));
    if (int('ReduceOnly') === 0 && (base < minBase || quoteScaled < minQuote)) throw new LighterError(21706, 'invalid base or quote amount');
    const order = {
      clientId: String(coi),
      side: int('IsAsk') === 1 ? ('sell' as const) : ('buy' as const),
      price,
      qty: base,
      type: type === 1 ? ('market' as const) : ('limit' as const),
      tif: tif === 0 ? ('ioc' as const) : tif === 2 ? ('post_only' as const) : ('gtt' as const),
      reduceOnly: int('ReduceOnly') === 1,
      expiresAt: expiry,
      meta: {
        nonce: int('Nonce'),
        apiKey: int('ApiKeyIndex'),
        ...(tif === 0 && this.options.faults.take('takerPartial') ? { fillCap: Math.floor(base / 2) } : {})
      }
    };
    if (tif === 0 && (this.options.makerOnlyKeys ?? []).includes(int('ApiKeyIndex'))) throw new LighterError(21740, 'api key is maker only');
    if (this.options.faults.take('rejectOrders')) throw new LighterError(21739, 'not enough margin');
    if (tif === 0 && this.options.faults.take('rejectTakerOrders')) throw new LighterError(21739, 'not enough margin');
    void info;
    return () => this.options.exchange.submit(order);
  }

  private checkCancel(int: (key: string) => number): () => void {
    if (int('MarketIndex') !== this.market.marketId) throw new LighterError(21602, 'invalid market index');
    const index = String(int('Index'));
    const exchange = this.options.exchange;
    const active = exchange.orders.has(index) || [...exchange.orders.values()].some((order) => String(order.orderId) === index);
    if (!active) throw new LighterError(21715, 'not an active order');
    return () => {
      // The race: the order fills while the cancel is on its way; the cancel then finds nothing.
      if (this.options.faults.settings.fillDuringCancel) exchange.fillResting(index);
      exchange.cancel(index);
    };
  }

  private cancelAllTimer: ReturnType<Clock['setTimeout']> | null = null;
  /** When the scheduled cancel-all (Lighter's dead man's switch) fires, if one is set. */
  scheduledCancelAllAt: number | null = null;

  private checkCancelAll(int: (key: string) => number): () => void {
    const tif = int('TimeInForce');
    const time = int('Time');
    if (tif === 0) {
      if (time !== 0) throw new LighterError(21501, 'invalid tx info: Time must be 0');
      return () => this.options.exchange.cancelAll();
    }
    if (tif === 1) {
      const now = this.options.clock.now();
      if (time < now + 5 * 60_000 || time > now + 15 * 86_400_000) throw new LighterError(21711, 'invalid expiry');
      // A venue may refuse a second schedule while one is queued (21712 is in CCXT's table).
      if (this.options.faults.settings.refuseSecondCancelAll && this.scheduledCancelAllAt !== null)
        throw new LighterError(21712, 'cancel all already scheduled');
      return () => {
        if (this.cancelAllTimer) this.options.clock.clearTimeout(this.cancelAllTimer);
        this.scheduledCancelAllAt = time;
        this.cancelAllTimer = this.options.clock.setTimeout(() => {
          this.scheduledCancelAllAt = null;
          this.cancelAllTimer = null;
          this.options.exchange.cancelAll();
        }, time - this.options.clock.now());
      };
    }
    if (tif === 2) {
      return () => {
        if (this.cancelAllTimer) this.options.clock.clearTimeout(this.cancelAllTimer);
        this.cancelAllTimer = null;
        this.scheduledCancelAllAt = null;
      };
    }
    throw new LighterError(21705, 'invalid time in force');
  }

  // ---------------------------------------------------------------- REST

  private async http(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    try {
      if (url.pathname.startsWith('/_emulator/')) {
        await handleControl(request, response, url, this.options.faults, this.options.exchange);
        return;
      }
      const faults = this.options.faults;
      if (faults.settings.slowRestMs > 0) await new Promise<void>((resolve) => this.later(faults.settings.slowRestMs, resolve));
      if (faults.take('rateLimit') || !this.withinLimit(restWeight(url.pathname))) throw new LighterError(23000, 'Too Many Requests', 429);
      if (faults.take('restErrors')) throw new LighterError(29500, 'internal server error', 500);
      const route = `${request.method} ${url.pathname}`;
      const q = url.searchParams;
      // Private reads take the auth token as the `authorization` header, or the `auth` or
      // `authorization` query parameter (the openapi declares both; lighter-python sends the latter).
      const auth = request.headers.authorization ?? q.get('authorization') ?? q.get('auth') ?? undefined;
      const authed = (account: number) => {
        const problem = this.checkAuth(auth, account);
        if (problem) throw new LighterError(20013, problem, 401);
      };
      // The venue's record lags its matching by restRecordDelayMs (a fault): a fill is on the stream first.
      const recorded = this.options.clock.now() - faults.settings.restRecordDelayMs;
      switch (route) {
        case 'GET /':
          this.reply(request, response, 200, { status: 200, network_id: 1, timestamp: Math.floor(this.options.clock.now() / 1000) });
          return;
        case 'GET /api/v1/assetDetails':
          this.reply(request, response, 200, { code: 200, asset_details: this.assetsJson() });
          return;
        case 'GET /api/v1/orderBookOrders': {
          const limit = Number(q.get('limit'));
          if (Number(q.get('market_id')) !== this.market.marketId) throw new LighterError(21602, 'invalid market index');
          if (!Number.isSafeInteger(limit) || limit < 1 || limit > 250) throw new LighterError(21501, 'invalid limit');
          const { bids, asks } = this.options.exchange.book();
          const side = (levels: Array<[number, number]>, start: number) =>
            levels.slice(0, limit).map(([price, size], i) => ({
              order_index: start + i,
              order_id: String(start + i),
              owner_account_index: MARKET_ACCOUNT,
              initial_base_amount: formatScaled(size, this.market.sizeDecimals),
              remaining_base_amount: formatScaled(size, this.market.sizeDecimals),
              price: formatScaled(price, this.market.priceDecimals),
              order_expiry: this.options.clock.now() + 86_400_000,
              transaction_time: this.options.clock.now() * 1000
            }));
          this.reply(request, response, 200, {
            code: 200,
            total_asks: asks.length,
            asks: side(asks, 1_000_000),
            total_bids: bids.length,
            bids: side(bids, 2_000_000)
          });
          return;
        }
        case 'GET /api/v1/recentTrades': {
          const limit = Number(q.get('limit'));
          if (Number(q.get('market_id')) !== this.market.marketId) throw new LighterError(21602, 'invalid market index');
          if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw new LighterError(21501, 'invalid limit');
          this.reply(request, response, 200, {
            code: 200,
            trades: this.publicTrades
              .slice(-limit)
              .reverse()
              .map((trade) => this.publicTradeRecord(trade))
          });
          return;
        }
        case 'GET /api/v1/trades': {
          // The account's trades (auth), newest first, paged by next_cursor; by order_index, by market.
          const limit = Number(q.get('limit'));
          if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw new LighterError(21501, 'invalid limit');
          if (!['block_height', 'timestamp', 'trade_id'].includes(q.get('sort_by') ?? '')) throw new LighterError(21501, 'invalid sort_by');
          const account = Number(q.get('account_index') ?? -1);
          authed(account);
          const marketId = q.get('market_id');
          if (marketId !== null && marketId !== '255' && Number(marketId) !== this.market.marketId) {
            this.reply(request, response, 200, { code: 200, trades: [] });
            return;
          }
          const orderIndex = q.get('order_index');
          const all = this.options.exchange.record.trades
            .filter((trade) => trade.at <= recorded && (orderIndex === null || String(trade.orderId) === orderIndex))
            .reverse();
          const cursor = q.get('cursor');
          const start = cursor ? all.findIndex((trade) => String(trade.tradeId) === cursor) + 1 : 0;
          const page = all.slice(start, start + limit);
          const more = start + limit < all.length;
          this.reply(request, response, 200, {
            code: 200,
            trades: page.map((trade) => this.tradeJson(trade)),
            ...(more ? { next_cursor: String(page.at(-1)?.tradeId) } : {})
          });
          return;
        }
        case 'GET /api/v1/accountOrders': {
          // By client order index (comma-separated), open and finished alike.
          const account = Number(q.get('account_index') ?? this.options.accountIndex);
          authed(account);
          const wanted = new Set((q.get('client_order_indexes') ?? '').split(',').filter((text) => /^\d+$/.test(text)));
          if (wanted.size === 0) throw new LighterError(21501, 'invalid client_order_indexes');
          const found = this.options.exchange.record.orders.filter((order) => wanted.has(order.clientId) && order.createdAt <= recorded);
          this.reply(request, response, 200, { code: 200, orders: found.map((order) => this.orderJson(order)) });
          return;
        }
        case 'GET /api/v1/accountLimits': {
          const account = Number(q.get('account_index'));
          authed(account);
          const tier = this.options.userTier ?? 'std';
          this.reply(request, response, 200, {
            code: 200,
            max_llp_percentage: 25,
            max_llp_amount: '0',
            user_tier: tier,
            user_tier_name: tier === 'std' ? 'standard' : tier,
            can_create_public_pool: false,
            current_maker_fee_tick: this.options.feeRates?.maker ?? 0,
            current_taker_fee_tick: this.options.feeRates?.taker ?? 0,
            leased_lit: '0',
            effective_lit_stakes: '0'
          });
          return;
        }
        case 'GET /api/v1/getMakerOnlyApiKeys': {
          const account = Number(q.get('account_index'));
          authed(account);
          this.reply(request, response, 200, { code: 200, api_key_indexes: this.options.makerOnlyKeys ?? [] });
          return;
        }
        case 'GET /api/v1/orderBooks':
          this.reply(request, response, 200, { code: 200, order_books: this.marketsFor(q.get('market_id')).map(() => this.orderBookInfo()) });
          return;
        case 'GET /api/v1/orderBookDetails':
          this.reply(request, response, 200, {
            code: 200,
            order_book_details: this.marketsFor(q.get('market_id')).map(() => this.orderBookDetails()),
            spot_order_book_details: []
          });
          return;
        case 'GET /api/v1/funding-rates':
          // As the venue answers: every market of several exchanges, rates as JSON numbers (per hour).
          this.reply(request, response, 200, {
            code: 200,
            funding_rates: [
              { market_id: this.market.marketId, exchange: 'binance', symbol: this.market.symbol, rate: 0.0001 },
              { market_id: this.market.marketId, exchange: 'lighter', symbol: this.market.symbol, rate: EMULATED_FUNDING_RATE }
            ]
          });
          return;
        case 'GET /api/v1/account': {
          if (q.get('by') !== 'index' || Number(q.get('value')) !== this.options.accountIndex) {
            throw new LighterError(21100, 'account not found', 400);
          }
          this.reply(request, response, 200, { code: 200, total: 1, accounts: [this.accountJson()] });
          return;
        }
        case 'GET /api/v1/nextNonce': {
          const nonce = this.nonces.get(Number(q.get('api_key_index')));
          if (Number(q.get('account_index')) !== this.options.accountIndex || nonce === undefined) {
            throw new LighterError(21136, 'invalid PublicKey, update the sdk');
          }
          this.reply(request, response, 200, { code: 200, nonce });
          return;
        }
        case 'GET /api/v1/accountActiveOrders': {
          authed(Number(q.get('account_index')));
          this.reply(request, response, 200, { code: 200, orders: [...this.options.exchange.orders.values()].map((order) => this.orderJson(order)) });
          return;
        }
        case 'GET /api/v1/apikeys': {
          // The registered keys of an account (255 = all). The emulator knows indexes, not the keys'
          // public halves: it shows a stand-in; a token signed with a key is what it checks.
          const account = Number(q.get('account_index'));
          const index = Number(q.get('api_key_index'));
          if (account !== this.options.accountIndex) throw new LighterError(21100, 'account not found', 400);
          const keys = [...this.nonces.keys()].filter((key) => index === 255 || key === index);
          this.reply(request, response, 200, {
            code: 200,
            api_keys: keys.map((key) => ({
              account_index: account,
              api_key_index: key,
              nonce: this.nonces.get(key),
              public_key: `0x${txHash(`pk-${account}-${key}`).slice(0, 80)}`,
              transaction_time: 0
            }))
          });
          return;
        }
        case 'GET /api/v1/accountInactiveOrders': {
          // Finished orders, newest first, `limit` (1..100) at most, as lighter-python's OrderApi pages them.
          authed(Number(q.get('account_index')));
          const limit = Number(q.get('limit'));
          if (!Number.isSafeInteger(limit) || limit < 1 || limit > 100) throw new LighterError(21501, 'invalid limit');
          const finished = this.options.exchange.record.orders
            .filter((order) => order.state !== 'open' && order.updatedAt <= recorded)
            .slice(-limit)
            .reverse();
          this.reply(request, response, 200, { code: 200, next_cursor: '', orders: finished.map((order) => this.orderJson(order)) });
          return;
        }
        case 'POST /api/v1/sendTx': {
          const form = parseForm(request.headers['content-type'], await readBody(request));
          if (form.tx_type === undefined || form.tx_info === undefined) throw new LighterError(21501, 'invalid tx info');
          let hash: string;
          try {
            hash = this.sendTx(form.tx_type, form.tx_info);
          } catch (error) {
            throw error instanceof LighterError ? this.answerError(error) : error;
          }
          if (Number(form.tx_type) === LIGHTER_TX.createOrder && faults.take('lostAcks')) {
            // Executed, but the connection dies before the answer.
            request.socket.destroy();
            return;
          }
          if (Number(form.tx_type) === LIGHTER_TX.createOrder && faults.settings.ackDelayMs > 0) {
            await new Promise<void>((resolve) => this.later(faults.settings.ackDelayMs, resolve));
          }
          this.reply(request, response, 200, {
            code: 200,
            message: '{"ratelimit": "didn\'t use volume quota"}',
            tx_hash: hash,
            predicted_execution_time_ms: this.options.clock.now() + 200,
            volume_quota_remaining: 0
          });
          return;
        }
        case 'POST /api/v1/sendTxBatch': {
          const form = parseForm(request.headers['content-type'], await readBody(request));
          const hashes = this.sendBatch(form.tx_types, form.tx_infos);
          this.reply(request, response, 200, {
            code: 200,
            message: '',
            tx_hash: hashes,
            predicted_execution_time_ms: this.options.clock.now() + 200,
            volume_quota_remaining: 0
          });
          return;
        }
        default:
          this.reply(request, response, 404, { code: 404, message: 'not found' });
      }
    } catch (error) {
      const e = error instanceof LighterError ? error : new LighterError(21501, `invalid request: ${(error as Error).message}`);
      this.reply(request, response, e.httpStatus, { code: e.code, message: e.message });
    }
  }

  /** Every REST answer goes out here: the tap (the conformance tests) sees each one as sent. */
  private reply(request: IncomingMessage, response: ServerResponse, status: number, body: unknown): void {
    this.options.answerTap?.({ method: request.method ?? 'GET', path: new URL(request.url ?? '/', 'http://localhost').pathname, status, body });
    sendJson(response, status, body);
  }

  /** Send times and weights of the rolling minute (the account's rate limit). */
  private readonly requests: Array<{ at: number; weight: number }> = [];

  /** Counts a request against the account's limit; false when it is over (the venue answers 429). */
  private withinLimit(weight: number): boolean {
    const limit = this.options.requestLimit;
    if (!limit) return true;
    const now = this.options.clock.now();
    while (this.requests.length > 0 && (this.requests[0] as { at: number }).at <= now - 60_000) this.requests.shift();
    const weightUsed = this.requests.reduce((sum, entry) => sum + entry.weight, 0);
    if (this.requests.length + 1 > limit.perMinute || weightUsed + weight > limit.weightPerMinute) return false;
    this.requests.push({ at: now, weight });
    return true;
  }

  private assetsJson() {
    const asset = (asset_id: number, symbol: string, decimals: number) => ({
      asset_id,
      symbol,
      l1_decimals: decimals,
      decimals,
      min_transfer_amount: '1.000000',
      min_withdrawal_amount: '1.000000',
      margin_mode: asset_id === 3 ? 'enabled' : 'disabled',
      index_price: asset_id === 3 ? '1.000000' : this.markPrice().toFixed(2),
      price_decimals: 6,
      l1_address: '0x0000000000000000000000000000000000000001',
      loan_to_value: '0',
      liquidation_threshold: '0',
      liquidation_factor: '0',
      liquidation_fee: '0',
      global_supply_cap: '0',
      user_supply_cap: '0',
      total_supplied: '0',
      multiplier: '1'
    });
    return [asset(3, 'USDC', 6), asset(1, this.market.symbol, this.market.sizeDecimals)];
  }

  /** A public trade as GET recentTrades lists it (the Trade schema, accounts of the market's flow). */
  private publicTradeRecord(trade: Record<string, unknown>) {
    return {
      ...trade,
      tx_hash: txHash(`public:${String(trade.trade_id)}`),
      ask_id: 0,
      bid_id: 0,
      ask_client_id: 0,
      ask_client_id_str: '0',
      bid_client_id: 0,
      bid_client_id_str: '0',
      ask_account_id: MARKET_ACCOUNT,
      bid_account_id: MARKET_ACCOUNT + 1,
      block_height: this.blockHeight,
      transaction_time: Number(trade.timestamp) * 1000,
      taker_position_size_before: '0',
      taker_entry_quote_before: '0',
      taker_initial_margin_fraction_before: 0,
      taker_position_sign_changed: false,
      maker_position_size_before: '0',
      maker_entry_quote_before: '0',
      maker_initial_margin_fraction_before: 0,
      maker_position_sign_changed: false,
      ask_account_pnl: '0',
      bid_account_pnl: '0',
      integrator_taker_fee: 0,
      integrator_taker_fee_collector_index: 0,
      integrator_maker_fee: 0,
      integrator_maker_fee_collector_index: 0,
      taker_allocated_margin_usdc_before: 0,
      taker_allocated_margin_usdc_after: 0,
      maker_allocated_margin_usdc_before: 0,
      maker_allocated_margin_usdc_after: 0
    };
  }

  /** account_orders/{market}/{account}: one market's orders of the account. */
  private marketOrdersMessage(kind: 'subscribed' | 'update', orders: ExchangeOrder[]) {
    return {
      type: `${kind}/account_orders`,
      channel: `account_orders:${this.market.marketId}:${this.options.accountIndex}`,
      account: this.options.accountIndex,
      nonce: this.bookNonce,
      orders: { [String(this.market.marketId)]: orders.map((order) => this.orderJson(order)) }
    };
  }

  /**
   * A trade of another market of the account (another bot, the web app; the foreignTrade fault):
   * it arrives on the account channel like ours, keyed by its own market (or in the flat list).
   */
  private foreignTrade(): void {
    const foreignMarket = this.market.marketId + 1;
    const trade = {
      trade_id: 9_000_000 + this.requests.length,
      trade_id_str: String(9_000_000 + this.requests.length),
      tx_hash: txHash(`foreign:${this.options.clock.now()}`),
      type: 'trade',
      market_id: foreignMarket,
      size: '0.01000',
      price: '97000.0',
      usd_amount: '970.000000',
      ask_id: 1,
      bid_id: 2,
      ask_client_id: 0,
      bid_client_id: 777,
      ask_account_id: MARKET_ACCOUNT,
      bid_account_id: this.options.accountIndex,
      is_maker_ask: true,
      block_height: this.blockHeight,
      timestamp: this.options.clock.now(),
      transaction_time: this.options.clock.now() * 1000
    };
    const channel = `account_all_trades:${this.options.accountIndex}`;
    this.broadcastFill(channel, {
      type: 'update/account_all_trades',
      channel,
      trades: this.options.faults.settings.flatLists ? [trade] : { [String(foreignMarket)]: [trade] }
    });
  }

  private marketsFor(marketId: string | null): number[] {
    if (marketId === null || marketId === '255' || Number(marketId) === this.market.marketId) return [this.market.marketId];
    throw new LighterError(21602, 'invalid market index');
  }

  private orderBookInfo() {
    const m = this.market;
    return {
      symbol: m.symbol,
      market_id: m.marketId,
      market_type: 'perp',
      base_asset_id: 1,
      quote_asset_id: 3,
      status: 'active',
      taker_fee: '0.0000',
      maker_fee: '0.0000',
      is_taker_fee_enabled: true,
      is_maker_fee_enabled: true,
      liquidation_fee: '1.0000',
      min_base_amount: m.minBaseAmount,
      min_quote_amount: m.minQuoteAmount,
      order_quote_limit: '281474976.710655',
      supported_size_decimals: m.sizeDecimals,
      supported_price_decimals: m.priceDecimals,
      supported_quote_decimals: 6,
      created_at: '1737098583000',
      multiplier: '1.000000000000000000'
    };
  }

  private orderBookDetails() {
    const { bids, asks } = this.options.exchange.book();
    const mid = bids[0] && asks[0] ? formatScaled(Math.round((bids[0][0] + asks[0][0]) / 2), this.market.priceDecimals) : '0';
    return {
      ...this.orderBookInfo(),
      size_decimals: this.market.sizeDecimals,
      price_decimals: this.market.priceDecimals,
      quote_multiplier: 1,
      default_initial_margin_fraction: 500,
      min_initial_margin_fraction: 200,
      maintenance_margin_fraction: 120,
      closeout_margin_fraction: 80,
      mark_price: mid,
      index_price: mid,
      // Numbers in the schema (doubles), unlike the prices above.
      last_trade_price: Number(mid),
      daily_trades_count: 0,
      daily_base_token_volume: 0,
      daily_quote_token_volume: 0,
      daily_price_low: Number(mid),
      daily_price_high: Number(mid),
      daily_price_change: 0,
      open_interest: 0,
      daily_chart: {},
      market_config: {
        market_margin_mode: 0,
        insurance_fund_account_index: 0,
        liquidation_mode: 0,
        force_reduce_only: false,
        trading_hours: '',
        rfq_enabled: false
      },
      strategy_index: 0,
      market_flags: 0,
      funding_premium_multiplier: 1,
      funding_clamp_small: '0.0005',
      funding_clamp_big: '0.005',
      base_interest_rate: '0.0001'
    };
  }

  /** The book's mid, as the venue's mark (the emulator has no index). */
  private markPrice(): Decimal {
    const { bids, asks } = this.options.exchange.book();
    if (!bids[0] || !asks[0]) return new Decimal(0);
    return new Decimal(bids[0][0] + asks[0][0]).div(2).div(10 ** this.market.priceDecimals);
  }

  private unrealisedPnl(): Decimal {
    const { qty, avgEntry } = this.options.exchange.position;
    return qty.times(this.markPrice().minus(avgEntry));
  }

  /**
   * Cross margin: the price where the account's equity (collateral + the position's PnL) falls to
   * the maintenance margin (1.2 % of the position's value). 0 when there is no such price.
   */
  private liquidationPrice(): Decimal {
    const { qty, avgEntry } = this.options.exchange.position;
    if (qty.isZero()) return new Decimal(0);
    const collateral = new Decimal(EMULATED_COLLATERAL);
    const m = new Decimal('0.012');
    const price = qty
      .times(avgEntry)
      .minus(collateral)
      .div(qty.minus(m.times(qty.abs())));
    return price.gt(0) ? price : new Decimal(0);
  }

  private accountJson() {
    const { qty } = this.options.exchange.position;
    const equity = new Decimal(EMULATED_COLLATERAL).plus(this.unrealisedPnl());
    // Initial margin: 5 % of the position's value (default_initial_margin_fraction 500).
    const available = equity.minus(qty.abs().times(this.markPrice()).times('0.05'));
    return {
      code: 0,
      account_type: 0,
      index: this.options.accountIndex,
      account_index: this.options.accountIndex,
      l1_address: '0x0000000000000000000000000000000000000001',
      cancel_all_time: this.scheduledCancelAllAt ?? 0,
      total_order_count: this.options.exchange.orders.size,
      total_isolated_order_count: 0,
      pending_order_count: 0,
      available_balance: available.toFixed(6),
      status: 1,
      collateral: new Decimal(EMULATED_COLLATERAL).toFixed(6),
      transaction_time: this.options.clock.now() * 1000,
      name: '',
      description: '',
      can_invite: false,
      referral_points_percentage: '0',
      can_rfq: false,
      can_rfq_market_ids: [],
      created_at: 1_737_098_583_000,
      metadata: { color: '' },
      total_asset_value: equity.toFixed(6),
      cross_asset_value: equity.toFixed(6),
      cross_initial_margin_requirement: qty.abs().times(this.markPrice()).times('0.05').toFixed(6),
      cross_maintenance_margin_requirement: qty.abs().times(this.markPrice()).times('0.012').toFixed(6),
      pool_info: {
        status: 0,
        operator_fee: '0',
        min_operator_share_rate: '0',
        total_shares: 0,
        operator_shares: 0,
        annual_percentage_yield: 0,
        sharpe_ratio: 0,
        daily_returns: [],
        share_prices: [],
        strategies: []
      },
      positions: qty.isZero() && this.options.exchange.record.trades.length === 0 ? [] : [{ ...this.positionJson(), margin_set_flag: 0, total_discount: '0' }],
      assets: [],
      shares: []
    };
  }
}

/** The weight of a REST request in the venue's weighted limit (apidocs "Rate limits"). */
function restWeight(path: string): number {
  const route = path.replace(/^\/api\/v1\//, '');
  if (route === 'sendTx' || route === 'sendTxBatch' || route === 'nextNonce') return 6;
  if (route === 'accountInactiveOrders') return 100;
  if (route === 'apikeys') return 150;
  if (route === 'trades' || route === 'recentTrades') return 600;
  return 300;
}

/** A 40-byte hex hash, like Lighter's tx hashes (deterministic for the same input). */
export function txHash(input: string): string {
  const first = createHash('sha256').update(input).digest();
  const second = createHash('sha256').update(first).digest();
  return Buffer.concat([first, second]).subarray(0, 40).toString('hex');
}
