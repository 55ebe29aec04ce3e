/**
 * Entry point of parsing: enforces the 1024-character limit and dispatches on the first
 * non-blank character: `{` JSON pattern, `[` space-delimited pattern, anything else a term
 * pattern. At most 2 `%regex%` per pattern (AWS states the limit for JSON and space-delimited
 * patterns; we apply it to term patterns too).
 */
import type { Pattern } from './ast';
import { PatternSyntaxError } from './errors';
import { deepFreeze } from './freeze';
import { Lru } from './lru';
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

/** Parsed patterns by text: a control's reference and the filters of many accounts come back again and again. */
const parsed = new Lru<string, Pattern>(1024);

/**
 * parsePattern, memoised by the exact text. The AST is shared by every caller, so it is deep-frozen
 * (an AST is never meant to change). Syntax errors are not memoised: they throw again.
 */
export function parsePatternCached(text: string): Pattern {
  let p = parsed.get(text);
  if (p === undefined) {
    p = deepFreeze(parsePattern(text));
    parsed.set(text, p);
  }
  return p;
}

/** A pattern given as text (parsed, memoised) or already parsed. */
export function patternOf(pattern: string | Pattern): Pattern {
  return typeof pattern === 'string' ? parsePatternCached(pattern) : pattern;
}

/** Forgets every memoised parse (for measuring the engine cold). */
export function clearParseMemo(): void {
  parsed.clear();
}
