/**
 * Picks the transport by itself: inside Electron the preload exposes `window.lx` (IPC); in a
 * browser the page came from the headless host, so it talks WebSocket to the same origin.
 */
import type { BridgeClientFrame, BridgeServerFrame, Command, CommandResult, ConsoleApi, HostMessage, QueryRequest, QueryResult } from '../../shared/contract';

/** `unauthorized`: the host refused the token (or none was given): retrying cannot help. */
export type ConnectionState = 'connecting' | 'open' | 'closed' | 'unauthorized';

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

/** Close codes of the headless host (src/main/headless/server.ts). */
const CLOSE_UNAUTHORIZED = 4401;
const TOKEN_KEY = 'lx-console-token';

/**
 * The console's token: from the URL's fragment (`#token=`, which the browser never sends to any
 * server), then kept in this tab's session storage (per origin, so per port) and taken off the
 * address bar, so that a reload still works and the token is not left on screen.
 */
function consoleToken(): string | null {
  const fromFragment = new URLSearchParams(window.location.hash.slice(1)).get('token');
  if (fromFragment) {
    try {
      window.sessionStorage.setItem(TOKEN_KEY, fromFragment);
    } catch {
      // Storage refused (private mode): the token lives in this page only.
    }
    window.history.replaceState(null, '', window.location.pathname + window.location.search);
    return fromFragment;
  }
  try {
    return window.sessionStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

function websocketTransport(): Transport {
  const token = consoleToken();
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  const url = `${scheme}://${window.location.host}/ws`;
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
      // The token goes first, on the socket only: the host reads nothing else before it.
      const auth: BridgeClientFrame = { kind: 'auth', token: token ?? '' };
      ws.send(JSON.stringify(auth));
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
    ws.onclose = (event) => {
      socket = null;
      const refused = event.code === CLOSE_UNAUTHORIZED;
      setState(refused ? 'unauthorized' : 'closed');
      for (const [id, resolve] of pending) {
        resolve(unavailable('connection to the engine lost'));
        pending.delete(id);
      }
      // A refused token stays refused: the trader must open the printed URL.
      if (refused) return;
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
