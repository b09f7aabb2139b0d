/**
 * The spread chart's vertical scale: it is held around the thresholds the trader acts on
 * (MIN_SPREAD, SPREAD_TP and zero), not stretched by a spike. A value outside is drawn at the edge
 * and marked, its true value kept for the tooltip. Display only: the engine decides on exact decimals.
 */
import type { ComboKey } from '../../shared/contract';

export type Domain = readonly [number, number];

/** From below the lowest of the thresholds and zero to above the highest, with a margin of at least 0.2 % each side. */
export function chartDomain(minSpread: number, spreadTp: number): Domain {
  const top = Math.max(minSpread, spreadTp, 0);
  const bottom = Math.min(minSpread, spreadTp, 0);
  const margin = Math.max(0.2, (top - bottom) * 2);
  return [bottom - margin, top + margin];
}

export interface ChartRow {
  t: number;
  /** Each combo's value, held inside the domain; `${combo}_out` is the true value when it was outside. */
  [key: string]: number | undefined;
}

export function chartRow(t: number, values: Partial<Record<ComboKey, number>>, [lo, hi]: Domain): ChartRow {
  const row: ChartRow = { t };
  for (const [key, value] of Object.entries(values)) {
    if (value === undefined || Number.isNaN(value)) continue;
    if (value > hi || value < lo) {
      row[key] = value > hi ? hi : lo;
      row[`${key}_out`] = value;
    } else row[key] = value;
  }
  return row;
}
