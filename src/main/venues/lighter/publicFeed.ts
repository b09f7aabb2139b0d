/**
 * Lighter's public market data for PAPER trading: market details over REST, the order book and the
 * public trades over the stream, no keys. The book is kept by the adapter's own book sync.
 */
import { OrderBook } from '../../kernel/book';
import type { Clock } from '../../kernel/clock';
import type { MarketInfo } from '../../ports/venue';
import { noRecorder } from '../common/recorder';
import { ReconnectingSocket } from '../common/reconnectingSocket';
import type { PublicFeed, PublicFeedEvents } from '../paper/paperVenue';
import { LighterBookSync } from './bookSync';
import { LIGHTER_ORDER_BOOKS_PATH } from './constants';
import { freshPublicTrades, lighterMarketFrom, parseLighterFrame, type LighterMarketDetails } from './parse';

export class LighterPublicFeed implements PublicFeed {
  book = new OrderBook(2, 4);
  private details: LighterMarketDetails | null = null;
  private sync = new LighterBookSync(this.book);
  private socket: ReconnectingSocket | null = null;
  bookMessages = 0;

  constructor(private readonly options: { restUrl: string; wsUrl: string; symbol: string; clock: Clock }) {}

  get market(): MarketInfo {
    if (!this.details) throw new Error('Lighter public feed: market not loaded');
    return this.details.info;
  }

  async start(events: PublicFeedEvents): Promise<void> {
    const response = await fetch(`${this.options.restUrl}/api/v1/${LIGHTER_ORDER_BOOKS_PATH}`, { signal: AbortSignal.timeout(10_000) });
    this.details = lighterMarketFrom((await response.json()) as Record<string, unknown>, this.options.symbol);
    this.book = new OrderBook(this.details.priceDecimals, this.details.sizeDecimals);
    this.sync = new LighterBookSync(this.book);
    const marketId = this.details.marketId;
    const subscribeAll = () => {
      this.socket?.send({ type: 'subscribe', channel: `order_book/${marketId}` });
      this.socket?.send({ type: 'subscribe', channel: `trade/${marketId}` });
    };
    this.socket = new ReconnectingSocket({
      name: 'L.public',
      url: this.options.wsUrl,
      clock: this.options.clock,
      recorder: noRecorder,
      staleMs: 5000,
      onOpen: () => {
        subscribeAll();
        events.onConnection(true, 'public streams up');
      },
      onFrame: (text, receivedAt) => {
        let frame: ReturnType<typeof parseLighterFrame>;
        try {
          frame = parseLighterFrame(text, marketId);
        } catch (error) {
          events.onLog('warn', `paper: malformed Lighter frame (${(error as Error).message})`);
          return;
        }
        if (frame.kind === 'ping') this.socket?.send({ type: 'pong' });
        else if (frame.kind === 'book') {
          this.bookMessages += 1;
          const outcome = this.sync.onFrame(frame, receivedAt);
          if (outcome.kind === 'resync') {
            events.onLog('warn', `paper: Lighter book resync: ${outcome.reason}`);
            this.socket?.send({ type: 'unsubscribe', channel: `order_book/${marketId}` });
            this.socket?.send({ type: 'subscribe', channel: `order_book/${marketId}` });
          }
          if (outcome.kind !== 'ignored') events.onBook();
        } else if (frame.kind === 'publicTrades') {
          for (const trade of freshPublicTrades(frame)) events.onTrade(trade);
        }
      },
      onClose: (reason) => {
        this.sync.reset();
        events.onConnection(false, `public streams ${reason}`);
      }
    });
    this.socket.start();
  }

  async stop(): Promise<void> {
    this.socket?.stop();
  }
}
