import { useEffect, useState } from 'react';
import type { Command } from '../../shared/contract';
import { AlarmBanner } from './components/AlarmBanner';
import { EventsPanel } from './components/EventsPanel';
import { ParamsPanel } from './components/ParamsPanel';
import { StartupPanel } from './components/StartupPanel';
import { useConsole } from './store';

/** Ctrl+K (Cmd+K on macOS): the kill switch, from anywhere in the console. */
function isKillShortcut(event: KeyboardEvent): boolean {
  return (event.ctrlKey || event.metaKey) && !event.altKey && event.key.toLowerCase() === 'k';
}

export function App() {
  const snapshot = useConsole((state) => state.snapshot);
  const connection = useConsole((state) => state.connection);
  const transport = useConsole((state) => state.transport);
  const lastResult = useConsole((state) => state.lastResult);
  const send = useConsole((state) => state.send);
  const [confirmMainnet, setConfirmMainnet] = useState(false);

  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!isKillShortcut(event)) return;
      event.preventDefault();
      void send({ type: 'kill' });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [send]);

  const armed = snapshot?.safety.armed ?? false;
  const run = (command: Command) => void send(command);
  const onArmToggle = () => {
    if (armed) run({ type: 'disarm' });
    else if (snapshot?.mode === 'MAINNET') setConfirmMainnet(true);
    else run({ type: 'arm' });
  };

  return (
    <div className="app">
      <header className="topbar">
        <span className="brand">LX Hedge</span>
        <span className={`badge mode-${(snapshot?.mode ?? 'unknown').toLowerCase()}`} data-testid="mode-badge">
          {snapshot?.mode ?? '…'}
        </span>
        <span className={`conn conn-${connection}`} data-testid="connection">
          {transport ?? '…'} {connection}
        </span>
        <span className="muted" data-testid="heartbeat">
          heartbeat {snapshot?.heartbeat ?? '-'} · snapshot #{snapshot?.seq ?? '-'}
        </span>
        <span className="spacer" />
        <span className={`state ${armed ? 'state-armed' : 'state-disarmed'}`} data-testid="armed-state">
          {armed ? 'ARMED' : 'DISARMED'}
        </span>
        <span className={`state ${snapshot?.safety.effectiveQuoting ? 'state-armed' : 'state-off'}`} data-testid="quoting-state">
          {snapshot?.safety.effectiveQuoting ? 'QUOTING' : `NOT QUOTING${snapshot?.safety.blockedBy.length ? `: ${snapshot.safety.blockedBy.join(', ')}` : ''}`}
        </span>
        <button className={armed ? 'btn' : 'btn btn-arm'} data-testid="arm-toggle" onClick={onArmToggle} disabled={!snapshot}>
          {armed ? 'Disarm' : 'Arm'}
        </button>
        <button className="btn btn-kill" data-testid="kill" title="Kill switch: disarm and cancel every live order (Ctrl+K)" onClick={() => run({ type: 'kill' })}>
          KILL
        </button>
      </header>
      {confirmMainnet && (
        <div className="confirm" role="dialog" aria-label="Confirm arming on mainnet">
          <span>Arm on MAINNET? Real orders will be sent with real money.</span>
          <button className="btn btn-arm" onClick={() => { setConfirmMainnet(false); run({ type: 'arm', confirmMainnet: true }); }}>
            Arm on mainnet
          </button>
          <button className="btn" onClick={() => setConfirmMainnet(false)}>Cancel</button>
        </div>
      )}
      <AlarmBanner />
      {lastResult && !lastResult.ok && (
        <div className="result-error" data-testid="command-error">
          {lastResult.error.code}: {lastResult.error.message}
        </div>
      )}
      <main className="grid">
        <StartupPanel />
        <ParamsPanel />
        <EventsPanel />
      </main>
    </div>
  );
}
