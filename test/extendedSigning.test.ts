import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Decimal from 'decimal.js';
import { describe, expect, it } from 'vitest';
import {
  DOMAIN_TYPE,
  ORDER_TYPE,
  domainHash,
  orderHashFields,
  orderMessageHash,
  orderStructHash,
  publicKeyOf,
  selector,
  signHash,
  verifyHash,
  type L2Config,
  type OrderHashFields,
  type StarknetDomain
} from '../src/main/venues/extended/signing';

const vectors = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'venues', 'extended', 'order_hash_vectors.json'), 'utf8'));
const domains = vectors.domains as Record<string, StarknetDomain>;
const hex = (value: bigint) => `0x${value.toString(16)}`;

function fields(o: Record<string, string | number>): OrderHashFields {
  return {
    positionId: BigInt(o.position_id as number),
    baseAssetId: BigInt(o.base_asset_id as string),
    baseAmount: BigInt(o.base_amount as number),
    quoteAssetId: BigInt(o.quote_asset_id as string),
    quoteAmount: BigInt(o.quote_amount as number),
    feeAssetId: BigInt(o.fee_asset_id as string),
    feeAmount: BigInt(o.fee_amount as number),
    expiration: BigInt(o.expiration as number),
    salt: BigInt(o.salt as number)
  };
}

describe('Extended order signing: order_hash_vectors.json', () => {
  it('selectors', () => {
    expect(vectors.selectors.domain_type_string).toBe(DOMAIN_TYPE);
    expect(vectors.selectors.order_type_string).toBe(ORDER_TYPE);
    expect(hex(selector(DOMAIN_TYPE))).toBe(vectors.selectors.domain_selector);
    expect(hex(selector(ORDER_TYPE))).toBe(vectors.selectors.order_selector);
  });

  it('sepolia domain hash', () => {
    expect(domainHash(domains.sepolia as StarknetDomain).toString()).toBe(vectors.domains.sepolia.domainHash_dec);
  });

  it('struct and message hashes (rust vectors)', () => {
    const [first, second] = vectors.struct_and_message_vectors;
    const order1 = fields(first.order);
    expect(orderStructHash(order1).toString()).toBe(first.orderStructHash_dec);
    expect(orderMessageHash(order1, domains.sepolia as StarknetDomain, BigInt(first.user_public_key_dec)).toString()).toBe(first.msgHash_dec);
    const order2 = fields(second.order);
    const message = orderMessageHash(order2, domains.sepolia as StarknetDomain, second.user_public_key);
    expect(hex(message)).toBe(second.msgHash_hex);
    // The Go SDK's signature of that hash.
    const go = second.signature_go_sdk;
    const signature = signHash(message, go.private_key);
    expect([BigInt(signature.r).toString(), BigInt(signature.s).toString()]).toEqual([go.r_dec, go.s_dec]);
  });

  for (const setName of ['full_order_vectors_python_sdk', 'full_order_vectors_ts_examples'] as const) {
    const set = vectors[setName];
    for (const testCase of set.cases as Array<Record<string, unknown>>) {
      it(`${setName}: ${testCase.name as string}`, () => {
        const l2 = set.market_l2Config as L2Config;
        const feeRate = new Decimal(String(setName === 'full_order_vectors_python_sdk' ? set.fee_rate : set.fee_rate_in_hash).split(' ')[0] as string);
        const expiry = (testCase.expiryEpochMillis as number | undefined) ?? (set.expiryEpochMillis as number);
        const computed = orderHashFields({
          side: testCase.side as 'BUY' | 'SELL',
          qty: new Decimal(testCase.qty as string),
          price: new Decimal(testCase.price as string),
          feeRate,
          expiryEpochMillis: expiry,
          nonce: set.nonce,
          vault: set.account.vault,
          l2
        });
        const inputs = testCase.hash_inputs as Record<string, number>;
        expect(computed.baseAmount.toString()).toBe(String(inputs.base_amount));
        expect(computed.quoteAmount.toString()).toBe(String(inputs.quote_amount));
        expect(computed.feeAmount.toString()).toBe(String(inputs.fee_amount));
        if (inputs.expiration) expect(computed.expiration.toString()).toBe(String(inputs.expiration));
        const message = orderMessageHash(computed, domains.sepolia as StarknetDomain, set.account.public_key);
        expect(hex(message)).toBe(testCase.order_hash_hex_derived);
        expect(signHash(message, set.account.private_key)).toEqual({ r: testCase.r, s: testCase.s });
        expect(publicKeyOf(set.account.private_key)).toBe(set.account.public_key);
        expect(verifyHash(message, { r: testCase.r as string, s: testCase.s as string }, set.account.public_key)).toBe(true);
      });
    }
  }

  it('the dummy mainnet order of rest_order_create_request_postonly.json', () => {
    const v = vectors.dummy_mainnet_vector_derived;
    const mainnet: StarknetDomain = { name: 'Perpetuals', version: 'v0', chainId: 'SN_MAIN', revision: 1 };
    const message = orderMessageHash(fields(v.order), mainnet, v.public_key);
    expect(hex(message)).toBe(v.msgHash_hex);
    expect(signHash(message, v.private_key)).toEqual({ r: v.r, s: v.s });
    // The example request carries the same order: its amounts follow from qty, price and fee.
    const request = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'venues', 'extended', 'rest_order_create_request_postonly.json'), 'utf8'));
    const computed = orderHashFields({
      side: request.side,
      qty: new Decimal(request.qty),
      price: new Decimal(request.price),
      feeRate: new Decimal(request.fee),
      expiryEpochMillis: request.expiryEpochMillis,
      nonce: Number(request.nonce),
      vault: Number(request.settlement.collateralPosition),
      l2: { syntheticId: v.order.base_asset_id, syntheticResolution: 10_000_000_000, collateralId: v.order.quote_asset_id, collateralResolution: 1_000_000 }
    });
    expect(computed).toEqual(fields(v.order));
  });

  it('the wasm key-derivation vector signs 0x12345 to the same r', () => {
    const v = vectors.key_derivation_vector_wasm;
    const privateKey = hex(BigInt(v.stark_private_key_dec));
    expect(signHash(0x12345n, privateKey).r).toBe(v.sign_0x12345_r);
  });

  it('rejects a signature of another hash, another key or garbage', () => {
    const set = vectors.full_order_vectors_python_sdk;
    const testCase = set.cases[0];
    const hash = BigInt(testCase.order_hash_hex_derived);
    const signature = { r: testCase.r, s: testCase.s };
    expect(verifyHash(hash + 1n, signature, set.account.public_key)).toBe(false);
    expect(verifyHash(hash, signature, vectors.full_order_vectors_ts_examples.account.public_key)).toBe(false);
    expect(verifyHash(hash, { r: 'zz', s: '0x1' }, set.account.public_key)).toBe(false);
  });
});
