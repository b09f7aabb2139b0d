import { create } from 'zustand';
import type {
  Alarm,
  Command,
  CommandResult,
  ComboKey,
  DecisionView,
  EngineEvent,
  EngineSnapshot,
  HistoryView,
  HostMessage,
  QueryRequest,
  QueryResult,
  StrategyLogName,
  ViewHistory
} from '../../shared/contract';
import type { ConnectionState, Transport } from './transport';
import { playAlarmTone } from './alarmSound';

const MAX_EVENTS = 500;
const MAX_LOG_LINES = 5000;
const MAX_DECISIONS = 1000;
// The chart redraws once a second over the last three minutes: cheap, and still live.
const SPREAD_POINTS = 180;
const SPREAD_SAMPLE_MS = 1000;

export interface LogLine {
  seq: number;
  at: number;
  text: string;
  level?: string;
}

export interface SpreadPoint {
  t: number;
  /** Percent values for the chart (display only: the engine decides on exact decimals). */
  values: Partial<Record<ComboKey, number>>;
}

export type SeqDecision = DecisionView & { seq: number };

let decisionSeq = 0;

export interface ConsoleState {
  transport: Transport['kind'] | null;
  connection: ConnectionState;
  /** Epoch ms when the link to the engine was last lost (null while it is up). */
  linkLostAt: number | null;
  snapshot: EngineSnapshot | null;
  /** Newest first. */
  events: EngineEvent[];
  /** Newest first, each with a sequence number for the list's keys. */
  decisions: SeqDecision[];
  logs: Record<Exclude<StrategyLogName, 'realtime'> | 'engine', LogLine[]>;
  realtime: string;
  spreadHistory: SpreadPoint[];
  history: HistoryView | null;
  lastResult: CommandResult | null;
  send: (command: Command) => Promise<CommandResult>;
  query: (request: QueryRequest) => Promise<QueryResult>;
}

const emptyLogs = () => ({ spread: [], maker: [], hedge: [], engine: [] });

export const useConsole = create<ConsoleState>(() => ({
  transport: null,
  connection: 'connecting',
  linkLostAt: null,
  snapshot: null,
  events: [],
  decisions: [],
  logs: emptyLogs(),
  realtime: '',
  spreadHistory: [],
  history: null,
  lastResult: null,
  send: async () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'not connected yet' } }),
  query: async () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'not connected yet' } })
}));

let lineSeq = 0;
const prepend = <T>(list: T[], item: T, max: number) => (list.length >= max ? [item, ...list.slice(0, max - 1)] : [item, ...list]);

/** Announces a new alarm: the tone (when on), and the desktop notification (Electron and browsers both implement the API). */
function notify(alarm: Alarm): void {
  playAlarmTone();
  if (typeof Notification === 'undefined' || Notification.permission !== 'granted') return;
  try {
    new Notification(`LX Hedge: ${alarm.kind.replace(/_/g, ' ')}`, { body: alarm.message, tag: alarm.id });
  } catch {
    // Some environments refuse notifications from a page: the banner stays regardless.
  }
}

function applyEvent(state: ConsoleState, event: EngineEvent): Partial<ConsoleState> {
  const next: Partial<ConsoleState> = { events: prepend(state.events, event, MAX_EVENTS) };
  switch (event.type) {
    case 'decision':
      next.decisions = prepend(state.decisions, { ...event.decision, seq: ++decisionSeq }, MAX_DECISIONS);
      break;
    case 'strategyLog':
      if (event.log === 'realtime') next.realtime = event.line;
      else next.logs = { ...state.logs, [event.log]: prepend(state.logs[event.log], { seq: ++lineSeq, at: event.at, text: event.line }, MAX_LOG_LINES) };
      break;
    case 'log':
      next.logs = {
        ...state.logs,
        engine: prepend(state.logs.engine, { seq: ++lineSeq, at: event.at, text: `[${event.source}] ${event.message}`, level: event.level }, MAX_LOG_LINES)
      };
      break;
    case 'command':
      next.logs = {
        ...state.logs,
        engine: prepend(
          state.logs.engine,
          { seq: ++lineSeq, at: event.at, text: `command ${event.command}: ${event.message}`, level: event.ok ? 'info' : 'warn' },
          MAX_LOG_LINES
        )
      };
      break;
    case 'alarm':
      notify(event.alarm);
      next.logs = {
        ...state.logs,
        engine: prepend(
          state.logs.engine,
          { seq: ++lineSeq, at: event.alarm.at, text: `ALARM ${event.alarm.kind}: ${event.alarm.message}`, level: 'error' },
          MAX_LOG_LINES
        )
      };
      break;
    default:
      break;
  }
  return next;
}

let lastSpreadSample = 0;

/** The host's chart samples and decisions: a reload (or a reconnect) starts from them, not from nothing. */
function applyHistory(history: ViewHistory): void {
  const spreadHistory = history.spreads.slice(-SPREAD_POINTS).map((sample) => {
    const values: SpreadPoint['values'] = {};
    for (const [key, value] of Object.entries(sample.raw)) values[key as ComboKey] = Number(value);
    return { t: sample.t, values };
  });
  lastSpreadSample = spreadHistory.at(-1)?.t ?? 0;
  const decisions = history.decisions.slice(0, MAX_DECISIONS);
  // Oldest gets the lowest number: newer ones (live) keep counting up from here.
  const numbered = decisions.map((decision, index) => ({ ...decision, seq: decisionSeq + decisions.length - index }));
  decisionSeq += decisions.length;
  useConsole.setState({ spreadHistory, decisions: numbered });
}

/** The views render at most this often: ten times a second reads as live, and leaves the frames free. */
const MIN_RENDER_INTERVAL_MS = 100;

/**
 * Messages are applied at most every MIN_RENDER_INTERVAL_MS, on an animation frame: however many
 * snapshots and events arrive in between (a busy market streams log lines and decisions all the
 * time), the views render once, with the latest snapshot and every event in order.
 */
function createBatcher(apply: (snapshot: EngineSnapshot | null, events: EngineEvent[]) => void) {
  let snapshot: EngineSnapshot | null = null;
  let events: EngineEvent[] = [];
  let scheduled = false;
  let lastFlushAt = Number.NEGATIVE_INFINITY;
  const flush = () => {
    scheduled = false;
    lastFlushAt = Date.now();
    const batch = events;
    events = [];
    const latest = snapshot;
    snapshot = null;
    apply(latest, batch);
  };
  return (message: HostMessage) => {
    if (message.kind === 'history') {
      applyHistory(message.history);
      return;
    }
    if (message.kind === 'snapshot') snapshot = message.snapshot;
    else events.push(message.event);
    if (scheduled) return;
    scheduled = true;
    const wait = Math.max(0, lastFlushAt + MIN_RENDER_INTERVAL_MS - Date.now());
    const onFrame = () => {
      if (typeof requestAnimationFrame === 'function' && document.visibilityState === 'visible') requestAnimationFrame(flush);
      else flush();
    };
    setTimeout(onFrame, wait);
  };
}

export function connectStore(transport: Transport): () => void {
  transport.onConnection((connection) =>
    useConsole.setState((state) => ({
      connection,
      // Lost once it had been up: kept through reconnect attempts until the link is open again.
      linkLostAt: connection === 'open' ? null : (state.linkLostAt ?? (state.snapshot ? Date.now() : null))
    }))
  );
  useConsole.setState({
    transport: transport.kind,
    send: async (command) => {
      const result = await transport.command(command);
      useConsole.setState({ lastResult: result });
      return result;
    },
    query: (request) => transport.query(request)
  });
  const onMessage = createBatcher((snapshot, events) => {
    useConsole.setState((state) => {
      let next: ConsoleState = state;
      for (const event of events) next = { ...next, ...applyEvent(next, event) };
      if (snapshot) {
        next = { ...next, snapshot };
        if (snapshot.spreads && snapshot.at - lastSpreadSample >= SPREAD_SAMPLE_MS) {
          lastSpreadSample = snapshot.at;
          const values: SpreadPoint['values'] = {};
          for (const [key, value] of Object.entries(snapshot.spreads.raw)) values[key as ComboKey] = Number(value);
          const history = next.spreadHistory;
          next.spreadHistory = history.length >= SPREAD_POINTS ? [...history.slice(1), { t: snapshot.at, values }] : [...history, { t: snapshot.at, values }];
        }
      }
      return next;
    });
  });
  return transport.subscribe(onMessage);
}
