/**
 * `npm run preflight`: before arming on TESTNET or MAINNET, checks both venues as the config
 * describes them (reachability, clock, keys, account, balances, leverage, market minimums, tier and
 * budget) and prints a table with what to do about each problem. It sends no order. In DEMO it
 * checks the built-in emulators. Exit code 0 when nothing failed.
 */
import { parseArgs } from 'node:util';
import Decimal from 'decimal.js';
import { ConfigError, loadConfig } from '../config/config';
import { systemClock } from '../kernel/clock';
import { formatPreflight } from './report';
import { buildVenues } from '../wiring/venues';

const USAGE = `usage: npm run preflight -- [options]

Checks both venues as the config describes them, before arming on TESTNET or MAINNET: reachability,
clock skew, keys, account and collateral, the Lighter tier and API key, leverage, market minimums,
the request budget. Sends no order. In DEMO it checks the built-in emulators.
Exit code 0 when nothing failed, 1 when a check failed, 2 when it could not run.

  --dotenv FILE   the settings file (default .env; a missing file is fine).
  --json          one JSON line of rows instead of the table.
  --help          this text.`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { dotenv: { type: 'string', default: '.env' }, json: { type: 'boolean', default: false }, help: { type: 'boolean', default: false } },
    strict: true
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const config = loadConfig({ env: { ...process.env }, envFile: values.dotenv });
  const built = await buildVenues(config, systemClock);
  try {
    const rows = await built.preflight(new Decimal(config.params.maxPositionValue));
    process.stdout.write(values.json ? `${JSON.stringify(rows)}\n` : formatPreflight(config.mode, rows));
    process.exitCode = rows.some((row) => row.status === 'fail') ? 1 : 0;
  } finally {
    await built.stop();
  }
}

main().catch((error: unknown) => {
  const usage = error instanceof TypeError && (error as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS');
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : usage ? `${error.message}\n${USAGE}\n` : `preflight failed: ${String(error)}\n`);
  process.exit(2);
});
