/**
 * Both venue emulators on loopback, driven by one market: what the demo, the adapter tests and
 * `npm run emulator` start. Demo identities only: no key here belongs to a real account.
 */
import { systemClock, type Clock } from '../kernel/clock';
import { EmulatorMarket, EXTENDED_BOOK, LIGHTER_BOOK } from './emulatorMarket';
import { starkKeyOf } from './extended/officialSignature';
import { ExtendedEmulator, type ExtendedMarketSpec } from './extended/server';
import { Faults } from './faults';
import { LighterEmulator, type LighterEmulatorOptions, type LighterMarketSpec } from './lighter/server';

/** Demo account on the Lighter emulator (the emulator cannot verify Lighter signatures). */
export const DEMO_LIGHTER = {
  accountIndex: 683211,
  apiKeyIndex: 3,
  /** A made-up key for the demo signer; never registered anywhere. */
  apiPrivateKey: `0x${'11'.repeat(40)}`
};

/** Demo sub-account on the Extended emulator. */
export const DEMO_EXTENDED = {
  apiKey: 'demo-emulator-api-key',
  /** A made-up Stark key for the demo; the emulator verifies signatures against its public key. */
  starkPrivateKey: '0x3c1e9550e66958296d11b60f8e8e7a7ad990d07fa65d5f7652c4a6c87d4e3cc',
  vault: 512337,
  accountId: 100214
};

export const LIGHTER_MARKET: LighterMarketSpec = {
  symbol: 'ETH',
  marketId: 0,
  sizeDecimals: LIGHTER_BOOK.sizeDecimals,
  priceDecimals: LIGHTER_BOOK.priceDecimals,
  minBaseAmount: '0.0050',
  minQuoteAmount: '10.000000'
};

export const EXTENDED_MARKET: ExtendedMarketSpec = {
  name: 'ETH-USD',
  assetName: 'ETH',
  sizeDecimals: EXTENDED_BOOK.sizeDecimals,
  priceDecimals: EXTENDED_BOOK.priceDecimals,
  minOrderSize: '0.01',
  minOrderSizeChange: '0.001',
  minPriceChange: '0.1',
  l2Config: {
    syntheticId: '0x4554482d3600000000000000000000',
    syntheticResolution: 1_000_000,
    collateralId: '0x35596841893e0d17079c27b2d72db1694f26a1932a7429144b439ba0807d29c',
    collateralResolution: 1_000_000
  }
};

export interface EmulatorsOptions {
  clock?: Clock;
  seed?: number;
  speed?: number;
  host?: string;
  lighterPort?: number;
  extendedPort?: number;
  /** Lighter's account-tier delays, as the venue applies them (the demo: its configured tier). */
  lighterTierDelays?: { makerMs: number; takerMs: number; cancelMs: number };
  /**
   * Lighter's rate limit for the account (Standard: 60 requests and 24,000 weight a rolling minute),
   * counted `rateFactor` times faster for an accelerated market (default DEMO_RATE_FACTOR); null: none.
   */
  lighterRequestLimit?: { perMinute: number; weightPerMinute: number } | null;
  rateFactor?: number;
  /** Lighter's fee rates of the account in millionths of a trade's value (Standard: none). */
  lighterFeeRates?: { maker: number; taker: number };
  /** More API keys registered on the Lighter account (CCXT signs with 254 by default). */
  lighterExtraApiKeys?: number[];
  /** Sees every REST answer of the Lighter emulator (the openapi conformance test). */
  lighterAnswerTap?: LighterEmulatorOptions['answerTap'];
  /** The tier Lighter's accountLimits reports (std by default), and its maker-only API keys. */
  lighterUserTier?: string;
  lighterMakerOnlyKeys?: number[];
  /** The Extended signing domain's chain (SN_SEPOLIA by default; CCXT signs for SN_MAIN unless told). */
  extendedChainId?: 'SN_SEPOLIA' | 'SN_MAIN';
  /** Start the market clock (false: tests step the market themselves). */
  run?: boolean;
  /** Other identities than the demo ones (tests with made-up keys). */
  lighterAccount?: { accountIndex: number; apiKeyIndex: number };
  extendedAccount?: { apiKey: string; starkPrivateKey: string; vault: number };
}

/** The demo's market runs accelerated: rate limits are counted this many times faster. */
export const DEMO_RATE_FACTOR = 10;
/** Lighter's Standard limit per rolling minute: requests (REST and txs) and weight. */
export const LIGHTER_STANDARD_LIMIT = { perMinute: 60, weightPerMinute: 24_000 };

export interface Emulators {
  market: EmulatorMarket;
  lighter: LighterEmulator;
  extended: ExtendedEmulator;
  faults: { L: Faults; E: Faults };
  stop(): Promise<void>;
}

export async function startEmulators(options: EmulatorsOptions = {}): Promise<Emulators> {
  const clock = options.clock ?? systemClock;
  const market = new EmulatorMarket({ clock, seed: options.seed ?? 42, speed: options.speed });
  const faults = { L: new Faults(), E: new Faults() };
  const lighter = new LighterEmulator({
    exchange: market.exchanges.L,
    market: LIGHTER_MARKET,
    accountIndex: options.lighterAccount?.accountIndex ?? DEMO_LIGHTER.accountIndex,
    apiKeys: [options.lighterAccount?.apiKeyIndex ?? DEMO_LIGHTER.apiKeyIndex, ...(options.lighterExtraApiKeys ?? [])],
    clock,
    faults: faults.L,
    host: options.host,
    port: options.lighterPort,
    tierDelays: options.lighterTierDelays,
    requestLimit: requestLimit(options),
    feeRates: options.lighterFeeRates,
    userTier: options.lighterUserTier,
    makerOnlyKeys: options.lighterMakerOnlyKeys,
    answerTap: options.lighterAnswerTap
  });
  const extended = new ExtendedEmulator({
    exchange: market.exchanges.E,
    market: EXTENDED_MARKET,
    clock,
    faults: faults.E,
    host: options.host,
    port: options.extendedPort,
    domain: { name: 'Perpetuals', version: 'v0', chainId: options.extendedChainId ?? 'SN_SEPOLIA', revision: 1 },
    account: {
      accountId: DEMO_EXTENDED.accountId,
      apiKey: options.extendedAccount?.apiKey ?? DEMO_EXTENDED.apiKey,
      starkKey: starkKeyOf(options.extendedAccount?.starkPrivateKey ?? DEMO_EXTENDED.starkPrivateKey),
      vault: options.extendedAccount?.vault ?? DEMO_EXTENDED.vault,
      balance: '100000',
      makerFeeRate: '0.00000',
      takerFeeRate: '0.00025'
    }
  });
  // Earlier-run orders: the venue's minimum size, twice over, so they pass both venues' checks.
  faults.L.onEarlierRunOrders = (count) => void market.exchanges.L.restEarlierRun(count, 100);
  faults.E.onEarlierRunOrders = (count) => void market.exchanges.E.restEarlierRun(count, 20);
  await Promise.all([lighter.start(), extended.start()]);
  if (options.run !== false) market.start();
  return {
    market,
    lighter,
    extended,
    faults,
    stop: async () => {
      market.stop();
      await Promise.all([lighter.stop(), extended.stop()]);
    }
  };
}

function requestLimit(options: EmulatorsOptions): { perMinute: number; weightPerMinute: number } | undefined {
  if (options.lighterRequestLimit === null) return undefined;
  const base = options.lighterRequestLimit ?? LIGHTER_STANDARD_LIMIT;
  const factor = options.rateFactor ?? DEMO_RATE_FACTOR;
  return { perMinute: base.perMinute * factor, weightPerMinute: base.weightPerMinute * factor };
}
