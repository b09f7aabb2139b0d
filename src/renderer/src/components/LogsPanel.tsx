import { memo, useMemo, useState } from 'react';
import { time } from '../format';
import { useConsole, type LogLine } from '../store';
import { VirtualList } from './VirtualList';

const TABS = ['realtime', 'maker', 'hedge', 'spread', 'engine'] as const;
type Tab = (typeof TABS)[number];

/** The strategy logs live, in tabs, filterable; realtime shows the current state. */
export const LogsPanel = memo(function LogsPanel() {
  const [tab, setTab] = useState<Tab>('maker');
  const [filter, setFilter] = useState('');
  const logs = useConsole((state) => state.logs);
  const realtime = useConsole((state) => state.realtime);
  const lines: LogLine[] = useMemo(() => {
    if (tab === 'realtime') return [];
    const all = logs[tab];
    const needle = filter.trim().toLowerCase();
    return needle ? all.filter((line) => line.text.toLowerCase().includes(needle)) : all;
  }, [logs, tab, filter]);
  return (
    <section className="panel" data-testid="logs">
      <h2>
        Logs
        <span className="tabs">
          {TABS.map((name) => (
            <button key={name} className={`tab${tab === name ? ' tab-on' : ''}`} data-testid={`log-tab-${name}`} onClick={() => setTab(name)}>
              {name}
            </button>
          ))}
        </span>
        {tab !== 'realtime' && (
          <input className="filter" placeholder="filter" value={filter} onChange={(event) => setFilter(event.target.value)} data-testid="log-filter" />
        )}
      </h2>
      {tab === 'realtime' ? (
        <pre className="realtime" data-testid="realtime">
          {realtime || 'waiting for the first state...'}
        </pre>
      ) : (
        <VirtualList
          items={lines}
          height={220}
          testId={`log-${tab}`}
          render={(line) => (
            <span className={line.level ? `ev-${line.level}` : ''}>
              <span className="muted">{time(line.at)}</span> {line.text}
            </span>
          )}
        />
      )}
    </section>
  );
});
