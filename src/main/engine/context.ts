import type { AlarmAction, AlarmKind, EngineEvent, VenueId } from '../../shared/contract';
import type { Clock } from '../kernel/clock';
import type { EngineParams, Fees } from './params';
import type { StrategyLogs, TradeJournal } from '../ports/records';
import type { TradingState } from './state';
import type { Venue } from '../ports/venue';

/** What the bots share: state, venues, parameters and the ways to report. Owned by StrategyEngine. */
export interface EngineContext {
  clock: Clock;
  state: TradingState;
  venues: Record<VenueId, Venue>;
  params(): EngineParams;
  fees: Fees;
  logs: StrategyLogs;
  journal: TradeJournal;
  emit(event: EngineEvent): void;
  changed(): void;
  raiseAlarm(kind: AlarmKind, message: string, key?: string, actions?: AlarmAction[]): void;
  /** The condition behind the alarm with this key ended (it stays listed, marked cleared, until acknowledged). */
  clearAlarm(key: string): void;
  log(level: 'info' | 'warn' | 'error', source: string, message: string): void;
  nextClientId(): string;
  /** Armed AND both venues connected AND both books fresh. */
  quotingAllowed(): boolean;
}
