import type { EngineEvent } from '../../../shared/contract';
import { useConsole } from '../store';

function describeEvent(event: EngineEvent): { at?: number; level: string; text: string } {
  switch (event.type) {
    case 'log':
      return { at: event.at, level: event.level, text: `[${event.source}] ${event.message}` };
    case 'alarm':
      return { at: event.alarm.at, level: 'error', text: `ALARM ${event.alarm.kind}: ${event.alarm.message}` };
    case 'startup':
      return { at: event.step.at, level: 'info', text: `start-up ${event.step.id}. ${event.step.label}: ${event.step.status}` };
    case 'command':
      return { at: event.at, level: event.ok ? 'info' : 'warn', text: `${event.command}: ${event.message}` };
    case 'decision': {
      const x = event.decision;
      return { at: x.at, level: 'info', text: `${x.action} ${x.combo ?? ''} ${x.venue ?? ''} ${x.side ?? ''} ${x.qty ?? ''} @ ${x.price ?? ''}: ${x.reason}` };
    }
    case 'hedge':
      return {
        at: event.at,
        level: event.error ? 'warn' : 'info',
        text: `hedge ${event.venue} ${event.side} ${event.requested}: ${event.error ? `FAILED ${event.error}` : `filled ${event.filled}`} (${event.latencyMs.toFixed(1)} ms, attempt ${event.attempt})`
      };
  }
}

export function EventsPanel() {
  const events = useConsole((state) => state.events);
  return (
    <section className="panel panel-wide" data-testid="events">
      <h2>Events</h2>
      <ul className="events">
        {events.slice(0, 200).map((event, index) => {
          const line = describeEvent(event);
          return (
            <li key={events.length - index} className={`ev ev-${line.level}`}>
              <span className="muted">{line.at ? new Date(line.at).toLocaleTimeString() : ''}</span> {line.text}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
