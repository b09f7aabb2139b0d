/**
 * JSON.parse that keeps integers beyond 2^53 exact: any integer literal too large for a double is
 * turned into a string before parsing (Extended's order, trade and account ids are int64 values
 * such as 1862217045581074432, which JSON.parse would silently round).
 */
export function parseLosslessJson(text: string): unknown {
  let out = '';
  let i = 0;
  let last = 0;
  while (i < text.length) {
    const char = text[i] as string;
    if (char === '"') {
      // Skip the string, honouring escapes.
      i += 1;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      i += 1;
      continue;
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      const start = i;
      i += 1;
      while (i < text.length && /[0-9.eE+-]/.test(text[i] as string)) i += 1;
      const literal = text.slice(start, i);
      if (/^-?\d+$/.test(literal) && !Number.isSafeInteger(Number(literal))) {
        out += `${text.slice(last, start)}"${literal}"`;
        last = i;
      }
      continue;
    }
    i += 1;
  }
  return JSON.parse(out + text.slice(last));
}
