import { Fragment, memo, useState } from 'react';
import type { OrderView } from '../../../shared/contract';
import { time } from '../format';
import { useConsole } from '../store';
import { useNow } from '../useNow';

const NO_ORDERS: OrderView[] = [];

/** Seconds since, counted in the page (a frozen link cannot freeze it). */
function age(sentAt: number, now: number): string {
  const seconds = Math.max(0, Math.floor((now - sentAt) / 1000));
  return seconds < 60 ? `${seconds} s` : `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}

/** What the venue's record says of it now: the state while it works, the final status once settled. */
function status(order: OrderView): string {
  if (order.state !== 'finished') return order.state.replace('_', ' ');
  return (order.finalStatus ?? 'finished').replace('_', ' ');
}

/**
 * The trader's view of every order: the working ones (age, and a cancel button for resting quotes)
 * and a blotter of the last settled ones, each row expandable to its ids, times and the venue's word.
 */
export const OrdersPanel = memo(function OrdersPanel() {
  const open = useConsole((state) => state.snapshot?.orders.open ?? NO_ORDERS);
  const recent = useConsole((state) => state.snapshot?.orders.recent ?? NO_ORDERS);
  const send = useConsole((state) => state.send);
  const now = useNow(1000);
  const [expanded, setExpanded] = useState<string | null>(null);
  const [cancelling, setCancelling] = useState<string | null>(null);
  const key = (order: OrderView) => `${order.venue}:${order.clientId}`;

  const cancel = async (order: OrderView) => {
    setCancelling(key(order));
    try {
      await send({ type: 'cancelOrder', venue: order.venue, clientId: order.clientId });
    } finally {
      setCancelling(null);
    }
  };

  return (
    <section className="panel" data-testid="orders">
      <h2>
        Orders <span className="muted small">{open.length} working</span>
      </h2>
      <table className="orders-table num" data-testid="open-orders">
        <thead>
          <tr>
            <th>venue</th>
            <th>purpose</th>
            <th>side</th>
            <th>price</th>
            <th>qty</th>
            <th>filled</th>
            <th>state</th>
            <th>age</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {open.length === 0 && (
            <tr>
              <td colSpan={9} className="muted">
                no working order
              </td>
            </tr>
          )}
          {open.map((order) => (
            <tr key={key(order)} data-testid="open-order" data-client-id={order.clientId} className={order.state === 'unknown' ? 'warn' : undefined}>
              <td>{order.venue}</td>
              <td>{order.purpose}</td>
              <td className={order.side === 'buy' ? 'ok' : 'bad'}>{order.side}</td>
              <td>{order.price ?? '-'}</td>
              <td>{order.qty}</td>
              <td>{order.filled}</td>
              <td>{status(order)}</td>
              <td data-testid="order-age">{age(order.sentAt, now)}</td>
              <td>
                {/* Only what the venue confirmed resting: a cancel overtaking a create on its way could leave it resting untracked. */}
                {(order.purpose === 'maker' || order.purpose === 'adopted') && (order.state === 'open' || order.state === 'partially_filled') && (
                  <button
                    className="btn btn-small"
                    data-testid="order-cancel"
                    disabled={cancelling === key(order)}
                    title="Cancel this order on the venue (while armed, the maker may quote again at once)"
                    onClick={() => void cancel(order)}
                  >
                    Cancel
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3 className="muted small">Blotter: the last {recent.length} settled (click a row for details)</h3>
      <div className="table-scroll blotter-scroll">
        <table className="orders-table num" data-testid="blotter">
          <thead>
            <tr>
              <th>sent</th>
              <th>venue</th>
              <th>purpose</th>
              <th>side</th>
              <th>qty</th>
              <th>filled</th>
              <th>avg</th>
              <th>status</th>
              <th>latency</th>
              <th title="Market orders: average price against the book's best when sent, in the order's disfavour">slippage</th>
            </tr>
          </thead>
          <tbody>
            {recent.map((order) => (
              <Fragment key={key(order)}>
                <tr
                  data-testid="blotter-row"
                  data-client-id={order.clientId}
                  className={`clickable${order.finalStatus === 'rejected' ? ' bad' : ''}`}
                  onClick={() => setExpanded(expanded === key(order) ? null : key(order))}
                >
                  <td>{time(order.sentAt)}</td>
                  <td>{order.venue}</td>
                  <td>{order.purpose}</td>
                  <td>{order.side}</td>
                  <td>{order.qty}</td>
                  <td>{order.filled}</td>
                  <td>{order.avgPrice ?? '-'}</td>
                  <td>{status(order)}</td>
                  <td>{order.latencyMs === null ? '-' : `${order.latencyMs.toFixed(1)} ms`}</td>
                  <td>{order.slippage ?? '-'}</td>
                </tr>
                {expanded === key(order) && (
                  <tr className="blotter-detail" data-testid="blotter-detail">
                    <td colSpan={10}>
                      id {order.clientId} · {order.price ? `${order.purpose === 'maker' ? 'limit' : 'worst'} price ${order.price} · ` : ''}
                      sent {time(order.sentAt)}
                      {order.finalAt ? ` · final ${time(order.finalAt)}` : ''}
                      {order.legOn ? ` · hedges exposure on ${order.legOn}` : ''}
                      {order.detail ? ` · venue: ${order.detail}` : ''}
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
});
