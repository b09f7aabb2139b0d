/**
 * Lighter's account tiers (apidocs "Account Types"): what each costs and how long the venue holds
 * each kind of order before it reaches the book. Standard pays no fee but waits; Premium pays and
 * waits less. Figures: Premium fees at 0 staked LIT (lower with staking); the taker delay of
 * Premium is 140-200 ms, the worse end kept.
 */
export type LighterTier = 'standard' | 'premium';

export interface LighterTierSpec {
  /** Fee rates as fractions of notional. */
  makerFee: string;
  takerFee: string;
  /** The venue's delay before an order or cancel takes effect, in ms. */
  makerDelayMs: number;
  takerDelayMs: number;
  cancelDelayMs: number;
  /** Requests per rolling minute. */
  requestsPerMinute: number;
}

export const LIGHTER_TIERS: Record<LighterTier, LighterTierSpec> = {
  standard: { makerFee: '0', takerFee: '0', makerDelayMs: 200, takerDelayMs: 300, cancelDelayMs: 200, requestsPerMinute: 60 },
  premium: { makerFee: '0.00004', takerFee: '0.00028', makerDelayMs: 0, takerDelayMs: 200, cancelDelayMs: 0, requestsPerMinute: 24_000 }
};

/**
 * The tier the venue reports (GET accountLimits `user_tier`, `user_tier_name`: "std"/"standard",
 * "plus", "premium", "premium_1".."premium_7") in this project's terms; a tier it does not model is
 * returned as the venue names it, so that a comparison with LIGHTER_ACCOUNT_TIER fails loudly.
 */
export function lighterTierOf(userTier: unknown, tierName: unknown): LighterTier | string {
  const name = String(tierName ?? userTier ?? '').toLowerCase();
  if (name === '' || name === 'std' || name === 'standard') return 'standard';
  if (name.startsWith('premium')) return 'premium';
  return name;
}

/**
 * Request weights of Lighter's rate limit (apidocs "Rate limits"; NautilusTrader's adapter agrees):
 * Premium accounts have 24,000 weight a rolling minute, Standard 60 requests a minute whatever their
 * weight and the same weighted limit (so at most 40 `trades` reads a minute).
 */
export const LIGHTER_WEIGHT_PER_MINUTE = 24_000;
export function lighterRequestWeight(path: string): number {
  const route = path.replace(/^\/?(api\/v1\/)?/, '').split('?')[0] ?? '';
  if (route === 'sendTx' || route === 'sendTxBatch' || route === 'nextNonce') return 6;
  if (route === 'accountInactiveOrders') return 100;
  if (route === 'apikeys') return 150;
  if (route === 'trades' || route === 'recentTrades') return 600;
  return 300;
}
