import type { Alarm } from '../../../shared/contract';
import { time } from '../format';
import { useConsole } from '../store';

// A stable empty value: a selector returning a fresh [] would re-render forever.
const NO_ALARMS: Alarm[] = [];

/** Active alarms stay on screen until the trader acknowledges each one. */
export function AlarmBanner() {
  const alarms = useConsole((state) => state.snapshot?.alarms ?? NO_ALARMS);
  const send = useConsole((state) => state.send);
  if (alarms.length === 0) return null;
  return (
    <div className="alarms" role="alert">
      {alarms.map((alarm) => (
        <div className="alarm" key={alarm.id} data-testid="alarm">
          <strong>{alarm.kind.replace(/_/g, ' ').toUpperCase()}</strong>
          <span>{alarm.message}</span>
          <span className="muted">{time(alarm.at)}</span>
          <button className="btn" data-testid="alarm-ack" onClick={() => void send({ type: 'ackAlarm', id: alarm.id })}>
            Acknowledge
          </button>
        </div>
      ))}
    </div>
  );
}
