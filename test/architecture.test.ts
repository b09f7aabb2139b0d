import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(__dirname, '..');
/** Only these files form the Electron shell; everything else under src/main is the engine. */
const SHELL = [/^src\/main\/index\.ts$/, /^src\/main\/electron\//];
const IMPORTS_ELECTRON = /(from\s+['"]electron(\/[^'"]*)?['"]|require\(\s*['"]electron(\/[^'"]*)?['"]\s*\)|import\(\s*['"]electron['"]\s*\))/;

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? files(path) : /\.(ts|tsx|mts|cts|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

describe('architecture', () => {
  it('nothing under the engine imports electron', () => {
    const offenders = files(join(root, 'src/main'))
      .map((path) => relative(root, path).replace(/\\/g, '/'))
      .filter((path) => !SHELL.some((shell) => shell.test(path)))
      .filter((path) => IMPORTS_ELECTRON.test(readFileSync(join(root, path), 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('the check itself catches an electron import', () => {
    expect(IMPORTS_ELECTRON.test("import { app } from 'electron';")).toBe(true);
    expect(IMPORTS_ELECTRON.test("const { app } = require('electron')")).toBe(true);
    expect(IMPORTS_ELECTRON.test("import log from 'electron-log/node';")).toBe(false);
  });

  it('the renderer and the shared contract never import main-process code', () => {
    const offenders = [...files(join(root, 'src/renderer')), ...files(join(root, 'src/shared'))].filter((path) =>
      /from\s+['"][./]*\/main\//.test(readFileSync(path, 'utf8'))
    );
    expect(offenders).toEqual([]);
  });
});
