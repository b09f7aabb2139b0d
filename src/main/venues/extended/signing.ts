/**
 * Extended order signing (Starknet, Poseidon, SNIP-12 style) as x10xchange/python_sdk's order
 * settlement does it: the order hash from exact decimal amounts (BUY rounds up, SELL down, fee up),
 * the message hash over the domain read from the venue, and a deterministic (RFC 6979) Stark ECDSA
 * signature. Every vector of order_hash_vectors.json (test/fixtures) is a unit test of this module.
 * The emulator checks the signatures with Extended's own hasher, never with this code.
 */
import { Point, Signature, getStarkKey, keccak, poseidonHashMany, sign, verify } from '@scure/starknet';
import type Decimal from 'decimal.js';

/** The Stark field prime: negative i64 amounts enter the hash as p - |x|. */
export const STARK_PRIME = 2n ** 251n + 17n * 2n ** 192n + 1n;

export const DOMAIN_TYPE = '"StarknetDomain"("name":"shortstring","version":"shortstring","chainId":"shortstring","revision":"shortstring")';
export const ORDER_TYPE =
  '"Order"("position_id":"felt","base_asset_id":"AssetId","base_amount":"i64","quote_asset_id":"AssetId","quote_amount":"i64","fee_asset_id":"AssetId","fee_amount":"u64","expiration":"Timestamp","salt":"felt")"PositionId"("value":"u32")"AssetId"("value":"felt")"Timestamp"("seconds":"u64")';

/** Settlement buffer the venue adds to the expiry inside the hash (not in the JSON). */
export const EXPIRY_BUFFER_SECONDS = 14 * 86_400;

export interface StarknetDomain {
  name: string;
  version: string;
  chainId: string;
  revision: number;
}

export interface L2Config {
  syntheticId: string;
  syntheticResolution: number;
  collateralId: string;
  collateralResolution: number;
}

export interface OrderHashFields {
  positionId: bigint;
  baseAssetId: bigint;
  baseAmount: bigint;
  quoteAssetId: bigint;
  quoteAmount: bigint;
  feeAssetId: bigint;
  feeAmount: bigint;
  expiration: bigint;
  salt: bigint;
}

export interface StarkSignature {
  r: string;
  s: string;
}

/** starknet_keccak of an ASCII type string (keccak-256 masked to 250 bits). */
export function selector(typeString: string): bigint {
  return keccak(new TextEncoder().encode(typeString));
}

/** Cairo short string: the ASCII bytes read as one big-endian integer (at most 31 bytes). */
export function shortString(text: string): bigint {
  if (text.length > 31 || !/^[\x20-\x7e]*$/.test(text)) throw new RangeError(`not a Cairo short string: ${JSON.stringify(text)}`);
  let value = 0n;
  for (const char of text) value = (value << 8n) | BigInt(char.charCodeAt(0));
  return value;
}

const felt = (value: bigint) => ((value % STARK_PRIME) + STARK_PRIME) % STARK_PRIME;
const DOMAIN_SELECTOR = selector(DOMAIN_TYPE);
const ORDER_SELECTOR = selector(ORDER_TYPE);
const STARKNET_MESSAGE = shortString('StarkNet Message');

export function domainHash(domain: StarknetDomain): bigint {
  return poseidonHashMany([DOMAIN_SELECTOR, shortString(domain.name), shortString(domain.version), shortString(domain.chainId), BigInt(domain.revision)]);
}

/** The order struct hash: fields go in raw (sub-structs are not hashed separately). */
export function orderStructHash(o: OrderHashFields): bigint {
  return poseidonHashMany(
    [ORDER_SELECTOR, o.positionId, o.baseAssetId, o.baseAmount, o.quoteAssetId, o.quoteAmount, o.feeAssetId, o.feeAmount, o.expiration, o.salt].map(felt)
  );
}

/** The hash that is signed: over "StarkNet Message", the domain, the account's Stark public key and the order. */
export function orderMessageHash(order: OrderHashFields, domain: StarknetDomain, publicKey: string | bigint): bigint {
  return poseidonHashMany([STARKNET_MESSAGE, domainHash(domain), BigInt(publicKey), orderStructHash(order)]);
}

const hex = (value: bigint) => `0x${value.toString(16)}`;

export function signHash(hash: bigint, privateKey: string): StarkSignature {
  const signature = sign(hex(hash), privateKey);
  return { r: hex(signature.r), s: hex(signature.s) };
}

/**
 * Verifies against the Stark key alone (the x coordinate): either point with that x is accepted,
 * as the venue's verifier does.
 */
export function verifyHash(hash: bigint, signature: StarkSignature, starkKey: string): boolean {
  let r: bigint;
  let s: bigint;
  try {
    r = BigInt(signature.r);
    s = BigInt(signature.s);
  } catch {
    return false;
  }
  const x = BigInt(starkKey).toString(16).padStart(64, '0');
  for (const prefix of ['02', '03']) {
    try {
      const point = Point.fromHex(`${prefix}${x}`);
      if (verify(new Signature(r, s), hex(hash), point.toHex(false))) return true;
    } catch {
      // Not a point on the curve with this parity: try the other one.
    }
  }
  return false;
}

export function publicKeyOf(privateKey: string): string {
  return getStarkKey(privateKey);
}

export interface OrderAmountsInput {
  side: 'BUY' | 'SELL';
  qty: Decimal;
  price: Decimal;
  /** The fee rate inside the hash (the order's fee, plus a builder fee when one is used). */
  feeRate: Decimal;
  expiryEpochMillis: number;
  nonce: number;
  vault: number;
  l2: L2Config;
}

/** The hash inputs of an order, computed the way the venue recomputes them. */
export function orderHashFields(input: OrderAmountsInput): OrderHashFields {
  const up = input.side === 'BUY';
  const scale = (value: Decimal) => BigInt((up ? value.ceil() : value.floor()).toFixed(0));
  const synthetic = scale(input.qty.times(input.l2.syntheticResolution));
  const collateral = scale(input.qty.times(input.price).times(input.l2.collateralResolution));
  const fee = BigInt(input.feeRate.times(input.qty).times(input.price).times(input.l2.collateralResolution).ceil().toFixed(0));
  const collateralId = BigInt(input.l2.collateralId);
  return {
    positionId: BigInt(input.vault),
    baseAssetId: BigInt(input.l2.syntheticId),
    baseAmount: up ? synthetic : -synthetic,
    quoteAssetId: collateralId,
    quoteAmount: up ? -collateral : collateral,
    feeAssetId: collateralId,
    feeAmount: fee,
    expiration: BigInt(Math.ceil(input.expiryEpochMillis / 1000) + EXPIRY_BUFFER_SECONDS),
    salt: BigInt(input.nonce)
  };
}
