/**
 * The console's vocabulary, defined once: tooltips, the help view and docs/glossary.md use it
 * (a test keeps the document and this table identical).
 */
export const GLOSSARY: ReadonlyArray<{ term: string; meaning: string }> = [
  { term: 'L, E', meaning: 'The two venues: Lighter (L) and Extended (E).' },
  { term: 'LE, EL', meaning: 'Direction of a trade or of the inventory: LE buys on L and sells on E; EL buys on E and sells on L.' },
  {
    term: 'TT',
    meaning: 'Taker-taker: both legs are market (IOC) orders sent at once. Off unless ENABLE_TT; needs TT_MIN_HITS qualifying book updates in a row.'
  },
  { term: 'MT', meaning: 'Maker-taker: the buy leg rests post-only at the best bid; when it fills, the sell leg is hedged at market on the other venue.' },
  { term: 'TM', meaning: 'Taker-maker: the sell leg rests post-only at the best ask; when it fills, the buy leg is hedged at market on the other venue.' },
  {
    term: 'spread (raw)',
    meaning: "(sell price - buy price) / buy price x 100, in percent of the buy leg's price, at the prices each combo's legs would trade at."
  },
  { term: 'spread (net)', meaning: "The raw spread after both legs' fee rates (the configured schedule)." },
  {
    term: 'INV',
    meaning:
      'The spread the open inventory locked in, in percent: LE inventory (entryE - entryL) / entryL x 100, EL the mirror. An exit qualifies when its spread + INV > SPREAD_TP.'
  },
  { term: 'MIN_SPREAD', meaning: 'Entry threshold in percent: an entry combo qualifies when its raw spread is greater.' },
  { term: 'SPREAD_TP', meaning: 'Exit target in percent: an exit combo qualifies when its raw spread + INV is greater.' },
  { term: 'bias', meaning: 'The maker combo being worked (current_direction): kept while its spread stays above MIN_SPREAD.' },
  {
    term: 'unhedged_L, unhedged_E',
    meaning: 'Filled quantity on that venue not yet offset on the other; the HedgeBot sends a market order once it reaches minHedgeQty.'
  },
  { term: 'minHedgeQty', meaning: 'The smallest quantity both venues accept (sizes, steps and minimum values): smaller fills accumulate until they reach it.' },
  { term: 'legs in flight', meaning: 'Hedge and TT orders sent whose outcome the venues have not reported yet.' },
  { term: 'dust', meaning: "A position below a venue's minimum size: it cannot be traded away and blocks nothing." },
  { term: 'armed / quoting', meaning: "Armed is the trader's intent; quoting is armed with both venues connected, both books fresh and start-up done." },
  { term: 'kill', meaning: 'Disarm and cancel every order of ours on both venues until neither lists one (Ctrl+K).' },
  { term: 'flatten', meaning: 'Kill, then close both positions at market, as the venues report them.' }
];

/** The glossary as the Markdown document docs/glossary.md holds. */
export function glossaryMarkdown(): string {
  const rows = GLOSSARY.map(({ term, meaning }) => `| ${term} | ${meaning} |`);
  return [
    '# Glossary',
    '',
    'The words the console uses (src/shared/glossary.ts; the console shows them as tooltips and in its help view).',
    '',
    '| Term | Meaning |',
    '| --- | --- |',
    ...rows,
    ''
  ].join('\n');
}

/** The meaning of one term, for a tooltip. */
export function meaningOf(term: string): string {
  return GLOSSARY.find((entry) => entry.term === term || entry.term.split(', ').includes(term))?.meaning ?? '';
}
