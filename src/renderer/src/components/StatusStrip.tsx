import Decimal from 'decimal.js';
import { memo, useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useConsole } from '../store';

const midOf = (bid: string | undefined, ask: string | undefined): string | null => (bid && ask ? new Decimal(bid).plus(ask).div(2).toString() : null);

/**
 * What matters most, always in view (sticky under the top bar): the trading state as a coloured
 * pill that tells quoting with an order live from armed but idle (and why), net exposure in base and
 * USD, unhedged against minHedgeQty, the session's realised PnL and the active alarms. The tab's
 * title carries the state too.
 */
export const StatusStrip = memo(function StatusStrip() {
  const s = useConsole(
    useShallow((state) => {
      const snap = state.snapshot;
      return {
        mode: snap?.mode ?? null,
        armed: snap?.safety.armed ?? false,
        quoting: snap?.safety.effectiveQuoting ?? false,
        blockedBy: snap?.safety.blockedBy.join(', ') ?? '',
        liveOrder: snap?.liveOrder
          ? `${snap.liveOrder.venue} ${snap.liveOrder.side} ${snap.liveOrder.qty} @ ${snap.liveOrder.price} (${snap.liveOrder.status})`
          : null,
        net: snap?.inventory.net ?? null,
        mid: midOf(snap?.books.L?.bids[0]?.price, snap?.books.L?.asks[0]?.price),
        unhedged: snap ? new Decimal(snap.inventory.unhedgedL).plus(snap.inventory.unhedgedE).toString() : null,
        minHedgeQty: snap?.inventory.minHedgeQty ?? null,
        pnl: snap?.inventory.realisedPnl ?? null,
        // Only alarms whose condition lasts are counted red; cleared ones wait for acknowledgement.
        alarms: snap?.alarms.filter((alarm) => alarm.clearedAt === null).length ?? 0,
        clearedAlarms: snap?.alarms.filter((alarm) => alarm.clearedAt !== null).length ?? 0,
        linkLost: state.linkLostAt !== null
      };
    })
  );
  const state = s.linkLost ? 'LINK LOST' : !s.armed ? 'DISARMED' : s.quoting && s.liveOrder ? 'QUOTING' : s.quoting ? 'ARMED, NO ORDER' : 'ARMED, IDLE';
  const pillClass = s.linkLost ? 'pill pill-bad' : !s.armed ? 'pill pill-off' : s.quoting && s.liveOrder ? 'pill pill-on' : 'pill pill-warn';
  const detail = s.linkLost
    ? 'no engine link: orders may still be live'
    : !s.armed
      ? ''
      : s.quoting && s.liveOrder
        ? `order live: ${s.liveOrder}`
        : s.quoting
          ? 'no quote qualifies right now'
          : s.blockedBy;

  useEffect(() => {
    document.title = `${state}${s.alarms ? ` · ${s.alarms} alarm${s.alarms > 1 ? 's' : ''}` : ''} · LX Hedge ${s.mode ?? ''}`.trim();
  }, [state, s.alarms, s.mode]);

  const over = s.unhedged !== null && s.minHedgeQty !== null && new Decimal(s.unhedged).abs().gte(s.minHedgeQty);
  const netUsd = s.net !== null && s.mid !== null ? new Decimal(s.net).times(s.mid) : null;
  return (
    <div className="status-strip" data-testid="status-strip">
      <span className={pillClass} data-testid="state-pill">
        {state}
      </span>
      <span className="small muted status-detail" data-testid="state-detail" title={detail}>
        {detail}
      </span>
      <span className="spacer" />
      <span className="status-figure" data-testid="status-net">
        net <b>{s.net ?? '-'}</b>
        {netUsd ? ` (${netUsd.toDecimalPlaces(2).toNumber().toLocaleString('en-US', { style: 'currency', currency: 'USD' })})` : ''}
      </span>
      <span className={`status-figure${over ? ' bad' : ''}`} data-testid="status-unhedged">
        unhedged <b>{s.unhedged ?? '-'}</b> / min {s.minHedgeQty ?? '-'}
      </span>
      <span className="status-figure" data-testid="status-pnl">
        session PnL <b>{s.pnl ? new Decimal(s.pnl).toFixed(2) : '-'}</b>
      </span>
      <span className={`status-figure${s.alarms ? ' bad' : ''}`} data-testid="status-alarms">
        {s.alarms} alarm{s.alarms === 1 ? '' : 's'}
        {s.clearedAlarms ? <span className="muted"> (+{s.clearedAlarms} cleared)</span> : null}
      </span>
    </div>
  );
});
