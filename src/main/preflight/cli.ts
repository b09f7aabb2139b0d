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

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { dotenv: { type: 'string', default: '.env' }, json: { type: 'boolean', default: false } }, strict: true });
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
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `preflight failed: ${String(error)}\n`);
  process.exit(2);
});
