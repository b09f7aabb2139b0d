import { describe, expect, it } from 'vitest';
import { parseLosslessJson } from '../src/main/venues/common/losslessJson';

describe('lossless JSON', () => {
  it('keeps int64 ids exact and leaves everything else as JSON.parse would', () => {
    const text =
      '{"id":1862217045581074432,"accountId":100214,"price":"97251","neg":-9007199254740993,"f":1.5e3,"s":"12345678901234567890","arr":[9007199254740993, 1]}';
    expect(parseLosslessJson(text)).toEqual({
      id: '1862217045581074432',
      accountId: 100214,
      price: '97251',
      neg: '-9007199254740993',
      f: 1500,
      s: '12345678901234567890',
      arr: ['9007199254740993', 1]
    });
  });

  it('handles escaped quotes inside strings and rejects broken JSON', () => {
    expect(parseLosslessJson('{"a":"x\\"1862217045581074432","b":1862217045581074432}')).toEqual({ a: 'x"1862217045581074432', b: '1862217045581074432' });
    expect(() => parseLosslessJson('{"a":')).toThrow();
  });
});
