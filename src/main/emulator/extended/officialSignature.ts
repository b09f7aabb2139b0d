/**
 * How the Extended emulator checks an order's Stark signature, independently of the adapter it
 * tests: the message hash comes from Extended's own published hasher
 * (@x10xchange/stark-crypto-wrapper-wasm, `get_order_msg`), the amounts from the order's JSON by
 * the rules the venue documents (python_sdk's order settlement), and the signature is verified with
 * @scure/starknet. Nothing here is shared with src/main/venues.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { getStarkKey, Point, Signature, verify } from '@scure/starknet';
import Decimal from 'decimal.js';

interface OfficialHasher {
  initSync(options: { module: Buffer }): unknown;
  get_order_msg(...args: string[]): string;
}

let hasher: Promise<OfficialHasher> | null = null;

/** Loads Extended's wasm hasher once (ESM with a wasm file: imported by URL, initialised from bytes, offline). */
export function loadOfficialHasher(): Promise<OfficialHasher> {
  hasher ??= (async () => {
    const dir = dirname(require.resolve('@x10xchange/stark-crypto-wrapper-wasm/package.json'));
    const module = (await import(pathToFileURL(join(dir, 'stark_crypto_wrapper_wasm.js')).href)) as OfficialHasher;
    module.initSync({ module: readFileSync(join(dir, 'stark_crypto_wrapper_wasm_bg.wasm')) });
    return module;
  })();
  return hasher;
}

export interface SignedOrderInput {
  side: 'BUY' | 'SELL';
  qty: string;
  price: string;
  fee: string;
  expiryEpochMillis: number;
  /** A decimal string: the SDK draws it in [0, 2^64). */
  nonce: string;
  vault: number;
  l2: { syntheticId: string; syntheticResolution: number; collateralId: string; collateralResolution: number };
  domain: { name: string; version: string; chainId: string; revision: number };
  starkKey: string;
  signature: { r: string; s: string };
}

/** Scales, then rounds by side (BUY up, SELL down), as the venue recomputes an order's amounts. */
function scaled(value: Decimal, up: boolean): string {
  return (up ? value.ceil() : value.floor()).toFixed(0);
}

/** The venue's check: recompute the message hash from the order's own fields, verify the signature against the account's key. */
export function orderSignatureValid(official: OfficialHasher, order: SignedOrderInput): boolean {
  const qty = new Decimal(order.qty);
  const notional = qty.times(order.price);
  const buy = order.side === 'BUY';
  const synthetic = scaled(qty.times(order.l2.syntheticResolution), buy);
  const collateral = scaled(notional.times(order.l2.collateralResolution), buy);
  const fee = notional.times(order.fee).times(order.l2.collateralResolution).ceil().toFixed(0);
  const expiration = String(Math.ceil(order.expiryEpochMillis / 1000) + 14 * 86_400);
  let message: string;
  try {
    message = official.get_order_msg(
      String(order.vault),
      order.l2.syntheticId,
      buy ? synthetic : `-${synthetic}`,
      order.l2.collateralId,
      buy ? `-${collateral}` : collateral,
      order.l2.collateralId,
      fee,
      expiration,
      order.nonce,
      order.starkKey,
      order.domain.name,
      order.domain.version,
      order.domain.chainId,
      String(order.domain.revision)
    );
  } catch {
    return false;
  }
  let signature: InstanceType<typeof Signature>;
  try {
    signature = new Signature(BigInt(order.signature.r), BigInt(order.signature.s));
  } catch {
    return false;
  }
  const x = BigInt(order.starkKey).toString(16).padStart(64, '0');
  const hash = BigInt(message).toString(16).padStart(64, '0');
  // The account's key is an x coordinate: either parity of the point may be the one.
  return ['02', '03'].some((prefix) => {
    try {
      return verify(signature, hash, Point.fromHex(`${prefix}${x}`).toHex(false));
    } catch {
      return false;
    }
  });
}

/** The Stark public key (x coordinate) of a private key: the demo account's l2Key. */
export function starkKeyOf(privateKey: string): string {
  return getStarkKey(privateKey);
}
