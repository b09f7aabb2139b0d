/**
 * The data folder: the journal, params.json, logs, recordings and the console token. Two things
 * hold for it whatever starts the engine (Electron, headless, a test):
 *
 * - It is this user's only: folders 0700, files 0600 (the journal and recordings say what the
 *   account traded; the token arms the engine). The process umask is narrowed so that files made
 *   later (SQLite's -wal, log rotation, recordings) are born that way, and what an older version
 *   left wider is narrowed at start.
 * - One engine per data folder: a lock file names the holder's pid. A second engine on the same
 *   folder would trade the same account beside the first, each sweeping the other's quotes as strays.
 *   A lock whose process is gone (kill -9, a crash) is taken over.
 */
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

export const LOCK_FILE = 'engine.lock';

export class DataDirLocked extends Error {}

/** Folders 0700 and files 0600, two levels down (logs/, recordings/); umask 077 from now on. */
export function secureDataDir(dir: string): string[] {
  const notes: string[] = [];
  // Workers cannot set the umask; the engine runs on the main thread.
  try {
    process.umask(0o077);
  } catch (error) {
    notes.push(`umask: ${String(error)}`);
  }
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const narrow = (path: string, depth: number) => {
    let stat;
    try {
      stat = statSync(path);
      if (stat.isDirectory()) {
        if ((stat.mode & 0o077) !== 0) chmodSync(path, 0o700);
        if (depth < 2) for (const name of readdirSync(path)) narrow(join(path, name), depth + 1);
      } else if (stat.isFile() && (stat.mode & 0o077) !== 0) chmodSync(path, 0o600);
    } catch (error) {
      notes.push(`${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
  };
  narrow(dir, 0);
  return notes;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, owned by someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface DataDirLock {
  release(): void;
}

/**
 * Takes the data folder's lock or throws DataDirLocked naming the live holder. The lock says
 * `pid host startedAt`; only its holder removes it.
 */
export function lockDataDir(dir: string, now: number): DataDirLock {
  const path = join(dir, LOCK_FILE);
  const mine = `${process.pid} ${hostname()} ${new Date(now).toISOString()}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    let fd: number;
    try {
      fd = openSync(path, 'wx', 0o600);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let held: string;
      try {
        held = readFileSync(path, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      const [pidText, host, startedAt] = held.trim().split(' ');
      const pid = Number(pidText);
      const sameHost = host === hostname();
      // A lock from another machine (a shared folder) cannot be checked: it is believed.
      if (Number.isSafeInteger(pid) && pid > 0 && (!sameHost || alive(pid))) {
        throw new DataDirLocked(
          `data folder ${dir} is in use by another engine (pid ${pid} on ${host ?? '?'}, since ${startedAt ?? '?'}): two engines on one folder trade the same account beside each other. Stop it first, or use another DATA_DIR. If no such process runs, delete ${path}.`
        );
      }
      // Its holder is gone (kill -9, a crash): taken over.
      try {
        unlinkSync(path);
      } catch {
        // Someone else took it over first: the next attempt says who.
      }
      continue;
    }
    writeSync(fd, mine);
    closeSync(fd);
    return {
      release() {
        try {
          if (readFileSync(path, 'utf8') === mine) unlinkSync(path);
        } catch {
          // Already gone.
        }
      }
    };
  }
  throw new DataDirLocked(`data folder ${dir}: its lock ${path} could not be taken`);
}
