// `npm start`: the Electron console. electron-vite reads node_modules/electron/path.txt and fails
// with "Electron uninstall" when the binary was never fetched (installs with
// ELECTRON_SKIP_BINARY_DOWNLOAD, as CI does). Requiring the electron package first makes it
// download its binary on a machine with internet, then electron-vite starts as usual.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
try {
  require('electron');
} catch (error) {
  console.error(`The Electron binary is missing and could not be downloaded: ${error.message}`);
  console.error('Without internet, run the console headless instead: npm run headless');
  process.exit(1);
}

const dev = process.argv.includes('--dev');
const bin = electronViteBin();
const child = spawn(process.execPath, [bin, dev ? 'dev' : 'preview'], { stdio: 'inherit' });
child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 0)));

/** electron-vite's CLI (its package exports no bin path, so resolve it from the package folder). */
function electronViteBin() {
  const packageJson = createRequire(import.meta.url).resolve('electron-vite/package.json', { paths: [process.cwd()] });
  return join(dirname(packageJson), 'bin', 'electron-vite.js');
}
