// `npm run headless` / `npm run emulator`: builds when the build is missing or older than the
// sources, then runs out/main/<entry>.js under plain Node with the remaining arguments.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const [name, ...args] = process.argv.slice(2);
if (!name || !/^[a-z]+$/.test(name)) {
  console.error('usage: node scripts/run-main.mjs <entry> [args...]');
  process.exit(2);
}
const entry = join(root, `out/main/${name}.js`);

function newest(dir) {
  let latest = 0;
  for (const name of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, name.name);
    latest = Math.max(latest, name.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

if (!existsSync(entry) || statSync(entry).mtimeMs < newest(join(root, 'src'))) {
  const bin = electronViteBin();
  const build = spawnSync(process.execPath, [bin, 'build'], { cwd: root, stdio: ['ignore', 'ignore', 'inherit'] });
  if (build.status !== 0) process.exit(build.status ?? 1);
}

// An IPC channel ties the child's life to ours: if this wrapper dies (even by kill -9), the
// channel closes and the child stops (the headless host cancels its quotes and exits).
const child = spawn(process.execPath, [entry, ...args], { stdio: ['inherit', 'inherit', 'inherit', 'ipc'] });
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));

/** electron-vite's CLI (its package exports no bin path, so resolve it from the package folder). */
function electronViteBin() {
  const packageJson = createRequire(import.meta.url).resolve('electron-vite/package.json', { paths: [process.cwd()] });
  return join(dirname(packageJson), 'bin', 'electron-vite.js');
}
