/**
 * Builds the two venues the engine trades on, from the config: in DEMO the built-in emulators on
 * loopback with demo identities; on TESTNET and MAINNET the real endpoints with the configured
 * keys. Either way the engine gets the same real adapters.
 */
import { join } from 'node:path';
import { ConfigError, type AppConfig } from '../config/config';
import type { Clock } from '../kernel/clock';
import Decimal from 'decimal.js';
import { ExtendedPublicFeed } from '../venues/extended/publicFeed';
import { LighterPublicFeed } from '../venues/lighter/publicFeed';
import { PaperVenue } from '../venues/paper/paperVenue';
import { LIGHTER_TIERS, LIGHTER_WEIGHT_PER_MINUTE } from '../../shared/lighterTiers';
import type { PreflightRow } from '../ports/preflight';
import type { Venue } from '../ports/venue';
import { DEMO_EXTENDED, DEMO_LIGHTER, DEMO_RATE_FACTOR, startEmulators, type Emulators } from '../emulator/emulators';
import { extendedEndpoints } from '../venues/extended/config';
import { ExtendedVenue } from '../venues/extended/extendedVenue';
import { publicKeyOf } from '../venues/extended/signing';
import { lighterEndpoints } from '../venues/lighter/config';
import { LighterVenue } from '../venues/lighter/lighterVenue';
import { loadWasmLighterSigner } from '../venues/lighter/signer';

export interface BuiltVenues {
  venues: { L: Venue; E: Venue };
  /** Both venues' preflight checks (`npm run preflight`): no order is sent. */
  preflight(maxPositionValue: Decimal): Promise<PreflightRow[]>;
  /** The in-process emulators in DEMO, for fault injection and the record. */
  emulators: Emulators | null;
  stop(): Promise<void>;
}

/**
 * PAPER: the real venues' public books and trades (mainnet unless the URL overrides say otherwise),
 * our orders matched locally with the Lighter tier's delays and both venues' fees. No keys.
 */
function buildPaperVenues(config: AppConfig, clock: Clock): BuiltVenues {
  const lighter = lighterEndpoints('mainnet', { restUrl: config.lighter.restUrl, wsUrl: config.lighter.wsUrl });
  const extended = extendedEndpoints('mainnet', { restUrl: config.extended.restUrl, wsUrl: config.extended.wsUrl });
  const tier = LIGHTER_TIERS[config.lighter.tier];
  const L = new PaperVenue(new LighterPublicFeed({ restUrl: lighter.restUrl, wsUrl: lighter.wsUrl, symbol: config.lighter.market, clock }), {
    id: 'L',
    clock,
    delays: { makerMs: tier.makerDelayMs, takerMs: tier.takerDelayMs, cancelMs: tier.cancelDelayMs },
    fees: { maker: new Decimal(config.fees.L.maker), taker: new Decimal(config.fees.L.taker) }
  });
  const E = new PaperVenue(new ExtendedPublicFeed({ restUrl: extended.restUrl, wsUrl: extended.wsUrl, market: config.extended.market, clock }), {
    id: 'E',
    clock,
    delays: { makerMs: 0, takerMs: 0, cancelMs: 0 },
    fees: { maker: new Decimal(config.fees.E.maker), taker: new Decimal(config.fees.E.taker) }
  });
  return { venues: { L, E }, emulators: null, preflight: async () => [], stop: async () => undefined };
}

export async function buildVenues(config: AppConfig, clock: Clock): Promise<BuiltVenues> {
  if (config.network === 'paper') return buildPaperVenues(config, clock);
  const stamp = new Date(clock.now()).toISOString().replace(/[:.]/g, '-');
  const recordPath = (venue: string) => (config.recordFrames ? join(config.dataDir, 'recordings', `${venue}-${stamp}.jsonl`) : undefined);
  let emulators: Emulators | null = null;
  let lighter: { restUrl: string; wsUrl: string; chainId: number; accountIndex: number; apiKeyIndex: number; apiPrivateKey: string };
  let extended: { restUrl: string; wsUrl: string; apiKey: string; starkPrivateKey: string; vault: number };

  if (config.network === 'demo') {
    // The demo's Lighter holds orders as the configured tier does (Standard by default).
    const tier = LIGHTER_TIERS[config.lighter.tier];
    emulators = await startEmulators({
      clock,
      seed: config.demo.seed,
      speed: config.demo.speed,
      lighterTierDelays: { makerMs: tier.makerDelayMs, takerMs: tier.takerDelayMs, cancelMs: tier.cancelDelayMs },
      lighterRequestLimit: { perMinute: tier.requestsPerMinute, weightPerMinute: LIGHTER_WEIGHT_PER_MINUTE },
      lighterFeeRates: { maker: feeTicks(tier.makerFee), taker: feeTicks(tier.takerFee) }
    });
    lighter = { restUrl: emulators.lighter.url, wsUrl: emulators.lighter.wsUrl, chainId: 300, ...DEMO_LIGHTER };
    extended = { restUrl: emulators.extended.url, wsUrl: emulators.extended.wsUrl, ...DEMO_EXTENDED };
  } else {
    const l = config.lighter;
    const e = config.extended;
    // loadConfig already refused a testnet/mainnet config without every key.
    if (!l.apiPrivateKey || l.accountIndex === undefined || l.apiKeyIndex === undefined || !e.apiKey || !e.starkPrivateKey || e.vaultId === undefined) {
      throw new ConfigError([`NETWORK=${config.network}: keys missing`]);
    }
    if (e.starkPublicKey && BigInt(e.starkPublicKey) !== BigInt(publicKeyOf(e.starkPrivateKey))) {
      throw new ConfigError(['EXTENDED_STARK_PUBLIC_KEY: does not belong to EXTENDED_STARK_PRIVATE_KEY']);
    }
    lighter = {
      ...lighterEndpoints(config.network, { restUrl: l.restUrl, wsUrl: l.wsUrl }),
      accountIndex: l.accountIndex,
      apiKeyIndex: l.apiKeyIndex,
      apiPrivateKey: l.apiPrivateKey
    };
    extended = {
      ...extendedEndpoints(config.network, { restUrl: e.restUrl, wsUrl: e.wsUrl }),
      apiKey: e.apiKey,
      starkPrivateKey: e.starkPrivateKey,
      vault: e.vaultId
    };
  }

  const signer = await loadWasmLighterSigner({
    apiPrivateKey: lighter.apiPrivateKey,
    accountIndex: lighter.accountIndex,
    apiKeyIndex: lighter.apiKeyIndex,
    chainId: lighter.chainId
  });
  // The demo's market runs accelerated: the Lighter emulator counts the rate limit of the tier at ten
  // times its rate, and the adapter keeps to the same.
  const demoFactor = config.network === 'demo' ? DEMO_RATE_FACTOR : 1;
  const requestsPerMinute = config.lighter.requestsPerMinute * demoFactor;
  const weightPerMinute = LIGHTER_WEIGHT_PER_MINUTE * demoFactor;
  const L = new LighterVenue(
    { ...lighter, symbol: config.lighter.market, requestsPerMinute, weightPerMinute, tier: config.lighter.tier, recordPath: recordPath('lighter') },
    signer,
    clock
  );
  const E = new ExtendedVenue({ ...extended, market: config.extended.market, recordPath: recordPath('extended') }, clock);
  return {
    venues: { L, E },
    preflight: async (maxPositionValue) => [...(await L.preflight(maxPositionValue)), ...(await E.preflight(maxPositionValue))],
    emulators,
    stop: async () => {
      await emulators?.stop();
    }
  };
}

/** A fee rate (fraction) in Lighter's millionths. */
function feeTicks(rate: string): number {
  return new Decimal(rate).times(1_000_000).round().toNumber();
}
