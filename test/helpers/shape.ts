/**
 * The shape of a JSON value: keys, value types and nesting. Two messages have the same shape when
 * a client that reads one can read the other. Arrays are described by their first element.
 */
export type Shape = string | { [key: string]: Shape } | Shape[];

export function shapeOf(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (typeof value === 'object') {
    const out: Record<string, Shape> = {};
    for (const key of Object.keys(value as object).sort()) {
      if (key === '_source') continue;
      out[key] = shapeOf((value as Record<string, unknown>)[key]);
    }
    return out;
  }
  return typeof value;
}

/** Differences between two shapes, as readable paths ("a.b: number vs string"). */
export function shapeDiff(expected: Shape, actual: Shape, path = '$'): string[] {
  if (typeof expected === 'string' || typeof actual === 'string') {
    return expected === actual ? [] : [`${path}: ${JSON.stringify(expected)} vs ${JSON.stringify(actual)}`];
  }
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual)) return [`${path}: array vs non-array`];
    if (expected.length === 0 || actual.length === 0) return [];
    return shapeDiff(expected[0] as Shape, actual[0] as Shape, `${path}[0]`);
  }
  const problems: string[] = [];
  for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (!(key in actual)) problems.push(`${path}.${key}: missing`);
    else if (!(key in expected)) problems.push(`${path}.${key}: unexpected`);
    else problems.push(...shapeDiff(expected[key] as Shape, actual[key] as Shape, `${path}.${key}`));
  }
  return problems;
}
