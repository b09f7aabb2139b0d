/**
 * Extended's public market data for PAPER trading: the market over REST, the order book and the
 * public trades over their streams, no keys. The book is kept by the adapter's own book sync.
 */
import { OrderBook } from '../../kernel/book';
import type { Clock } from '../../kernel/clock';
import type { MarketInfo } from '../../ports/venue';
import { obj } from '../common/frames';
import { parseLosslessJson } from '../common/losslessJson';
import { noRecorder } from '../common/recorder';
import { ReconnectingSocket } from '../common/reconnectingSocket';
import type { PublicFeed, PublicFeedEvents } from '../paper/paperVenue';
import { ExtendedBookSync } from './bookSync';
import { extendedMarketFrom, parseExtendedBookFrame, parseExtendedPublicTrades } from './parse';

export class ExtendedPublicFeed implements PublicFeed {
  book = new OrderBook(1, 3);
  private info: MarketInfo | null = null;
  private sync = new ExtendedBookSync(this.book);
  private sockets: ReconnectingSocket[] = [];
  bookMessages = 0;

  constructor(private readonly options: { restUrl: string; wsUrl: string; market: string; clock: Clock; userAgent?: string }) {}

  get market(): MarketInfo {
    if (!this.info) throw new Error('Extended public feed: market not loaded');
    return this.info;
  }

  async start(events: PublicFeedEvents): Promise<void> {
    const headers = { 'User-Agent': this.options.userAgent ?? 'lx-hedge/0.1' };
    const response = await fetch(`${this.options.restUrl}/info/markets?market=${encodeURIComponent(this.options.market)}`, {
      headers,
      signal: AbortSignal.timeout(10_000)
    });
    const envelope = obj(parseLosslessJson(await response.text()), 'markets reply');
    const market = extendedMarketFrom(envelope.data, this.options.market);
    this.info = market.info;
    this.book = new OrderBook(market.priceDecimals, market.sizeDecimals);
    this.sync = new ExtendedBookSync(this.book);
    const name = encodeURIComponent(this.options.market);
    let bookSocket: ReconnectingSocket | null = null;
    bookSocket = new ReconnectingSocket({
      name: 'E.public.book',
      url: `${this.options.wsUrl}/orderbooks/${name}`,
      headers,
      clock: this.options.clock,
      recorder: noRecorder,
      staleMs: 5000,
      onOpen: () => events.onConnection(true, 'public book stream up'),
      onFrame: (text, receivedAt) => {
        this.bookMessages += 1;
        try {
          const outcome = this.sync.onFrame(parseExtendedBookFrame(text), receivedAt);
          if (outcome.kind === 'resync') {
            events.onLog('warn', `paper: Extended book resync: ${outcome.reason}`);
            bookSocket?.restart(outcome.reason);
          }
          if (outcome.kind !== 'ignored') events.onBook();
        } catch (error) {
          events.onLog('warn', `paper: malformed Extended book frame (${(error as Error).message})`);
        }
      },
      onClose: (reason) => {
        this.sync.reset();
        events.onConnection(false, `public book stream ${reason}`);
      }
    });
    const tradeSocket = new ReconnectingSocket({
      name: 'E.public.trades',
      url: `${this.options.wsUrl}/publicTrades/${name}`,
      headers,
      clock: this.options.clock,
      recorder: noRecorder,
      staleMs: 15_000,
      onOpen: () => undefined,
      onFrame: (text) => {
        try {
          for (const trade of parseExtendedPublicTrades(text)) events.onTrade(trade);
        } catch (error) {
          events.onLog('warn', `paper: malformed Extended trades frame (${(error as Error).message})`);
        }
      },
      onClose: () => undefined
    });
    this.sockets = [bookSocket, tradeSocket];
    for (const socket of this.sockets) socket.start();
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.stop();
  }
}
