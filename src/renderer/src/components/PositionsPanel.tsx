import Decimal from 'decimal.js';
import { memo } from 'react';
import type { PositionView, VenueId } from '../../../shared/contract';
import { clockTime, padDecimals, signed } from '../format';
import { useConsole } from '../store';

const NAMES: Record<VenueId, string> = { L: 'Lighter', E: 'Extended' };

function Row({ label, value, title, testId, tone }: { label: string; value: string; title?: string; testId?: string; tone?: 'bad' | 'warn' }) {
  return (
    <tr title={title}>
      <td className="muted">{label}</td>
      <td className={`num${tone ? ` ${tone}` : ''}`} data-testid={testId}>
        {value}
      </td>
    </tr>
  );
}

function Card({ venue, p, priceDecimals }: { venue: VenueId; p: PositionView; priceDecimals: number }) {
  const price = (value: string | null) => (value === null ? '-' : padDecimals(value, priceDecimals));
  const dash = (value: string | null, suffix = '') => (value === null ? '-' : `${value}${suffix}`);
  const close = p.liquidationDistancePercent !== null && Number(p.liquidationDistancePercent) < 10;
  return (
    <div className="position-card" data-testid={`position-${venue}`}>
      <div className="position-title">
        <b>{NAMES[venue]}</b>{' '}
        <span className="muted small" data-testid={`position-${venue}-asof`}>
          {p.asOf ? `venue figures as of ${clockTime(p.asOf)}` : 'no venue figures yet'}
        </span>
        {p.error && (
          <span className="small warn-text" data-testid={`position-${venue}-error`}>
            {' '}
            · last read failed: {p.error}
          </span>
        )}
      </div>
      <table className="kv small">
        <tbody>
          <Row label="size" value={p.qty} testId={`position-${venue}-qty`} />
          {/* An average, not a price the venue quotes: shown at the venue's tick. */}
          <Row label="entry" value={p.entry === null ? '-' : new Decimal(p.entry).toFixed(priceDecimals)} />
          <Row label="mark" value={price(p.mark)} title="The book's mid, live" />
          <Row
            label="uPnL"
            value={signed(p.unrealisedPnl, 4)}
            title={`Live from the mark; the venue says ${p.venueUnrealisedPnl ?? '-'}`}
            testId={`position-${venue}-upnl`}
          />
          <Row label="margin used / free" value={`${dash(p.marginUsed)} / ${dash(p.available)}`} testId={`position-${venue}-margin`} />
          <Row
            label="liquidation"
            value={p.liquidationPrice === null ? '-' : `${p.liquidationPrice} (${p.liquidationDistancePercent ?? '-'}% away)`}
            title="The venue's liquidation price, and how far the mark may move before it (percent of the mark)"
            testId={`position-${venue}-liq`}
            tone={close ? 'bad' : undefined}
          />
          <Row
            label="funding"
            value={`${dash(p.fundingRatePercentPerHour, '%/h')}${p.fundingPerDay !== null ? ` · ${signed(p.fundingPerDay, 2)}/day` : ''}`}
            title="The venue's hourly funding rate; per day at that rate: + the position pays, - it receives"
            testId={`position-${venue}-funding`}
          />
          <Row
            label="funding accrued"
            value={dash(p.fundingAccrued)}
            title="Paid (+) or received (-) on the open position, as the venue reports it (Extended reports none)"
          />
        </tbody>
      </table>
    </div>
  );
}

/** A card per venue: what the position is, what it is worth now, how far from liquidation, what it costs to hold. */
export const PositionsPanel = memo(function PositionsPanel() {
  const positions = useConsole((state) => state.snapshot?.positions);
  const decimalsL = useConsole((state) => state.snapshot?.books.L?.priceDecimals ?? 0);
  const decimalsE = useConsole((state) => state.snapshot?.books.E?.priceDecimals ?? 0);
  if (!positions) return <section className="panel" data-testid="positions" />;
  return (
    <section className="panel" data-testid="positions">
      <h2>Positions</h2>
      <div className="position-cards">
        <Card venue="L" p={positions.L} priceDecimals={decimalsL} />
        <Card venue="E" p={positions.E} priceDecimals={decimalsE} />
      </div>
    </section>
  );
});
