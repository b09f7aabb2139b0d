import WebSocket from 'ws';

/** A plain WebSocket client that keeps every frame and can wait for one that matches. */
export async function openClient(url: string, headers: Record<string, string> = {}) {
  const frames: unknown[] = [];
  const waiters: Array<() => void> = [];
  const socket = new WebSocket(url, { headers });
  let closed: { code: number; reason: string } | null = null;
  socket.on('message', (data) => {
    frames.push(JSON.parse(data.toString()));
    waiters.splice(0).forEach((wake) => wake());
  });
  socket.on('close', (code, reason) => {
    closed = { code, reason: reason.toString() };
    waiters.splice(0).forEach((wake) => wake());
  });
  await new Promise<void>((resolve, reject) => {
    socket.once('open', () => resolve());
    socket.once('error', reject);
  });
  const client = {
    socket,
    frames,
    closed: () => closed,
    send: (message: unknown) => socket.send(typeof message === 'string' ? message : JSON.stringify(message)),
    /** Resolves with the first frame (from `from` on) that matches, or rejects after `timeoutMs`. */
    next<T = Record<string, unknown>>(match: (frame: Record<string, unknown>) => boolean, from = 0, timeoutMs = 3000): Promise<T> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching frame within ${timeoutMs} ms; got ${JSON.stringify(frames.slice(-5))}`)), timeoutMs);
        const check = () => {
          const found = frames.slice(from).find((frame) => match(frame as Record<string, unknown>));
          if (found) {
            clearTimeout(timer);
            resolve(found as T);
          } else waiters.push(check);
        };
        check();
      });
    },
    waitClose(timeoutMs = 3000): Promise<{ code: number; reason: string }> {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('not closed')), timeoutMs);
        const check = () => {
          const c = closed;
          if (c) {
            clearTimeout(timer);
            resolve(c);
          } else waiters.push(check);
        };
        check();
      });
    },
    close: () => socket.close()
  };
  return client;
}
