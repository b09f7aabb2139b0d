import { memo, useMemo } from 'react';
import { chartDomain, chartRow, type ChartRow } from '../chartScale';
import { clockTime } from '../format';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useShallow } from 'zustand/react/shallow';
import { useConsole } from '../store';

const COLORS = { MT_LE: '#3fb950', TM_LE: '#58a6ff', MT_EL: '#d29922', TM_EL: '#f778ba', TT_LE: '#8b949e', TT_EL: '#a371f7' } as const;

/** Spread history with the entry and exit thresholds (display values only). */
export const SpreadChart = memo(function SpreadChart() {
  const points = useConsole((state) => state.spreadHistory);
  const params = useConsole(useShallow((state) => ({ minSpread: state.snapshot?.params.minSpread ?? '0', spreadTp: state.snapshot?.params.spreadTp ?? '0' })));
  const domain = useMemo(() => chartDomain(Number(params.minSpread), Number(params.spreadTp)), [params.minSpread, params.spreadTp]);
  const data = useMemo(() => points.map((point) => chartRow(point.t, point.values, domain)), [points, domain]);
  const outliers = data.filter((row) => Object.keys(row).some((key) => key.endsWith('_out'))).length;
  return (
    <section className="panel" data-testid="spread-chart">
      <h2>
        Spread history <span className="muted small">% of buy price, held around the thresholds</span>
        {outliers > 0 && (
          <span className="small warn-text" data-testid="chart-outliers">
            {' '}
            · {outliers} point{outliers === 1 ? '' : 's'} off the scale (marked ◆ at the edge)
          </span>
        )}
      </h2>
      <div style={{ height: 210 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
            <CartesianGrid stroke="#21262d" />
            <XAxis dataKey="t" tickFormatter={(t: number) => clockTime(t)} stroke="#8b949e" fontSize={10} minTickGap={40} />
            <YAxis stroke="#8b949e" fontSize={10} domain={[domain[0], domain[1]]} allowDataOverflow tickFormatter={(v: number) => `${v.toFixed(2)}%`} />
            <Tooltip
              contentStyle={{ background: '#161b22', border: '1px solid #30363d', fontSize: 11 }}
              labelFormatter={(t) => clockTime(Number(t))}
              // The true value of a point held at the edge.
              formatter={(value, name, item) => {
                const row = (item as { payload?: ChartRow }).payload;
                const real = row?.[`${String(name)}_out`];
                return [`${(real ?? Number(value)).toFixed(4)}%${real !== undefined ? ' (off the scale)' : ''}`, String(name)];
              }}
            />
            <Legend wrapperStyle={{ fontSize: 11 }} />
            {params && (
              <ReferenceLine
                y={Number(params.minSpread)}
                stroke="#3fb950"
                strokeDasharray="4 3"
                label={{ value: 'MIN_SPREAD', fill: '#3fb950', fontSize: 10 }}
              />
            )}
            {params && (
              <ReferenceLine y={Number(params.spreadTp)} stroke="#d29922" strokeDasharray="4 3" label={{ value: 'SPREAD_TP', fill: '#d29922', fontSize: 10 }} />
            )}
            {(Object.keys(COLORS) as Array<keyof typeof COLORS>).map((key) => (
              <Line
                key={key}
                type="stepAfter"
                dataKey={key}
                stroke={COLORS[key]}
                isAnimationActive={false}
                strokeWidth={1.3}
                // Off-scale points: a mark at the edge where the value left the chart.
                dot={(props: { cx?: number; cy?: number; index?: number; payload?: ChartRow }) =>
                  props.payload?.[`${key}_out`] !== undefined && props.cx !== undefined && props.cy !== undefined ? (
                    <path
                      key={`${key}-${props.index}`}
                      className="chart-outlier"
                      d={`M${props.cx},${props.cy - 4}L${props.cx + 4},${props.cy}L${props.cx},${props.cy + 4}L${props.cx - 4},${props.cy}Z`}
                      fill={COLORS[key]}
                    />
                  ) : (
                    <g key={`${key}-${props.index}`} />
                  )
                }
              />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
});
