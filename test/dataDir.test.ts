/**
 * The data folder (issue "Survive, round two", items 6 and 14): one engine per folder, and what
 * it holds is this user's only.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DataDirLocked, LOCK_FILE, lockDataDir, secureDataDir } from '../src/main/config/dataDir';

const mode = (path: string) => statSync(path).mode & 0o777;

describe('one engine per data folder', () => {
  it('a second lock on the same folder is refused, naming the holder; released, it can be taken again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lx-lock-'));
    const first = lockDataDir(dir, Date.UTC(2026, 11, 4));
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8')).toBe(`${process.pid} ${hostname()} 2026-12-04T00:00:00.000Z\n`);
    expect(() => lockDataDir(dir, Date.now())).toThrow(DataDirLocked);
    expect(() => lockDataDir(dir, Date.now())).toThrow(`in use by another engine (pid ${process.pid}`);
    first.release();
    const second = lockDataDir(dir, Date.now());
    second.release();
  });

  it('a lock left by a process that is gone (kill -9) is taken over', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lx-lock-'));
    // Pids above the kernel's pid_max never run.
    writeFileSync(join(dir, LOCK_FILE), `99999999 ${hostname()} 2026-12-01T00:00:00.000Z\n`);
    const lock = lockDataDir(dir, Date.now());
    expect(readFileSync(join(dir, LOCK_FILE), 'utf8').startsWith(`${process.pid} `)).toBe(true);
    lock.release();
  });

  it('a lock from another machine (a shared folder) is believed: it cannot be checked', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lx-lock-'));
    writeFileSync(join(dir, LOCK_FILE), `4242 other-host 2026-12-01T00:00:00.000Z\n`);
    expect(() => lockDataDir(dir, Date.now())).toThrow('pid 4242 on other-host');
  });
});

describe("the data folder is this user's only", () => {
  it('narrows what an older version left readable: files 0600, folders 0700', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lx-perm-'));
    chmodSync(dir, 0o755);
    writeFileSync(join(dir, 'journal.sqlite'), '');
    chmodSync(join(dir, 'journal.sqlite'), 0o644);
    mkdirSync(join(dir, 'recordings'), { mode: 0o755 });
    chmodSync(join(dir, 'recordings'), 0o755);
    writeFileSync(join(dir, 'recordings', 'L.jsonl'), '');
    chmodSync(join(dir, 'recordings', 'L.jsonl'), 0o644);
    // Under vitest the test runs in a worker, where the umask cannot be set: noted, not thrown.
    const notes = secureDataDir(dir).filter((note) => !note.includes('not supported in workers'));
    expect(notes).toEqual([]);
    expect([mode(dir), mode(join(dir, 'journal.sqlite')), mode(join(dir, 'recordings')), mode(join(dir, 'recordings', 'L.jsonl'))]).toEqual([
      0o700, 0o600, 0o700, 0o600
    ]);
  });

  it('the writers make their files 0600 themselves, whatever the umask', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lx-perm-'));
    const { SqliteJournal } = await import('../src/main/journal/sqliteJournal');
    const { FileFrameRecorder } = await import('../src/main/venues/common/recorder');
    const { FileStrategyLogs } = await import('../src/main/log/strategyLogs');
    const journal = new SqliteJournal(join(dir, 'journal.sqlite'));
    await journal.close();
    const recorder = new FileFrameRecorder(join(dir, 'recordings', 'E.jsonl'));
    recorder.record('book', '{}', 1);
    await recorder.close();
    const logs = new FileStrategyLogs({ dir: join(dir, 'logs') });
    logs.hedge('a line');
    await logs.close();
    expect(mode(join(dir, 'logs', 'hedge-history.log'))).toBe(0o600);
    expect(mode(join(dir, 'journal.sqlite'))).toBe(0o600);
    expect(mode(join(dir, 'recordings', 'E.jsonl'))).toBe(0o600);
    expect(mode(join(dir, 'recordings'))).toBe(0o700);
  });
});
