/**
 * Lighter's protocol constants in one place (lighter-go's types, lighter-python): no bare numbers in the
 * adapter. Order types and times in force are the values the signer takes.
 */
export const LIGHTER_ORDER_TYPE = { limit: 0, market: 1 } as const;
export const LIGHTER_TIME_IN_FORCE = { immediateOrCancel: 0, goodTillTime: 1, postOnly: 2 } as const;
/** Cancel-all's time in force: now, at a scheduled time (the dead man's switch), or abort the scheduled one. */
export const LIGHTER_CANCEL_ALL = { immediate: 0, scheduled: 1, abortScheduled: 2 } as const;
/** `market_id=255` asks for every market (and `api_key_index=255` for every key). */
export const LIGHTER_ALL = 255;
/** The REST path of market details for every perpetual market. */
export const LIGHTER_ORDER_BOOKS_PATH = `orderBooks?market_id=${LIGHTER_ALL}&filter=perp`;
/**
 * Error codes the adapter acts on. 21104 (invalid nonce) and 30003/30009/30012 are in NautilusTrader's
 * Lighter adapter and CCXT's table; 21715, 21712, 20013, 23000-23002 only in the venue's docs and
 * CCXT's table (no meaning given): treated by their range where the words are missing.
 */
export const LIGHTER_ERROR = {
  invalidNonce: 21104,
  notAnActiveOrder: 21715,
  /** A scheduled cancel-all while one is queued may be refused so. */
  cancelAllScheduled: 21712,
  tooManyRequests: 23000,
  invalidAuth: 20013,
  alreadySubscribed: 30003,
  wsRateLimited: 30009,
  subscribeFailed: 30012
} as const;
/** Error codes about a tx (validation and processing): an error frame with one answers the tx in flight. */
export const isTxErrorCode = (code: number): boolean => (code >= 21_000 && code < 22_000) || code === LIGHTER_ERROR.tooManyRequests || code === 400;
/** Error codes refusing a subscription: the account stream is not up. */
export const isSubscriptionErrorCode = (code: number): boolean =>
  code === LIGHTER_ERROR.invalidAuth || code === 23_001 || code === 23_002 || code === LIGHTER_ERROR.wsRateLimited || code === LIGHTER_ERROR.subscribeFailed;
/** Fee rates in trades are millionths of the value (lighter-go types/txtypes: FeeTick). */
export const LIGHTER_FEE_TICK = 1_000_000;
/** The WebSocket ack of a tx: unanswered after this, its outcome is unknown. */
export const LIGHTER_TX_TIMEOUT_MS = 5000;
/** Txs go out in nonce order, each after the previous one's answer, or after this long without it (a lost answer). */
export const LIGHTER_TX_PIPELINE_WAIT_MS = 500;
