/**
 * The frame recorder on a full disk (issue "Survive, round two", item 12): it says so once and
 * stops recording, with no uncaught exception; the engine shows it as an alarm.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileFrameRecorder } from '../src/main/venues/common/recorder';

describe('FileFrameRecorder', () => {
  it('records frames as JSON lines a replay reads', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'lx-rec-')), 'sub', 'L.jsonl');
    const recorder = new FileFrameRecorder(path);
    recorder.record('book', '{"a":1}', 5);
    await recorder.close();
    expect(readFileSync(path, 'utf8')).toBe('{"t":5,"src":"book","raw":"{\\"a\\":1}"}\n');
  });

  it('on a full disk (/dev/full): one error naming the cause, nothing more recorded, close still resolves', async () => {
    const errors: string[] = [];
    const uncaught: unknown[] = [];
    const onUncaught = (error: unknown) => uncaught.push(error);
    process.on('uncaughtException', onUncaught);
    try {
      const recorder = new FileFrameRecorder('/dev/full', (message) => errors.push(message));
      for (let i = 0; i < 100; i++) recorder.record('book', 'x'.repeat(1000), i);
      await new Promise<void>((resolve) => {
        const check = () => (errors.length > 0 ? resolve() : setTimeout(check, 5));
        check();
      });
      for (let i = 0; i < 100; i++) recorder.record('book', 'y', i);
      await recorder.close();
      expect(errors).toHaveLength(1);
      expect(errors[0]).toContain('ENOSPC');
      expect(errors[0]).toContain('/dev/full');
      expect(uncaught).toEqual([]);
    } finally {
      process.off('uncaughtException', onUncaught);
    }
  });
});
