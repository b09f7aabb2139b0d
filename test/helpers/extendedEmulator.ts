import { randomInt } from 'node:crypto';
import Decimal from 'decimal.js';
import { systemClock } from '../../src/main/kernel/clock';
import { EmulatorMarket } from '../../src/main/emulator/emulatorMarket';
import { ExtendedEmulator, type ExtendedEmulatorOptions } from '../../src/main/emulator/extended/server';
import { Faults } from '../../src/main/emulator/faults';
import { orderHashFields, orderMessageHash, signHash, type StarknetDomain } from '../../src/main/venues/extended/signing';

/** The dummy key of the venue examples (never a real account). */
export const PRIVATE_KEY = '0x1234567890abcdef1234567890abcdef1234567890abcdef1234567890abcde';
export const STARK_KEY = '0x2a8249e10df5670294c078c3a04f32ed60087e5ee8a3457fa29ed0c0e366bfc';
export const API_KEY = 'test-api-key-0001';
export const VAULT = 512337;
export const DOMAIN: StarknetDomain = { name: 'Perpetuals', version: 'v0', chainId: 'SN_SEPOLIA', revision: 1 };
export const L2 = {
  syntheticId: '0x4554482d3600000000000000000000',
  syntheticResolution: 1_000_000,
  collateralId: '0x35596841893e0d17079c27b2d72db1694f26a1932a7429144b439ba0807d29c',
  collateralResolution: 1_000_000
};
export const HEADERS = { 'User-Agent': 'lx-hedge-test/1', 'X-Api-Key': API_KEY };

export async function startExtended(options: Partial<ExtendedEmulatorOptions> = {}) {
  const market = new EmulatorMarket({ clock: systemClock, seed: 21, fillProbability: 0 });
  const faults = new Faults();
  const emulator = new ExtendedEmulator({
    exchange: market.exchanges.E,
    market: {
      name: 'ETH-USD',
      assetName: 'ETH',
      sizeDecimals: 3,
      priceDecimals: 1,
      minOrderSize: '0.01',
      minOrderSizeChange: '0.001',
      minPriceChange: '0.1',
      l2Config: L2
    },
    account: { accountId: 100214, apiKey: API_KEY, starkKey: STARK_KEY, vault: VAULT, balance: '100000', makerFeeRate: '0.00000', takerFeeRate: '0.00025' },
    domain: DOMAIN,
    clock: systemClock,
    faults,
    processingMs: 1,
    ...options
  });
  await emulator.start();
  return { market, faults, emulator, exchange: market.exchanges.E };
}

export interface OrderInput {
  id: string;
  side: 'BUY' | 'SELL';
  qty: string;
  price: string;
  type?: 'LIMIT' | 'MARKET';
  timeInForce?: 'GTT' | 'IOC';
  postOnly?: boolean;
  fee?: string;
  expiryEpochMillis?: number;
  nonce?: number;
  privateKey?: string;
  vault?: number;
}

/** A signed order body, built as the venue expects it. */
export function signedOrder(input: OrderInput) {
  const nonce = input.nonce ?? randomInt(1, 2 ** 31 - 1);
  const fee = input.fee ?? '0.00025';
  const expiry = input.expiryEpochMillis ?? Date.now() + 3_600_000;
  const vault = input.vault ?? VAULT;
  const hash = orderMessageHash(
    orderHashFields({
      side: input.side,
      qty: new Decimal(input.qty),
      price: new Decimal(input.price),
      feeRate: new Decimal(fee),
      expiryEpochMillis: expiry,
      nonce,
      vault,
      l2: L2
    }),
    DOMAIN,
    STARK_KEY
  );
  return {
    id: input.id,
    market: 'ETH-USD',
    type: input.type ?? 'LIMIT',
    side: input.side,
    qty: input.qty,
    price: input.price,
    timeInForce: input.timeInForce ?? 'GTT',
    expiryEpochMillis: expiry,
    fee,
    nonce: String(nonce),
    settlement: { signature: signHash(hash, input.privateKey ?? PRIVATE_KEY), starkKey: STARK_KEY, collateralPosition: String(vault) },
    reduceOnly: false,
    postOnly: input.postOnly ?? true,
    selfTradeProtectionLevel: 'ACCOUNT'
  };
}

export async function post(url: string, body: unknown, headers: Record<string, string> = HEADERS) {
  const response = await fetch(url, { method: 'POST', headers: { ...headers, 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Record<string, unknown> };
}
