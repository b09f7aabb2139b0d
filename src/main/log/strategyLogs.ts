/**
 * The strategy's log files (strategy.md "Logs"): spread.log and maker.log appended in batches,
 * hedge.log newest first (a bounded file rewritten atomically at most twice a second, with the full
 * history appended to hedge-history.log), realtime.log replaced atomically. Nothing here blocks the
 * hot path: lines are queued and written asynchronously; close() flushes everything.
 */
import { appendFile, mkdir, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { StrategyLogs } from '../engine/records';

export interface FileStrategyLogsOptions {
  dir: string;
  /** Lines kept in hedge.log (newest first). */
  hedgeLines?: number;
  /** A file larger than this is rotated to NAME.1 (one old file kept). */
  maxBytes?: number;
  flushMs?: number;
}

class AppendFile {
  private queue: string[] = [];
  private writing: Promise<void> = Promise.resolve();
  private bytes = -1;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number
  ) {}

  push(line: string): void {
    this.queue.push(line);
  }

  flush(): Promise<void> {
    if (this.queue.length === 0) return this.writing;
    const text = `${this.queue.join('\n')}\n`;
    this.queue = [];
    this.writing = this.writing.then(async () => {
      if (this.bytes < 0) this.bytes = await stat(this.path).then((s) => s.size, () => 0);
      if (this.bytes + text.length > this.maxBytes && this.bytes > 0) {
        await rename(this.path, `${this.path}.1`);
        this.bytes = 0;
      }
      await appendFile(this.path, text);
      this.bytes += Buffer.byteLength(text);
    });
    return this.writing;
  }
}

/** Writes the whole file to a temporary name and renames it over the old one: readers never see half a file. */
async function replaceAtomically(path: string, text: string): Promise<void> {
  const temporary = `${path}.tmp`;
  await writeFile(temporary, text);
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
    this.spreadFile = new AppendFile(join(options.dir, 'spread.log'), maxBytes);
    this.makerFile = new AppendFile(join(options.dir, 'maker.log'), maxBytes);
    this.hedgeHistory = new AppendFile(join(options.dir, 'hedge-history.log'), maxBytes);
    this.timer = setInterval(() => void this.flush(), options.flushMs ?? 500);
    this.timer.unref();
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
        work.push(replaceAtomically(join(this.options.dir, 'hedge.log'), `${this.hedgeRecent.join('\n')}\n`));
      }
      if (this.realtimeText !== null) {
        const text = this.realtimeText;
        this.realtimeText = null;
        work.push(replaceAtomically(join(this.options.dir, 'realtime.log'), text));
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
