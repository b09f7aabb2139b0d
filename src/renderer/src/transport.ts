/**
 * Picks the transport by itself: inside Electron the preload exposes `window.lx` (IPC); in a
 * browser the page came from the headless host, so it talks WebSocket to the same origin.
 */
import type { BridgeClientFrame, BridgeServerFrame, Command, CommandResult, ConsoleApi, HostMessage, QueryRequest, QueryResult } from '../../shared/contract';

export type ConnectionState = 'connecting' | 'open' | 'closed';

export interface Transport extends ConsoleApi {
  kind: 'ipc' | 'websocket';
  onConnection(listener: (state: ConnectionState) => void): void;
}

function ipcTransport(api: ConsoleApi): Transport {
  return {
    kind: 'ipc',
    subscribe: (listener) => api.subscribe(listener),
    command: (command) => api.command(command),
    query: (request) => api.query(request),
    onConnection: (listener) => listener('open')
  };
}

const REQUEST_TIMEOUT_MS = 10_000;
const unavailable = (message: string) => ({ ok: false as const, error: { code: 'UNAVAILABLE' as const, message } });

function websocketTransport(): Transport {
  const token = new URLSearchParams(window.location.search).get('token');
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${window.location.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`;
  const listeners = new Set<(message: HostMessage) => void>();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  const pending = new Map<number, (result: CommandResult | QueryResult) => void>();
  let socket: WebSocket | null = null;
  let nextId = 1;
  let retryMs = 250;

  const setState = (state: ConnectionState) => connectionListeners.forEach((listener) => listener(state));

  const connect = () => {
    setState('connecting');
    const ws = new WebSocket(url);
    socket = ws;
    ws.onopen = () => {
      retryMs = 250;
      setState('open');
    };
    ws.onmessage = (event) => {
      const frame = JSON.parse(String(event.data)) as BridgeServerFrame;
      if (frame.kind === 'result' || frame.kind === 'queryResult') {
        pending.get(frame.id)?.(frame.result);
        pending.delete(frame.id);
      } else {
        listeners.forEach((listener) => listener(frame));
      }
    };
    ws.onclose = () => {
      socket = null;
      setState('closed');
      for (const [id, resolve] of pending) {
        resolve(unavailable('connection to the engine lost'));
        pending.delete(id);
      }
      // The host sends a full snapshot on every (re)connect, so nothing is lost by reconnecting.
      window.setTimeout(connect, retryMs);
      retryMs = Math.min(retryMs * 2, 5000);
    };
  };

  function request<T extends CommandResult | QueryResult>(frame: { kind: 'command'; command: Command } | { kind: 'query'; request: QueryRequest }): Promise<T> {
    return new Promise<T>((resolve) => {
      if (!socket || socket.readyState !== WebSocket.OPEN) {
        resolve(unavailable('not connected to the engine') as T);
        return;
      }
      const id = nextId++;
      pending.set(id, resolve as (result: CommandResult | QueryResult) => void);
      const out: BridgeClientFrame = { ...frame, id };
      socket.send(JSON.stringify(out));
      window.setTimeout(() => {
        if (!pending.has(id)) return;
        pending.delete(id);
        resolve(unavailable('the engine did not answer in time') as T);
      }, REQUEST_TIMEOUT_MS);
    });
  }

  return {
    kind: 'websocket',
    subscribe(listener) {
      listeners.add(listener);
      if (!socket) connect();
      return () => listeners.delete(listener);
    },
    command: (command) => request<CommandResult>({ kind: 'command', command }),
    query: (query) => request<QueryResult>({ kind: 'query', request: query }),
    onConnection: (listener) => connectionListeners.add(listener)
  };
}

export function pickTransport(): Transport {
  return window.lx ? ipcTransport(window.lx) : websocketTransport();
}
