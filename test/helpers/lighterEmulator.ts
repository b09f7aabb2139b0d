import { randomBytes } from 'node:crypto';
import { systemClock } from '../../src/main/kernel/clock';
import { EmulatorMarket } from '../../src/main/emulator/emulatorMarket';
import { Faults } from '../../src/main/emulator/faults';
import { LighterEmulator, type LighterEmulatorOptions } from '../../src/main/emulator/lighter/server';

export const ACCOUNT = 683211;
export const API_KEY = 3;

export async function startLighter(options: Partial<LighterEmulatorOptions> = {}) {
  const market = new EmulatorMarket({ clock: systemClock, seed: 11, fillProbability: 0 });
  const faults = new Faults();
  const emulator = new LighterEmulator({
    exchange: market.exchanges.L,
    market: { symbol: 'ETH', marketId: 0, sizeDecimals: 4, priceDecimals: 2, minBaseAmount: '0.0050', minQuoteAmount: '10.000000' },
    accountIndex: ACCOUNT,
    apiKeys: [API_KEY, 4],
    startNonce: 1841,
    clock: systemClock,
    faults,
    processingMs: 1,
    ...options
  });
  await emulator.start();
  return { market, faults, emulator, exchange: market.exchanges.L };
}

export function authToken(deadlineSeconds = Math.floor(Date.now() / 1000) + 3600, account = ACCOUNT, apiKey = API_KEY): string {
  return `${deadlineSeconds}:${account}:${apiKey}:${'bc'.repeat(80)}`;
}

export const sig = () => randomBytes(80).toString('base64');

export function createOrderInfo(fields: Partial<Record<string, number | string | null>> = {}) {
  return {
    AccountIndex: ACCOUNT,
    ApiKeyIndex: API_KEY,
    MarketIndex: 0,
    ClientOrderIndex: 1795000000001,
    BaseAmount: 500,
    Price: 301245,
    IsAsk: 0,
    Type: 0,
    TimeInForce: 2,
    ReduceOnly: 0,
    TriggerPrice: 0,
    OrderExpiry: Date.now() + 28 * 86_400_000,
    ExpiredAt: Date.now() + 600_000,
    Nonce: 1841,
    Sig: sig(),
    L2TxAttributes: null,
    ...fields
  };
}

export function cancelInfo(fields: Partial<Record<string, number | string | null>> = {}) {
  return {
    AccountIndex: ACCOUNT,
    ApiKeyIndex: API_KEY,
    MarketIndex: 0,
    Index: 1795000000001,
    ExpiredAt: Date.now() + 600_000,
    Nonce: 1842,
    Sig: sig(),
    L2TxAttributes: null,
    ...fields
  };
}

export async function postForm(url: string, fields: Record<string, string>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(fields).toString()
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}
