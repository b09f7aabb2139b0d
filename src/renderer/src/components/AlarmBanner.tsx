import { useState } from 'react';
import type { Alarm, AlarmAction } from '../../../shared/contract';
import { time } from '../format';
import { useConsole } from '../store';
import type { ConfirmRequest } from './ConfirmDialog';

// A stable empty value: a selector returning a fresh [] would re-render forever.
const NO_ALARMS: Alarm[] = [];

/** Alarms stay on screen until the trader acknowledges each one; one whose condition ended says so, with the time. */
export function AlarmBanner({ confirm }: { confirm: (request: ConfirmRequest) => void }) {
  const alarms = useConsole((state) => state.snapshot?.alarms ?? NO_ALARMS);
  const send = useConsole((state) => state.send);
  // The overlay floats over the panels: the trader may fold it to a small tab to reach what is
  // under it. A new alarm unfolds it again.
  const [foldedIds, setFoldedIds] = useState<ReadonlySet<string>>(new Set());
  if (alarms.length === 0) return null;
  const folded = alarms.every((alarm) => foldedIds.has(alarm.id));
  if (folded) {
    return (
      <button className="alarms-tab btn btn-warn" data-testid="alarms-show" onClick={() => setFoldedIds(new Set())}>
        {alarms.length} alarm{alarms.length === 1 ? '' : 's'}: show
      </button>
    );
  }
  // The alarm's next step sends market orders: confirmed like the same button in the trade panel.
  const act = (alarm: Alarm, action: AlarmAction) =>
    confirm({
      title: action.label,
      body: alarm.message,
      confirmLabel: action.label,
      danger: true,
      onConfirm: () => void send({ type: action.command, confirm: true })
    });
  return (
    <div className={`alarms${alarms.every((alarm) => alarm.clearedAt !== null) ? ' alarms-cleared' : ''}`} role="alert">
      <button
        className="btn btn-small alarms-fold"
        data-testid="alarms-hide"
        title="Fold the alarms to a small tab (a new alarm unfolds them); they stay until acknowledged"
        onClick={() => setFoldedIds(new Set(alarms.map((alarm) => alarm.id)))}
      >
        Hide
      </button>
      {alarms.map((alarm) => (
        <div className={`alarm${alarm.clearedAt !== null ? ' alarm-cleared' : ''}`} key={alarm.id} data-testid="alarm">
          <strong>{alarm.kind.replace(/_/g, ' ').toUpperCase()}</strong>
          <span>{alarm.message}</span>
          <span className="muted">{time(alarm.at)}</span>
          {alarm.clearedAt !== null && (
            <span className="ok small" data-testid="alarm-cleared">
              cleared {time(alarm.clearedAt)}
            </span>
          )}
          {alarm.actions.map((action) => (
            <button key={action.label} className="btn btn-warn" data-testid="alarm-action" onClick={() => act(alarm, action)}>
              {action.label}
            </button>
          ))}
          <button className="btn" data-testid="alarm-ack" onClick={() => void send({ type: 'ackAlarm', id: alarm.id })}>
            Acknowledge
          </button>
        </div>
      ))}
    </div>
  );
}
