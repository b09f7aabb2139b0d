import { create } from 'zustand';
import type { Command, CommandResult, EngineEvent, EngineSnapshot, HostMessage } from '../../shared/contract';
import type { ConnectionState, Transport } from './transport';

const MAX_EVENTS = 500;

export interface ConsoleState {
  transport: Transport['kind'] | null;
  connection: ConnectionState;
  snapshot: EngineSnapshot | null;
  /** Newest first. */
  events: EngineEvent[];
  lastResult: CommandResult | null;
  send: (command: Command) => Promise<CommandResult>;
}

export const useConsole = create<ConsoleState>(() => ({
  transport: null,
  connection: 'connecting',
  snapshot: null,
  events: [],
  lastResult: null,
  send: async () => ({ ok: false, error: { code: 'UNAVAILABLE', message: 'not connected yet' } })
}));

export function connectStore(transport: Transport): () => void {
  transport.onConnection((connection) => useConsole.setState({ connection }));
  useConsole.setState({
    transport: transport.kind,
    send: async (command) => {
      const result = await transport.command(command);
      useConsole.setState({ lastResult: result });
      return result;
    }
  });
  return transport.subscribe((message: HostMessage) => {
    if (message.kind === 'snapshot') {
      useConsole.setState({ snapshot: message.snapshot });
    } else {
      useConsole.setState((state) => ({ events: [message.event, ...state.events].slice(0, MAX_EVENTS) }));
    }
  });
}
