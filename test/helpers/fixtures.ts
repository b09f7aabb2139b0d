/**
 * The venues' example messages this repository carries (test/fixtures/venues/<venue>/*.json): each
 * names its source in `_source`, and was corrected where the venues' own code disagrees (the note
 * says so). Nothing here reads anything outside the repository.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', 'fixtures', 'venues');

/** The text of one example message. */
export const fixtureText = (venue: 'lighter' | 'extended', name: string): string => readFileSync(join(ROOT, venue, `${name}.json`), 'utf8');

/** One example message, parsed. */
export const fixture = <T = Record<string, unknown>>(venue: 'lighter' | 'extended', name: string): T => JSON.parse(fixtureText(venue, name)) as T;
