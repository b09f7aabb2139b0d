import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, renderEnvExample } from '../src/main/config/config';
import { defaultParams } from '../src/shared/params';

const load = (env: Record<string, string>, envFile?: string) => loadConfig({ env, envFile, defaultDataDir: '/data/lx', cwd: '/work' });

function problemsOf(env: Record<string, string>): string[] {
  try {
    load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('config', () => {
  it('starts the demo with no keys and no .env at all', () => {
    const config = load({}, join(tmpdir(), 'no-such-dir', '.env'));
    expect(config.network).toBe('demo');
    expect(config.mode).toBe('DEMO');
    expect(config.params).toEqual(defaultParams());
    expect(config.dataDir).toBe('/data/lx');
    expect(config.logDir).toBe('/data/lx/logs');
    expect(config.headless).toEqual({ host: '127.0.0.1', port: 8787 });
    expect(config.lighter.apiPrivateKey).toBeUndefined();
  });

  it('reads .env and lets the environment win over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lx-config-'));
    const file = join(dir, '.env');
    writeFileSync(file, 'MIN_SPREAD=0.2\nTT_MIN_HITS=7\nENABLE_TT=true\nDATA_DIR=rel/data\n');
    const config = load({ MIN_SPREAD: '0.3' }, file);
    expect(config.params.minSpread).toBe('0.3');
    expect(config.params.ttMinHits).toBe(7);
    expect(config.params.enableTt).toBe(true);
    expect(config.dataDir).toBe('/work/rel/data');
  });

  it.each([
    [{ HEADLESS_PORT: '70000' }, 'HEADLESS_PORT="70000"'],
    [{ NETWORK: 'moon' }, 'NETWORK="moon"'],
    [{ MIN_SPREAD: 'abc' }, 'MIN_SPREAD="abc"'],
    [{ ORDER_VALUE: '0' }, 'ORDER_VALUE="0"'],
    [{ ENABLE_TT: 'yes' }, 'ENABLE_TT="yes"'],
    [{ TT_MIN_HITS: '0' }, 'TT_MIN_HITS="0"'],
    [{ FEE_E_TAKER: '0.5' }, 'FEE_E_TAKER="0.5"'],
    [{ LIGHTER_WS_URL: 'http://x' }, 'LIGHTER_WS_URL="http://x"']
  ])('names the field and the value of %j', (env, expected) => {
    const problems = problemsOf(env);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain(expected);
  });

  it('a URL the app always needs cannot be set empty (optional URLs can)', () => {
    expect(problemsOf({ TELEGRAM_API_URL: '' })[0]).toMatch(/^TELEGRAM_API_URL="": expected a http: or https: URL/);
    expect(load({ LIGHTER_REST_URL: '' }).lighter.restUrl).toBeUndefined();
  });

  it('lists every bad field in one message', () => {
    expect(problemsOf({ HEADLESS_PORT: 'x', MIN_SPREAD: 'y' })).toHaveLength(2);
  });

  it('never prints a secret, even a malformed one', () => {
    const secret = 'not-hex-but-secret-material';
    let message = '';
    try {
      load({ LIGHTER_API_PRIVATE_KEY: secret });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('LIGHTER_API_PRIVATE_KEY=<secret, 27 characters>');
    expect(message).not.toContain(secret);
  });

  it('needs every key on testnet and mainnet', () => {
    const problems = problemsOf({ NETWORK: 'mainnet' });
    expect(problems.join('\n')).toContain('LIGHTER_API_PRIVATE_KEY');
    expect(problems.join('\n')).toContain('EXTENDED_VAULT_ID');
  });

  it('.env.example documents every field, as generated', () => {
    const example = readFileSync(join(__dirname, '..', '.env.example'), 'utf8');
    expect(example).toBe(renderEnvExample());
  });
});

/** params.json holding `saved`, loaded over the defaults changed by `config`. */
async function loadSaved(saved: Record<string, unknown>, config: Record<string, unknown>) {
  const { mkdtempSync, writeFileSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { loadSavedParams } = await import('../src/main/app');
  const { defaultParams } = await import('../src/shared/params');
  const path = join(mkdtempSync(join(tmpdir(), 'lx-params-')), 'params.json');
  writeFileSync(path, JSON.stringify(saved));
  return loadSavedParams(path, { ...defaultParams(), ...config });
}

describe('saved parameters (params.json) against the config', () => {
  it('params.json wins for strategy fields, never for TT_ONLY, and says which source won per field', async () => {
    const { defaultParams } = await import('../src/shared/params');
    const { params, notes } = await loadSaved({ ttOnly: true, minSpread: '0.2', orderValue: defaultParams().orderValue }, { ttOnly: false, minSpread: '0.05' });
    expect(params.ttOnly).toBe(false);
    expect(params.minSpread).toBe('0.2');
    expect(notes).toEqual([
      "ttOnly: the config's false wins (params.json's true is ignored: TT_ONLY is set in the config only)",
      `minSpread: params.json's "0.2" wins over the config's "0.05"`
    ]);
  });
});

describe('parameters that must make sense together, and sizes', () => {
  it('a saved risk cap above the config is not used: the config is a ceiling, and the note says so', async () => {
    const { params, notes } = await loadSaved({ maxPositionValue: '1000', orderValue: '50' }, { maxPositionValue: '200', orderValue: '100' });
    expect(params.maxPositionValue).toBe('200');
    // Lower is always fine: a saved smaller order stays.
    expect(params.orderValue).toBe('50');
    expect(notes[0]).toBe("maxPositionValue: the config's 200 is a ceiling; params.json's larger 1000 is not used (raise it in the console or the config)");
  });

  it('hedge attempts that would go on for more than 10 minutes are refused, in the config and live', async () => {
    expect(() => loadConfig({ env: { NETWORK: 'demo', HEDGE_MAX_RETRIES: '1000', HEDGE_RETRY_DELAY_MS: '1000' } })).toThrow(
      /HEDGE_MAX_RETRIES 1000 x HEDGE_RETRY_DELAY_MS 1000 = 1000 s of attempts: at most 600 s/
    );
    expect(() => loadConfig({ env: { NETWORK: 'demo', HEDGE_RETRY_DELAY_MS: '0' } })).toThrow(/HEDGE_RETRY_DELAY_MS="0": must be >= 10/);
    expect(() => loadConfig({ env: { NETWORK: 'demo', HEDGE_MAX_RETRIES: '100000' } })).toThrow(/HEDGE_MAX_RETRIES="100000": must be >= 1 and <= 1000/);
    const { harness } = await import('./helpers/engineHarness');
    const h = harness();
    const result = await h.host.command({ type: 'setParams', params: { hedgeMaxRetries: 1000, hedgeRetryDelayMs: 5000 } });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND', field: 'params.hedgeMaxRetries' } });
    expect(h.engine.snapshot().params.hedgeMaxRetries).toBe(100);
  });

  it('a decimal parameter longer than 30 characters is refused, naming the field', async () => {
    const { harness } = await import('./helpers/engineHarness');
    const h = harness();
    const result = await h.host.command({ type: 'setParams', params: { minSpread: `0.${'0'.repeat(60_000)}1` } });
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_COMMAND', field: 'params.minSpread' } });
    if (!result.ok) expect(result.error.message).toContain('at most 30 characters');
  });
});

describe('venue endpoints', () => {
  it("Extended's testnet stream is the official SDK's host (api.starknet.sepolia...)", async () => {
    const { EXTENDED_NETWORKS } = await import('../src/main/venues/extended/config');
    expect(EXTENDED_NETWORKS.testnet.wsUrl).toBe('wss://api.starknet.sepolia.extended.exchange/stream.extended.exchange/v1');
  });
});

describe('Lighter account tier', () => {
  it('Standard by default (no fee); Premium brings its fees unless FEE_L_* are set', () => {
    const standard = loadConfig({ env: { NETWORK: 'demo' } });
    expect(standard.lighter.tier).toBe('standard');
    expect(standard.fees.L).toEqual({ maker: '0', taker: '0' });
    const premium = loadConfig({ env: { NETWORK: 'demo', LIGHTER_ACCOUNT_TIER: 'premium' } });
    expect(premium.fees.L).toEqual({ maker: '0.00004', taker: '0.00028' });
    const explicit = loadConfig({ env: { NETWORK: 'demo', LIGHTER_ACCOUNT_TIER: 'premium', FEE_L_TAKER: '0.0002' } });
    expect(explicit.fees.L).toEqual({ maker: '0.00004', taker: '0.0002' });
    expect(() => loadConfig({ env: { NETWORK: 'demo', LIGHTER_ACCOUNT_TIER: 'gold' } })).toThrow(/LIGHTER_ACCOUNT_TIER="gold"/);
  });
});
