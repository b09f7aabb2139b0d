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

const pad2 = (n: number) => (n < 10 ? `0${n}` : String(n));

/** hh:mm:ss local time. Built by hand: toLocaleTimeString costs tens of microseconds, and lists format dozens of rows per frame. */
export function clockTime(ms: number): string {
  const date = new Date(ms);
  return `${pad2(date.getHours())}:${pad2(date.getMinutes())}:${pad2(date.getSeconds())}`;
}

/** hh:mm:ss.mmm local time. */
export function time(ms: number | undefined): string {
  if (!ms) return '';
  return `${clockTime(ms)}.${String(ms % 1000).padStart(3, '0')}`;
}

/** share / total as a CSS percentage, computed exactly. */
export function percentOf(share: string, total: Decimal): string {
  if (total.isZero()) return '0%';
  return `${Decimal.min(new Decimal(share).div(total).times(100), 100).toFixed(1)}%`;
}

/**
 * An exact decimal string padded with zeros to `places` decimals ("2997.6" at 2 -> "2997.60"), so
 * that a column of prices lines up at the tick. Never rounds: a value with more decimals is kept.
 */
export function padDecimals(text: string, places: number): string {
  if (/e/i.test(text)) return new Decimal(text).toFixed(places);
  const dot = text.indexOf('.');
  const have = dot < 0 ? 0 : text.length - dot - 1;
  if (have >= places) return text;
  return `${text}${dot < 0 && places > 0 ? '.' : ''}${'0'.repeat(places - have)}`;
}
