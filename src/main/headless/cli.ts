/**
 * `npm run headless`: the engine host under plain Node, no Electron. Serves the console and the
 * WebSocket bridge on loopback and prints the URL to open (it carries the access token).
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createApp } from '../app';
import { ConfigError, loadConfig } from '../config/config';
import { startHeadlessServer } from './server';

const USAGE = `usage: npm run headless -- [--host ADDRESS] [--port PORT] [--data-dir DIR] [--dotenv FILE]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      host: { type: 'string' },
      port: { type: 'string' },
      'data-dir': { type: 'string' },
      'dotenv': { type: 'string', default: '.env' },
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
  const config = loadConfig({ env, envFile: values['dotenv'] });

  const app = await createApp(config);
  await app.start();
  const server = await startHeadlessServer({
    host: app.host,
    rendererDir: join(__dirname, '../renderer'),
    bindHost: config.headless.host,
    port: config.headless.port,
    log: app.log
  });
  app.log.info(`headless console listening on ${config.headless.host}:${server.port} (${config.mode})`);
  // The one line a trader (or a test) needs: the URL with its token.
  process.stdout.write(`LX Hedge headless console (${config.mode}): ${server.url}\n`);

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
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else if (error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) {
    process.stderr.write(`${error.message}\n${USAGE}\n`);
  } else {
    process.stderr.write(`headless console failed to start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  }
  process.exit(1);
});
