/**
 * Keys never leave the main process: the app runs with made-up keys against the emulators (as a
 * TESTNET configuration would against the venue), then every log file, the journal, the saved
 * parameters and every message a view received are searched for any piece of key material.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { HostMessage } from '../src/shared/contract';
import { createApp } from '../src/main/app';
import { loadConfig } from '../src/main/config/config';
import { startEmulators } from '../src/main/emulator/emulators';
import { generateLighterApiKey } from '../src/main/venues/lighter/signer';
import { waitFor } from './helpers/waitFor';

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe('key material never leaves the main process', () => {
  it('appears in no log, journal row, saved file or view message', async () => {
    const lighterKey = (await generateLighterApiKey()).privateKey;
    const starkKey = `0x0${randomBytes(31).toString('hex')}`;
    const apiKey = `made-up-${randomBytes(12).toString('hex')}`;
    const emulators = await startEmulators({
      seed: 31,
      speed: 5,
      lighterAccount: { accountIndex: 424242, apiKeyIndex: 7 },
      extendedAccount: { apiKey, starkPrivateKey: starkKey, vault: 777 }
    });
    cleanups.push(() => emulators.stop());
    const dataDir = mkdtempSync(join(tmpdir(), 'lx-security-'));
    const config = loadConfig({
      env: {
        NETWORK: 'testnet',
        DATA_DIR: dataDir,
        MIN_SPREAD: '0.01',
        LOG_LEVEL: 'debug',
        LIGHTER_REST_URL: emulators.lighter.url,
        LIGHTER_WS_URL: emulators.lighter.wsUrl,
        LIGHTER_API_PRIVATE_KEY: lighterKey,
        LIGHTER_ACCOUNT_INDEX: '424242',
        LIGHTER_API_KEY_INDEX: '7',
        LIGHTER_REQUESTS_PER_MINUTE: '6000',
        EXTENDED_REST_URL: emulators.extended.url,
        EXTENDED_WS_URL: emulators.extended.wsUrl,
        EXTENDED_API_KEY: apiKey,
        EXTENDED_STARK_PRIVATE_KEY: starkKey,
        EXTENDED_VAULT_ID: '777',
        TELEGRAM_BOT_TOKEN: '123456:made-up-telegram-token',
        TELEGRAM_CHAT_ID: '-1',
        TELEGRAM_API_URL: 'http://127.0.0.1:9'
      }
    });
    const app = await createApp(config, { consoleLog: false });
    const messages: string[] = [];
    app.host.subscribe((message: HostMessage) => void messages.push(JSON.stringify(message)));
    await app.start();
    cleanups.push(() => app.stop());
    await waitFor(() => app.engine.state.hedgeSeeded, 'start-up', 20_000);
    expect(app.engine.snapshot().mode).toBe('TESTNET');
    await app.host.command({ type: 'arm' });
    await waitFor(() => app.engine.counters.makerFills >= 2 && (app.engine.hedger?.hedgesSent ?? 0) >= 1, 'fills and hedges', 30_000);
    await app.host.command({ type: 'setParams', params: { orderValue: '90' } });
    // A failed Telegram call must not leak its token either: raise one.
    await app.host.command({ type: 'kill' });
    await app.stop();
    cleanups.pop();

    const secrets = [
      lighterKey,
      lighterKey.replace(/^0x/, ''),
      starkKey,
      starkKey.replace(/^0x0?/, ''),
      apiKey,
      'made-up-telegram-token',
      ...emulators.lighter.authTokensSeen
    ];
    expect(emulators.lighter.authTokensSeen.size).toBeGreaterThan(0);
    const haystacks: Array<[string, string]> = [
      ...filesUnder(dataDir).map((path) => [path, readFileSync(path).toString('latin1')] as [string, string]),
      ['view messages', messages.join('\n')]
    ];
    expect(haystacks.some(([path]) => path.endsWith('journal.sqlite'))).toBe(true);
    expect(haystacks.some(([path]) => path.endsWith('main.log'))).toBe(true);
    for (const [where, text] of haystacks) {
      for (const secret of secrets) expect(text.includes(secret), `${where} contains key material`).toBe(false);
    }
  }, 60_000);
});
