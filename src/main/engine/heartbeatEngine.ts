import type { Alarm, Command, CommandResult, EngineSnapshot, Mode, StartupStep } from '../../shared/contract';
import { commandError } from '../../shared/commands';
import type { StrategyParams } from '../../shared/params';
import type { Engine, EngineListener } from '../host/engine';
import type { Clock, TimerHandle } from './clock';

export const STARTUP_LABELS = [
  'Wire callbacks',
  'Start Lighter and Extended streams',
  'Wait for both books',
  'Compute minHedgeQty',
  'Load positions and seed unhedged',
  'Hedge the seed',
  'hedge_seeded: maker engine may run'
] as const;

/**
 * The engine host's stand-in until the strategy engine exists: a heartbeat, the armed flag, the
 * strategy parameters and alarms. It has no venues, so it never quotes (effective quoting stays
 * off) and refuses the commands that would need a venue.
 */
export class HeartbeatEngine implements Engine {
  private listener: EngineListener | null = null;
  private heartbeat = 0;
  private timer: TimerHandle | null = null;
  private armed = false;
  private readonly startedAt: number;
  private readonly alarms: Alarm[] = [];
  private readonly startup: StartupStep[] = STARTUP_LABELS.map((label, index) => ({
    id: index + 1,
    label,
    status: 'pending'
  }));

  constructor(
    private readonly clock: Clock,
    private readonly mode: Mode,
    private params: StrategyParams,
    private readonly heartbeatMs = 1000
  ) {
    this.startedAt = clock.now();
  }

  setListener(listener: EngineListener): void {
    this.listener = listener;
  }

  async start(): Promise<void> {
    this.scheduleBeat();
    this.listener?.event({
      type: 'log',
      at: this.clock.now(),
      level: 'info',
      source: 'engine',
      message: `engine started in ${this.mode} mode (stand-in engine: no venues yet), disarmed`
    });
  }

  async stop(): Promise<void> {
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = null;
  }

  snapshot(): Omit<EngineSnapshot, 'seq' | 'at'> {
    return {
      mode: this.mode,
      startedAt: this.startedAt,
      heartbeat: this.heartbeat,
      safety: {
        armed: this.armed,
        effectiveQuoting: false,
        blockedBy: this.armed ? ['no venue connected'] : []
      },
      hedgeSeeded: false,
      startup: this.startup.map((step) => ({ ...step })),
      params: { ...this.params },
      alarms: this.alarms.filter((alarm) => !alarm.acknowledged).map((alarm) => ({ ...alarm }))
    };
  }

  async execute(command: Command): Promise<CommandResult> {
    switch (command.type) {
      case 'arm':
        if (this.mode === 'MAINNET' && command.confirmMainnet !== true) {
          return commandError('FORBIDDEN', 'arming on MAINNET needs confirmMainnet: true', {
            field: 'confirmMainnet',
            value: String(command.confirmMainnet)
          });
        }
        this.armed = true;
        break;
      case 'disarm':
      case 'kill':
        this.armed = false;
        break;
      case 'setParams':
        this.params = { ...this.params, ...command.params };
        break;
      case 'ackAlarm': {
        const alarm = this.alarms.find((candidate) => candidate.id === command.id);
        if (!alarm) return commandError('REJECTED', `no alarm with id ${command.id}`, { field: 'id', value: command.id });
        alarm.acknowledged = true;
        break;
      }
      case 'flatten':
      case 'hedgeUnhedged':
      case 'manualHedge':
        return commandError('UNAVAILABLE', `${command.type}: no venue is connected`);
    }
    this.listener?.changed();
    return { ok: true, message: `${command.type} done` };
  }

  private scheduleBeat(): void {
    this.timer = this.clock.setTimeout(() => {
      this.heartbeat += 1;
      this.listener?.changed();
      this.scheduleBeat();
    }, this.heartbeatMs);
  }
}
