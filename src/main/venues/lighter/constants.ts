/**
 * Lighter's protocol constants in one place (lighter.md; lighter-go's types): no bare numbers in the
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
/** Error codes the adapter acts on. */
export const LIGHTER_ERROR = { invalidNonce: 21104, notAnActiveOrder: 21715, tooManyRequests: 23000 } as const;
/** The WebSocket ack of a tx: unanswered after this, its outcome is unknown. */
export const LIGHTER_TX_TIMEOUT_MS = 5000;
