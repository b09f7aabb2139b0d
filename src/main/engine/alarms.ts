import type { Alarm, AlarmAction, AlarmKind } from '../../shared/contract';
import type { Clock } from '../kernel/clock';

/**
 * Active alarms. An alarm stays until the trader acknowledges it; the same alarm raised again
 * while unacknowledged (same key) updates its message instead of stacking copies. An alarm whose
 * condition ended (a reconnect, a fresh book) is marked cleared with the time, not removed: the
 * trader still sees that it happened, and a red "disconnected" no longer outlives the outage.
 */
export class AlarmCenter {
  private readonly alarms: Alarm[] = [];
  private sequence = 0;

  constructor(
    private readonly clock: Clock,
    private readonly onRaise: (alarm: Alarm) => void
  ) {}

  raise(kind: AlarmKind, message: string, key: string = kind, actions: AlarmAction[] = []): Alarm {
    const existing = this.alarms.find((alarm) => !alarm.acknowledged && alarm.id.startsWith(`${key}#`));
    if (existing) {
      existing.message = message;
      existing.at = this.clock.now();
      existing.clearedAt = null;
      existing.actions = actions;
      this.onRaise({ ...existing });
      return existing;
    }
    const alarm: Alarm = { id: `${key}#${++this.sequence}`, kind, message, at: this.clock.now(), acknowledged: false, clearedAt: null, actions };
    this.alarms.unshift(alarm);
    if (this.alarms.length > 200) this.alarms.length = 200;
    this.onRaise({ ...alarm });
    return alarm;
  }

  /** True while an alarm with this key is listed and not acknowledged. */
  isActive(key: string): boolean {
    return this.alarms.some((alarm) => !alarm.acknowledged && alarm.id.startsWith(`${key}#`));
  }

  /** The condition behind the alarm with this key ended; true when an alarm was marked. */
  clear(key: string): boolean {
    const alarm = this.alarms.find((candidate) => !candidate.acknowledged && candidate.clearedAt === null && candidate.id.startsWith(`${key}#`));
    if (!alarm) return false;
    alarm.clearedAt = this.clock.now();
    return true;
  }

  acknowledge(id: string): boolean {
    const alarm = this.alarms.find((candidate) => candidate.id === id && !candidate.acknowledged);
    if (!alarm) return false;
    alarm.acknowledged = true;
    return true;
  }

  active(): Alarm[] {
    return this.alarms.filter((alarm) => !alarm.acknowledged).map((alarm) => ({ ...alarm, actions: [...alarm.actions] }));
  }
}
