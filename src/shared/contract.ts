/**
 * The one typed contract between the engine (main process or headless host) and every view.
 * Everything that crosses it is plain JSON: decimals travel as strings so that no price or size
 * ever passes through a JS float on the way to the screen.
 */
import type { Command, CommandResult } from './commands';
import type { StrategyParams } from './params';

export type { Command, CommandResult, StrategyParams };

/** A decimal number written as a string, e.g. "3012.45". Parse it with decimal.js, never Number(). */
export type DecimalString = string;
export type VenueId = 'L' | 'E';
export type Side = 'buy' | 'sell';
export type Mode = 'DEMO' | 'TESTNET' | 'MAINNET';

export type StartupStatus = 'pending' | 'running' | 'done' | 'failed' | 'skipped';
export interface StartupStep {
  /** 1..7, as in strategy.md "Start-up". */
  id: number;
  label: string;
  status: StartupStatus;
  detail?: string;
  /** Epoch ms of the last status change. */
  at?: number;
}

export type AlarmKind =
  | 'hedge_exhausted'
  | 'stale_book'
  | 'disconnect'
  | 'order_rejected'
  | 'tt_imbalance'
  | 'startup_failed'
  | 'internal';

export interface Alarm {
  id: string;
  kind: AlarmKind;
  message: string;
  at: number;
  acknowledged: boolean;
}

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface SafetyView {
  /** The trader's intent. */
  armed: boolean;
  /** armed AND both venues connected AND both books fresh. */
  effectiveQuoting: boolean;
  /** Why quoting is off while armed (empty when quoting or disarmed). */
  blockedBy: string[];
}

export interface EngineSnapshot {
  /** Increases by one with every published snapshot. */
  seq: number;
  /** Epoch ms when this snapshot was taken (engine clock). */
  at: number;
  mode: Mode;
  startedAt: number;
  /** Increases on every engine heartbeat, so a view can tell a live engine from a frozen one. */
  heartbeat: number;
  safety: SafetyView;
  hedgeSeeded: boolean;
  startup: StartupStep[];
  params: StrategyParams;
  /** Active alarms, newest first, kept until acknowledged. */
  alarms: Alarm[];
}

export type EngineEvent =
  | { type: 'log'; at: number; level: LogLevel; source: string; message: string }
  | { type: 'alarm'; alarm: Alarm }
  | { type: 'startup'; step: StartupStep }
  | { type: 'command'; at: number; command: Command['type']; ok: boolean; message: string };

/** What a viewer receives, in order: one snapshot first, then recent events, then live traffic. */
export type HostMessage =
  | { kind: 'snapshot'; snapshot: EngineSnapshot }
  | { kind: 'event'; event: EngineEvent };

/** The API a view uses, whatever the transport (Electron IPC or the headless WebSocket). */
export interface ConsoleApi {
  /** Starts the stream; the listener gets the full current snapshot first. Returns an unsubscribe. */
  subscribe(listener: (message: HostMessage) => void): () => void;
  command(command: Command): Promise<CommandResult>;
}

/** Electron IPC channel names. */
export const IPC = {
  subscribe: 'lx:subscribe',
  unsubscribe: 'lx:unsubscribe',
  command: 'lx:command',
  message: 'lx:message'
} as const;

/** Frames of the headless WebSocket bridge. */
export type BridgeClientFrame = { kind: 'command'; id: number; command: unknown };
export type BridgeServerFrame =
  | HostMessage
  | { kind: 'result'; id: number; result: CommandResult };
