/**
 * `npm run emulator`: the Lighter and Extended emulators on loopback, standalone. Prints one JSON
 * line with their URLs; faults switch over POST /_emulator/faults on each.
 */
import { parseArgs } from 'node:util';
import { DEMO_EXTENDED, DEMO_LIGHTER, startEmulators } from './emulators';

const USAGE = 'usage: npm run emulator -- [--seed N] [--speed X] [--host ADDRESS] [--lighter-port P] [--extended-port P]';

function int(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  if (!/^\d+$/.test(text)) throw new TypeError(`--${name}: expected a whole number, got ${JSON.stringify(text)}`);
  return Number(text);
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      seed: { type: 'string' },
      speed: { type: 'string' },
      host: { type: 'string' },
      'lighter-port': { type: 'string' },
      'extended-port': { type: 'string' },
      help: { type: 'boolean', default: false }
    },
    strict: true
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const speed = values.speed === undefined ? 1 : Number(values.speed);
  if (!(speed > 0 && speed <= 1000)) throw new TypeError(`--speed: expected a number in (0, 1000], got ${JSON.stringify(values.speed)}`);
  const emulators = await startEmulators({
    seed: int('seed', values.seed, 42),
    speed,
    host: values.host ?? '127.0.0.1',
    lighterPort: int('lighter-port', values['lighter-port'], 0),
    extendedPort: int('extended-port', values['extended-port'], 0)
  });
  console.log(
    JSON.stringify({
      lighter: { rest: emulators.lighter.url, ws: emulators.lighter.wsUrl, accountIndex: DEMO_LIGHTER.accountIndex, apiKeyIndex: DEMO_LIGHTER.apiKeyIndex },
      extended: { rest: emulators.extended.url, ws: emulators.extended.wsUrl, apiKey: DEMO_EXTENDED.apiKey, vault: DEMO_EXTENDED.vault }
    })
  );
  const stop = async () => {
    await emulators.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
  process.exit(1);
});
