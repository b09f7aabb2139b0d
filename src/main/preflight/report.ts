/** The preflight table as text: one line a check, then what to do for each that did not pass. */
import type { PreflightRow } from '../ports/preflight';

export function formatPreflight(mode: string, rows: PreflightRow[]): string {
  const mark = { pass: 'PASS', warn: 'WARN', fail: 'FAIL' } as const;
  const width = Math.max(...rows.map((row) => row.check.length), 5);
  const lines = [`LX Hedge preflight (${mode}): no order is sent`, ''];
  for (const row of rows) lines.push(`${mark[row.status]}  ${row.venue}  ${row.check.padEnd(width)}  ${row.detail}`);
  const todo = rows.filter((row) => row.status !== 'pass' && row.fix);
  if (todo.length > 0) {
    lines.push('', 'What to do:');
    for (const row of todo) lines.push(`- ${row.venue} ${row.check}: ${row.fix}`);
  }
  const failed = rows.filter((row) => row.status === 'fail').length;
  lines.push('', failed === 0 ? 'Ready: nothing failed.' : `${failed} check(s) failed: do not arm until they pass.`, '');
  return lines.join('\n');
}
