import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GLOSSARY, glossaryMarkdown, meaningOf } from '../src/shared/glossary';

describe('the glossary', () => {
  it('docs/glossary.md is the table the console shows (regenerate it from src/shared/glossary.ts)', () => {
    expect(readFileSync(join(__dirname, '..', 'docs', 'glossary.md'), 'utf8')).toBe(glossaryMarkdown());
  });

  it('defines every word the panels use as a tooltip', () => {
    for (const term of [
      'TT',
      'MT',
      'TM',
      'LE',
      'EL',
      'INV',
      'bias',
      'minHedgeQty',
      'unhedged_L',
      'unhedged_E',
      'legs in flight',
      'spread (raw)',
      'spread (net)'
    ]) {
      expect(meaningOf(term), term).not.toBe('');
    }
    expect(new Set(GLOSSARY.map((entry) => entry.term)).size).toBe(GLOSSARY.length);
  });
});
