/**
 * The Lighter emulator against the venue's own REST schema: every answer it gives, to the real
 * adapter and to direct requests on every route it serves, validates against the response schema
 * of that route in the `openapi.json` of the venue's generated client (`zklighter-perps` on npm,
 * Lighter's own package; Swagger 2.0). Nothing of the schema is copied here: it is read from the
 * package. (The package's post-processing marks nearly every response field required, so a field
 * the emulator leaves out fails.)
 */
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import Decimal from 'decimal.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_LIGHTER, startEmulators, type Emulators } from '../../src/main/emulator/emulators';
import { systemClock } from '../../src/main/kernel/clock';
import { LighterVenue } from '../../src/main/venues/lighter/lighterVenue';
import { loadWasmLighterSigner } from '../../src/main/venues/lighter/signer';
import { recordingHandlers } from '../helpers/recordingHandlers';
import { waitFor } from '../helpers/waitFor';

interface Operation {
  responses: Record<string, { schema?: { $ref?: string } }>;
}
const spec = JSON.parse(readFileSync(require.resolve('zklighter-perps/openapi.json'), 'utf8')) as {
  swagger: string;
  paths: Record<string, Record<string, Operation>>;
  definitions: Record<string, unknown>;
};

// Swagger 2.0 schemas are JSON Schema draft 4 with extra keywords (example, x-*): ignored; formats
// (int64, double) are annotations here, the types are checked.
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
ajv.addSchema({ $id: 'lighter', definitions: spec.definitions });
const validators = new Map<string, ValidateFunction>();
function validatorFor(ref: string): ValidateFunction {
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: `lighter${ref}` });
    validators.set(ref, validate);
  }
  return validate;
}

const answers: Array<{ method: string; path: string; status: number; body: unknown }> = [];
let emulators: Emulators;
let venue: LighterVenue;

beforeAll(async () => {
  emulators = await startEmulators({ seed: 61, run: false, lighterAnswerTap: (answer) => answers.push(answer) });
  const signer = await loadWasmLighterSigner({ ...DEMO_LIGHTER, chainId: 300 });
  venue = new LighterVenue(
    { restUrl: emulators.lighter.url, wsUrl: emulators.lighter.wsUrl, chainId: 300, symbol: 'ETH', ...DEMO_LIGHTER },
    signer,
    systemClock
  );
  venue.setHandlers(recordingHandlers().handlers);
});
afterAll(async () => {
  await venue.stop();
  await emulators.stop();
});

const token = () => {
  const deadline = Math.floor(Date.now() / 1000) + 3600;
  return `${deadline}:${DEMO_LIGHTER.accountIndex}:${DEMO_LIGHTER.apiKeyIndex}:${'bc'.repeat(80)}`;
};

describe('the Lighter emulator answers as the venue openapi.json says', () => {
  it('spec: the package ships a Swagger 2.0 file with the routes the adapter and CCXT call', () => {
    expect(spec.swagger).toBe('2.0');
    for (const path of ['/api/v1/account', '/api/v1/accountOrders', '/api/v1/trades', '/api/v1/sendTx', '/api/v1/accountLimits'])
      expect(Object.keys(spec.paths)).toContain(path);
  });

  it('every answer, to the adapter and to direct requests on each route, validates against its schema', async () => {
    // The adapter's own traffic: start, a quote, a hedge, look-ups, the account view, trades, preflight, a kill.
    await venue.start();
    await waitFor(() => venue.book.ready && venue.health().connected, 'the adapter up');
    const bid = venue.book.bestBid() as Decimal;
    const ask = venue.book.bestAsk() as Decimal;
    await venue.placePostOnly({ clientId: '17000000000701', side: 'buy', price: bid.minus(5), qty: new Decimal('0.01') });
    const hedge = await venue.sendMarket({
      clientId: '17000000000702',
      side: 'buy',
      qty: new Decimal('0.01'),
      worstPrice: ask.times('1.01').toDecimalPlaces(2)
    });
    expect(hedge.filledQty.toString()).toBe('0.01');
    await venue.queryOrder('17000000000701');
    await venue.orderFills({ clientId: '17000000000702' });
    await venue.openOrders();
    await venue.accountView();
    await venue.loadPosition();
    await venue.preflight(new Decimal(1000));
    await venue.cancelAll();
    // Direct requests on every route the emulator serves, good and bad.
    const url = emulators.lighter.url;
    const account = DEMO_LIGHTER.accountIndex;
    const auth = `auth=${encodeURIComponent(token())}`;
    const paths = [
      '/',
      '/api/v1/orderBooks?market_id=255&filter=perp',
      '/api/v1/orderBookDetails?market_id=0',
      `/api/v1/account?by=index&value=${account}`,
      `/api/v1/account?by=index&value=1`,
      `/api/v1/nextNonce?account_index=${account}&api_key_index=${DEMO_LIGHTER.apiKeyIndex}`,
      `/api/v1/accountActiveOrders?account_index=${account}&market_id=0&${auth}`,
      `/api/v1/accountInactiveOrders?account_index=${account}&market_id=0&limit=100&${auth}`,
      `/api/v1/accountOrders?account_index=${account}&client_order_indexes=17000000000701,17000000000702&${auth}`,
      `/api/v1/accountOrders?account_index=${account}&client_order_indexes=none`,
      `/api/v1/accountLimits?account_index=${account}&${auth}`,
      `/api/v1/getMakerOnlyApiKeys?account_index=${account}&${auth}`,
      `/api/v1/apikeys?account_index=${account}&api_key_index=255`,
      '/api/v1/funding-rates',
      `/api/v1/trades?account_index=${account}&sort_by=trade_id&limit=100&${auth}`,
      `/api/v1/trades?account_index=${account}&sort_by=nope&limit=100&${auth}`,
      '/api/v1/recentTrades?market_id=0&limit=10',
      '/api/v1/orderBookOrders?market_id=0&limit=5',
      '/api/v1/assetDetails'
    ];
    for (const path of paths) await fetch(`${url}${path}`, { headers: { authorization: token() } });
    await fetch(`${url}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: '14', tx_info: '{}' }) });
    // A good one over REST (the adapter's went over the stream): a cancel-all with the key's next nonce.
    const cancelAll = {
      AccountIndex: account,
      ApiKeyIndex: DEMO_LIGHTER.apiKeyIndex,
      TimeInForce: 0,
      Time: 0,
      ExpiredAt: Date.now() + 600_000,
      Nonce: emulators.lighter.nonceOf(DEMO_LIGHTER.apiKeyIndex),
      Sig: Buffer.alloc(80, 7).toString('base64')
    };
    expect(
      (await fetch(`${url}/api/v1/sendTx`, { method: 'POST', body: new URLSearchParams({ tx_type: '16', tx_info: JSON.stringify(cancelAll) }) })).status
    ).toBe(200);
    await fetch(`${url}/api/v1/sendTxBatch`, { method: 'POST', body: new URLSearchParams({ tx_types: '[14]', tx_infos: '["{}"]' }) });

    const unknownRoutes: string[] = [];
    const failures: string[] = [];
    const checked = new Set<string>();
    for (const answer of answers) {
      const operation = spec.paths[answer.path]?.[answer.method.toLowerCase()];
      if (!operation) {
        unknownRoutes.push(`${answer.method} ${answer.path}`);
        continue;
      }
      const ref = (operation.responses[String(answer.status)] ?? operation.responses[answer.status === 200 ? '200' : '400'])?.schema?.$ref;
      if (!ref) {
        failures.push(`${answer.method} ${answer.path} ${answer.status}: the spec has no schema for this status`);
        continue;
      }
      const validate = validatorFor(ref);
      checked.add(`${answer.method} ${answer.path} ${answer.status === 200 ? 200 : 'error'}`);
      if (!validate(answer.body))
        failures.push(
          `${answer.method} ${answer.path} ${answer.status} (${ref}): ${ajv.errorsText(validate.errors, { separator: '; ' })} in ${JSON.stringify(answer.body).slice(0, 300)}`
        );
    }
    expect(unknownRoutes).toEqual([]);
    expect(failures).toEqual([]);
    // Every route the emulator serves answered well at least once, and errors too.
    const served = [
      'GET /',
      'GET /api/v1/orderBooks',
      'GET /api/v1/orderBookDetails',
      'GET /api/v1/account',
      'GET /api/v1/nextNonce',
      'GET /api/v1/accountActiveOrders',
      'GET /api/v1/accountInactiveOrders',
      'GET /api/v1/accountOrders',
      'GET /api/v1/accountLimits',
      'GET /api/v1/getMakerOnlyApiKeys',
      'GET /api/v1/apikeys',
      'GET /api/v1/funding-rates',
      'GET /api/v1/trades',
      'GET /api/v1/recentTrades',
      'GET /api/v1/orderBookOrders',
      'GET /api/v1/assetDetails',
      'POST /api/v1/sendTx',
      'POST /api/v1/sendTxBatch'
    ];
    expect(served.filter((route) => !checked.has(`${route} 200`) && route !== 'POST /api/v1/sendTxBatch')).toEqual([]);
    for (const route of [
      'GET /api/v1/account error',
      'GET /api/v1/trades error',
      'GET /api/v1/accountOrders error',
      'POST /api/v1/sendTx error',
      'POST /api/v1/sendTxBatch error'
    ])
      expect(checked, route).toContain(route);
  }, 30_000);
});
