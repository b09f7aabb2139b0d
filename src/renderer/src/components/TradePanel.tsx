import { useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import Decimal from 'decimal.js';
import type { Command, EngineSnapshot, InventoryView, Side, VenueId } from '../../../shared/contract';
import { useConsole } from '../store';
import type { ConfirmRequest } from './ConfirmDialog';

const DECIMAL = /^(0|[1-9]\d*)(\.\d+)?$/;

/**
 * What a manual market order would do, from the last book and inventory: the average price and
 * notional of the levels it would take, its slippage from the best price, and the net exposure and
 * position value after it. `overLimits` when it raises |net| above minHedgeQty or the position's
 * value above MAX_POSITION_VALUE (the engine then wants an explicit override).
 */
export function estimateManualOrder(
  qtyText: string,
  side: Side,
  venue: VenueId,
  books: EngineSnapshot['books'] | undefined,
  inventory: InventoryView | undefined
): { error: string } | { lines: string[]; overLimits: boolean } {
  const text = qtyText.trim();
  if (!DECIMAL.test(text) || new Decimal(text).lte(0)) return { error: `qty: expected a positive decimal number such as 0.05, got ${JSON.stringify(qtyText)}` };
  const book = books?.[venue];
  const levels = side === 'buy' ? book?.asks : book?.bids;
  if (!book || !inventory || !levels || levels.length === 0) return { error: 'no book for this venue yet' };
  const qty = new Decimal(text);
  let left = qty;
  let cost = new Decimal(0);
  for (const level of levels) {
    if (left.lte(0)) break;
    const take = Decimal.min(left, level.size);
    cost = cost.plus(take.times(level.price));
    left = left.minus(take);
  }
  const filled = qty.minus(left);
  const best = new Decimal(levels[0]!.price);
  const average = filled.gt(0) ? cost.div(filled) : best;
  const slippageBps = average.minus(best).abs().div(best).times(10_000);
  const signed = side === 'buy' ? qty : qty.neg();
  const net = new Decimal(inventory.net);
  const netAfter = net.plus(signed);
  const position = new Decimal(venue === 'L' ? inventory.invL : inventory.invE).plus(signed);
  const positionValue = position.abs().times(average);
  const cap = new Decimal(inventory.maxPositionValue);
  const threshold = new Decimal(inventory.minHedgeQty ?? '0');
  const raisesNet = netAfter.abs().gt(net.abs()) && netAfter.abs().gt(threshold);
  const overCap = position.abs().gt(new Decimal(venue === 'L' ? inventory.invL : inventory.invE).abs()) && positionValue.gt(cap);
  const lines = [
    `estimated average price ${average.toDecimalPlaces(2).toString()} (slippage ${slippageBps.toDecimalPlaces(1).toString()} bps from ${best.toString()})`,
    `notional ${cost.toDecimalPlaces(2).toString()} USD${left.gt(0) ? `; the book shown holds only ${filled.toString()} of ${qty.toString()}` : ''}`,
    `net exposure ${net.toString()} -> ${netAfter.toString()} (minHedgeQty ${threshold.toString()})`,
    `${venue} position ${position.toString()}, worth ${positionValue.toDecimalPlaces(2).toString()} USD against MAX_POSITION_VALUE ${cap.toString()}`
  ];
  if (raisesNet) lines.push('WARNING: raises the net exposure above minHedgeQty: the hedge engine will hedge it');
  if (overCap) lines.push('WARNING: the position would be worth more than MAX_POSITION_VALUE');
  return { lines, overLimits: raisesNet || overCap };
}

/** The flatten confirmation, shared by the button and the Ctrl+Shift+F shortcut. */
export function flattenRequest(inventory: InventoryView | undefined, run: (command: Command) => unknown): ConfirmRequest {
  return {
    title: 'Flatten both legs',
    body: `Kill (disarm, cancel every order), then close invL ${inventory?.invL ?? '-'} and invE ${inventory?.invE ?? '-'} with market orders.`,
    confirmLabel: 'Flatten',
    danger: true,
    onConfirm: () => void run({ type: 'flatten', confirm: true })
  };
}

/** Manual hedging, flatten, and (in DEMO) the emulators' fault switches. */
export function TradePanel({ confirm }: { confirm: (request: ConfirmRequest) => void }) {
  const snapshot = useConsole(useShallow((state) => ({ mode: state.snapshot?.mode, inventory: state.snapshot?.inventory, books: state.snapshot?.books })));
  const send = useConsole((state) => state.send);
  const [venue, setVenue] = useState<VenueId>('E');
  const [side, setSide] = useState<Side>('sell');
  const [qty, setQty] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
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
          title="Kill, then close both positions at market (Ctrl+Shift+F)"
          onClick={() => confirm(flattenRequest(inventory, run))}
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

        <button
          className="btn"
          data-testid="manual-send"
          onClick={() => {
            // Checked before any dialog: a size that is not one never reaches a confirmation.
            const estimate = estimateManualOrder(qty, side, venue, snapshot.books, snapshot.inventory);
            if ('error' in estimate) {
              setFormError(estimate.error);
              return;
            }
            setFormError(null);
            confirm({
              title: 'Manual market order',
              body:
                `${side.toUpperCase()} ${qty.trim()} on ${venue === 'L' ? 'Lighter' : 'Extended'} at market (IOC within the slippage cap). ` +
                'The hedge engine hedges any exposure this order creates.',
              details: estimate.lines,
              confirmLabel: 'Send',
              danger: estimate.overLimits,
              typeToConfirm: estimate.overLimits ? 'OVERRIDE' : undefined,
              onConfirm: () =>
                void run({
                  type: 'manualHedge',
                  venue,
                  side,
                  qty: qty.trim(),
                  confirm: true,
                  ...(estimate.overLimits ? { overrideLimits: true as const } : {})
                })
            });
          }}
        >
          Send
        </button>
      </div>
      {formError && (
        <div className="bad small" data-testid="manual-error">
          {formError}
        </div>
      )}
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
