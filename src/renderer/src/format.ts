import Decimal from 'decimal.js';

/** Display helpers: values arrive as exact decimal strings and are only formatted here. */
export function fixed(value: string | null | undefined, places: number): string {
  if (value === null || value === undefined || value === '') return '-';
  return new Decimal(value).toFixed(places);
}

export function signed(value: string | null | undefined, places: number): string {
  if (value === null || value === undefined) return '-';
  const d = new Decimal(value);
  return `${d.isPos() && !d.isZero() ? '+' : ''}${d.toFixed(places)}`;
}

export function time(ms: number | undefined): string {
  if (!ms) return '';
  const date = new Date(ms);
  return `${date.toLocaleTimeString([], { hour12: false })}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** share / total as a CSS percentage, computed exactly. */
export function percentOf(share: string, total: Decimal): string {
  if (total.isZero()) return '0%';
  return `${Decimal.min(new Decimal(share).div(total).times(100), 100).toFixed(1)}%`;
}
