/**
 * Records every raw frame an adapter receives, with its receive time, as JSON lines that a replay
 * can feed back later: {"t": <epoch ms>, "src": "<stream>", "raw": "<frame text>"}.
 */
import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';

export interface FrameRecorder {
  record(source: string, raw: string, receivedAt: number): void;
  close(): Promise<void>;
}

export const noRecorder: FrameRecorder = { record: () => undefined, close: async () => undefined };

export class FileFrameRecorder implements FrameRecorder {
  private readonly stream: WriteStream;

  constructor(path: string) {
    mkdirSync(dirname(path), { recursive: true });
    this.stream = createWriteStream(path, { flags: 'a' });
  }

  record(source: string, raw: string, receivedAt: number): void {
    this.stream.write(`${JSON.stringify({ t: receivedAt, src: source, raw })}\n`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.stream.end(() => resolve()));
  }
}
