import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { shapeDiff, shapeOf } from '../helpers/shape';
import { openClient } from '../helpers/wsClient';
import { ACCOUNT, API_KEY, authToken, cancelInfo, createOrderInfo, postForm, startLighter } from '../helpers/lighterEmulator';

const examples = join(__dirname, '..', 'fixtures', 'venues', 'lighter');
const example = (name: string) => JSON.parse(readFileSync(join(examples, `${name}.json`), 'utf8')) as Record<string, unknown>;
const expectShape = (name: string, actual: unknown) => expect(shapeDiff(shapeOf(example(name)), shapeOf(actual)), name).toEqual([]);

let running: Awaited<ReturnType<typeof startLighter>> | null = null;
afterEach(async () => {
  await running?.emulator.stop();
  running = null;
});

async function setup(options: Parameters<typeof startLighter>[0] = {}) {
  running = await startLighter(options);
  return running;
}

const isType = (type: string) => (frame: Record<string, unknown>) => frame.type === type;

/** A resting post-only buy below the book, through WS sendtx. */
async function restBuy(ws: Awaited<ReturnType<typeof openClient>>, exchange: { bestBid(): number | undefined }, nonce: number, coi = 1795000000001) {
  const price = (exchange.bestBid() as number) - 50;
  const from = ws.frames.length;
  ws.send({ type: 'jsonapi/sendtx', data: { id: `mk-${coi}`, tx_type: 14, tx_info: createOrderInfo({ ClientOrderIndex: coi, Price: price, Nonce: nonce }) } });
  // The answer carries the tx's id, or (an error frame of the variant without one) is the next error.
  return ws.next((frame) => frame.id === `mk-${coi}` || (frame.error !== undefined && frame.id === undefined), from);
}

describe('Lighter emulator: conformance with the example messages', () => {
  it('WebSocket: connected, order book snapshot and update, ping/pong, error frame', async () => {
    const { emulator, market } = await setup({ pingIntervalMs: 100 });
    const ws = await openClient(emulator.wsUrl);
    expectShape('ws_connected', await ws.next(isType('connected')));
    ws.send(example('ws_subscribe_order_book'));
    const snapshot = await ws.next<Record<string, unknown>>(isType('subscribed/order_book'));
    expectShape('ws_order_book_snapshot', snapshot);
    market.step();
    const update = await ws.next<{ order_book: { begin_nonce: number } }>(isType('update/order_book'));
    expectShape('ws_order_book_update', update);
    // Continuity: the update's begin_nonce is the snapshot's nonce.
    expect(update.order_book.begin_nonce).toBe((snapshot.order_book as { nonce: number }).nonce);
    expectShape('ws_ping_from_server', await ws.next(isType('ping')));
    ws.send(example('ws_ping_keepalive_from_client'));
    expectShape('ws_pong_reply', await ws.next(isType('pong')));
    ws.send({ type: 'subscribe', channel: 'order_book_nope/0' });
    expectShape('ws_error_frame', await ws.next((frame) => !!frame.error));
    ws.close();
  });

  it('account channels: orders, trades and positions after a fill; sendtx replies', async () => {
    const { emulator, exchange, faults } = await setup();
    const ws = await openClient(emulator.wsUrl);
    for (const name of ['ws_subscribe_account_all_orders', 'ws_subscribe_account_all_trades', 'ws_subscribe_account_all_positions']) {
      ws.send({ ...example(name), channel: `${String(example(name).channel).split('/')[0]}/${ACCOUNT}`, auth: authToken() });
    }
    await ws.next(isType('subscribed/account_all_positions'));
    const ok = await restBuy(ws, exchange, 1841);
    expectShape('ws_sendtx_response_ok', ok);
    // A refused tx is answered on its own type with the venue's code (asyncapi TxResponse)...
    const bad = await restBuy(ws, exchange, 1841, 1795000000009);
    expectShape('ws_sendtx_response_refused', bad);
    expect(bad).toMatchObject({ type: 'jsonapi/sendtx', code: 21104, message: 'invalid nonce' });
    // ...or, as a variant, by an error frame without the tx's id; "invalid nonce" may come as a plain 400.
    faults.set({ idlessTxErrors: true, nonceErrorAs400: true });
    const idless = await restBuy(ws, exchange, 1841, 1795000000010);
    expectShape('ws_sendtx_response_error', idless);
    expect(idless).toEqual({ error: { code: 400, message: 'invalid nonce' } });
    faults.set({ idlessTxErrors: false, nonceErrorAs400: false });
    await ws.next(isType('update/account_all_orders'));
    const from = ws.frames.length;
    expect(exchange.fillResting('1795000000001')).toBe(true);
    const trades = await ws.next<{ trades: Record<string, Array<Record<string, unknown>>> }>(isType('update/account_all_trades'), from);
    expectShape('ws_account_all_trades_update', trades);
    const trade = trades.trades['0']?.[0];
    // We were the maker on the bid side: the adapter's maker detection must see it.
    expect(trade).toMatchObject({ bid_account_id: ACCOUNT, is_maker_ask: false, bid_client_id: 1795000000001, size: '0.0500' });
    expectShape(
      'ws_account_all_orders_update',
      await ws.next((frame) => frame.type === 'update/account_all_orders' && JSON.stringify(frame).includes('"filled"'), from)
    );
    expectShape('ws_account_all_positions_update', await ws.next(isType('update/account_all_positions'), from));
    ws.close();
  });

  it('REST: orderBooks, account, nextNonce, sendTx and sendTxBatch', async () => {
    const { emulator } = await setup();
    const get = async (path: string) => (await (await fetch(`${emulator.url}${path}`)).json()) as Record<string, unknown>;
    expectShape('rest_order_books_response', await get('/api/v1/orderBooks?market_id=0&filter=perp'));
    expectShape('rest_next_nonce_response', await get(`/api/v1/nextNonce?account_index=${ACCOUNT}&api_key_index=${API_KEY}`));
    const form = example('rest_sendtx_request_form').form as Record<string, string>;
    const info = { ...JSON.parse(form.tx_info as string), ExpiredAt: Date.now() + 600_000, OrderExpiry: Date.now() + 86_400_000, Price: 200000 };
    const sent = await postForm(`${emulator.url}/api/v1/sendTx`, { ...form, tx_info: JSON.stringify(info) });
    expect(sent.status).toBe(200);
    expectShape('rest_sendtx_response', sent.body);
    // The batch example (cancel 1795000000001, then place it again) with our nonces.
    const batch = example('ws_sendtx_batch_request').data as { tx_types: string; tx_infos: string };
    const infos = (JSON.parse(batch.tx_infos) as string[]).map((text, index) => {
      const tx = JSON.parse(text);
      return JSON.stringify({
        ...tx,
        Nonce: 1842 + index,
        ExpiredAt: Date.now() + 600_000,
        ...(tx.OrderExpiry ? { OrderExpiry: Date.now() + 86_400_000, Price: 200000 } : {})
      });
    });
    const batchReply = await postForm(`${emulator.url}/api/v1/sendTxBatch`, { tx_types: batch.tx_types, tx_infos: JSON.stringify(infos) });
    expect(batchReply.status).toBe(200);
    expect(batchReply.body.tx_hash).toHaveLength(2);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const account = await get(`/api/v1/account?by=index&value=${ACCOUNT}`);
    expect(shapeDiff(shapeOf({ ...example('rest_account_response'), accounts: [] }), shapeOf({ ...account, accounts: [] }))).toEqual([]);
    expect(account.accounts).toHaveLength(1);
  });

  it('accepts the example tx_info payloads once their account, nonce and times are ours', async () => {
    const { emulator } = await setup();
    let nonce = 1841;
    for (const name of ['tx_info_create_order_post_only', 'tx_info_cancel_order', 'tx_info_cancel_all_orders']) {
      const { tx_type: type, tx_info: info } = example(name) as { tx_type: number; tx_info: Record<string, number> };
      const ours = {
        ...info,
        Nonce: nonce++,
        ExpiredAt: Date.now() + 600_000,
        ...(info.OrderExpiry ? { OrderExpiry: Date.now() + 86_400_000, Price: 200000 } : {})
      };
      const reply = await postForm(`${emulator.url}/api/v1/sendTx`, { tx_type: String(type), tx_info: JSON.stringify(ours) });
      expect(reply, name).toMatchObject({ status: 200, body: { code: 200 } });
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(emulator.nonceOf(API_KEY)).toBe(1844);
  });
});

describe('Lighter emulator: the checks a server can make', () => {
  it.each([
    ['a nonce out of sequence', { Nonce: 1850 }, 21104],
    ['a signature that is not 80 bytes', { Sig: 'AAAA' }, 21120],
    ['an unregistered API key', { ApiKeyIndex: 9 }, 21136],
    ['a market that does not exist', { MarketIndex: 7 }, 21602],
    ['a size below the minimum', { BaseAmount: 10 }, 21706],
    ['a notional below the minimum', { BaseAmount: 50, Price: 100 }, 21706],
    ['a price above uint32', { Price: 2 ** 32 }, 21702],
    ['a post-only without expiry', { OrderExpiry: 0 }, 21711],
    ['a market order that is not IOC', { Type: 1, TimeInForce: 2 }, 21705],
    ['a float where an integer belongs', { BaseAmount: 5.5 }, 21501],
    ['an expired tx', { ExpiredAt: 1000 }, 21501]
  ])('refuses %s and keeps the nonce', async (_label, fields, code) => {
    const { emulator } = await setup();
    const reply = await postForm(`${emulator.url}/api/v1/sendTx`, { tx_type: '14', tx_info: JSON.stringify(createOrderInfo(fields)) });
    expect(reply.status).toBe(400);
    expect(reply.body.code).toBe(code);
    expect(emulator.nonceOf(API_KEY)).toBe(1841);
  });

  it('sequences nonces per API key', async () => {
    const { emulator } = await setup();
    for (let i = 0; i < 5; i++) {
      const reply = await postForm(`${emulator.url}/api/v1/sendTx`, {
        tx_type: '14',
        tx_info: JSON.stringify(createOrderInfo({ ClientOrderIndex: 100 + i, Nonce: 1841 + i, Price: 200000 }))
      });
      expect(reply.status).toBe(200);
    }
    const other = await postForm(`${emulator.url}/api/v1/sendTx`, {
      tx_type: '14',
      tx_info: JSON.stringify(createOrderInfo({ ApiKeyIndex: 4, ClientOrderIndex: 200, Nonce: 1841, Price: 200000 }))
    });
    expect(other.status).toBe(200);
    expect([emulator.nonceOf(API_KEY), emulator.nonceOf(4)]).toEqual([1846, 1842]);
  });

  it.each([
    ['expired', authToken(Math.floor(Date.now() / 1000) - 1)],
    ['too far ahead', authToken(Math.floor(Date.now() / 1000) + 9 * 3600)],
    ['malformed', 'not-a-token'],
    ['for another account', authToken(undefined, 1)]
  ])('refuses an auth token that is %s', async (_label, token) => {
    const { emulator } = await setup();
    const ws = await openClient(emulator.wsUrl);
    ws.send({ type: 'subscribe', channel: `account_all_orders/${ACCOUNT}`, auth: token });
    const frame = await ws.next((f) => !!f.error);
    expect(frame).toMatchObject({ error: { code: 20013 } });
    ws.close();
  });

  it('closes a connection that does not answer pings (1008 no pong)', async () => {
    const { emulator } = await setup({ pingIntervalMs: 50, pongTimeoutMs: 50 });
    const ws = await openClient(emulator.wsUrl);
    expect(await ws.waitClose()).toEqual({ code: 1008, reason: 'no pong' });
  });

  it('survives malformed input with the venue error responses', async () => {
    const { emulator } = await setup();
    const ws = await openClient(emulator.wsUrl);
    ws.send('{not json');
    expect(await ws.next((f) => !!f.error)).toMatchObject({ error: { code: 30001 } });
    ws.send({ type: 'jsonapi/sendtx', data: { id: 'x', tx_type: 14, tx_info: '{"broken"' } });
    expect(await ws.next((f) => f.id === 'x')).toMatchObject({ type: 'jsonapi/sendtx', code: 21501, id: 'x' });
    const response = await fetch(`${emulator.url}/api/v1/sendTx`, { method: 'POST', body: 'garbage', headers: { 'Content-Type': 'text/plain' } });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ code: 21501 });
    expect((await fetch(`${emulator.url}/api/v1/nope`)).status).toBe(404);
    ws.send({ type: 'ping' });
    expect(await ws.next(isType('pong'))).toEqual({ type: 'pong' });
    ws.close();
  });
});

describe('Lighter emulator: faults, observed by a plain client', () => {
  async function withBook() {
    const setupResult = await setup();
    const ws = await openClient(setupResult.emulator.wsUrl);
    ws.send({ type: 'subscribe', channel: 'order_book/0' });
    await ws.next(isType('subscribed/order_book'));
    return { ...setupResult, ws };
  }

  it('skips a nonce in the book chain', async () => {
    const { ws, faults, market } = await withBook();
    market.step();
    const first = await ws.next<{ order_book: { nonce: number } }>(isType('update/order_book'));
    faults.set({ skipSequence: 1 });
    const from = ws.frames.length;
    market.step();
    const second = await ws.next<{ order_book: { begin_nonce: number } }>(isType('update/order_book'), from);
    expect(second.order_book.begin_nonce).not.toBe(first.order_book.nonce);
  });

  it('goes silent (stale feed) while the market moves, then resumes', async () => {
    const { ws, faults, market } = await withBook();
    faults.set({ staleFeed: true });
    const from = ws.frames.length;
    for (let i = 0; i < 5; i++) market.step();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(ws.frames.slice(from)).toEqual([]);
    faults.set({ staleFeed: false });
    market.step();
    await ws.next(isType('update/order_book'), from);
  });

  it('delays messages', async () => {
    const { ws, faults, market } = await withBook();
    faults.set({ delayMs: 150 });
    const from = ws.frames.length;
    const started = Date.now();
    market.step();
    await ws.next(isType('update/order_book'), from);
    expect(Date.now() - started).toBeGreaterThanOrEqual(140);
  });

  it('drops every connection', async () => {
    const { ws, emulator } = await withBook();
    const response = await fetch(`${emulator.url}/_emulator/drop`, { method: 'POST' });
    expect(response.status).toBe(200);
    expect((await ws.waitClose()).code).toBe(1006);
  });

  it('answers 429, 500 and slowly on REST, over the control endpoint', async () => {
    const { emulator } = await setup();
    const control = (body: unknown) => fetch(`${emulator.url}/_emulator/faults`, { method: 'POST', body: JSON.stringify(body) });
    expect((await control({ rateLimit: 1, restErrors: 1 })).status).toBe(200);
    const nonce = `${emulator.url}/api/v1/nextNonce?account_index=${ACCOUNT}&api_key_index=${API_KEY}`;
    const limited = await fetch(nonce);
    expect(limited.status).toBe(429);
    expect(await limited.json()).toEqual({ code: 23000, message: 'Too Many Requests' });
    expect((await fetch(nonce)).status).toBe(500);
    expect((await fetch(nonce)).status).toBe(200);
    await control({ slowRestMs: 120 });
    const started = Date.now();
    await fetch(nonce);
    expect(Date.now() - started).toBeGreaterThanOrEqual(110);
    const refused = await control({ slowRestMs: -1 });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: expect.stringContaining('faults.slowRestMs') });
  });

  it('rejects orders with the venue error code, duplicates and reorders fills, fills during a cancel', async () => {
    const { emulator, exchange, faults } = await setup();
    const ws = await openClient(emulator.wsUrl);
    ws.send({ type: 'subscribe', channel: `account_all_trades/${ACCOUNT}`, auth: authToken() });
    await ws.next(isType('subscribed/account_all_trades'));
    faults.set({ rejectOrders: 1 });
    expect(await restBuy(ws, exchange, 1841, 1)).toMatchObject({ type: 'jsonapi/sendtx', code: 21739 });
    await restBuy(ws, exchange, 1841, 1);
    await restBuy(ws, exchange, 1842, 2);
    await new Promise((resolve) => setTimeout(resolve, 20));

    faults.set({ duplicateFills: true });
    let from = ws.frames.length;
    exchange.fillResting('1', 100);
    await ws.next(isType('update/account_all_trades'), from);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const ids = (frames: unknown[]) =>
      frames
        .filter((f) => (f as { type: string }).type === 'update/account_all_trades')
        .map((f) => (f as { trades: { 0: Array<{ trade_id: number }> } }).trades[0][0]!.trade_id);
    const duplicated = ids(ws.frames.slice(from));
    expect(duplicated).toHaveLength(2);
    expect(duplicated[0]).toBe(duplicated[1]);

    faults.set({ duplicateFills: false, reorderFills: true });
    from = ws.frames.length;
    exchange.fillResting('1', 100);
    exchange.fillResting('1', 100);
    await new Promise((resolve) => setTimeout(resolve, 20));
    const reordered = ids(ws.frames.slice(from));
    expect(reordered).toHaveLength(2);
    expect(reordered[0]).toBeGreaterThan(reordered[1] as number);

    faults.set({ reorderFills: false, fillDuringCancel: true });
    from = ws.frames.length;
    ws.send({ type: 'jsonapi/sendtx', data: { id: 'c2', tx_type: 15, tx_info: cancelInfo({ Index: 2, Nonce: 1843 }) } });
    expect(await ws.next((f) => f.id === 'c2', from)).toMatchObject({ code: 200 });
    await ws.next(isType('update/account_all_trades'), from);
    expect(exchange.record.orders.find((order) => order.clientId === '2')?.state).toBe('filled');
  });

  it('keeps a record of everything our account did', async () => {
    const { emulator, exchange } = await setup();
    const ws = await openClient(emulator.wsUrl);
    await restBuy(ws, exchange, 1841, 5);
    await new Promise((resolve) => setTimeout(resolve, 20));
    exchange.fillResting('5');
    const record = (await (await fetch(`${emulator.url}/_emulator/record`)).json()) as { orders: unknown[]; trades: unknown[]; position: unknown };
    expect(record.orders).toHaveLength(1);
    expect(record.trades).toHaveLength(1);
    expect(record.position).toEqual({ qty: '0.05', avgEntry: expect.any(String) });
  });
});
