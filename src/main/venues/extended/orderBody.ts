/**
 * An Extended order as the venue wants it: amounts as decimal strings, the fee field, a random
 * nonce, and the Stark signature of the order's hash (SNIP-12, computed exactly as the venue
 * recomputes it from the same fields). Pure: the adapter supplies the market and account.
 */
import { randomInt } from 'node:crypto';
import type Decimal from 'decimal.js';
import { EXTENDED_ORDER_TYPE, EXTENDED_TIME_IN_FORCE } from './constants';
import { orderHashFields, orderMessageHash, signHash, type L2Config, type StarknetDomain } from './signing';

export interface OrderBodyRequest {
  clientId: string;
  side: 'buy' | 'sell';
  qty: Decimal;
  price: Decimal;
}

export interface OrderSigningAccount {
  market: string;
  vault: number;
  starkPrivateKey: string;
  starkKey: string;
  l2: L2Config;
  domain: StarknetDomain;
  feeRate: Decimal;
  /** Expiry, epoch ms. */
  expiresAt: number;
}

export type ExtendedOrderBody = ReturnType<typeof signedOrderBody>;

export function signedOrderBody(request: OrderBodyRequest, kind: 'post_only' | 'market', account: OrderSigningAccount) {
  const side = request.side === 'buy' ? 'BUY' : 'SELL';
  const expiry = account.expiresAt;
  const nonce = randomInt(1, 2 ** 31);
  const qty = request.qty.toFixed();
  const price = request.price.toFixed();
  const hash = orderMessageHash(
    orderHashFields({
      side,
      qty: request.qty,
      price: request.price,
      feeRate: account.feeRate,
      expiryEpochMillis: expiry,
      nonce,
      vault: account.vault,
      l2: account.l2
    }),
    account.domain,
    account.starkKey
  );
  return {
    id: request.clientId,
    market: account.market,
    type: kind === 'market' ? EXTENDED_ORDER_TYPE.market : EXTENDED_ORDER_TYPE.limit,
    side,
    qty,
    price,
    timeInForce: kind === 'market' ? EXTENDED_TIME_IN_FORCE.immediateOrCancel : EXTENDED_TIME_IN_FORCE.goodTillTime,
    expiryEpochMillis: expiry,
    fee: account.feeRate.toFixed(),
    nonce: String(nonce),
    settlement: { signature: signHash(hash, account.starkPrivateKey), starkKey: account.starkKey, collateralPosition: String(account.vault) },
    reduceOnly: false,
    postOnly: kind === 'post_only',
    selfTradeProtectionLevel: 'ACCOUNT'
  };
}
