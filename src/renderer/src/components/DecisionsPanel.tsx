import { memo } from 'react';
import { useConsole } from '../store';
import { time } from '../format';
import { VirtualList } from './VirtualList';

/** Executed decisions: what was sent or cancelled, why, at what price and how fast. */
export const DecisionsPanel = memo(function DecisionsPanel() {
  const decisions = useConsole((state) => state.decisions);
  return (
    <section className="panel" data-testid="decisions">
      <h2>
        Decisions <span className="muted small">{decisions.length}</span>
      </h2>
      <VirtualList
        items={decisions}
        height={220}
        testId="decisions-list"
        render={(d) => (
          <span className={`dec dec-${d.action.toLowerCase()}`}>
            <span className="muted">{time(d.at)}</span> <b>{d.action}</b> {d.combo ?? ''} {d.venue ?? ''} {d.side ?? ''} {d.qty ?? ''}
            {d.price ? ` @ ${d.price}` : ''} {d.latencyMs !== undefined ? <span className="muted">({d.latencyMs.toFixed(2)} ms)</span> : null}{' '}
            <span className="muted">{d.reason}</span>
          </span>
        )}
      />
    </section>
  );
});
