/** Extended frames and REST bodies into typed values; shared by the adapter and the replay. */
import Decimal from 'decimal.js';
import type { OrderBook } from '../../kernel/book';
import type { MarketInfo } from '../../ports/venue';
import { parseLosslessJson } from '../common/losslessJson';
import { FrameError, dec, int, obj, positiveDec, str } from '../common/frames';
import type { L2Config } from './signing';

export interface ExtendedLevel {
  p: string;
  q: string;
  /** Absolute size after the change, when the venue sends it. */
  c?: string;
}

export interface ExtendedBookFrame {
  type: string;
  seq: number;
  bids: ExtendedLevel[];
  asks: ExtendedLevel[];
}

export function parseExtendedBookFrame(text: string): ExtendedBookFrame {
  const frame = obj(parseLosslessJson(text), 'frame');
  const data = obj(frame.data, 'data');
  const side = (value: unknown, field: string): ExtendedLevel[] => {
    if (!Array.isArray(value)) throw new FrameError(field, value);
    return value.map((level, i) => {
      const l = obj(level, `${field}[${i}]`);
      return { p: str(l.p, `${field}[${i}].p`), q: dec(l.q, `${field}[${i}].q`), c: l.c === undefined ? undefined : str(l.c, `${field}[${i}].c`) };
    });
  };
  return { type: str(frame.type, 'type'), seq: int(frame.seq, 'seq'), bids: side(data.b ?? [], 'data.b'), asks: side(data.a ?? [], 'data.a') };
}

/**
 * Applies a SNAPSHOT (replaces the book: vanished levels must not linger) or a DELTA (each level
 * set to c when present, else changed by q). Continuity (seq) is the caller's business.
 */
export function applyExtendedBookFrame(book: OrderBook, frame: ExtendedBookFrame, at: number): void {
  if (frame.type === 'SNAPSHOT') {
    book.applySnapshot(
      frame.bids.map((l) => [l.p, l.c ?? l.q] as const),
      frame.asks.map((l) => [l.p, l.c ?? l.q] as const),
      at
    );
    return;
  }
  for (const [name, side] of [
    ['bid', frame.bids],
    ['ask', frame.asks]
  ] as const) {
    for (const level of side) {
      if (level.c !== undefined) book.applyLevels(name, [[level.p, level.c]], at);
      else book.applyChange(name, level.p, level.q, at);
    }
  }
}

export interface ExtendedMarketDetails {
  info: MarketInfo;
  l2: L2Config;
  priceDecimals: number;
  sizeDecimals: number;
}

/** A market's details from the data of GET /info/markets. */
export function extendedMarketFrom(markets: unknown, name: string): ExtendedMarketDetails {
  if (!Array.isArray(markets)) throw new FrameError('markets', markets);
  const market = obj(
    markets.find((m) => (m as { name?: unknown }).name === name),
    `market ${name}`
  );
  const trading = obj(market.tradingConfig, 'tradingConfig');
  const l2 = obj(market.l2Config, 'l2Config');
  const sizeStep = new Decimal(dec(trading.minOrderSizeChange, 'tradingConfig.minOrderSizeChange'));
  const tick = new Decimal(dec(trading.minPriceChange, 'tradingConfig.minPriceChange'));
  return {
    info: {
      symbol: name,
      minSize: new Decimal(dec(trading.minOrderSize, 'tradingConfig.minOrderSize')),
      minSizeChange: sizeStep,
      // No minimum order value is documented (python_sdk's MarketModel has none): the minimum is the size.
      minValue: new Decimal(0),
      sizeStep,
      priceTick: tick
    },
    l2: {
      syntheticId: str(l2.syntheticId, 'l2Config.syntheticId'),
      syntheticResolution: int(l2.syntheticResolution, 'l2Config.syntheticResolution'),
      collateralId: str(l2.collateralId, 'l2Config.collateralId'),
      collateralResolution: int(l2.collateralResolution, 'l2Config.collateralResolution')
    },
    priceDecimals: tick.decimalPlaces(),
    sizeDecimals: sizeStep.decimalPlaces()
  };
}

/** The public trades stream (/publicTrades/{market}): {ts, data: [{m, S, tT, T, p, q, i}], seq}, as the aggressor's side, price and size. */
export function parseExtendedPublicTrades(text: string): Array<{ id: string; aggressor: 'buy' | 'sell'; price: Decimal; qty: Decimal }> {
  const frame = obj(parseLosslessJson(text), 'frame');
  const data = frame.data;
  if (!Array.isArray(data)) throw new FrameError('data', data);
  return data.map((raw, i) => {
    const t = obj(raw, `data[${i}]`);
    const id = t.i;
    if (typeof id !== 'number' && typeof id !== 'string' && typeof id !== 'bigint') throw new FrameError(`data[${i}].i`, id);
    return {
      id: `E:${String(id)}`,
      aggressor: str(t.S, `data[${i}].S`) === 'BUY' ? 'buy' : 'sell',
      price: new Decimal(positiveDec(t.p, `data[${i}].p`)),
      qty: new Decimal(positiveDec(t.q, `data[${i}].q`))
    };
  });
}
