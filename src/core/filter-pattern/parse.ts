/**
 * Entry point of parsing: enforces the 1024-character limit and dispatches on the first
 * non-blank character: `{` JSON pattern, `[` space-delimited pattern, anything else a term
 * pattern. At most 2 `%regex%` per pattern (AWS states the limit for JSON and space-delimited
 * patterns; we apply it to term patterns too).
 */
import type { Pattern } from './ast';
import { PatternSyntaxError } from './errors';
import { parseJsonPattern } from './parse-json';
import { parseSpacePattern } from './parse-space';
import { parseTermPattern } from './parse-terms';
import { Scanner } from './scanner';

export const MAX_PATTERN_LENGTH = 1024;
export const MAX_REGEX_PER_PATTERN = 2;

/** Parses a filter pattern; throws PatternSyntaxError (and nothing else) on invalid input. */
export function parsePattern(text: string): Pattern {
  if (typeof text !== 'string') throw new PatternSyntaxError(0, 'a pattern string');
  if (text.length > MAX_PATTERN_LENGTH) {
    throw new PatternSyntaxError(
      MAX_PATTERN_LENGTH,
      `a pattern of at most ${MAX_PATTERN_LENGTH} characters (this one has ${text.length})`,
    );
  }
  const s = new Scanner(text);
  s.skipSpace();
  try {
    if (s.peek() === '{') return parseJsonPattern(s, MAX_REGEX_PER_PATTERN);
    if (s.peek() === '[') return parseSpacePattern(s, MAX_REGEX_PER_PATTERN);
    return parseTermPattern(s, MAX_REGEX_PER_PATTERN);
  } catch (e) {
    if (e instanceof PatternSyntaxError) throw e;
    // Defensive: a bug in a parser must still surface as the one documented error type.
    throw new PatternSyntaxError(s.pos, 'a valid filter pattern', String(e));
  }
}
