/**
 * The Extended emulator: REST under /api/v1 and the streams under /stream.extended.exchange/v1,
 * speaking Extended's protocol as the venue's own code shows it (x10xchange/python_sdk's models and
 * stream client, CCXT's extended and pro code; docs/emulators.md lists each shape and its source),
 * the worst plausible variant where the venue's behaviour varies. It verifies each
 * order's Stark signature over the order hash it recomputes from the order's own fields (with
 * the same directional rounding the venue applies), and refuses a bad one with 1101. Ids are
 * int64 values above 2^53 on the wire, as the venue's are. The signature check uses Extended's own
 * hasher (officialSignature.ts), never the adapter's signing code.
 *
 * Over 400 lines: one venue's whole server (REST, streams, order validation) reads best in one
 * place next to docs/emulators.md; its parts are sections, not separate concerns.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Decimal from 'decimal.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { parseScaled } from '../../kernel/book';
import { TimerGroup, type Clock } from '../../kernel/clock';
import { DECIMAL_RE } from '../../../shared/decimal';
import { loadOfficialHasher, orderSignatureValid } from './officialSignature';
import { handleControl } from '../control';
import type { Exchange, ExchangeOrder, ExchangeTrade } from '../exchange';
import { JUNK_FRAMES, deliverFill, type Faults } from '../faults';
import { readBody, sendJson, toJson } from '../httpKit';
import { formatScaled } from '../marketModel';

/** Venue ids are int64 above 2^53: our small internal ids are shifted into that range. */
const ID_BASE = 1_862_217_045_581_074_432n;
export const STREAM_PREFIX = '/stream.extended.exchange/v1';

export interface ExtendedMarketSpec {
  name: string;
  assetName: string;
  sizeDecimals: number;
  priceDecimals: number;
  minOrderSize: string;
  minOrderSizeChange: string;
  minPriceChange: string;
  l2Config: { syntheticId: string; syntheticResolution: number; collateralId: string; collateralResolution: number };
}

export interface ExtendedAccountSpec {
  accountId: number;
  apiKey: string;
  starkKey: string;
  vault: number;
  /** Collateral balance; "0" makes GET /user/balance answer 404 as the venue does. */
  balance: string;
  makerFeeRate: string;
  takerFeeRate: string;
  /** The account's leverage on the market (GET /user/leverage); default 5. */
  leverage?: string;
}

export interface ExtendedEmulatorOptions {
  exchange: Exchange;
  market: ExtendedMarketSpec;
  account: ExtendedAccountSpec;
  domain: { name: string; version: string; chainId: string; revision: number };
  clock: Clock;
  faults: Faults;
  host?: string;
  port?: number;
  /** A fresh SNAPSHOT replaces the book this often (every minute on the venue). */
  snapshotEveryMs?: number;
  /** Longest expiry accepted (90 days on mainnet, 28 on testnet). */
  maxExpiryDays?: number;
  processingMs?: number;
  /** Rows a page of a paginated list holds at most (the venue: 100). */
  pageSize?: number;
}

class ExtendedError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly httpStatus = 400
  ) {
    super(message);
  }
}

interface StreamSession {
  socket: WebSocket;
  kind: 'orderbook' | 'account' | 'trades';
  depth1: boolean;
  seq: number;
  heldFill: string | null;
}

const venueId = (orderId: number) => ID_BASE + BigInt(orderId);

export class ExtendedEmulator {
  private server: Server | null = null;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 256 * 1024, autoPong: false });
  private readonly sessions = new Set<StreamSession>();
  private readonly timers: TimerGroup;
  private deadManTimer: ReturnType<Clock['setTimeout']> | null = null;
  private stopped = false;
  private readonly recentTrades: ExchangeTrade[] = [];
  url = '';
  wsUrl = '';
  /** Clock ms until which new stream connections are refused (an account drop with accountDownMs). */
  private refuseStreamsUntil = 0;

  constructor(private readonly options: ExtendedEmulatorOptions) {
    this.timers = new TimerGroup(options.clock);
    options.faults.onJunk = (count) => {
      for (const session of this.sessions) for (let i = 0; i < count; i++) session.socket.send(JUNK_FRAMES[i % JUNK_FRAMES.length] as string);
    };
    options.faults.onOneShot = (name) => {
      if (name === 'tpslOrder') this.restTpslOrder();
    };
    options.faults.onDrop = (which) => {
      if (which !== 'book') this.refuseStreamsUntil = options.clock.now() + options.faults.settings.accountDownMs;
      for (const session of this.sessions) {
        if (which === 'all' || (which === 'book') === (session.kind === 'orderbook')) session.socket.terminate();
      }
    };
    options.exchange.listen({
      book: (changes) => {
        if (options.faults.settings.staleFeed) return;
        for (const session of this.sessions) {
          if (session.kind !== 'orderbook') continue;
          if (session.depth1) {
            this.sendSnapshot(session);
            continue;
          }
          const withoutC = options.faults.settings.deltaWithoutC;
          const level = (change: (typeof changes)[number]) => ({
            p: this.price(change.price),
            q: formatScaled(change.after - change.before, this.market.sizeDecimals),
            ...(withoutC ? {} : { c: this.size(change.after) })
          });
          this.sendSeq(session, {
            ts: this.now(),
            type: 'DELTA',
            data: { m: this.market.name, b: changes.filter((c) => c.side === 'bid').map(level), a: changes.filter((c) => c.side === 'ask').map(level) }
          });
        }
      },
      order: (order) => this.account('ORDER', { orders: [this.orderJson(order, true)] }, order.filled > 0),
      trade: (trade) => {
        this.recentTrades.push(trade);
        if (this.recentTrades.length > 5000) this.recentTrades.shift();
        // A forged frame (the overfill fault): a maker trade reported 20 times its size; the record stays true.
        const forged = trade.maker && options.faults.take('overfill') ? { ...trade, qty: trade.qty * 20 } : trade;
        this.account('TRADE', { trades: [this.tradeJson(forged)] }, true);
      },
      position: () => {
        this.account('POSITION', { positions: [this.positionJson()] }, false);
        // Balance and equity move with every fill (CCXT's watchBalance waits for these).
        this.account('BALANCE', { balance: this.balanceJson() }, false);
        if (options.faults.settings.foreignPositions) this.account('POSITION', { positions: [this.foreignPositionJson()] }, false);
      },
      // The public trades stream (/publicTrades/{market}; python_sdk PublicTradeModel): {ts, data: [{m, S, tT, T, p, q, i}], seq}.
      publicTrade: (trade) => {
        this.publicTrades.push({
          i: trade.id,
          m: this.market.name,
          S: trade.aggressor === 'buy' ? 'BUY' : 'SELL',
          tT: 'TRADE',
          T: trade.at,
          p: this.price(trade.price),
          q: this.size(trade.qty)
        });
        if (this.publicTrades.length > 200) this.publicTrades.shift();
        for (const session of this.sessions) {
          if (session.kind !== 'trades') continue;
          this.sendSeq(session, {
            ts: trade.at,
            data: [
              {
                m: this.market.name,
                S: trade.aggressor === 'buy' ? 'BUY' : 'SELL',
                tT: 'TRADE',
                T: trade.at,
                p: this.price(trade.price),
                q: this.size(trade.qty),
                i: trade.id
              }
            ]
          });
        }
      }
    });
  }

  private get market(): ExtendedMarketSpec {
    return this.options.market;
  }

  private now(): number {
    return this.options.clock.now();
  }

  private price(scaled: number): string {
    return formatScaled(scaled, this.market.priceDecimals);
  }

  private size(scaled: number): string {
    return formatScaled(scaled, this.market.sizeDecimals);
  }

  /** Extended's own order hasher (loaded at start). */
  private hasher: Awaited<ReturnType<typeof loadOfficialHasher>> | null = null;

  async start(): Promise<void> {
    this.hasher = await loadOfficialHasher();
    this.server = createServer((request, response) => void this.http(request, response));
    this.server.on('upgrade', (request, socket, head) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const reject = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nContent-Length: 0\r\n\r\n`);
      if (!request.headers['user-agent']) return reject('400 Bad Request');
      if (this.options.clock.now() < this.refuseStreamsUntil) return reject('503 Service Unavailable');
      if (url.pathname === `${STREAM_PREFIX}/orderbooks/${this.market.name}`) {
        this.wss.handleUpgrade(request, socket, head, (client) => this.attach(client, 'orderbook', url.searchParams.get('depth') === '1'));
      } else if (url.pathname === `${STREAM_PREFIX}/publicTrades/${this.market.name}`) {
        this.wss.handleUpgrade(request, socket, head, (client) => this.attach(client, 'trades', false));
      } else if (url.pathname === `${STREAM_PREFIX}/account`) {
        if (request.headers['x-api-key'] !== this.options.account.apiKey) return reject('401 Unauthorized');
        this.wss.handleUpgrade(request, socket, head, (client) => this.attach(client, 'account', false));
      } else reject('404 Not Found');
    });
    await new Promise<void>((resolve) => this.server?.listen(this.options.port ?? 0, this.options.host ?? '127.0.0.1', resolve));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}/api/v1`;
    this.wsUrl = `ws://127.0.0.1:${port}${STREAM_PREFIX}`;
    this.schedulePeriodicSnapshot();
    this.schedulePing();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.timers.clear();
    if (this.deadManTimer) this.options.clock.clearTimeout(this.deadManTimer);
    for (const session of this.sessions) session.socket.terminate();
    this.wss.close();
    if (this.server) {
      this.server.closeAllConnections();
      await new Promise<void>((resolve) => this.server?.close(() => resolve()));
    }
  }

  private later(ms: number, fn: () => void): void {
    this.timers.later(ms, fn);
  }

  // ---------------------------------------------------------------- streams

  private attach(socket: WebSocket, kind: StreamSession['kind'], depth1: boolean): void {
    const session: StreamSession = { socket, kind, depth1, seq: 0, heldFill: null };
    this.sessions.add(session);
    socket.on('close', () => this.sessions.delete(session));
    socket.on('error', () => this.sessions.delete(session));
    socket.on('message', () => undefined);
    // Pongs by hand, so that a half-open connection can be played: the socket stays, nothing comes back.
    socket.on('ping', (data) => {
      if (!this.options.faults.settings.halfOpen && socket.readyState === socket.OPEN) socket.pong(data);
    });
    if (kind === 'orderbook') {
      // A silent feed sends nothing at all, not even the snapshot of a new connection.
      if (!this.options.faults.settings.staleFeed) this.sendSnapshot(session);
      return;
    }
    // The public trades stream starts with the next trade.
    if (kind === 'trades') return;
    // The account stream opens with the current state as the live venue sends it: ORDER, then
    // BALANCE, then POSITION, one ts, each flagged data.isSnapshot (a public capture of the live
    // stream; python_sdk's stream models). Empty lists are sent; there is no TRADE snapshot.
    const ts = this.now();
    this.sendSeq(session, { type: 'ORDER', data: { isSnapshot: true, orders: this.openOrdersJson() }, ts });
    this.sendSeq(session, { type: 'BALANCE', data: { isSnapshot: true, balance: this.balanceJson() }, ts });
    this.sendSeq(session, { type: 'POSITION', data: { isSnapshot: true, positions: this.positionsNow() }, ts });
  }

  /** Open orders: ours, and the TP/SL orders "of the web app" (price null). */
  private openOrdersJson() {
    return [...[...this.options.exchange.orders.values()].map((order) => this.orderJson(order)), ...this.tpslOrders];
  }

  /** TP/SL orders placed "in the web app" (the tpslOrder fault): they rest, and carry no price. */
  private readonly tpslOrders: Array<Record<string, unknown>> = [];

  private write(session: StreamSession, text: string): void {
    const delay = this.options.faults.settings.delayMs;
    const send = () => {
      if (session.socket.readyState === session.socket.OPEN && !this.options.faults.settings.halfOpen) session.socket.send(text);
    };
    if (delay > 0) this.later(delay, send);
    else send();
  }

  /** Numbers the message for this connection (seq), honouring the skip fault on book streams. */
  private sequence(session: StreamSession, message: Record<string, unknown>): string {
    session.seq += session.kind === 'orderbook' && this.options.faults.take('skipSequence') ? 2 : 1;
    return toJson({ ...message, seq: session.seq });
  }

  private sendSeq(session: StreamSession, message: Record<string, unknown>): void {
    this.write(session, this.sequence(session, message));
  }

  private sendSnapshot(session: StreamSession): void {
    const { bids, asks } = this.options.exchange.book();
    const take = session.depth1 ? 1 : bids.length;
    const level = ([price, size]: [number, number]) => ({ p: this.price(price), q: this.size(size), c: this.size(size) });
    this.sendSeq(session, {
      ts: this.now(),
      type: 'SNAPSHOT',
      data: { m: this.market.name, b: bids.slice(0, take).map(level), a: asks.slice(0, take).map(level) }
    });
  }

  private account(type: 'ORDER' | 'TRADE' | 'POSITION' | 'BALANCE', data: unknown, isFill: boolean): void {
    for (const session of this.sessions) {
      if (session.kind !== 'account') continue;
      const text = this.sequence(session, { type, data, ts: this.now() });
      if (isFill)
        deliverFill(
          session,
          text,
          this.options.faults.settings,
          (out) => this.write(session, out),
          (ms, fn) => this.later(ms, fn)
        );
      else this.write(session, text);
    }
  }

  private schedulePeriodicSnapshot(): void {
    this.later(this.options.snapshotEveryMs ?? 60_000, () => {
      if (!this.options.faults.settings.staleFeed) {
        for (const session of this.sessions) if (session.kind === 'orderbook') this.sendSnapshot(session);
      }
      this.schedulePeriodicSnapshot();
    });
  }

  /** WS pings every 15 s; a client that does not pong within 10 s is dropped. */
  private schedulePing(): void {
    this.later(15_000, () => {
      for (const session of this.sessions) {
        const socket = session.socket as WebSocket & { lxAlive?: boolean };
        if (socket.lxAlive === false) {
          socket.terminate();
          continue;
        }
        socket.lxAlive = false;
        socket.once('pong', () => (socket.lxAlive = true));
        socket.ping();
      }
      this.schedulePing();
    });
  }

  // ---------------------------------------------------------------- JSON models

  /** One of our orders as the venue states it; `final` frames may leave the filled figures out (a fault). */
  private orderJson(order: ExchangeOrder, stream = false) {
    const status =
      order.state === 'open'
        ? order.filled > 0
          ? 'PARTIALLY_FILLED'
          : 'NEW'
        : order.state === 'filled'
          ? 'FILLED'
          : order.state === 'rejected'
            ? 'REJECTED'
            : 'CANCELLED';
    // Values of python_sdk's OrderStatusReason (a closed enum: no reason for a cancel by the owner).
    const reason = order.reason === 'post_only' ? 'POST_ONLY_FAILED' : order.reason === 'ioc_remainder' ? 'NO_LIQUIDITY' : undefined;
    const final = order.state !== 'open';
    const withoutFilled = stream && final && this.options.faults.settings.finalWithoutFilledQty;
    const average =
      order.filled > 0
        ? new Decimal(order.filledNotional)
            .div(order.filled)
            .div(10 ** this.market.priceDecimals)
            .toString()
        : '0';
    return {
      id: this.id(venueId(order.orderId)),
      accountId: this.options.account.accountId,
      externalId: order.clientId,
      market: this.market.name,
      type: order.type === 'market' ? 'MARKET' : 'LIMIT',
      side: order.side === 'buy' ? 'BUY' : 'SELL',
      status,
      ...(reason && order.state !== 'open' && order.state !== 'filled' ? { statusReason: reason } : {}),
      price: this.price(order.price),
      ...(withoutFilled ? {} : { averagePrice: average, filledQty: this.size(order.filled) }),
      qty: this.size(order.qty),
      payedFee: '0',
      reduceOnly: order.reduceOnly,
      postOnly: order.tif === 'post_only',
      timeInForce: order.tif === 'ioc' ? 'IOC' : 'GTT',
      createdTime: order.createdAt,
      updatedTime: order.updatedAt,
      expireTime: order.expiresAt
    };
  }

  private tradeJson(trade: ExchangeTrade) {
    const fixed = (value: Decimal) => value.toFixed(16);
    const price = new Decimal(`${trade.price}e-${this.market.priceDecimals}`);
    const qty = new Decimal(`${trade.qty}e-${this.market.sizeDecimals}`);
    const rate = new Decimal(trade.maker ? this.options.account.makerFeeRate : this.options.account.takerFeeRate);
    // python_sdk's AccountTradeModel: the venue's order id only, no external id (CCXT shows one on
    // the stream; the SDK's model wins, and an adapter must map the venue's id back itself).
    return {
      id: this.id(ID_BASE + 50_000_000_000n + BigInt(trade.tradeId)),
      accountId: this.options.account.accountId,
      market: this.market.name,
      orderId: this.id(venueId(trade.orderId)),
      side: trade.side === 'buy' ? 'BUY' : 'SELL',
      price: fixed(price),
      qty: fixed(qty),
      value: fixed(price.times(qty)),
      fee: fixed(price.times(qty).times(rate)),
      isTaker: !trade.maker,
      tradeType: 'TRADE',
      createdTime: trade.at
    };
  }

  /** The position (python_sdk PositionModel: status, createdAt and updatedAt required, on REST and the stream alike). */
  private positionJson(rest = false) {
    const { qty, avgEntry } = this.options.exchange.position;
    const mark = this.markPrice();
    return {
      id: this.id(ID_BASE + 7n),
      accountId: this.options.account.accountId,
      market: this.market.name,
      status: qty.isZero() ? 'CLOSED' : 'OPENED',
      side: qty.isNeg() ? 'SHORT' : 'LONG',
      leverage: '5',
      size: qty.abs().toString(),
      value: qty.abs().times(mark).toFixed(4),
      openPrice: avgEntry.toString(),
      markPrice: mark.toString(),
      liquidationPrice: this.liquidationPrice().toFixed(this.market.priceDecimals),
      margin: qty.abs().times(mark).div(5).toFixed(2),
      unrealisedPnl: qty.times(mark.minus(avgEntry)).toFixed(4),
      realisedPnl: '0',
      adl: 1,
      ...(rest ? { maxPositionSize: qty.abs().toString() } : {}),
      createdAt: this.now(),
      updatedAt: this.now()
    };
  }

  /** A position of another market of the account (the foreignPositions fault): nothing to do with ours. */
  private foreignPositionJson() {
    return {
      ...this.positionJson(),
      id: this.id(ID_BASE + 8n),
      market: 'BTC-USD',
      status: 'OPENED',
      side: 'LONG',
      size: '0.5',
      openPrice: '97000',
      markPrice: '97010'
    };
  }

  /** Open positions: an empty list when flat (REST and the opening state); a position that closes is streamed CLOSED. */
  private positionsNow(rest = false) {
    return this.options.exchange.position.qty.isZero() ? [] : [this.positionJson(rest)];
  }

  /** An int64 id as the venue writes it: a JSON number, or a string (the idsAsStrings fault). */
  private id(value: bigint): bigint | string {
    return this.options.faults.settings.idsAsStrings ? value.toString() : value;
  }

  /**
   * Leverage 5 on the position, maintenance 1 %: the price where the position's margin is spent
   * down to the maintenance margin. 0 when flat.
   */
  private liquidationPrice(): Decimal {
    const { qty, avgEntry } = this.options.exchange.position;
    if (qty.isZero()) return new Decimal(0);
    const m = new Decimal('0.01');
    return qty.isPos()
      ? avgEntry.times(new Decimal(1).minus('0.2')).div(new Decimal(1).minus(m))
      : avgEntry.times(new Decimal(1).plus('0.2')).div(new Decimal(1).plus(m));
  }

  private markPrice(): Decimal {
    const bid = this.options.exchange.bestBid() ?? 0;
    const ask = this.options.exchange.bestAsk() ?? 0;
    return new Decimal(bid + ask).div(2).div(10 ** this.market.priceDecimals);
  }

  private balanceJson(stream = true) {
    const balance = new Decimal(this.options.account.balance);
    const { qty, avgEntry } = this.options.exchange.position;
    const mark = this.markPrice();
    const unrealised = qty.times(mark.minus(avgEntry));
    const equity = balance.plus(unrealised);
    const margin = qty.abs().times(mark).div(5);
    return {
      collateralName: 'USD',
      balance: balance.toFixed(6),
      // The live stream's BALANCE carries a status (a public capture); the REST answer does not.
      ...(stream ? { status: 'ACTIVE' } : {}),
      equity: equity.toFixed(6),
      availableForTrade: equity.minus(margin).toFixed(6),
      availableForWithdrawal: equity.minus(margin).toFixed(6),
      unrealisedPnl: unrealised.toFixed(6),
      initialMargin: margin.toFixed(6),
      marginRatio: '0.0000',
      exposure: '0.000000',
      leverage: '0.0000',
      updatedTime: this.now()
    };
  }

  private marketJson() {
    const m = this.market;
    const mark = this.markPrice();
    const bid = this.options.exchange.bestBid();
    const ask = this.options.exchange.bestAsk();
    return {
      name: m.name,
      // Required by python_sdk's MarketModel (newest).
      type: 'PERPETUAL',
      isRfq: false,
      isOffHours: false,
      category: 'L1',
      assetName: m.assetName,
      assetPrecision: m.sizeDecimals,
      collateralAssetName: 'USD',
      collateralAssetPrecision: 6,
      active: true,
      status: 'ACTIVE',
      marketStats: {
        dailyVolume: '0',
        dailyVolumeBase: '0',
        dailyPriceChange: '0',
        dailyPriceChangePercentage: '0',
        dailyLow: mark.toString(),
        dailyHigh: mark.toString(),
        lastPrice: mark.toString(),
        askPrice: ask === undefined ? '0' : this.price(ask),
        bidPrice: bid === undefined ? '0' : this.price(bid),
        markPrice: mark.toString(),
        indexPrice: mark.toString(),
        // Hourly, as Extended charges it (0.01 % per 8 h).
        fundingRate: '0.0000125',
        nextFundingRate: this.now() + 3_600_000,
        openInterest: '0',
        openInterestBase: '0'
      },
      tradingConfig: {
        minOrderSize: m.minOrderSize,
        minOrderSizeChange: m.minOrderSizeChange,
        minPriceChange: m.minPriceChange,
        maxMarketOrderValue: '3000000',
        maxLimitOrderValue: '15000000',
        maxPositionValue: '60000000',
        maxLeverage: '50.00',
        maxNumOrders: '200',
        limitPriceCap: '0.05',
        limitPriceFloor: '0.05',
        hourlyFundingRateCap: '0.25',
        riskFactorConfig: [
          { upperBound: '4000000', riskFactor: '0.02' },
          { upperBound: '1000000000', riskFactor: '1' }
        ]
      },
      l2Config: { type: 'STARKX', ...m.l2Config }
    };
  }

  // ---------------------------------------------------------------- orders

  private placeOrder(body: unknown): { id: bigint | string; externalId: string } {
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw new ExtendedError(1133, 'Invalid order parameters');
    const o = body as Record<string, unknown>;
    const text = (key: string) => (typeof o[key] === 'string' ? (o[key] as string) : undefined);
    const m = this.market;
    const externalId = text('id');
    if (!externalId || externalId.length > 128) throw new ExtendedError(1133, 'Invalid order parameters: id');
    if (o.market !== m.name) throw new ExtendedError(1001, 'Market not found');
    const type = o.type;
    const side = o.side;
    if ((type !== 'LIMIT' && type !== 'MARKET') || (side !== 'BUY' && side !== 'SELL')) throw new ExtendedError(1133, 'Invalid order parameters: type/side');
    const tif = o.timeInForce ?? 'GTT';
    if (tif !== 'GTT' && tif !== 'IOC') throw new ExtendedError(1133, 'Invalid order parameters: timeInForce');
    if (type === 'MARKET' && tif !== 'IOC') throw new ExtendedError(1139, 'Market order must be IOC');
    const priceText = text('price');
    if (!priceText) throw new ExtendedError(1130, 'Missing order price');
    const qtyText = text('qty');
    if (!qtyText || !DECIMAL_RE.test(qtyText) || qtyText.startsWith('-')) throw new ExtendedError(1123, 'Invalid qty precision');
    if (!DECIMAL_RE.test(priceText) || priceText.startsWith('-')) throw new ExtendedError(1125, 'Invalid price precision');
    const qty = new Decimal(qtyText);
    const price = new Decimal(priceText);
    if (qty.lt(m.minOrderSize)) throw new ExtendedError(1120, 'Order quantity less than min trade size');
    if (!qty.mod(m.minOrderSizeChange).isZero()) throw new ExtendedError(1121, 'Invalid quantity, wrong size increment');
    if (!price.mod(m.minPriceChange).isZero() || price.lte(0)) throw new ExtendedError(1124, 'Invalid price, wrong price movement');
    const postOnly = o.postOnly === true;
    if (typeof o.postOnly !== 'boolean' || typeof o.reduceOnly !== 'boolean') throw new ExtendedError(1133, 'Invalid order parameters: postOnly/reduceOnly');
    if (postOnly && tif === 'IOC') throw new ExtendedError(1133, 'Invalid order parameters: post-only IOC');
    const feeText = text('fee');
    if (!feeText || !DECIMAL_RE.test(feeText)) throw new ExtendedError(1128, 'Invalid trading fees');
    const requiredFee = new Decimal(postOnly ? this.options.account.makerFeeRate : this.options.account.takerFeeRate);
    if (new Decimal(feeText).lt(requiredFee)) throw new ExtendedError(1128, 'Invalid trading fees');
    const expiry = o.expiryEpochMillis;
    if (
      !Number.isSafeInteger(expiry) ||
      (expiry as number) <= this.now() ||
      (expiry as number) > this.now() + (this.options.maxExpiryDays ?? 90) * 86_400_000
    ) {
      throw new ExtendedError(1135, 'Invalid order expiration');
    }
    // The SDK draws nonces in [0, 2^64) (x10/utils/nonce.py), the TS examples in [0, 2^31), CCXT uses seconds.
    const nonce = text('nonce');
    if (!nonce || !/^\d{1,20}$/.test(nonce) || BigInt(nonce) >= 2n ** 64n) throw new ExtendedError(1133, 'Invalid order parameters: nonce');
    // A builder fee, when sent, is signed together with the fee (CCXT and python_sdk sign fee + builderFee).
    const builderFeeText = text('builderFee');
    if (builderFeeText !== undefined && (!DECIMAL_RE.test(builderFeeText) || builderFeeText.startsWith('-') || text('builderId') === undefined))
      throw new ExtendedError(1128, 'Invalid trading fees: builderFee');
    const signedFee = builderFeeText === undefined ? feeText : new Decimal(feeText).plus(builderFeeText).toString();
    const settlement = o.settlement as { signature?: { r?: unknown; s?: unknown }; starkKey?: unknown; collateralPosition?: unknown } | undefined;
    if (!settlement || typeof settlement !== 'object') throw new ExtendedError(1101, 'Invalid Starknet signature');
    if (typeof settlement.starkKey !== 'string' || BigInt(settlement.starkKey) !== BigInt(this.options.account.starkKey)) {
      throw new ExtendedError(1100, 'Invalid Starknet public key');
    }
    if (String(settlement.collateralPosition) !== String(this.options.account.vault)) throw new ExtendedError(1102, 'Invalid Starknet vault');
    if (type === 'MARKET') {
      const mark = this.markPrice();
      if (price.gt(mark.times(1.05)) || price.lt(mark.times(0.95))) throw new ExtendedError(1141, 'Invalid price amount');
    }
    if (this.options.exchange.orders.has(externalId)) throw new ExtendedError(1134, 'Duplicate order');

    // Recompute the hash from the order's own fields with Extended's own hasher, as the venue would, and verify.
    const signature = settlement.signature;
    const valid =
      this.hasher !== null &&
      !!signature &&
      typeof signature.r === 'string' &&
      typeof signature.s === 'string' &&
      orderSignatureValid(this.hasher, {
        side,
        qty: qtyText,
        price: priceText,
        fee: signedFee,
        expiryEpochMillis: expiry as number,
        nonce,
        vault: this.options.account.vault,
        l2: m.l2Config,
        domain: this.options.domain,
        starkKey: this.options.account.starkKey,
        signature: { r: signature.r, s: signature.s }
      });
    if (!valid) throw new ExtendedError(1101, 'Invalid Starknet signature');
    if (this.options.faults.take('rejectOrders')) throw new ExtendedError(1140, 'Order cost exceeds balance');
    if (tif === 'IOC' && this.options.faults.take('rejectTakerOrders')) throw new ExtendedError(1140, 'Order cost exceeds balance');

    const input = {
      clientId: externalId,
      side: side === 'BUY' ? ('buy' as const) : ('sell' as const),
      price: parseScaled(priceText, m.priceDecimals, 'price'),
      qty: parseScaled(qtyText, m.sizeDecimals, 'qty'),
      type: type === 'MARKET' ? ('market' as const) : ('limit' as const),
      tif: postOnly ? ('post_only' as const) : tif === 'IOC' ? ('ioc' as const) : ('gtt' as const),
      reduceOnly: o.reduceOnly === true,
      expiresAt: expiry as number,
      meta: { nonce, fee: feeText } as Record<string, unknown>
    };
    // Accepted: the order id is known now, the matching follows asynchronously.
    const orderId = this.options.exchange.reserveOrderId();
    const taker = tif === 'IOC';
    if (taker && this.options.faults.take('takerPartial')) input.meta = { ...input.meta, fillCap: Math.floor(input.qty / 2) };
    const delay = (this.options.processingMs ?? 2) + (taker ? this.options.faults.settings.takerDelayMs : 0);
    this.later(delay, () => this.options.exchange.submit(input, orderId));
    return { id: this.id(venueId(orderId)), externalId };
  }

  private cancelOne(id: string): boolean {
    const exchange = this.options.exchange;
    if (this.options.faults.settings.fillDuringCancel) exchange.fillResting(id);
    return exchange.cancel(id) !== null;
  }

  // ---------------------------------------------------------------- REST

  private async http(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const error = (e: ExtendedError) => sendJson(response, e.httpStatus, { status: 'ERROR', error: { code: e.code, message: e.message } });
    try {
      if (url.pathname.startsWith('/_emulator/')) {
        await handleControl(request, response, url, this.options.faults, this.options.exchange);
        return;
      }
      const faults = this.options.faults;
      if (!request.headers['user-agent']) throw new ExtendedError(400, 'User-Agent header is required', 400);
      if (faults.settings.slowRestMs > 0) await new Promise<void>((resolve) => this.later(faults.settings.slowRestMs, resolve));
      if (faults.take('rateLimit')) throw new ExtendedError(429, 'Too many requests', 429);
      if (faults.take('restErrors')) throw new ExtendedError(1006, 'Unhandled error', 500);
      if (faults.take('htmlErrors')) {
        // A CDN or WAF in front of the venue answers with its own page, not the venue's JSON.
        const status = this.htmlPages++ % 2 === 0 ? 503 : 403;
        const page = `<html><head><title>${status}</title></head><body><h1>${status === 503 ? 'Service Temporarily Unavailable' : 'Forbidden'}</h1></body></html>`;
        response.writeHead(status, { 'Content-Type': 'text/html', 'Content-Length': Buffer.byteLength(page) });
        response.end(page);
        return;
      }
      if (faults.take('ok200Errors')) {
        sendJson(response, 200, { status: 'ERROR', error: { code: 1006, message: 'Internal error' } });
        return;
      }
      const path = url.pathname.replace(/^\/api\/v1/, '');
      if (path.startsWith('/user/') && request.headers['x-api-key'] !== this.options.account.apiKey) throw new ExtendedError(401, 'Unauthorized', 401);
      const ok = (data: unknown) => sendJson(response, 200, { status: 'OK', data });
      const route = `${request.method} ${path}`;
      if (route === 'GET /info/markets') {
        const wanted = url.searchParams.getAll('market');
        if (wanted.length > 0 && !wanted.includes(this.market.name)) throw new ExtendedError(1001, 'Market not found', 404);
        return ok([this.marketJson()]);
      }
      if (route === 'GET /info/starknet') return ok(this.options.domain);
      // What CCXT's loadMarkets reads besides the markets (fetchCurrencies).
      if (route === 'GET /info/assets') return ok(this.assetsJson());
      const marketPath = /^\/info\/markets\/([^/]+)\/(stats|orderbook|trades)$/.exec(path);
      if (request.method === 'GET' && marketPath) {
        if (decodeURIComponent(marketPath[1] as string) !== this.market.name) throw new ExtendedError(1001, 'Market not found', 404);
        if (marketPath[2] === 'stats') return ok(this.marketJson().marketStats);
        if (marketPath[2] === 'orderbook') {
          const { bids, asks } = this.options.exchange.book();
          const level = ([price, size]: [number, number]) => ({ qty: this.size(size), price: this.price(price) });
          return ok({ market: this.market.name, bid: bids.map(level), ask: asks.map(level) });
        }
        return ok(this.publicTrades.slice(-100).reverse());
      }
      if (route === 'GET /user/positions') return ok(this.positionsNow(true));
      if (route === 'GET /user/spot/balances') {
        const balance = this.balanceJson();
        return ok([
          {
            accountId: this.options.account.accountId,
            asset: 'USD',
            balance: balance.balance,
            indexPrice: '1',
            notionalValue: balance.balance,
            contributionFactor: '1',
            equityContribution: balance.equity,
            availableToWithdraw: balance.availableForWithdrawal,
            updatedAt: this.now()
          }
        ]);
      }
      if (route === 'GET /user/balance') {
        // HTTP 404 when the balance is zero; the envelope's code is not documented (not 404 here).
        if (new Decimal(this.options.account.balance).isZero()) throw new ExtendedError(1604, 'Balance not found', 404);
        return ok(this.balanceJson(false));
      }
      if (route === 'GET /user/fees') {
        return ok([
          { market: this.market.name, makerFeeRate: this.options.account.makerFeeRate, takerFeeRate: this.options.account.takerFeeRate, builderFeeRate: '0' }
        ]);
      }
      if (route === 'GET /user/account/info') {
        return ok({
          status: 'ACTIVE',
          l2Key: this.options.account.starkKey,
          l2Vault: String(this.options.account.vault),
          accountId: this.options.account.accountId,
          description: 'emulator'
        });
      }
      if (route === 'GET /user/leverage') {
        return ok([{ market: this.market.name, leverage: this.options.account.leverage ?? '5' }]);
      }
      if (route === 'GET /user/orders') return ok(this.openOrdersJson());
      // The record lags the matching by restRecordDelayMs (a fault): a fill is on the stream before it is here.
      const recorded = this.now() - faults.settings.restRecordDelayMs;
      // Trades, newest first, paged: at most `limit` (100) a page, the next page after `cursor` (a trade id).
      if (route === 'GET /user/trades') {
        const trades = this.recentTrades.filter((trade) => trade.at <= recorded).reverse();
        return this.page(
          response,
          trades,
          (trade) => ID_BASE + 50_000_000_000n + BigInt(trade.tradeId),
          (trade) => this.tradeJson(trade),
          url
        );
      }
      if (route === 'GET /user/orders/history') {
        const finished = this.options.exchange.record.orders.filter((order) => order.state !== 'open' && order.updatedAt <= recorded).reverse();
        return this.page(
          response,
          finished,
          (order) => venueId(order.orderId),
          (order) => this.orderJson(order),
          url
        );
      }
      const byExternal = /^\/user\/orders\/external\/(.+)$/.exec(path);
      if (request.method === 'GET' && byExternal) {
        const externalId = decodeURIComponent(byExternal[1] as string);
        const found = this.options.exchange.record.orders.filter((order) => order.clientId === externalId && order.createdAt <= recorded);
        if (found.length === 0) throw new ExtendedError(1142, 'Order not found', 404);
        return ok(found.map((order) => this.orderJson(order)));
      }
      const byVenueId = /^\/user\/orders\/(\d+)$/.exec(path);
      if (request.method === 'GET' && byVenueId) {
        const internal = BigInt(byVenueId[1] as string) - ID_BASE;
        const found = this.options.exchange.record.orders.find((order) => BigInt(order.orderId) === internal && order.createdAt <= recorded);
        if (!found) throw new ExtendedError(1142, 'Order not found', 404);
        return ok(this.orderJson(found));
      }
      if (route === 'POST /user/order') {
        let body: unknown;
        try {
          body = JSON.parse(await readBody(request));
        } catch {
          throw new ExtendedError(1133, 'Invalid order parameters');
        }
        const placed = this.placeOrder(body);
        if (faults.take('lostAcks')) {
          // Executed, but the connection dies before the answer.
          request.socket.destroy();
          return;
        }
        if (faults.settings.ackDelayMs > 0) await new Promise<void>((resolve) => this.later(faults.settings.ackDelayMs, resolve));
        return ok(placed);
      }
      // A cancel of an order that no longer rests: 404 (the venue's code for it is undocumented), or a
      // plain refusal with another code (the cancelGoneAsRejection fault).
      const gone = () =>
        faults.settings.cancelGoneAsRejection ? new ExtendedError(1600, 'Order cannot be cancelled', 400) : new ExtendedError(1142, 'Order not found', 404);
      if (route === 'DELETE /user/order') {
        const externalId = url.searchParams.get('externalId');
        if (!externalId || !this.cancelOne(externalId)) throw gone();
        return ok(null);
      }
      const byId = /^\/user\/order\/(\d+)$/.exec(path);
      if (request.method === 'DELETE' && byId) {
        const internal = BigInt(byId[1] as string) - ID_BASE;
        const order = [...this.options.exchange.orders.values()].find((candidate) => BigInt(candidate.orderId) === internal);
        if (!order || !this.cancelOne(order.clientId)) throw gone();
        return ok(null);
      }
      if (route === 'POST /user/order/massCancel') {
        let body: Record<string, unknown>;
        try {
          body = JSON.parse(await readBody(request)) as Record<string, unknown>;
        } catch {
          throw new ExtendedError(1133, 'Invalid order parameters');
        }
        const { orderIds, externalOrderIds, markets, cancelAll } = body;
        if (orderIds === undefined && externalOrderIds === undefined && markets === undefined && cancelAll === undefined) {
          throw new ExtendedError(1133, 'Invalid order parameters: nothing to cancel');
        }
        const exchange = this.options.exchange;
        const everything = cancelAll === true || (Array.isArray(markets) && markets.includes(this.market.name));
        // A mass cancel of the market takes the web app's TP/SL orders with it.
        if (everything) this.tpslOrders.length = 0;
        for (const order of [...exchange.orders.values()]) {
          const byExternal = Array.isArray(externalOrderIds) && externalOrderIds.includes(order.clientId);
          const byVenue = Array.isArray(orderIds) && orderIds.some((id) => BigInt(String(id)) === venueId(order.orderId));
          if (everything || byExternal || byVenue) this.cancelOne(order.clientId);
        }
        return ok(null);
      }
      if (route === 'POST /user/deadmanswitch') {
        const countdown = Number(url.searchParams.get('countdownTime'));
        if (!Number.isSafeInteger(countdown) || countdown < 0) throw new ExtendedError(1133, 'Invalid countdownTime');
        if (this.deadManTimer) this.options.clock.clearTimeout(this.deadManTimer);
        this.deadManTimer = countdown === 0 ? null : this.options.clock.setTimeout(() => this.options.exchange.cancelAll(), countdown * 1000);
        // The venue answers with an empty body (CCXT cancelAllOrdersAfter: "an empty string body").
        response.writeHead(200, { 'Content-Length': '0' });
        response.end();
        return;
      }
      throw new ExtendedError(404, 'Not found', 404);
    } catch (caught) {
      error(caught instanceof ExtendedError ? caught : new ExtendedError(1006, `Unhandled error: ${(caught as Error).message}`, 500));
    }
  }

  deadManArmed(): boolean {
    return this.deadManTimer !== null;
  }

  private htmlPages = 0;

  /**
   * A page of a list, newest first: `limit` (1..100, default 100) rows after the row whose id is
   * `cursor`, and `pagination.cursor` naming the last row when more may follow.
   */
  private page<T>(response: ServerResponse, rows: T[], idOf: (row: T) => bigint, json: (row: T) => unknown, url: URL): void {
    const limit = Math.min(this.options.pageSize ?? 100, Math.max(1, Number(url.searchParams.get('limit') ?? 100) || 100));
    const cursorText = url.searchParams.get('cursor');
    const start = cursorText && /^\d+$/.test(cursorText) ? rows.findIndex((row) => idOf(row) === BigInt(cursorText)) + 1 : 0;
    const slice = rows.slice(start, start + limit);
    const last = slice.at(-1);
    sendJson(response, 200, {
      status: 'OK',
      data: slice.map(json),
      pagination: { cursor: last === undefined || start + limit >= rows.length ? null : idOf(last), count: slice.length }
    });
  }

  /** Assets as GET /info/assets lists them (CCXT's fetchCurrencies): the collateral and the market's asset. */
  private assetsJson() {
    const l2 = this.market.l2Config;
    return [
      {
        id: 1,
        name: 'USD',
        symbol: 'USD',
        precision: 6,
        isActive: true,
        isCollateral: true,
        canBeUsedAsCollateral: true,
        starkexId: l2.collateralId,
        starkexResolution: l2.collateralResolution,
        l1Id: '0x0000000000000000000000000000000000000001',
        l1Resolution: 1_000_000
      },
      {
        id: 2,
        name: this.market.assetName,
        symbol: this.market.assetName,
        precision: this.market.sizeDecimals,
        isActive: true,
        isCollateral: false,
        canBeUsedAsCollateral: false,
        starkexId: l2.syntheticId,
        starkexResolution: l2.syntheticResolution,
        l1Id: '0x0000000000000000000000000000000000000002',
        l1Resolution: 1_000_000
      }
    ];
  }

  /** The market's public trades (ours included), as /info/markets/{m}/trades lists them. */
  private readonly publicTrades: Array<{ i: number; m: string; S: string; tT: string; T: number; p: string; q: string }> = [];

  /** A TP/SL order "placed in the web app" rests on the account: price null, type TPSL. */
  private restTpslOrder(): void {
    const mark = this.markPrice();
    const order = {
      id: this.id(ID_BASE + 90_000_000_000n + BigInt(this.tpslOrders.length)),
      accountId: this.options.account.accountId,
      externalId: `web-${this.tpslOrders.length + 1}`,
      market: this.market.name,
      type: 'TPSL',
      side: 'SELL',
      status: 'UNTRIGGERED',
      price: null,
      qty: '0.050',
      reduceOnly: true,
      postOnly: false,
      timeInForce: 'GTT',
      tpSlType: 'POSITION',
      takeProfit: { triggerPrice: mark.times('1.1').toFixed(1), triggerPriceType: 'LAST', price: mark.times('1.1').toFixed(1), priceType: 'MARKET' },
      createdTime: this.now(),
      updatedTime: this.now(),
      expireTime: this.now() + 86_400_000
    };
    this.tpslOrders.push(order);
    this.account('ORDER', { orders: [order] }, false);
  }
}
