import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatScaled } from '../../src/main/emulator/marketModel';
import { API_KEY, HEADERS, post, signedOrder, startExtended } from '../helpers/extendedEmulator';
import { shapeDiff, shapeOf } from '../helpers/shape';
import { openClient } from '../helpers/wsClient';

const examples = join(__dirname, '..', 'fixtures', 'venues', 'extended');
const example = (name: string) => JSON.parse(readFileSync(join(examples, `${name}.json`), 'utf8')) as Record<string, unknown>;
const expectShape = (name: string, actual: unknown) => expect(shapeDiff(shapeOf(example(name)), shapeOf(actual)), name).toEqual([]);

let running: Awaited<ReturnType<typeof startExtended>> | null = null;
afterEach(async () => {
  await running?.emulator.stop();
  running = null;
});

async function setup(options: Parameters<typeof startExtended>[0] = {}) {
  running = await startExtended(options);
  return running;
}

const ofType = (type: string) => (frame: Record<string, unknown>) => frame.type === type;
const bookStream = (emulator: { wsUrl: string }, query = '') => openClient(`${emulator.wsUrl}/orderbooks/ETH-USD${query}`, { 'User-Agent': 'lx-test' });
const accountStream = (emulator: { wsUrl: string }) => openClient(`${emulator.wsUrl}/account`, HEADERS);

/** A post-only buy 10 ticks under the best bid: it rests. */
function restingBuy(exchange: { bestBid(): number | undefined }, id: string, qty = '0.050') {
  return signedOrder({ id, side: 'BUY', qty, price: formatScaled((exchange.bestBid() as number) - 10, 1) });
}

describe('Extended emulator: conformance with the example messages', () => {
  it('order book stream: SNAPSHOT then DELTA with q and c, a fresh SNAPSHOT every period, depth=1', async () => {
    const { emulator, market } = await setup({ snapshotEveryMs: 150 });
    const ws = await bookStream(emulator);
    const snapshot = await ws.next<{ seq: number }>(ofType('SNAPSHOT'));
    expectShape('ws_orderbook_snapshot', snapshot);
    expect(snapshot.seq).toBe(1);
    market.step();
    const delta = await ws.next<{ seq: number; data: { b: Array<{ q: string; c: string }> } }>(ofType('DELTA'));
    expectShape('ws_orderbook_delta', delta);
    expect(delta.seq).toBe(2);
    const from = ws.frames.length;
    const again = await ws.next<{ seq: number }>(ofType('SNAPSHOT'), from);
    expect(again.seq).toBeGreaterThan(2);
    const top = await bookStream(emulator, '?depth=1');
    const best = await top.next<{ data: { b: unknown[] } }>(ofType('SNAPSHOT'));
    expectShape('ws_orderbook_depth1', best);
    expect(best.data.b).toHaveLength(1);
    ws.close();
    top.close();
  });

  it('account stream: the opening state (ORDER, BALANCE, POSITION, flagged in data), then ORDER, TRADE, POSITION, BALANCE on a fill', async () => {
    const { emulator, exchange } = await setup();
    const ws = await accountStream(emulator);
    await ws.next(ofType('POSITION'));
    const opening = example('ws_account_opening').frames as Array<Record<string, unknown>>;
    const first = ws.frames.slice(0, 3) as Array<Record<string, unknown>>;
    expect(first.map((frame) => frame.type)).toEqual(['ORDER', 'BALANCE', 'POSITION']);
    first.forEach((frame, index) => expect(shapeDiff(shapeOf(opening[index]), shapeOf(frame)), `opening ${index}`).toEqual([]));
    const placed = await post(`${emulator.url}/user/order`, restingBuy(exchange, 'mk-1'));
    expectShape('rest_order_create_response', placed.body);
    // The id is an int64 above 2^53 on the wire: exact in the raw text.
    const rawId = /"id":(\d+)/.exec(placed.text)?.[1] as string;
    expect(BigInt(rawId) > 2n ** 53n).toBe(true);
    const from = ws.frames.length;
    await new Promise((resolve) => setTimeout(resolve, 20));
    exchange.fillResting('mk-1', 20);
    const order = await ws.next<{ data: { orders: Array<{ status: string; filledQty: string }> } }>(
      (f) => f.type === 'ORDER' && JSON.stringify(f).includes('PARTIALLY_FILLED'),
      from
    );
    expectShape('ws_account_order', order);
    expect(order.data.orders[0]).toMatchObject({ status: 'PARTIALLY_FILLED', filledQty: '0.020' });
    const trade = await ws.next<{ data: { trades: Array<{ isTaker: boolean; side: string }> } }>(ofType('TRADE'), from);
    expectShape('ws_account_trade', trade);
    // The trade names its order by the venue's id only (python_sdk AccountTradeModel).
    expect(trade.data.trades[0]).toMatchObject({ isTaker: false, side: 'BUY' });
    expect(trade.data.trades[0]).not.toHaveProperty('externalOrderId');
    expectShape('ws_account_position', await ws.next(ofType('POSITION'), from));
    expectShape('ws_account_balance', await ws.next(ofType('BALANCE'), from));
    ws.close();
  });

  it('REST: markets, starknet domain, positions, balance, fees, mass cancel, error envelope', async () => {
    const { emulator, exchange } = await setup();
    const get = async (path: string) => (await (await fetch(`${emulator.url}${path}`, { headers: HEADERS })).json()) as Record<string, unknown>;
    expectShape('rest_markets_response', await get('/info/markets?market=ETH-USD'));
    expectShape('rest_starknet_domain_response', await get('/info/starknet'));
    expectShape('rest_balance_response', await get('/user/balance'));
    expectShape('rest_fees_response', await get('/user/fees?market=ETH-USD'));
    expect(await get('/user/positions?market=ETH-USD')).toEqual({ status: 'OK', data: [] });
    await post(`${emulator.url}/user/order`, restingBuy(exchange, 'mk-2'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    exchange.fillResting('mk-2');
    expectShape('rest_positions_response', await get('/user/positions?market=ETH-USD'));
    await post(`${emulator.url}/user/order`, restingBuy(exchange, 'mk-3'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exchange.orders.size).toBe(1);
    const cancelled = await post(`${emulator.url}/user/order/massCancel`, { ...example('rest_mass_cancel_request'), markets: ['ETH-USD'] });
    expect(cancelled.status).toBe(200);
    expect(exchange.orders.size).toBe(0);
    const bad = await post(`${emulator.url}/user/order`, { ...restingBuy(exchange, 'mk-4'), price: '1000.0' });
    expect(bad.status).toBe(400);
    expectShape('rest_error_response', bad.body);
    expect(bad.body).toEqual({ status: 'ERROR', error: { code: 1101, message: 'Invalid Starknet signature' } });
  });

  it('accepts bodies shaped like the example create requests, post-only and market IOC', async () => {
    const { emulator, exchange } = await setup();
    const postOnly = restingBuy(exchange, 'mk-5');
    // debuggingAmounts is optional (the SDKs send it); everything else has the example's shape.
    const { debuggingAmounts: _optional, ...required } = example('rest_order_create_request_postonly');
    expect(shapeDiff(shapeOf(required), shapeOf(postOnly))).toEqual([]);
    expect((await post(`${emulator.url}/user/order`, postOnly)).status).toBe(200);
    const ask = exchange.bestAsk() as number;
    const ioc = signedOrder({ id: 'hg-1', side: 'BUY', qty: '0.020', price: formatScaled(ask + 20, 1), type: 'MARKET', timeInForce: 'IOC', postOnly: false });
    expect((await post(`${emulator.url}/user/order`, ioc)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(exchange.record.orders.find((order) => order.clientId === 'hg-1')).toMatchObject({ state: 'filled', filled: 20 });
  });
});

describe('Extended emulator: the checks a server can make', () => {
  it.each([
    ['a signature by another key', { privateKey: '0x7a7ff6fd3cab02ccdcd4a572563f5976f8976899b03a39773795a3c486d4986' }, 1101],
    ['another vault', { vault: 10002 }, 1102],
    ['a size below the minimum', { qty: '0.005' }, 1120],
    ['a size off the increment', { qty: '0.0505' }, 1121],
    ['a price off the tick', { price: '2000.05' }, 1124],
    ['a market order that is not IOC', { type: 'MARKET', postOnly: false }, 1139],
    ['a fee below the account rate', { fee: '0.0001', postOnly: false, timeInForce: 'IOC', price: '2000.0' }, 1128],
    ['an expiry too far ahead', { expiryEpochMillis: Date.now() + 100 * 86_400_000 }, 1135]
  ] as const)('refuses %s', async (_label, fields, code) => {
    const { emulator } = await setup();
    const order = signedOrder({ id: 'x', side: 'BUY', qty: '0.050', price: '2000.0', ...fields });
    const reply = await post(`${emulator.url}/user/order`, order);
    expect(reply.body).toMatchObject({ status: 'ERROR', error: { code } });
  });

  it("takes the nonces the venue's clients draw (the SDK's [0, 2^64), CCXT's seconds), refuses 2^64", async () => {
    const { emulator, exchange } = await setup();
    const bid = formatScaled((exchange.bestBid() as number) - 10, 1);
    const wide = signedOrder({ id: 'n-wide', side: 'BUY', qty: '0.050', price: bid, nonce: 2 ** 31 + 1 });
    expect((await post(`${emulator.url}/user/order`, wide)).status).toBe(200);
    const beyond = { ...signedOrder({ id: 'n-beyond', side: 'BUY', qty: '0.050', price: bid }), nonce: (2n ** 64n).toString() };
    expect((await post(`${emulator.url}/user/order`, beyond)).body).toMatchObject({ status: 'ERROR', error: { code: 1133 } });
  });

  it('checks a builder fee as part of the signed fee (CCXT and the SDK sign fee + builderFee)', async () => {
    const { emulator, exchange } = await setup();
    const bid = formatScaled((exchange.bestBid() as number) - 10, 1);
    // Signed over fee + builder fee: accepted.
    const signedTogether = {
      ...signedOrder({ id: 'b-ok', side: 'BUY', qty: '0.050', price: bid, fee: '0.00035' }),
      fee: '0.00025',
      builderFee: '0.0001',
      builderId: '257624'
    };
    expect((await post(`${emulator.url}/user/order`, signedTogether)).status).toBe(200);
    // Signed over the fee alone, with a builder fee sent: the signature does not verify.
    const signedApart = { ...signedOrder({ id: 'b-bad', side: 'BUY', qty: '0.050', price: bid, fee: '0.00025' }), builderFee: '0.0001', builderId: '257624' };
    expect((await post(`${emulator.url}/user/order`, signedApart)).body).toMatchObject({ error: { code: 1101 } });
  });

  it('refuses a duplicate external id, a missing User-Agent or API key, and says 404 for a zero balance', async () => {
    const { emulator, exchange } = await setup();
    await post(`${emulator.url}/user/order`, restingBuy(exchange, 'dup'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect((await post(`${emulator.url}/user/order`, restingBuy(exchange, 'dup'))).body).toMatchObject({ error: { code: 1134 } });
    // fetch always sends a User-Agent: a bare node:http request does not.
    const bare = await new Promise<number>((resolve) => {
      const request = httpRequest(`${emulator.url}/info/markets`, { headers: { 'X-Api-Key': API_KEY } }, (response) => resolve(response.statusCode ?? 0));
      request.end();
    });
    expect(bare).toBe(400);
    expect((await post(`${emulator.url}/user/order`, restingBuy(exchange, 'y'), { 'User-Agent': 'x' })).status).toBe(401);
    await running?.emulator.stop();
    const zero = await setup({
      account: { accountId: 1, apiKey: API_KEY, starkKey: '0x1', vault: 1, balance: '0', makerFeeRate: '0', takerFeeRate: '0.00025' }
    });
    expect((await fetch(`${zero.emulator.url}/user/balance`, { headers: HEADERS })).status).toBe(404);
  });

  it('refuses a stream without the API key or the User-Agent', async () => {
    const { emulator } = await setup();
    await expect(openClient(`${emulator.wsUrl}/account`, { 'User-Agent': 'x' })).rejects.toThrow(/401/);
    await expect(openClient(`${emulator.wsUrl}/orderbooks/ETH-USD`)).rejects.toThrow(/400/);
  });

  it('cancels by external id and by venue id, and the dead man switch cancels everything', async () => {
    const { emulator, exchange } = await setup();
    for (const id of ['a', 'b', 'c']) await post(`${emulator.url}/user/order`, restingBuy(exchange, id));
    await new Promise((resolve) => setTimeout(resolve, 20));
    const byExternal = await fetch(`${emulator.url}/user/order?externalId=a`, { method: 'DELETE', headers: HEADERS });
    expect(byExternal.status).toBe(200);
    const orders = (await (await fetch(`${emulator.url}/user/orders?market=ETH-USD`, { headers: HEADERS })).text()).match(/"id":(\d+)/g) ?? [];
    const venueId = orders[0]?.split(':')[1];
    expect((await fetch(`${emulator.url}/user/order/${venueId}`, { method: 'DELETE', headers: HEADERS })).status).toBe(200);
    expect((await fetch(`${emulator.url}/user/order?externalId=nope`, { method: 'DELETE', headers: HEADERS })).status).toBe(404);
    expect(exchange.orders.size).toBe(1);
    await fetch(`${emulator.url}/user/deadmanswitch?countdownTime=0`, { method: 'POST', headers: HEADERS });
    expect(emulator.deadManArmed()).toBe(false);
    const armed = await fetch(`${emulator.url}/user/deadmanswitch?countdownTime=1`, { method: 'POST', headers: HEADERS });
    expect(armed.status).toBe(200);
    // The venue answers the switch with an empty body (CCXT cancelAllOrdersAfter).
    expect(await armed.text()).toBe('');
    expect(emulator.deadManArmed()).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect(exchange.orders.size).toBe(0);
  });

  it('survives malformed bodies with the venue error envelope', async () => {
    const { emulator } = await setup();
    const response = await fetch(`${emulator.url}/user/order`, { method: 'POST', headers: HEADERS, body: '{nope' });
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ status: 'ERROR', error: { code: 1133, message: 'Invalid order parameters' } });
    expect((await post(`${emulator.url}/user/order`, [1, 2])).body).toMatchObject({ error: { code: 1133 } });
    expect((await post(`${emulator.url}/user/order/massCancel`, {})).body).toMatchObject({ error: { code: 1133 } });
  });
});

describe('Extended emulator: faults, observed by a plain client', () => {
  it('breaks the seq of the book stream, then goes silent', async () => {
    const { emulator, market, faults } = await setup();
    const ws = await bookStream(emulator);
    await ws.next(ofType('SNAPSHOT'));
    faults.set({ skipSequence: 1 });
    market.step();
    const delta = await ws.next<{ seq: number }>(ofType('DELTA'));
    expect(delta.seq).toBe(3);
    faults.set({ staleFeed: true });
    const from = ws.frames.length;
    market.step();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ws.frames.length).toBe(from);
  });

  it('rejects orders with 1140, rate-limits with 429, duplicates fills', async () => {
    const { emulator, exchange, faults } = await setup();
    faults.set({ rejectOrders: 1, rateLimit: 1 });
    expect((await post(`${emulator.url}/user/order`, restingBuy(exchange, 'r1'))).status).toBe(429);
    expect((await post(`${emulator.url}/user/order`, restingBuy(exchange, 'r1'))).body).toMatchObject({ error: { code: 1140 } });
    const ws = await accountStream(emulator);
    await ws.next(ofType('ORDER'));
    await post(`${emulator.url}/user/order`, restingBuy(exchange, 'r2'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    faults.set({ duplicateFills: true });
    const from = ws.frames.length;
    exchange.fillResting('r2');
    await ws.next(ofType('TRADE'), from);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(ws.frames.slice(from).filter((f) => (f as { type: string }).type === 'TRADE')).toHaveLength(2);
  });
});
