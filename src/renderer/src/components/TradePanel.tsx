import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Command, Side, VenueId } from '../../../shared/contract';
import { useConsole } from '../store';
import type { ConfirmRequest } from './ConfirmDialog';

/** Manual hedging, flatten, and (in DEMO) the emulators' fault switches. */
export function TradePanel({ confirm }: { confirm: (request: ConfirmRequest) => void }) {
  const snapshot = useConsole(useShallow((state) => ({ mode: state.snapshot?.mode, inventory: state.snapshot?.inventory })));
  const send = useConsole((state) => state.send);
  const [venue, setVenue] = useState<VenueId>('E');
  const [side, setSide] = useState<Side>('sell');
  const [qty, setQty] = useState('');
  const [override, setOverride] = useState(false);
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const run = async (command: Command) => {
    const result = await send(command);
    setMessage(result.ok ? { ok: true, text: result.message } : { ok: false, text: result.error.message });
  };
  const inventory = snapshot?.inventory;
  return (
    <section className="panel" data-testid="trade">
      <h2>Manual</h2>
      <div className="row">
        <button
          className="btn"
          data-testid="hedge-unhedged"
          onClick={() =>
            confirm({
              title: 'Hedge the current unhedged now',
              body: `Market orders for unhedged_L ${inventory?.unhedgedL ?? '-'} and unhedged_E ${inventory?.unhedgedE ?? '-'}, even below minHedgeQty.`,
              confirmLabel: 'Hedge now',
              onConfirm: () => void run({ type: 'hedgeUnhedged', confirm: true })
            })
          }
        >
          Hedge unhedged now
        </button>
        <button
          className="btn btn-warn"
          data-testid="flatten"
          onClick={() =>
            confirm({
              title: 'Flatten both legs',
              body: `Kill (disarm, cancel every order), then close invL ${inventory?.invL ?? '-'} and invE ${inventory?.invE ?? '-'} with market orders.`,
              confirmLabel: 'Flatten',
              danger: true,
              onConfirm: () => void run({ type: 'flatten', confirm: true })
            })
          }
        >
          Flatten
        </button>
      </div>
      <div className="row">
        <select value={venue} onChange={(event) => setVenue(event.target.value as VenueId)} data-testid="manual-venue">
          <option value="L">Lighter</option>
          <option value="E">Extended</option>
        </select>
        <select value={side} onChange={(event) => setSide(event.target.value as Side)} data-testid="manual-side">
          <option value="buy">buy</option>
          <option value="sell">sell</option>
        </select>
        <input className="param-input" placeholder="qty" value={qty} onChange={(event) => setQty(event.target.value)} data-testid="manual-qty" />
        <label className="small" title="Needed when the order would raise |net| above minHedgeQty or a position above MAX_POSITION_VALUE">
          <input type="checkbox" checked={override} onChange={(event) => setOverride(event.target.checked)} data-testid="manual-override" /> override limits
        </label>
        <button
          className="btn"
          data-testid="manual-send"
          onClick={() =>
            confirm({
              title: 'Manual market order',
              body:
                `${side.toUpperCase()} ${qty || '?'} on ${venue === 'L' ? 'Lighter' : 'Extended'} at market (IOC within the slippage cap). ` +
                `The hedge engine hedges any exposure this order creates.${override ? ' Limits overridden.' : ''}`,
              confirmLabel: 'Send',
              onConfirm: () =>
                void run({ type: 'manualHedge', venue, side, qty: qty.trim(), confirm: true, ...(override ? { overrideLimits: true as const } : {}) })
            })
          }
        >
          Send
        </button>
      </div>
      {message && (
        <div className={message.ok ? 'ok small' : 'bad small'} data-testid="trade-message">
          {message.text}
        </div>
      )}
      {snapshot?.mode === 'DEMO' && (
        <>
          <h2 className="sub">Demo faults</h2>
          <div className="row wrap">
            {(['L', 'E'] as const).map((v) =>
              (['drop', 'stale', 'rejectOrders', 'duplicateFills', 'resume'] as const).map((fault) => (
                <button
                  key={`${v}${fault}`}
                  className="btn btn-small"
                  data-testid={`fault-${v}-${fault}`}
                  onClick={() => void run({ type: 'demoFault', venue: v, fault })}
                >
                  {v} {fault}
                </button>
              ))
            )}
          </div>
        </>
      )}
    </section>
  );
}
