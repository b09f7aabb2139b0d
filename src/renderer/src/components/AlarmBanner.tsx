import type { Alarm } from '../../../shared/contract';
import { time } from '../format';
import { useConsole } from '../store';

// A stable empty value: a selector returning a fresh [] would re-render forever.
const NO_ALARMS: Alarm[] = [];

/** Alarms stay on screen until the trader acknowledges each one; one whose condition ended says so, with the time. */
export function AlarmBanner() {
  const alarms = useConsole((state) => state.snapshot?.alarms ?? NO_ALARMS);
  const send = useConsole((state) => state.send);
  if (alarms.length === 0) return null;
  return (
    <div className={`alarms${alarms.every((alarm) => alarm.clearedAt !== null) ? ' alarms-cleared' : ''}`} role="alert">
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
          <button className="btn" data-testid="alarm-ack" onClick={() => void send({ type: 'ackAlarm', id: alarm.id })}>
            Acknowledge
          </button>
        </div>
      ))}
    </div>
  );
}
