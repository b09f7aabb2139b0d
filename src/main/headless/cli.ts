/**
 * `npm run headless`: the engine host under plain Node, no Electron. Serves the console and the
 * WebSocket bridge on loopback and prints the URL to open (it carries the access token).
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app';
import { ConfigError, loadConfig } from '../config/config';
import { DataDirLocked } from '../config/dataDir';
import { hideSqliteExperimentalWarning } from '../journal/sqliteJournal';
import { systemClock } from '../kernel/clock';
import { isLoopback, startHeadlessServer, STRONG_TOKEN } from './server';
import { runUnattended } from './unattended';

hideSqliteExperimentalWarning();

const USAGE = `usage: npm run headless -- [options]

Runs the engine without Electron and serves the console on http://HOST:PORT/#token=... (printed at start).
Settings come from --dotenv, then the environment, then these flags (later wins); see .env.example.

  --demo              NETWORK=demo: both venues are local emulators on 127.0.0.1 (no keys, no real orders).
                      Without it, NETWORK from the config decides: demo, paper (public books, local
                      fills), testnet or mainnet (real orders; needs the keys and npm run preflight).
  --dotenv FILE       the settings file (default .env; a missing file is fine).
  --data-dir DIR      journal, logs, params.json and the console token (default: DATA_DIR).
  --host ADDRESS      the console's address (default 127.0.0.1). Another address needs --allow-remote.
  --allow-remote      allow a non-loopback --host (plain http: prefer an SSH tunnel).
  --port PORT         the console's port (default: HEADLESS_PORT; 0 picks a free one).
  --token-file FILE   read the console's access token from FILE (32+ URL-safe characters). Also
                      LX_CONSOLE_TOKEN. Default: one kept in the data folder (mode 0600), so an
                      open console reconnects by itself after a restart. Never on the command line:
                      every local user can read a process's arguments.
  --duration SECONDS  an unattended run: stop after this long (1 to 86400), cancel everything and print
                      one JSON line of figures.
  --arm               arm at start; only with --duration.
  --help              this text.`;

/** The console's access token, kept in the data folder (readable by this user only) so that it survives a restart. */
function persistentToken(path: string): string {
  try {
    const kept = readFileSync(path, 'utf8').trim();
    if (STRONG_TOKEN.test(kept)) return kept;
  } catch {
    // None yet: made below.
  }
  const token = randomBytes(24).toString('base64url');
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `${token}\n`, { mode: 0o600 });
  // mode applies when the file is made: one kept from before (a weak token) is narrowed too.
  chmodSync(path, 0o600);
  return token;
}

/** A token the trader chose (a file, or the environment): refused unless strong. */
function chosenToken(file: string | undefined, fromEnv: string | undefined): string | undefined {
  const source = file !== undefined ? `--token-file ${file}` : 'LX_CONSOLE_TOKEN';
  let token: string | undefined;
  if (file !== undefined) {
    try {
      token = readFileSync(file, 'utf8').trim();
    } catch (error) {
      throw new TypeError(`--token-file ${file}: cannot be read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, { cause: error });
    }
  } else if (fromEnv !== undefined && fromEnv !== '') token = fromEnv.trim();
  if (token === undefined) return undefined;
  if (!STRONG_TOKEN.test(token))
    throw new TypeError(
      `${source}: a console token needs 32 to 256 URL-safe characters (A-Z a-z 0-9 _ -), got ${token.length}; e.g. openssl rand -base64 24 | tr '+/' '-_'`
    );
  return token;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      dotenv: { type: 'string', default: '.env' },
      demo: { type: 'boolean', default: false },
      arm: { type: 'boolean', default: false },
      duration: { type: 'string' },
      'allow-remote': { type: 'boolean', default: false },
      'token-file': { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  // Command-line flags win over the environment, which wins over .env.
  const env: Record<string, string | undefined> = { ...process.env };
  if (values.host !== undefined) env.HEADLESS_HOST = values.host;
  if (values.port !== undefined) env.HEADLESS_PORT = values.port;
  if (values['data-dir'] !== undefined) env.DATA_DIR = values['data-dir'];
  if (values.demo) env.NETWORK = 'demo';
  const duration = values.duration === undefined ? null : Number(values.duration);
  if (duration !== null && !(Number.isInteger(duration) && duration > 0 && duration <= 86_400)) {
    throw new TypeError(`--duration: expected whole seconds from 1 to 86400, got ${JSON.stringify(values.duration)}`);
  }
  if (values.arm && duration === null) throw new TypeError('--arm: only with --duration (an unattended run); arm interactively from the console otherwise');
  const config = loadConfig({ env, envFile: values['dotenv'] });
  if (!isLoopback(config.headless.host) && !values['allow-remote']) {
    throw new TypeError(
      `--host ${config.headless.host}: the console would be served on the network over plain http. Keep it on 127.0.0.1 and reach it through an SSH tunnel (ssh -L 8787:127.0.0.1:8787 server), or pass --allow-remote`
    );
  }

  const app = await createApp(config);
  app.guardProcess();
  await app.start();
  const server = await startHeadlessServer({
    host: app.host,
    rendererDir: join(__dirname, '../renderer'),
    bindHost: config.headless.host,
    port: config.headless.port,
    log: app.log,
    allowRemote: values['allow-remote'],
    // The same token across restarts, so an open console reconnects by itself after one.
    token: chosenToken(values['token-file'], process.env.LX_CONSOLE_TOKEN) ?? persistentToken(join(config.dataDir, 'headless-token'))
  });
  app.log.info(`headless console listening on ${config.headless.host}:${server.port} (${config.mode})`);
  // The one line a trader (or a test) needs: the URL with its token.
  process.stdout.write(`LX Hedge headless console (${config.mode}): ${server.url}\n`);

  if (duration !== null) {
    const summary = await runUnattended(app, systemClock, { arm: values.arm, durationSeconds: duration });
    await server.close();
    await app.stop();
    // The last line is the run's summary, for scripts and CI.
    process.stdout.write(`${JSON.stringify(summary)}\n`);
    process.exit(0);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info(`stopping on ${signal}`);
    await server.close();
    await app.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
  // Started by `npm run headless` (scripts/run-main.mjs) over an IPC channel: when the wrapper dies,
  // even by kill -9, the channel closes and the engine stops with it (quotes cancelled first).
  if (process.send) process.on('disconnect', () => void stop('wrapper gone'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError || error instanceof DataDirLocked) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof TypeError && ((error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS') || error.message.startsWith('--'))) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
  } else {
    process.stderr.write(`headless console failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
