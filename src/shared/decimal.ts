/** Plain decimal notation: optional minus, digits, optional fraction. No exponents, no spaces. */
export const DECIMAL_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;

export function describe(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : JSON.stringify(value) ?? String(value);
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
