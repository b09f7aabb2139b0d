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

describe('the import direction of every folder is a lint rule', () => {
  const lint = async (file: string, code: string) => {
    const { ESLint } = await import('eslint');
    const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, file) });
    return (result?.messages ?? []).filter((message) => message.ruleId === 'no-restricted-imports').map((message) => message.message);
  };

  it('fails a wrong import: the engine importing an adapter, an adapter the engine, the emulator the adapters or the ports', async () => {
    expect(
      await lint('src/main/engine/probe.ts', "import { LighterVenue } from '../venues/lighter/lighterVenue';\nexport const x = LighterVenue;\n")
    ).toHaveLength(1);
    expect(
      await lint('src/main/venues/lighter/probe.ts', "import { StrategyEngine } from '../../engine/strategyEngine';\nexport const x = StrategyEngine;\n")
    ).toHaveLength(1);
    expect(
      await lint('src/main/emulator/extended/probe.ts', "import { publicKeyOf } from '../../venues/extended/signing';\nexport const x = publicKeyOf;\n")
    ).toHaveLength(1);
    expect(await lint('src/main/emulator/probe.ts', "import type { Venue } from '../ports/venue';\nexport type X = Venue;\n")).toHaveLength(1);
    expect(await lint('src/main/kernel/probe.ts', "import type { Venue } from '../ports/venue';\nexport type X = Venue;\n")).toHaveLength(1);
    expect(await lint('src/main/engine/probe.ts', "import { EngineHost } from '../host/engineHost';\nexport const x = EngineHost;\n")).toHaveLength(1);
  }, 30_000);

  it('passes the allowed directions', async () => {
    expect(
      await lint(
        'src/main/engine/probe.ts',
        "import { systemClock } from '../kernel/clock';\nimport type { Venue } from '../ports/venue';\nexport const x: Venue | null = null;\nexport const c = systemClock;\n"
      )
    ).toEqual([]);
    expect(await lint('src/main/venues/lighter/probe.ts', "import type { Venue } from '../../ports/venue';\nexport type X = Venue;\n")).toEqual([]);
  }, 30_000);
});
