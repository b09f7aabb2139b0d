/**
 * The emulators' control endpoints (not part of any venue's API): switch faults, drop every
 * connection, read the record of what our account did.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Exchange } from './exchange';
import type { Faults } from './faults';
import { readBody, sendJson } from './httpKit';

/** The record of our account, for tests that compare it with what the bot believes. */
export function recordJson(exchange: Exchange) {
  return {
    venue: exchange.venue,
    position: { qty: exchange.position.qty.toString(), avgEntry: exchange.position.avgEntry.toString() },
    orders: exchange.record.orders.map((order) => ({ ...order })),
    trades: exchange.record.trades.map((trade) => ({ ...trade, positionBefore: undefined })),
    cancels: exchange.record.cancels
  };
}

export async function handleControl(request: IncomingMessage, response: ServerResponse, url: URL, faults: Faults, exchange: Exchange): Promise<void> {
  if (request.method === 'POST' && url.pathname === '/_emulator/faults') {
    try {
      sendJson(response, 200, faults.set(JSON.parse(await readBody(request))));
    } catch (error) {
      sendJson(response, 400, { error: (error as Error).message });
    }
    return;
  }
  if (request.method === 'POST' && url.pathname === '/_emulator/drop') {
    const which = url.searchParams.get('streams');
    faults.drop(which === 'book' || which === 'account' ? which : 'all');
    sendJson(response, 200, { dropped: true });
    return;
  }
  if (request.method === 'GET' && url.pathname === '/_emulator/record') {
    sendJson(response, 200, recordJson(exchange));
    return;
  }
  sendJson(response, 404, { error: 'unknown control path' });
}
