import { describe, expect, it } from 'vitest';
import { chartDomain, chartRow } from '../src/renderer/src/chartScale';

describe('the spread chart is held around the thresholds', () => {
  it('spans zero and both thresholds with a margin, whatever the spikes', () => {
    const [lo, hi] = chartDomain(0.05, 0.02);
    expect(lo).toBeLessThan(0);
    expect(hi).toBeGreaterThan(0.05);
    expect(hi - 0.05).toBeGreaterThanOrEqual(0.2);
    const [lo2, hi2] = chartDomain(-0.1, 0.3);
    expect(lo2).toBeLessThan(-0.1);
    expect(hi2).toBeGreaterThan(0.3);
  });

  it('draws a value off the scale at the edge and keeps its true value for the tooltip and the mark', () => {
    const domain = chartDomain(0.05, 0.02);
    const row = chartRow(1000, { MT_LE: 4.2, TM_LE: 0.03, TT_EL: -9 }, domain);
    expect(row).toMatchObject({ t: 1000, MT_LE: domain[1], MT_LE_out: 4.2, TM_LE: 0.03, TT_EL: domain[0], TT_EL_out: -9 });
    expect(row.TM_LE_out).toBeUndefined();
  });
});
