import { memo, useRef } from 'react';
import type { StartupStep } from '../../../shared/contract';
import { useConsole } from '../store';
import { useNow } from '../useNow';

const ICON: Record<StartupStep['status'], string> = { pending: '○', running: '◔', done: '●', failed: '✕', skipped: '–' };

/** Venue health and the seven start-up steps. */
export const HealthPanel = memo(function HealthPanel() {
  const snapshot = useConsole((state) => state.snapshot);
  // Ages counted in the page: they keep growing when no snapshot arrives (engine link lost).
  const now = useNow(1000);
  // Messages per second from two snapshots at least a second apart (engine clock).
  const rate = useRef<{ at: number; counts: Record<string, number>; perSecond: Record<string, number> }>({ at: 0, counts: {}, perSecond: {} });
  if (snapshot && snapshot.at - rate.current.at >= 1000) {
    const seconds = (snapshot.at - rate.current.at) / 1000;
    const counts = { L: snapshot.venues.L.bookMessages, E: snapshot.venues.E.bookMessages };
    rate.current = {
      at: snapshot.at,
      counts,
      perSecond: rate.current.at
        ? { L: Math.round((counts.L - (rate.current.counts.L ?? 0)) / seconds), E: Math.round((counts.E - (rate.current.counts.E ?? 0)) / seconds) }
        : {}
    };
  }
  return (
    <section className="panel" data-testid="health">
      <h2>Venues</h2>
      <table className="kv">
        <thead>
          <tr>
            <th />
            <th>link</th>
            <th className="num">book age</th>
            <th className="num">msgs/s</th>
            <th className="num">order rtt</th>
            <th className="num">budget</th>
            <th className="num">429s</th>
            <th>tier: venue delays</th>
          </tr>
        </thead>
        <tbody>
          {(['L', 'E'] as const).map((venue) => {
            const h = snapshot?.venues[venue];
            const updatedAt = snapshot?.books[venue]?.updatedAt ?? 0;
            return (
              <tr key={venue} data-testid={`health-${venue}`}>
                <td>{venue === 'L' ? 'Lighter' : 'Extended'}</td>
                <td className={h?.connected ? 'ok' : 'bad'}>{h?.connected ? 'up' : 'down'}</td>
                <td className="num">{updatedAt ? `${Math.max(0, Math.max(snapshot?.at ?? 0, now) - updatedAt)} ms` : '-'}</td>
                <td className="num" title={`${h?.bookMessages ?? 0} book messages`}>
                  {rate.current.perSecond[venue] ?? '-'}
                </td>
                <td className="num">{h?.lastOrderLatencyMs === null || h?.lastOrderLatencyMs === undefined ? '-' : `${h.lastOrderLatencyMs.toFixed(1)} ms`}</td>
                <td className="num">
                  {h?.rateLimitHeadroom === null || h?.rateLimitHeadroom === undefined ? '-' : `${Math.round(h.rateLimitHeadroom * 100)}%`}
                </td>
                <td className="num">{h?.rateLimited ?? 0}</td>
                <td className="small" data-testid={`tier-${venue}`} title="How long the venue holds each kind of order before it takes effect">
                  {h?.tier ? `${h.tier.name}: maker ${h.tier.makerDelayMs} / taker ${h.tier.takerDelayMs} / cancel ${h.tier.cancelDelayMs} ms` : '-'}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <h2 className="sub">Start-up {snapshot?.hedgeSeeded ? <span className="ok">hedge seeded</span> : null}</h2>
      <ol className="steps" data-testid="startup">
        {(snapshot?.startup ?? []).map((step) => (
          <li key={step.id} className={`step step-${step.status}`}>
            <span className="icon">{ICON[step.status]}</span> {step.label}
            {step.detail ? <span className="muted"> · {step.detail}</span> : null}
          </li>
        ))}
      </ol>
      {/* For the developer (and the UI benchmark): the engine's heartbeat and the snapshot count, out of the trader's header. */}
      <div className="muted small" data-testid="heartbeat">
        engine heartbeat {snapshot?.heartbeat ?? '-'} · snapshot #{snapshot?.seq ?? '-'}
      </div>
    </section>
  );
});
