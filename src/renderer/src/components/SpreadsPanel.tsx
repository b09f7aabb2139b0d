import { memo } from 'react';
import { COMBO_KEYS, type ComboKey } from '../../../shared/contract';
import { meaningOf } from '../../../shared/glossary';
import { fixed } from '../format';
import { bookHealth } from '../bookHealth';
import { useConsole } from '../store';
import { useNow } from '../useNow';

const LEGS: Record<ComboKey, string> = {
  TT_LE: 'buy L taker · sell E taker',
  MT_LE: 'buy L maker · sell E taker',
  TM_LE: 'buy L taker · sell E maker',
  TT_EL: 'buy E taker · sell L taker',
  MT_EL: 'buy E maker · sell L taker',
  TM_EL: 'buy E taker · sell L maker'
};

/** The six spreads, raw and net of fees, against the thresholds; qualifying ones lit. */
export const SpreadsPanel = memo(function SpreadsPanel() {
  const now = useNow(1000);
  const snapshotSpreads = useConsole((state) => state.snapshot?.spreads ?? null);
  const params = useConsole((state) => state.snapshot?.params);
  // Spreads from a stale or dead book are not spreads: blank, with the reason, never lit.
  const untrusted = useConsole((state) =>
    (['L', 'E'] as const)
      .map((venue) => ({ venue, health: bookHealth(state.snapshot, venue, now) }))
      .filter((entry) => !entry.health.ok)
      .map((entry) => `${entry.venue} book ${entry.health.ok ? '' : entry.health.label.toLowerCase()}`)
      .join(', ')
  );
  const spreads = untrusted ? null : snapshotSpreads;
  return (
    <section className="panel" data-testid="spreads">
      <h2>
        Spreads{' '}
        <span className="muted small">
          % of buy price · MIN_SPREAD {params?.minSpread ?? '-'} · SPREAD_TP {params?.spreadTp ?? '-'} · INV {fixed(spreads?.inv, 4)}
        </span>
      </h2>
      {untrusted && (
        <div className="bad small" data-testid="spreads-untrusted">
          {untrusted}: spreads not shown
        </div>
      )}
      <table className="kv spreads">
        <thead>
          <tr>
            <th>combo</th>
            <th className="num" title={meaningOf('spread (raw)')}>
              raw
            </th>
            <th
              className="num"
              title={`${meaningOf('spread (net)')} The fees are the configured schedule (est.), shown per venue in the venues panel; the fees actually paid are in the performance panel.`}
            >
              net (est. fees)
            </th>
            <th>legs</th>
          </tr>
        </thead>
        <tbody>
          {COMBO_KEYS.map((key) => {
            const hot = spreads?.qualifying.includes(key) ?? false;
            return (
              <tr key={key} className={hot ? 'qualifying' : ''} data-testid={`spread-${key}`}>
                <td title={`${meaningOf(key.slice(0, 2))} ${meaningOf(key.slice(3))}`} data-testid={`combo-${key}`}>
                  {key}
                </td>
                <td className="num">{fixed(spreads?.raw[key], 4)}</td>
                <td className="num">{fixed(spreads?.net[key], 4)}</td>
                <td className="muted small">{LEGS[key]}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <div className="muted small">
        TT hits:{' '}
        {spreads
          ? Object.entries(spreads.ttHits)
              .map(([key, hits]) => `${key} ${hits}`)
              .join(' · ')
          : '-'}{' '}
        (needs {params?.ttMinHits ?? '-'})
      </div>
    </section>
  );
});
