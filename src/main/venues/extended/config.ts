/** Extended networks and the adapter's settings. */
export type ExtendedNetwork = 'mainnet' | 'testnet' | 'custom';

export const EXTENDED_NETWORKS = {
  mainnet: { restUrl: 'https://api.starknet.extended.exchange/api/v1', wsUrl: 'wss://api.starknet.extended.exchange/stream.extended.exchange/v1' },
  // The current official SDK (x10xchange/python_sdk TESTNET_CONFIG) and CCXT use the "api." host for the stream too
  // (the SDK's older starknet branch had none).
  testnet: {
    restUrl: 'https://api.starknet.sepolia.extended.exchange/api/v1',
    wsUrl: 'wss://api.starknet.sepolia.extended.exchange/stream.extended.exchange/v1'
  }
} as const;

export interface ExtendedAdapterConfig {
  /** REST base including /api/v1. */
  restUrl: string;
  /** Stream base, e.g. wss://.../stream.extended.exchange/v1. */
  wsUrl: string;
  market: string;
  apiKey: string;
  starkPrivateKey: string;
  vault: number;
  /** Sent on every request and stream upgrade (the venue requires one). */
  userAgent?: string;
  /** Post-only orders expire after this long (the venue allows up to 90 days, 28 on testnet). */
  orderExpiryMs?: number;
  /** IOC "market" orders: the venue requires an expiry too. */
  marketExpiryMs?: number;
  staleBookMs?: number;
  /** Account stream silence after which it is pinged; twice that with no pong = dead, replaced (default 15 s). */
  accountStaleMs?: number;
  /** Shared REST budget per IP: 1,000 a minute by default. */
  requestsPerMinute?: number;
  marketResultTimeoutMs?: number;
  requestTimeoutMs?: number;
  /** Dead man's switch countdown while quoting, refreshed every third of it. */
  deadManSeconds?: number;
  recordPath?: string;
}

export function extendedEndpoints(network: ExtendedNetwork, overrides: { restUrl?: string; wsUrl?: string }) {
  const base = network === 'custom' ? undefined : EXTENDED_NETWORKS[network];
  const restUrl = overrides.restUrl ?? base?.restUrl;
  const wsUrl = overrides.wsUrl ?? base?.wsUrl;
  if (!restUrl || !wsUrl) throw new Error(`Extended network "${network}" needs restUrl and wsUrl`);
  return { restUrl: restUrl.replace(/\/+$/, ''), wsUrl: wsUrl.replace(/\/+$/, '') };
}
