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

/**
 * A recorder that cannot write (a full disk, a folder gone) says so once through `onError` and
 * records nothing more: the session goes on, never an uncaught exception.
 */
export class FileFrameRecorder implements FrameRecorder {
  private stream: WriteStream | null = null;
  private failed = false;

  constructor(
    private readonly path: string,
    private readonly onError: (message: string) => void = () => undefined
  ) {
    try {
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      this.stream = createWriteStream(path, { flags: 'a', mode: 0o600 });
      this.stream.on('error', (error) => this.fail(error));
    } catch (error) {
      this.fail(error);
    }
  }

  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.stream?.destroy();
    this.stream = null;
    this.onError(
      `frame recording to ${this.path} stopped: ${(error as NodeJS.ErrnoException).code ?? ''} ${error instanceof Error ? error.message : String(error)}`.trim()
    );
  }

  record(source: string, raw: string, receivedAt: number): void {
    if (!this.stream) return;
    this.stream.write(`${JSON.stringify({ t: receivedAt, src: source, raw })}\n`);
  }

  close(): Promise<void> {
    const stream = this.stream;
    if (!stream) return Promise.resolve();
    return new Promise((resolve) => {
      stream.once('error', () => resolve());
      stream.end(() => resolve());
    });
  }
}
