import { describe, expect, it } from 'vitest';
import { defaultParams, type StrategyParams } from '../../src/shared/params';
import { decide, newDecisionMemory, type DecideInput, type DecisionMemory } from '../../src/main/engine/decide';
import { ZERO } from '../../src/main/kernel/decimalMath';
import { toEngineParams } from '../../src/main/engine/params';
import { calcSpreads, invSpread, type Tops } from '../../src/main/engine/spreads';
import type { LiveOrder } from '../../src/main/engine/state';
import { d } from '../helpers/engineHarness';

// MIN_SPREAD 0.05%, SPREAD_TP 0.02%, TT_MIN_HITS 3 unless a case says otherwise.
function input(tops: Tops, over: Partial<StrategyParams> = {}, extra: Partial<DecideInput> = {}): DecideInput {
  const direction = extra.inventoryDirection ?? null;
  return {
    tops,
    spreads: calcSpreads(tops),
    inv: extra.inv ?? invSpread(direction, ZERO, ZERO),
    inventoryDirection: direction,
    params: toEngineParams({ ...defaultParams(), minSpread: '0.05', spreadTp: '0.02', ...over }),
    positionValue: extra.positionValue ?? ZERO,
    liveOrder: extra.liveOrder ?? null
  };
}

const t = (bidL: string, askL: string, bidE: string, askE: string): Tops => ({ bidL: d(bidL), askL: d(askL), bidE: d(bidE), askE: d(askE) });

// Flat market: nothing over 0.05%.
const FLAT = t('3000.00', '3000.10', '3000.0', '3000.3');
// E rich: MT_LE = (3003 - 3000)/3000 = 0.1%, TM_LE = (3003.3 - 3000.1)/3000.1 = 0.107%, TT_LE = (3003 - 3000.1)/3000.1 = 0.0967%.
const E_RICH = t('3000.00', '3000.10', '3003.0', '3003.3');
// L rich: MT_EL = (3003 - 3000)/3000 = 0.1%, TM_EL = 0.107%, TT_EL = 0.0967%.
const L_RICH = t('3003.00', '3003.30', '3000.0', '3000.1');

function run(inputs: DecideInput[], memory: DecisionMemory = newDecisionMemory()) {
  return inputs.map((i) => decide(i, memory));
}

describe('decide: entries', () => {
  it('NONE when nothing qualifies', () => {
    expect(decide(input(FLAT), newDecisionMemory())).toMatchObject({ action: 'NONE', reason: 'no combo over MIN_SPREAD' });
  });

  it('picks the best maker combo over MIN_SPREAD and makes it the bias', () => {
    const memory = newDecisionMemory();
    const decision = decide(input(E_RICH), memory);
    expect(decision).toMatchObject({ action: 'MAKE', combo: 'TM_LE', direction: 'entry', venue: 'E', side: 'sell' });
    expect(decision.price?.toString()).toBe('3003.3');
    expect(memory.bias).toBe('TM_LE');
  });

  it('keeps the bias while it still qualifies, even when another combo is better', () => {
    const memory = newDecisionMemory();
    memory.bias = 'MT_LE';
    expect(decide(input(E_RICH), memory)).toMatchObject({ action: 'MAKE', combo: 'MT_LE', venue: 'L', side: 'buy' });
    expect(memory.bias).toBe('MT_LE');
  });

  it('drops the bias when it no longer qualifies', () => {
    const memory = newDecisionMemory();
    memory.bias = 'MT_LE';
    expect(decide(input(L_RICH), memory)).toMatchObject({ action: 'MAKE', combo: 'TM_EL', venue: 'L', side: 'sell' });
    expect(memory.bias).toBe('TM_EL');
    decide(input(FLAT), memory);
    expect(memory.bias).toBeNull();
  });

  it('TT entry needs TT_MIN_HITS consecutive qualifying updates, and takes priority', () => {
    const params = { enableTt: true, ttMinHits: 3 };
    const decisions = run([input(E_RICH, params), input(E_RICH, params), input(E_RICH, params)]);
    expect(decisions.map((x) => x.action)).toEqual(['MAKE', 'MAKE', 'TAKE']);
    expect(decisions[2]).toMatchObject({ combo: 'TT_LE', direction: 'entry', venue: 'L', side: 'buy' });
  });

  it('a non-qualifying update resets the TT counter', () => {
    const params = { enableTt: true, ttMinHits: 3 };
    const decisions = run([input(E_RICH, params), input(E_RICH, params), input(FLAT, params), input(E_RICH, params), input(E_RICH, params)]);
    expect(decisions.map((x) => x.action)).not.toContain('TAKE');
  });

  it('TT_ONLY: no maker entries, TT only', () => {
    const params = { enableTt: true, ttOnly: true, ttMinHits: 1 };
    expect(decide(input(E_RICH, { ...params, ttMinHits: 2 }), newDecisionMemory()).action).toBe('NONE');
    expect(decide(input(E_RICH, params), newDecisionMemory())).toMatchObject({ action: 'TAKE', combo: 'TT_LE' });
  });

  it.each([
    ['below the cap', '999.99', 'MAKE'],
    ['at the cap', '1000', 'NONE'],
    ['over the cap', '1500', 'NONE']
  ])('MAX_POSITION_VALUE 1000, position %s: %s', (_label, value, action) => {
    const decision = decide(input(E_RICH, { maxPositionValue: '1000' }, { positionValue: d(value) }), newDecisionMemory());
    expect(decision.action).toBe(action);
    if (action === 'NONE') expect(decision.reason).toContain('entries blocked');
  });

  it('MAX_POSITION_VALUE 0 blocks every entry', () => {
    expect(decide(input(E_RICH, { maxPositionValue: '0', enableTt: true, ttMinHits: 1 }), newDecisionMemory()).action).toBe('NONE');
  });
});

describe('decide: exits first', () => {
  // LE inventory exits by trading EL. INV = +0.2% (entryE 3006 over entryL 3000).
  const LE = { inventoryDirection: 'LE' as const, inv: d('0.2') };

  it('an exit beats a better entry', () => {
    // FLAT: MT_EL = (3000 - 3000)/3000 = 0, + INV 0.2 > SPREAD_TP 0.02.
    const decision = decide(input(E_RICH, {}, LE), newDecisionMemory());
    // E_RICH: MT_EL = (3000 - 3003)/3003 = -0.0999 + 0.2 = 0.1 > 0.02: exit wins over the TM_LE entry.
    expect(decision).toMatchObject({ action: 'MAKE', combo: 'MT_EL', direction: 'exit', venue: 'E', side: 'buy' });
  });

  it('MT before TM', () => {
    expect(decide(input(FLAT, {}, LE), newDecisionMemory())).toMatchObject({ combo: 'MT_EL', direction: 'exit' });
    // INV so small that MT_EL + INV fails but TM_EL + INV passes.
    const tops = t('3000.00', '3001.00', '3000.5', '3000.6');
    // MT_EL = (3000 - 3000.5)/3000.5 = -0.0167; TM_EL = (3001 - 3000.6)/3000.6 = 0.0133
    const decision = decide(input(tops, {}, { inventoryDirection: 'LE', inv: d('0.01') }), newDecisionMemory());
    expect(decision).toMatchObject({ combo: 'TM_EL', direction: 'exit', venue: 'L', side: 'sell' });
  });

  it('TT exit on TT_MIN_HITS consecutive updates of TT + INV > SPREAD_TP', () => {
    const params = { enableTt: true, ttMinHits: 2 };
    // TT_EL in FLAT = (3000 - 3000.3)/3000.3 = -0.01 ; + INV 0.2 > 0.02.
    const decisions = run([input(FLAT, params, LE), input(FLAT, params, LE)]);
    expect(decisions.map((x) => `${x.action} ${x.combo}`)).toEqual(['MAKE MT_EL', 'TAKE TT_EL']);
    expect(decisions[1]?.direction).toBe('exit');
  });

  it('exits are allowed while entries are blocked by MAX_POSITION_VALUE', () => {
    expect(decide(input(FLAT, { maxPositionValue: '0' }, LE), newDecisionMemory())).toMatchObject({ action: 'MAKE', direction: 'exit' });
  });
});

describe('decide: NONE with a live order', () => {
  const live = (price: string): LiveOrder => ({
    clientId: '1',
    venue: 'L',
    side: 'buy',
    price: d(price),
    qty: d('0.03'),
    filledQty: ZERO,
    combo: 'MT_LE',
    direction: 'entry',
    status: 'live',
    placedAt: 0
  });

  it('becomes CANCEL when the live price is more than REPRICE_TICK away from where MT_LE would quote', () => {
    // MT_LE would join bidL 3000.00; live at 2999.00 is 0.033% away > 0.01%.
    expect(decide(input(FLAT, { repriceTick: '0.0001' }, { liveOrder: live('2999.00') }), newDecisionMemory())).toMatchObject({
      action: 'CANCEL',
      combo: 'MT_LE'
    });
  });

  it('is left alone within REPRICE_TICK', () => {
    // 2999.80 vs 3000.00: 0.0067% <= 0.01%.
    expect(decide(input(FLAT, { repriceTick: '0.0001' }, { liveOrder: live('2999.80') }), newDecisionMemory())).toMatchObject({ action: 'NONE' });
  });
});
