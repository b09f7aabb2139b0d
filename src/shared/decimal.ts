/** Plain decimal notation: optional minus, digits, optional fraction. No exponents, no spaces. */
export const DECIMAL_RE = /^-?(0|[1-9]\d*)(\.\d+)?$/;

/**
 * A short text of any value for an error message. It never throws and never recurses itself: a
 * value too deep or too odd for JSON (e.g. arrays nested thousands deep, sent to break us) is
 * named by its type only.
 */
export function describe(value: unknown): string {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? typeof value);
  } catch {
    text = Array.isArray(value) ? `[array of ${value.length}]` : `[${typeof value}]`;
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
