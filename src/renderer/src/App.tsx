import { useCallback, useEffect, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Command } from '../../shared/contract';
import { StatusStrip } from './components/StatusStrip';
import { AlarmBanner } from './components/AlarmBanner';
import { BookPanel } from './components/BookPanel';
import { ConfirmDialog, type ConfirmRequest } from './components/ConfirmDialog';
import { HelpDialog } from './components/HelpDialog';
import { alarmSoundOn, setAlarmSound } from './alarmSound';
import { DecisionsPanel } from './components/DecisionsPanel';
import { HealthPanel } from './components/HealthPanel';
import { InventoryPanel } from './components/InventoryPanel';
import { LogsPanel } from './components/LogsPanel';
import { OrdersPanel } from './components/OrdersPanel';
import { ParamsPanel } from './components/ParamsPanel';
import { PerformancePanel } from './components/PerformancePanel';
import { PositionsPanel } from './components/PositionsPanel';
import { SpreadChart } from './components/SpreadChart';
import { SpreadsPanel } from './components/SpreadsPanel';
import { flattenRequest, TradePanel } from './components/TradePanel';
import { useConsole } from './store';
import { useCollapsedPanels } from './collapsedPanels';
import { clockTime } from './format';

/** The console's shortcuts, from anywhere in it: Ctrl+K kill, Ctrl+Shift+D disarm, Ctrl+Shift+F flatten (Cmd on macOS). */
function shortcutOf(event: KeyboardEvent): 'kill' | 'disarm' | 'flatten' | null {
  if (!(event.ctrlKey || event.metaKey) || event.altKey) return null;
  const key = event.key.toLowerCase();
  if (key === 'k') return 'kill';
  if (event.shiftKey && key === 'd') return 'disarm';
  if (event.shiftKey && key === 'f') return 'flatten';
  return null;
}

const LEVEL_CHOICES = [5, 10, 20];

export function App() {
  const top = useConsole(
    useShallow((state) => ({
      mode: state.snapshot?.mode,
      armed: state.snapshot?.safety.armed ?? false,
      quoting: state.snapshot?.safety.effectiveQuoting ?? false,
      blockedBy: state.snapshot?.safety.blockedBy.join(', ') ?? '',
      ready: state.snapshot !== null
    }))
  );
  const connection = useConsole((state) => state.connection);
  const linkLostAt = useConsole((state) => state.linkLostAt);
  const transport = useConsole((state) => state.transport);
  const lastResult = useConsole((state) => state.lastResult);
  const send = useConsole((state) => state.send);
  const [confirmRequest, setConfirmRequest] = useState<ConfirmRequest | null>(null);
  const [levels, setLevels] = useState(10);
  const [soundOn, setSoundOn] = useState(alarmSoundOn);
  const [notifications, setNotifications] = useState(typeof Notification === 'undefined' ? 'unsupported' : Notification.permission);

  // What the last kill did, kept on screen until the next arm: the trader sees that it worked.
  const [killNote, setKillNote] = useState<string | null>(null);
  const kill = useCallback(async () => {
    const result = await send({ type: 'kill' });
    const at = clockTime(Date.now());
    setKillNote(result.ok ? `KILLED ${at}: ${result.message.replace(/^kill: /, '')}` : `KILL at ${at} incomplete: ${result.error.message}`);
  }, [send]);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const shortcut = shortcutOf(event);
      if (!shortcut) return;
      event.preventDefault();
      if (shortcut === 'kill') void kill();
      else if (shortcut === 'disarm') void send({ type: 'disarm' });
      // Flatten sends market orders: the shortcut opens its confirmation, never more.
      else setConfirmRequest(flattenRequest(useConsole.getState().snapshot?.inventory, send));
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [kill, send]);

  const panels = useCollapsedPanels();
  const closeConfirm = useCallback(() => setConfirmRequest(null), []);
  const [helpOpen, setHelpOpen] = useState(false);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      const typing = event.target instanceof HTMLInputElement || event.target instanceof HTMLSelectElement;
      if (event.key === 'F1' || (event.key === '?' && !typing)) {
        event.preventDefault();
        setHelpOpen(true);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  const armed = top.armed;
  useEffect(() => {
    if (armed) setKillNote(null);
  }, [armed]);
  const run = (command: Command) => void send(command);
  const onArmToggle = () => {
    if (armed) run({ type: 'disarm' });
    else if (top.mode === 'MAINNET') {
      setConfirmRequest({
        title: 'Arm on MAINNET',
        body: 'Real orders will be sent with real money as soon as a spread qualifies.',
        confirmLabel: 'Arm on mainnet',
        danger: true,
        onConfirm: () => run({ type: 'arm', confirmMainnet: true })
      });
    } else run({ type: 'arm' });
  };

  return (
    <div className={linkLostAt ? 'app link-lost' : 'app'}>
      {connection === 'unauthorized' && (
        <div className="link-lost-banner" data-testid="unauthorized" role="alert">
          This console was refused: it needs its access token. Open the URL the headless console printed when it started (it ends in #token=…).
        </div>
      )}
      {linkLostAt && (
        <div className="link-lost-banner" data-testid="link-lost" role="alert">
          ENGINE LINK LOST since {clockTime(linkLostAt)}: orders may still be live. Reconnecting… (what you see below is the last state received)
        </div>
      )}
      {/* Header and status strip stick together: KILL and Arm stay on screen however far the page scrolls. */}
      <div className="sticky-top">
        <header className="topbar">
          <span className="brand">LX Hedge</span>
          <span className={`badge mode-${(top.mode ?? 'unknown').toLowerCase()}`} data-testid="mode-badge">
            {top.mode ?? '…'}
          </span>
          <span className={`conn conn-${connection}`} data-testid="connection">
            {transport ?? '…'} {connection}
          </span>
          <label className="muted small">
            levels{' '}
            <select value={levels} onChange={(event) => setLevels(Number(event.target.value))} data-testid="levels">
              {LEVEL_CHOICES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </select>
          </label>
          {notifications === 'default' ? (
            <button className="btn btn-small" onClick={() => void Notification.requestPermission().then(setNotifications)}>
              Enable desktop alerts
            </button>
          ) : (
            <span className="muted small" data-testid="desktop-alerts" title="Desktop notifications of new alarms (the browser's or the OS's setting)">
              desktop alerts {notifications === 'granted' ? 'on' : notifications === 'denied' ? 'blocked' : 'unsupported'}
            </span>
          )}
          <button
            className="btn btn-small"
            data-testid="sound-toggle"
            title="A tone when an alarm is raised"
            onClick={() => {
              setAlarmSound(!soundOn);
              setSoundOn(!soundOn);
            }}
          >
            alarm sound {soundOn ? 'on' : 'off'}
          </button>
          <span className="spacer" />
          <button className="btn btn-small" data-testid="help" title="What the console's words mean, and the shortcuts (F1)" onClick={() => setHelpOpen(true)}>
            ?
          </button>
          {/* Before the first snapshot nothing is known: never a DISARMED the engine may not be. */}
          <span className={`state ${!top.ready ? 'state-off' : armed ? 'state-armed' : 'state-disarmed'}`} data-testid="armed-state">
            {!top.ready ? 'STATE UNKNOWN' : armed ? 'ARMED' : 'DISARMED'}
          </span>
          <span className={`state ${top.quoting ? 'state-armed' : 'state-off'}`} data-testid="quoting-state">
            {!top.ready ? 'connecting…' : top.quoting ? 'QUOTING' : `NOT QUOTING${top.blockedBy ? `: ${top.blockedBy}` : ''}`}
          </span>
          <button className={armed ? 'btn' : 'btn btn-arm'} data-testid="arm-toggle" onClick={onArmToggle} disabled={!top.ready}>
            {armed ? 'Disarm' : 'Arm'}
          </button>
          <button className="btn btn-kill" data-testid="kill" title="Kill switch: disarm and cancel every live order (Ctrl+K)" onClick={() => void kill()}>
            KILL
          </button>
        </header>
        {top.ready ? (
          <StatusStrip />
        ) : (
          <div className="state-unknown" data-testid="state-unknown" role="status">
            Connecting to the engine: its state (armed, orders, positions) is unknown until the first snapshot arrives. Only KILL is offered meanwhile.
          </div>
        )}
      </div>
      {killNote && (
        <div className={killNote.startsWith('KILLED') ? 'kill-note' : 'kill-note kill-note-bad'} data-testid="kill-note">
          {killNote}
        </div>
      )}
      <AlarmBanner confirm={setConfirmRequest} />
      {lastResult && !lastResult.ok && (
        <div className="result-error" data-testid="command-error">
          {lastResult.error.code}: {lastResult.error.message}
        </div>
      )}
      <style data-testid="collapsed-panels">{panels.css}</style>
      {/* No panel before the first snapshot: an empty book or a zero position would be a guess. */}
      {top.ready && (
        <main className="grid" onClick={panels.onClick}>
          <BookPanel venue="L" levels={levels} />
          <div className="stack">
            <SpreadsPanel />
            <InventoryPanel />
            <PositionsPanel />
          </div>
          <BookPanel venue="E" levels={levels} />
          <div className="span2">
            <SpreadChart />
          </div>
          <HealthPanel />
          <DecisionsPanel />
          <LogsPanel />
          <div className="span2">
            <OrdersPanel />
          </div>
          <TradePanel confirm={setConfirmRequest} />
          <div className="span2">
            <PerformancePanel />
          </div>
          <ParamsPanel confirm={setConfirmRequest} />
        </main>
      )}
      {confirmRequest && <ConfirmDialog request={confirmRequest} onClose={closeConfirm} />}
      {helpOpen && <HelpDialog onClose={closeHelp} />}
    </div>
  );
}
