import Decimal from 'decimal.js';
import { memo, useMemo, useRef } from 'react';
import { bookHealth } from '../bookHealth';
import { useShallow } from 'zustand/react/shallow';
import type { BookLevelView, LiveOrderView, VenueId } from '../../../shared/contract';
import { padDecimals, percentOf } from '../format';
import { useConsole } from '../store';
import { useNow } from '../useNow';

interface Props {
  venue: VenueId;
  levels: number;
}

const NAMES: Record<VenueId, string> = { L: 'Lighter', E: 'Extended' };

interface RowProps {
  level: BookLevelView;
  side: 'bid' | 'ask';
  max: Decimal;
  ours: LiveOrderView | null;
  /** The venue's tick and size-step decimals: every row is padded to them, so the columns line up. */
  decimals: { price: number; size: number };
}

function Row({ level, side, max, ours, decimals }: RowProps) {
  return (
    <tr className={`lvl lvl-${side}${ours ? ' lvl-ours' : ''}`} data-testid={ours ? 'our-order' : undefined}>
      <td className="num price">{padDecimals(level.price, decimals.price)}</td>
      <td className="num">
        <span className="depth-bar" style={{ width: percentOf(level.size, max) }} />
        <span className="size">{padDecimals(level.size, decimals.size)}</span>
      </td>
      <td className="ours-cell">{ours ? `● ${ours.side} ${ours.qty}` : ''}</td>
    </tr>
  );
}

/** One venue's depth ladder: asks above, bids below, our live order marked at its level. */
export const BookPanel = memo(function BookPanel({ venue, levels }: Props) {
  const { book, liveOrder, health, at } = useConsole(
    useShallow((state) => ({
      book: state.snapshot?.books[venue] ?? null,
      liveOrder: state.snapshot?.liveOrder ?? null,
      health: state.snapshot?.venues[venue],
      at: state.snapshot?.at ?? 0
    }))
  );
  const asks = (book?.asks ?? []).slice(0, levels);
  const priceDecimals = book?.priceDecimals ?? 0;
  const sizeDecimals = book?.sizeDecimals ?? 0;
  const decimals = useMemo(() => ({ price: priceDecimals, size: sizeDecimals }), [priceDecimals, sizeDecimals]);
  const bids = (book?.bids ?? []).slice(0, levels);
  const max = [...asks, ...bids].reduce((m, l) => Decimal.max(m, new Decimal(l.size)), new Decimal(0));
  const mine = liveOrder && liveOrder.venue === venue ? liveOrder : null;
  const isOurs = (level: BookLevelView, side: 'bid' | 'ask') =>
    mine && (mine.side === 'buy') === (side === 'bid') && new Decimal(mine.price).eq(level.price) ? mine : null;
  const bestBid = bids[0]?.price;
  const bestAsk = asks[0]?.price;
  const spread = bestBid && bestAsk ? new Decimal(bestAsk).minus(bestBid) : null;
  // Counted in the page as well: with the engine link lost, the age keeps growing instead of freezing.
  const now = useNow(1000);
  const age = book && book.updatedAt ? Math.max(at, now) - book.updatedAt : null;
  const distrust = useConsole((state) => {
    const health = bookHealth(state.snapshot, venue, now);
    return health.ok ? null : health.label;
  });
  // A book that went away (reset, disconnected) stays on screen, greyed, with the reason.
  const lastShown = useRef<{ asks: BookLevelView[]; bids: BookLevelView[] }>({ asks: [], bids: [] });
  if (asks.length > 0 || bids.length > 0) lastShown.current = { asks, bids };
  const shownAsks = asks.length > 0 || bids.length > 0 ? asks : lastShown.current.asks;
  const shownBids = asks.length > 0 || bids.length > 0 ? bids : lastShown.current.bids;
  return (
    <section className={`panel book${distrust ? ' book-untrusted' : ''}`} data-testid={`book-${venue}`}>
      <h2>
        {NAMES[venue]} <span className={`dot ${health?.connected ? 'dot-ok' : 'dot-bad'}`} />
        {distrust && (
          <span className="book-state" data-testid={`book-state-${venue}`}>
            {distrust}
          </span>
        )}
        <span className="muted small">
          {book?.ready ? '' : 'not ready · '}spread {spread ? spread.toString() : '-'} · age {age === null ? '-' : `${age} ms`}
        </span>
      </h2>
      <table className="ladder">
        <tbody>
          {[...shownAsks].reverse().map((level) => (
            <Row key={`a${level.price}`} level={level} side="ask" max={max} ours={isOurs(level, 'ask')} decimals={decimals} />
          ))}
          <tr className="mid-row">
            <td colSpan={3}>
              {bestBid ? padDecimals(bestBid, priceDecimals) : '-'} / {bestAsk ? padDecimals(bestAsk, priceDecimals) : '-'}
            </td>
          </tr>
          {shownBids.map((level) => (
            <Row key={`b${level.price}`} level={level} side="bid" max={max} ours={isOurs(level, 'bid')} decimals={decimals} />
          ))}
        </tbody>
      </table>
      {mine && ![...asks.map((l) => isOurs(l, 'ask')), ...bids.map((l) => isOurs(l, 'bid'))].some(Boolean) && (
        <div className="muted small" data-testid="our-order">
          our {mine.side} {mine.qty} @ {mine.price} ({mine.status}) outside the shown levels
        </div>
      )}
    </section>
  );
});
