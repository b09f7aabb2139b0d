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
