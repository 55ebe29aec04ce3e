/**
 * Parser for term patterns (anything not starting with `{` or `[`): unquoted words, "quoted
 * phrases", `?term` (OR), `-term` (exclusion), `%regex%`. The empty pattern matches everything.
 *
 * Decisions where the AWS documentation is silent: a `?` or `-` may be followed by spaces before
 * its term (AWS's own example writes `"ERROR" - "Exiting"`); an unquoted word runs to the next
 * whitespace or double quote (AWS asks for quotes around non-alphanumeric terms but we accept
 * e.g. `ERROR:`); the same words quoted or not mean the same.
 */
import type { Term, TermMatch, TermPattern } from './ast';
import type { Scanner } from './scanner';

export function parseTermPattern(s: Scanner, maxRegex: number): TermPattern {
  const terms: Term[] = [];
  for (;;) {
    s.skipSpace();
    if (s.done) return { kind: 'terms', terms };
    let mode: Term['mode'] = 'all';
    const ch = s.peek();
    if (ch === '?' || ch === '-') {
      mode = ch === '?' ? 'any' : 'none';
      s.pos++;
      s.skipSpace();
      if (s.done || s.peek() === '?' || (s.peek() === '-' && mode === 'none')) {
        s.fail(`a term, "phrase" or %regex% after '${ch}'`);
      }
    }
    terms.push({ mode, match: termMatch(s, maxRegex) });
  }
}

function termMatch(s: Scanner, maxRegex: number): TermMatch {
  const ch = s.peek();
  if (ch === '"') {
    const start = s.pos;
    const text = s.quoted();
    if (text === '') s.fail('a non-empty phrase between the double quotes', start);
    return { type: 'phrase', text };
  }
  if (ch === '%') return s.regex(maxRegex);
  const start = s.pos;
  while (!s.done && !/[\s"]/.test(s.peek())) s.pos++;
  return { type: 'phrase', text: s.text.slice(start, s.pos) };
}
