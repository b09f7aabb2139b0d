/**
 * `npm run replay -- --lighter FILE --extended FILE`: what the engine, with the parameters of the
 * current config (.env and environment), would have done on a recorded market. One JSON line.
 */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/config';
import { toFees } from '../engine/params';
import { readRecording, runReplay } from './replay';

const USAGE = 'usage: npm run replay -- --lighter lighter-<time>.jsonl --extended extended-<time>.jsonl [--dotenv FILE] [--no-arm]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      lighter: { type: 'string' },
      extended: { type: 'string' },
      dotenv: { type: 'string', default: '.env' },
      'no-arm': { type: 'boolean', default: false },
      help: { type: 'boolean', default: false }
    },
    strict: true
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.lighter || !values.extended)
    throw new TypeError('--lighter and --extended: both recordings are needed (DATA_DIR/recordings, RECORD_FRAMES=true)');
  const config = loadConfig({ env: { ...process.env, NETWORK: 'demo' }, envFile: values.dotenv });
  const summary = await runReplay({
    lighter: readRecording(values.lighter),
    extended: readRecording(values.extended),
    lighterSymbol: config.lighter.market,
    extendedMarket: config.extended.market,
    params: config.params,
    fees: toFees(config.fees),
    arm: !values['no-arm']
  });
  console.log(JSON.stringify(summary));
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof ConfigError ? error.message : error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
});
