import Decimal from 'decimal.js';
import { memo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { fixed, percentOf, signed } from '../format';
import { useConsole } from '../store';
import { meaningOf } from '../../../shared/glossary';

/** Positions, entries, the INV spread, unhedged against minHedgeQty and the position cap. */
export const InventoryPanel = memo(function InventoryPanel() {
  // Field by field: the panel redraws only when a value changes, not on every snapshot.
  const inventory = useConsole(useShallow((state) => state.snapshot?.inventory ?? null));
  const inv = useConsole((state) => state.snapshot?.spreads?.inv);
  if (!inventory) return <section className="panel" data-testid="inventory" />;
  const cap = new Decimal(inventory.maxPositionValue);
  const threshold = inventory.minHedgeQty ? new Decimal(inventory.minHedgeQty) : null;
  const over = (value: string) => threshold !== null && new Decimal(value).abs().gte(threshold);
  return (
    <section className="panel" data-testid="inventory">
      <h2>Inventory &amp; hedging</h2>
      <table className="kv">
        <tbody>
          <tr>
            <td>invL</td>
            <td className="num" data-testid="invL">
              {signed(inventory.invL, 4)}
            </td>
            <td className="muted">@ {fixed(inventory.entryL, 2)}</td>
          </tr>
          <tr>
            <td>invE</td>
            <td className="num" data-testid="invE">
              {signed(inventory.invE, 4)}
            </td>
            <td className="muted">@ {fixed(inventory.entryE, 2)}</td>
          </tr>
          <tr>
            <td>net</td>
            <td className="num">{signed(inventory.net, 4)}</td>
            <td className="muted" title={meaningOf('INV')}>
              INV spread {fixed(inv, 4)}%
            </td>
          </tr>
          <tr className={over(inventory.unhedgedL) ? 'warn' : ''}>
            <td title={meaningOf('unhedged_L')}>unhedged_L</td>
            <td className="num" data-testid="unhedgedL">
              {signed(inventory.unhedgedL, 4)}
            </td>
            <td className="muted" title={meaningOf('minHedgeQty')}>
              minHedgeQty {inventory.minHedgeQty ?? '-'}
            </td>
          </tr>
          <tr className={over(inventory.unhedgedE) ? 'warn' : ''}>
            <td title={meaningOf('unhedged_E')}>unhedged_E</td>
            <td className="num" data-testid="unhedgedE">
              {signed(inventory.unhedgedE, 4)}
            </td>
            <td className="muted" title={meaningOf('bias')}>
              bias {inventory.currentDirection ?? '-'}
            </td>
          </tr>
          <tr>
            <td title={meaningOf('legs in flight')}>legs in flight</td>
            <td className="num" data-testid="legsInFlight">
              {signed(inventory.legsInFlight, 4)}
            </td>
            <td className={inventory.unknownOrders > 0 ? 'bad' : 'muted'} data-testid="unknownOrders">
              {inventory.unknownOrders > 0 ? `${inventory.unknownOrders} order(s) of unknown outcome` : 'no unknown outcome'}
            </td>
          </tr>
          <tr>
            <td title="Realised PnL since this engine started (the performance panel shows the whole journal's)">session realised PnL</td>
            <td className="num">{signed(inventory.realisedPnl, 2)}</td>
            <td />
          </tr>
        </tbody>
      </table>
      {inventory.dust && (
        <div className="small warn" data-testid="dust">
          {inventory.dust}: no exit decision, entries not blocked
        </div>
      )}
      <div className="small muted">
        position value {fixed(inventory.positionValue, 2)} / MAX_POSITION_VALUE {inventory.maxPositionValue}
      </div>
      <div className="bar">
        <span style={{ width: cap.isZero() ? '100%' : percentOf(inventory.positionValue, cap) }} />
      </div>
    </section>
  );
});
