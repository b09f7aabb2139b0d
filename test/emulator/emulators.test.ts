import { describe, expect, it } from 'vitest';
import { startEmulators } from '../../src/main/emulator/emulators';
import { openClient } from '../helpers/wsClient';

describe('both emulators together', () => {
  it('serve both venues from one running market on loopback', async () => {
    const emulators = await startEmulators({ seed: 1, speed: 20 });
    try {
      expect(emulators.lighter.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const books = (await (await fetch(`${emulators.lighter.url}/api/v1/orderBooks`)).json()) as { order_books: Array<{ symbol: string }> };
      expect(books.order_books[0]?.symbol).toBe('ETH');
      const markets = (await (await fetch(`${emulators.extended.url}/info/markets`, { headers: { 'User-Agent': 'test' } })).json()) as {
        data: Array<{ name: string }>;
      };
      expect(markets.data[0]?.name).toBe('ETH-USD');
      // The market runs by itself: both streams move.
      const l = await openClient(emulators.lighter.wsUrl);
      l.send({ type: 'subscribe', channel: 'order_book/0' });
      await l.next((frame) => frame.type === 'update/order_book');
      const e = await openClient(`${emulators.extended.wsUrl}/orderbooks/ETH-USD`, { 'User-Agent': 'test' });
      await e.next((frame) => frame.type === 'DELTA');
      l.close();
      e.close();
    } finally {
      await emulators.stop();
    }
  });
});
