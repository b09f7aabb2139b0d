import Decimal from 'decimal.js';
import { memo, useEffect, useState } from 'react';
import { CartesianGrid, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import type { HistoryView } from '../../../shared/contract';
import { clockTime, fixed, signed, time } from '../format';
import { useConsole } from '../store';

function download(name: string, text: string): void {
  const url = URL.createObjectURL(new Blob([text], { type: 'text/csv' }));
  const link = document.createElement('a');
  link.href = url;
  link.download = name;
  link.click();
  URL.revokeObjectURL(url);
}

type ExportTable = 'trips' | 'fills' | 'hedges' | 'orders';

/** Performance from the trade journal: PnL per round trip, fees, hedge slippage, fills and hedges. */
export const PerformancePanel = memo(function PerformancePanel() {
  const query = useConsole((state) => state.query);
  const [history, setHistory] = useState<HistoryView | null>(null);
  const [table, setTable] = useState<'trips' | 'fills' | 'hedges'>('trips');
  const [error, setError] = useState('');
  useEffect(() => {
    let live = true;
    const load = async () => {
      const result = await query({ type: 'history', limit: 300 });
      if (!live) return;
      if (result.ok && 'history' in result) {
        setHistory(result.history);
        setError('');
      } else if (!result.ok) setError(result.error.message);
    };
    void load();
    const timer = window.setInterval(() => void load(), 2000);
    return () => {
      live = false;
      window.clearInterval(timer);
    };
  }, [query]);
  let cumulative = new Decimal(0);
  const pnl = [...(history?.roundTrips ?? [])].reverse().map((trip) => {
    cumulative = cumulative.plus(trip.pnl);
    // Display value for the chart only.
    return { t: trip.closedAt, pnl: Number(cumulative.toFixed(6)) };
  });
  const totals = history?.totals;
  const [exportTable, setExportTable] = useState<ExportTable>('fills');
  const [exportFrom, setExportFrom] = useState('');
  const [exportTo, setExportTo] = useState('');
  const [exportNote, setExportNote] = useState('');
  // Dates are the trader's UTC days: from 00:00 of the first to 24:00 of the last.
  const exportCsv = async () => {
    const from = exportFrom ? Date.parse(`${exportFrom}T00:00:00Z`) : undefined;
    const to = exportTo ? Date.parse(`${exportTo}T00:00:00Z`) + 86_400_000 : undefined;
    const result = await query({ type: 'export', table: exportTable, from, to });
    if (!result.ok) {
      setExportNote(result.error.message);
      return;
    }
    if (!('export' in result)) return;
    download(`lx-${exportTable}${exportFrom ? `-${exportFrom}` : ''}${exportTo ? `-to-${exportTo}` : ''}.csv`, result.export.csv);
    setExportNote(`${result.export.rows} rows${result.export.truncated ? ' (the first 100,000: narrow the range)' : ''}`);
  };
  return (
    <section className="panel" data-testid="performance">
      <h2>
        Performance <span className="muted small">{error}</span>
      </h2>
      <div className="stats">
        <span>
          <span title="Realised PnL of every closed round trip in the journal, across runs, net of fees (the status strip shows this session's)">
            all-time PnL net
          </span>{' '}
          <b data-testid="pnl">{signed(totals?.realisedPnl, 2)}</b>
        </span>
        <span title="Realised before fees, and the fees: as the venues reported them on each fill, or the configured rate where a venue reported none (marked estimated in the fills list and the CSV)">
          gross {signed(totals?.grossPnl, 2)} · fees <span data-testid="fees">{fixed(totals?.fees, 4)}</span>
        </span>
        <span>round trips {totals?.roundTrips ?? 0}</span>
        <span>
          fills <b data-testid="fill-count">{totals?.fills ?? 0}</b>
        </span>
        <span>hedges {totals?.hedges ?? 0}</span>
        <span>avg slippage {totals?.avgSlippageBps ?? '-'} bps</span>
      </div>
      <div style={{ height: 90 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={pnl} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
            <CartesianGrid stroke="#21262d" />
            <XAxis dataKey="t" hide />
            <YAxis stroke="#8b949e" fontSize={10} />
            <Tooltip contentStyle={{ background: '#161b22', border: '1px solid #30363d', fontSize: 11 }} labelFormatter={(t) => clockTime(Number(t))} />
            <Line type="stepAfter" dataKey="pnl" stroke="#3fb950" dot={false} isAnimationActive={false} />
          </LineChart>
        </ResponsiveContainer>
      </div>
      <div className="tabs">
        <button className={`tab${table === 'trips' ? ' tab-on' : ''}`} onClick={() => setTable('trips')}>
          round trips
        </button>
        <button className={`tab${table === 'fills' ? ' tab-on' : ''}`} onClick={() => setTable('fills')}>
          fills
        </button>
        <button className={`tab${table === 'hedges' ? ' tab-on' : ''}`} onClick={() => setTable('hedges')}>
          hedges
        </button>
      </div>
      <div className="row wrap small" data-testid="export">
        <span className="muted">export {exportTable} as CSV (ISO times, UTC), from</span>
        <input type="date" className="param-input" value={exportFrom} onChange={(event) => setExportFrom(event.target.value)} data-testid="export-from" />
        <span className="muted">to (inclusive)</span>
        <input type="date" className="param-input" value={exportTo} onChange={(event) => setExportTo(event.target.value)} data-testid="export-to" />
        <select value={exportTable} onChange={(event) => setExportTable(event.target.value as ExportTable)} data-testid="export-table">
          {(['trips', 'fills', 'hedges', 'orders'] as const).map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
        <button className="btn btn-small" data-testid="export-csv" onClick={() => void exportCsv()}>
          {exportFrom || exportTo ? 'export range' : 'export whole journal'}
        </button>
        {exportNote && <span data-testid="export-note">{exportNote}</span>}
      </div>
      <div className="table-scroll">
        <table className="kv small">
          <tbody>
            {table === 'trips'
              ? (history?.roundTrips ?? []).slice(0, 100).map((trip) => (
                  <tr key={`${trip.openedAt}-${trip.closedAt}`}>
                    <td className="muted">{time(trip.openedAt)}</td>
                    <td className="muted">→ {time(trip.closedAt)}</td>
                    <td className="num">{trip.fills} fills</td>
                    <td className={`num ${new Decimal(trip.pnl).isNeg() ? 'bad' : 'ok'}`} title={`gross ${trip.gross}, fees ${trip.fees}`}>
                      {signed(trip.pnl, 4)} net
                    </td>
                    <td className="num muted">fees {fixed(trip.fees, 4)}</td>
                    <td />
                  </tr>
                ))
              : table === 'fills'
                ? (history?.fills ?? []).slice(0, 100).map((f) => (
                    <tr key={`${f.venue}${f.id}`}>
                      <td className="muted">{time(f.at)}</td>
                      <td>{f.venue}</td>
                      <td className={f.side === 'buy' ? 'ok' : 'bad'}>{f.side}</td>
                      <td className="num">{f.qty}</td>
                      <td className="num">{f.price}</td>
                      <td className="muted">{f.maker ? 'maker' : 'taker'}</td>
                      <td className="num muted" title={f.feeEstimated ? 'the venue reported no fee: the configured rate' : "the venue's fee"}>
                        fee {f.fee ?? '-'}
                        {f.feeEstimated ? ' est.' : ''}
                      </td>
                    </tr>
                  ))
                : (history?.hedges ?? []).slice(0, 100).map((h, i) => (
                    <tr key={`${h.at}-${i}`}>
                      <td className="muted">{time(h.at)}</td>
                      <td>
                        {h.fromVenue}→{h.venue}
                      </td>
                      <td>{h.side}</td>
                      <td className="num">
                        {h.filled}/{h.requested}
                      </td>
                      <td className="num">{h.slippageBps ?? '-'} bps</td>
                      <td className="muted">{h.error ?? `${h.latencyMs.toFixed(1)} ms`}</td>
                    </tr>
                  ))}
          </tbody>
        </table>
      </div>
    </section>
  );
});
