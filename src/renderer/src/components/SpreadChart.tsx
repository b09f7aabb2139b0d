import { memo } from 'react';
import { CartesianGrid, Legend, Line, LineChart, ReferenceLine, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { useShallow } from 'zustand/react/shallow';
import { useConsole } from '../store';

const COLORS = { MT_LE: '#3fb950', TM_LE: '#58a6ff', MT_EL: '#d29922', TM_EL: '#f778ba', TT_LE: '#8b949e', TT_EL: '#a371f7' } as const;

/** Spread history with the entry and exit thresholds (display values only). */
export const SpreadChart = memo(function SpreadChart() {
  const points = useConsole((state) => state.spreadHistory);
  const params = useConsole(useShallow((state) => ({ minSpread: state.snapshot?.params.minSpread ?? '0', spreadTp: state.snapshot?.params.spreadTp ?? '0' })));
  const data = points.map((point) => ({ t: point.t, ...point.values }));
  return (
    <section className="panel" data-testid="spread-chart">
      <h2>Spread history</h2>
      <div style={{ height: 210 }}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={data} margin={{ top: 4, right: 8, bottom: 0, left: -12 }}>
            <CartesianGrid stroke="#21262d" />
            <XAxis
              dataKey="t"
              tickFormatter={(t: number) => new Date(t).toLocaleTimeString([], { hour12: false })}
              stroke="#8b949e"
              fontSize={10}
              minTickGap={40}
            />
            <YAxis stroke="#8b949e" fontSize={10} domain={['auto', 'auto']} />
            <Tooltip
              contentStyle={{ background: '#161b22', border: '1px solid #30363d', fontSize: 11 }}
              labelFormatter={(t) => new Date(Number(t)).toLocaleTimeString()}
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
              <Line key={key} type="stepAfter" dataKey={key} stroke={COLORS[key]} dot={false} isAnimationActive={false} strokeWidth={1.3} />
            ))}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </section>
  );
});
