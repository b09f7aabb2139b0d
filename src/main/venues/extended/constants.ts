/** Extended's protocol constants in one place (x10xchange/python_sdk): no bare strings in the adapter. */
export const EXTENDED_ORDER_TYPE = { limit: 'LIMIT', market: 'MARKET' } as const;
export const EXTENDED_TIME_IN_FORCE = { goodTillTime: 'GTT', immediateOrCancel: 'IOC' } as const;
/** "Order not found" (a cancel of an order that does not rest). */
export const EXTENDED_ORDER_NOT_FOUND = 1142;
/** Final order statuses, in the engine's terms. */
export const EXTENDED_FINAL_STATUS = { FILLED: 'filled', CANCELLED: 'cancelled', REJECTED: 'rejected', EXPIRED: 'expired' } as const;
/** A "market" order must stay within this fraction of the mid (the venue's ±5 % band). */
export const EXTENDED_MARKET_BAND = '0.05';
