import type { LighterTier } from '../../../shared/lighterTiers';
/** Lighter networks and the adapter's settings. */
export type LighterNetwork = 'mainnet' | 'testnet' | 'custom';

export const LIGHTER_NETWORKS = {
  mainnet: { restUrl: 'https://mainnet.zklighter.elliot.ai', wsUrl: 'wss://mainnet.zklighter.elliot.ai/stream', chainId: 304 },
  testnet: { restUrl: 'https://testnet.zklighter.elliot.ai', wsUrl: 'wss://testnet.zklighter.elliot.ai/stream', chainId: 300 }
} as const;

export interface LighterAdapterConfig {
  /** REST base without /api/v1, e.g. https://mainnet.zklighter.elliot.ai. */
  restUrl: string;
  wsUrl: string;
  /** Signed into every tx: 304 mainnet, 300 testnet. */
  chainId: number;
  symbol: string;
  accountIndex: number;
  apiKeyIndex: number;
  apiPrivateKey: string;
  /** Post-only orders live this long (the venue accepts 5 min .. 30 days). */
  orderExpiryMs?: number;
  /** Auth tokens are minted for this long and renewed before they expire (max 8 h). */
  authTokenTtlMs?: number;
  /** No book frame for this long: reconnect. */
  staleBookMs?: number;
  /** Account stream silence after which it is pinged; twice that with no pong = dead, replaced (default 15 s). */
  accountStaleMs?: number;
  /** The account tier: what the console shows of the venue's delays (default standard). */
  tier?: LighterTier;
  /** REST + tx budget per rolling minute: 60 on a Standard account. */
  requestsPerMinute?: number;
  /** The weighted limit per rolling minute (24,000 for every tier; a GET weighs 300, a tx 6). */
  weightPerMinute?: number;
  /** The scheduled cancel-all's distance ahead (the venue wants >= 5 min; default 5.5 min; 0 = none, adapter tests only). */
  deadManMs?: number;
  /** How often the scheduled cancel-all is pushed ahead while quotes may rest (default 60 s). */
  deadManRefreshMs?: number;
  /** Slots of each rolling minute new quotes may not use (kept for cancels, hedges, reads); default 10 %. */
  reserve?: number;
  /** How long a "market" order may take to report its final filled quantity. */
  marketResultTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Write every raw frame received to this file (JSON lines), for replays. */
  recordPath?: string;
}

/** Endpoints of a network, each overridable from the config. */
export function lighterEndpoints(network: LighterNetwork, overrides: { restUrl?: string; wsUrl?: string; chainId?: number }) {
  const base = network === 'custom' ? undefined : LIGHTER_NETWORKS[network];
  const restUrl = overrides.restUrl ?? base?.restUrl;
  const wsUrl = overrides.wsUrl ?? base?.wsUrl;
  const chainId = overrides.chainId ?? base?.chainId;
  if (!restUrl || !wsUrl || chainId === undefined) throw new Error(`Lighter network "${network}" needs restUrl, wsUrl and chainId`);
  return { restUrl: restUrl.replace(/\/+$/, ''), wsUrl, chainId };
}
