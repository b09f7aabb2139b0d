import type { FillDelta, OrderUpdate, Position, VenueHandlers } from '../../src/main/ports/venue';

/** Venue handlers that keep everything the adapter reported. */
export function recordingHandlers() {
  const record = {
    books: 0,
    makerFills: [] as FillDelta[],
    fills: [] as FillDelta[],
    orders: [] as OrderUpdate[],
    positions: [] as Position[],
    connections: [] as Array<{ connected: boolean; detail: string }>,
    logs: [] as string[],
    foreign: [] as string[]
  };
  const handlers: VenueHandlers = {
    onBook: () => void (record.books += 1),
    onFill: (fill) => {
      record.fills.push(fill);
      if (fill.maker) record.makerFills.push(fill);
    },
    onOrderUpdate: (update) => void record.orders.push(update),
    onPosition: (_venue, position) => void record.positions.push(position),
    onConnection: (_venue, connected, detail) => void record.connections.push({ connected, detail }),
    onLog: (_venue, level, message) => void record.logs.push(`${level} ${message}`),
    onForeignActivity: (_venue, what) => void record.foreign.push(what)
  };
  return { record, handlers };
}
