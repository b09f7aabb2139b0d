/**
 * The strategy's log files (strategy.md "Logs"): spread.log and maker.log appended in batches,
 * hedge.log newest first (a bounded file rewritten atomically at most twice a second, with the full
 * history appended to hedge-history.log), realtime.log replaced atomically. Nothing here blocks the
 * hot path: lines are queued and written asynchronously; close() flushes everything.
 */
import { appendFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StrategyLogs } from '../ports/records';

export interface FileStrategyLogsOptions {
  dir: string;
  /** Lines kept in hedge.log (newest first). */
  hedgeLines?: number;
  /** A file larger than this is rotated to NAME.1 (one old file kept). */
  maxBytes?: number;
  flushMs?: number;
  /** A write failed (full disk, permissions): the lines wait and are tried again; the app alarms. */
  onError?: (message: string) => void;
}

/** Lines waiting for a disk that refuses them are kept up to this many; older ones are counted as lost. */
const MAX_PENDING_LINES = 20_000;

class AppendFile {
  private queue: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private bytes = -1;
  /** Lines dropped because the disk refused them for too long. */
  lost = 0;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly onError: (message: string) => void
  ) {}

  push(line: string): void {
    this.queue.push(line);
    if (this.queue.length > MAX_PENDING_LINES) {
      this.lost += this.queue.length - MAX_PENDING_LINES;
      this.queue.splice(0, this.queue.length - MAX_PENDING_LINES);
    }
  }

  /**
   * Appends what is queued. A failed write never poisons the chain: its lines go back to the front
   * of the queue (tried again on the next flush) and the failure is reported.
   */
  flush(): Promise<void> {
    if (this.queue.length === 0) return this.writing;
    const lines = this.queue;
    this.queue = [];
    const text = `${lines.join('\n')}\n`;
    this.writing = this.writing.then(async () => {
      try {
        if (this.bytes < 0)
          this.bytes = await stat(this.path).then(
            (s) => s.size,
            () => 0
          );
        if (this.bytes + text.length > this.maxBytes && this.bytes > 0) {
          await rename(this.path, `${this.path}.1`);
          this.bytes = 0;
        }
        await appendFile(this.path, text, { mode: 0o600 });
        this.bytes += Buffer.byteLength(text);
      } catch (error) {
        this.queue = [...lines, ...this.queue];
        this.onError(`${this.path}: ${(error as Error).message}`);
      }
    });
    return this.writing;
  }
}

/** Writes the whole file to a temporary name and renames it over the old one: readers never see half a file. */
async function replaceAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text, { mode: 0o600 });
  await rename(temporary, path);
}

export class FileStrategyLogs implements StrategyLogs {
  private readonly spreadFile: AppendFile;
  private readonly makerFile: AppendFile;
  private readonly hedgeHistory: AppendFile;
  private readonly hedgeRecent: string[] = [];
  private hedgeDirty = false;
  private realtimeText: string | null = null;
  private chain: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;
  private readonly ready: Promise<void>;

  constructor(private readonly options: FileStrategyLogsOptions) {
    const maxBytes = options.maxBytes ?? 50 * 1024 * 1024;
    this.ready = mkdir(options.dir, { recursive: true }).then(() => undefined);
    const onError = (message: string) => this.failed(message);
    this.ready = this.ready.catch((error: unknown) => this.failed(`${options.dir}: ${(error as Error).message}`));
    this.spreadFile = new AppendFile(join(options.dir, 'spread.log'), maxBytes, onError);
    this.makerFile = new AppendFile(join(options.dir, 'maker.log'), maxBytes, onError);
    this.hedgeHistory = new AppendFile(join(options.dir, 'hedge-history.log'), maxBytes, onError);
    this.timer = setInterval(() => void this.flush(), options.flushMs ?? 500);
    this.timer.unref();
  }

  /** Write failures so far (reported once a minute at most). */
  failures = 0;
  private lastReportAt = Number.NEGATIVE_INFINITY;

  private failed(message: string): void {
    this.failures += 1;
    const now = Date.now();
    if (now - this.lastReportAt < 60_000) return;
    this.lastReportAt = now;
    this.options.onError?.(`strategy log write failed (${this.failures} so far): ${message}`);
  }

  spread(line: string): void {
    this.spreadFile.push(line);
  }

  maker(line: string): void {
    this.makerFile.push(line);
  }

  hedge(line: string): void {
    this.hedgeRecent.unshift(line);
    if (this.hedgeRecent.length > (this.options.hedgeLines ?? 1000)) this.hedgeRecent.length = this.options.hedgeLines ?? 1000;
    this.hedgeHistory.push(line);
    this.hedgeDirty = true;
  }

  realtime(text: string): void {
    this.realtimeText = text;
  }

  /** Writes everything queued so far. */
  flush(): Promise<void> {
    this.chain = this.chain.then(async () => {
      await this.ready;
      const work: Array<Promise<void>> = [this.spreadFile.flush(), this.makerFile.flush(), this.hedgeHistory.flush()];
      if (this.hedgeDirty) {
        this.hedgeDirty = false;
        work.push(
          replaceAtomically(join(this.options.dir, 'hedge.log'), `${this.hedgeRecent.join('\n')}\n`).catch((error: unknown) => {
            this.hedgeDirty = true;
            this.failed(`hedge.log: ${(error as Error).message}`);
          })
        );
      }
      if (this.realtimeText !== null) {
        const text = this.realtimeText;
        this.realtimeText = null;
        work.push(
          replaceAtomically(join(this.options.dir, 'realtime.log'), text).catch((error: unknown) => this.failed(`realtime.log: ${(error as Error).message}`))
        );
      }
      await Promise.all(work);
    });
    return this.chain;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
