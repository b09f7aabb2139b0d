import Decimal from 'decimal.js';

/** Plain decimal notation: optional minus, digits, optional fraction. No exponents, no spaces. */
export const DECIMAL_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/** Parses a decimal string exactly; throws naming the field and the value when it is not one. */
export function parseDecimal(field: string, value: unknown): Decimal {
  if (typeof value !== 'string' || !DECIMAL_RE.test(value)) {
    throw new TypeError(`${field}: expected a decimal number as a string, got ${describe(value)}`);
  }
  return new Decimal(value);
}

export function describe(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
