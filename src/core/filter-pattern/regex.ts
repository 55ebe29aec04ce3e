/**
 * The `%regex%` subset CloudWatch Logs documents for filter patterns, parsed into an NFA (we never
 * hand these to the JavaScript regex engine, so evaluation and the coverage decision share one
 * meaning).
 *
 * Allowed (AWS "Supported regular expressions syntax"): letters and digits; the symbols
 * `: _ # = @ / ; , -`; the operators `^ $ ? [ ] { } | \ * + .`. No parentheses (no groups), no
 * multi-byte characters. Decisions where the documentation is silent:
 * - Search semantics: the regex may match anywhere in the value unless anchored with `^` / `$`,
 *   which are accepted only at the start / end of a top-level alternative (`|`).
 * - `?` is "zero or one" (the AWS page says "zero or more", which contradicts its own `colou?r`
 *   example). A `?` right after another quantifier is the lazy modifier (same language).
 * - `.` matches any character, including a newline.
 * - `\d \w \s` (and `\D \W \S`) are the ASCII classes; a backslash before any other printable
 *   ASCII punctuation makes it literal (so `\.` `\(` `\%` work); a backslash before another letter
 *   is rejected.
 * - `{m}`, `{m,}`, `{m,n}` with m, n <= 1000; an empty alternative is rejected.
 */
import { ANY, type CharSet, complement, normalize, single } from './charset';
import { PatternSyntaxError } from './errors';
import { type Nfa, NfaBuilder } from './nfa';

const ALLOWED_LITERAL = /[A-Za-z0-9:_#=@/;,-]/;
const MAX_REPEAT = 1000;

const DIGIT: CharSet = [[0x30, 0x39]];
const WORD: CharSet = normalize([
  [0x30, 0x39],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
]);
const SPACE: CharSet = normalize([
  [0x09, 0x0d],
  [0x20, 0x20],
]);

interface Piece {
  set: CharSet;
  min: number;
  max: number;
}
interface Alternative {
  anchorStart: boolean;
  anchorEnd: boolean;
  pieces: Piece[];
}

class RegexParser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly offset: number,
  ) {}

  private fail(expected: string, at = this.i): never {
    const ch = this.src[at];
    throw new PatternSyntaxError(this.offset + at, expected, ch === undefined ? '' : JSON.stringify(ch));
  }

  parse(): Alternative[] {
    if (this.src.length === 0) this.fail('a regular expression between the % signs');
    const alts: Alternative[] = [];
    for (;;) {
      alts.push(this.alternative());
      if (this.i >= this.src.length) return alts;
      // alternative() stops only at '|' or the end.
      this.i++;
    }
  }

  private alternative(): Alternative {
    const startAt = this.i;
    const alt: Alternative = { anchorStart: false, anchorEnd: false, pieces: [] };
    if (this.src[this.i] === '^') {
      alt.anchorStart = true;
      this.i++;
    }
    while (this.i < this.src.length && this.src[this.i] !== '|') {
      const ch = this.src[this.i] as string;
      if (ch === '$') {
        const after = this.src[this.i + 1];
        if (after !== undefined && after !== '|') this.fail("'$' only at the end of an alternative");
        alt.anchorEnd = true;
        this.i++;
        break;
      }
      if (ch === '^') this.fail("'^' only at the start of an alternative");
      const set = this.atom();
      const [min, max] = this.quantifier();
      alt.pieces.push({ set, min, max });
    }
    if (alt.pieces.length === 0 && !alt.anchorStart && !alt.anchorEnd)
      this.fail('a non-empty alternative', startAt);
    return alt;
  }

  private atom(): CharSet {
    const ch = this.src[this.i] as string;
    if (ch === '(' || ch === ')')
      this.fail('a regex without parentheses (CloudWatch Logs regexes have no groups)');
    if (ch === '*' || ch === '+' || ch === '?' || ch === '{')
      this.fail('something to repeat before the quantifier');
    if (ch === '.') {
      this.i++;
      return ANY;
    }
    if (ch === '[') return this.charClass();
    if (ch === ']' || ch === '}') this.fail(`an escaped '\\${ch}'`);
    if (ch === '\\') return this.escape(false);
    this.literalCheck(ch);
    this.i++;
    return single(ch.charCodeAt(0));
  }

  private literalCheck(ch: string): void {
    if (ch.charCodeAt(0) > 0x7f) this.fail('ASCII characters only (multi-byte characters are not supported)');
    if (!ALLOWED_LITERAL.test(ch)) {
      this.fail('letters, digits, the symbols : _ # = @ / ; , - or an operator ^ $ ? [ ] { } | \\ * + .');
    }
  }

  private escape(inClass: boolean): CharSet {
    const c = this.src[this.i + 1];
    if (c === undefined) this.fail('a character after the backslash', this.i + 1);
    this.i += 2;
    switch (c) {
      case 'd':
        return DIGIT;
      case 'D':
        return complement(DIGIT);
      case 'w':
        return WORD;
      case 'W':
        return complement(WORD);
      case 's':
        return SPACE;
      case 'S':
        return complement(SPACE);
      default:
        break;
    }
    const code = c.charCodeAt(0);
    if (code > 0x7e || code < 0x21 || /[A-Za-z0-9]/.test(c)) {
      this.fail(
        inClass
          ? 'a valid escape in the character class'
          : 'a valid escape (\\d \\w \\s or \\ before punctuation)',
        this.i - 1,
      );
    }
    return single(code);
  }

  private charClass(): CharSet {
    const open = this.i;
    this.i++;
    let negate = false;
    if (this.src[this.i] === '^') {
      negate = true;
      this.i++;
    }
    const parts: (readonly [number, number])[] = [];
    let first = true;
    for (;;) {
      const ch = this.src[this.i];
      if (ch === undefined) this.fail("']' to close the character class", this.i);
      if (ch === ']' && !first) break;
      first = false;
      const lo = this.classChar();
      if (
        lo.length === 1 &&
        this.src[this.i] === '-' &&
        this.src[this.i + 1] !== undefined &&
        this.src[this.i + 1] !== ']'
      ) {
        this.i++;
        const hi = this.classChar();
        const a = (lo[0] as readonly [number, number])[0];
        const bRange = hi[0] as readonly [number, number];
        if (hi.length !== 1 || bRange[0] !== bRange[1]) this.fail('a character to end the range');
        if (bRange[0] < a) this.fail('a range in increasing order', open);
        parts.push([a, bRange[0]]);
      } else {
        parts.push(...lo);
      }
    }
    this.i++;
    const set = normalize(parts);
    return negate ? complement(set) : set;
  }

  /** One class member: a literal, an escape, or a shorthand class. */
  private classChar(): CharSet {
    const ch = this.src[this.i] as string;
    if (ch === '\\') return this.escape(true);
    if (ch === '(' || ch === ')')
      this.fail('a regex without parentheses (CloudWatch Logs regexes have no groups)');
    if (!'^$?[]{}|*+.'.includes(ch)) this.literalCheck(ch);
    this.i++;
    return single(ch.charCodeAt(0));
  }

  private quantifier(): [number, number] {
    const ch = this.src[this.i];
    let q: [number, number] | null = null;
    if (ch === '*') q = [0, Number.POSITIVE_INFINITY];
    else if (ch === '+') q = [1, Number.POSITIVE_INFINITY];
    else if (ch === '?') q = [0, 1];
    if (q) {
      this.i++;
    } else if (ch === '{') {
      const m = /^\{(\d{1,4})(,(\d{0,4}))?\}/.exec(this.src.slice(this.i));
      if (!m) this.fail('a repetition {m}, {m,} or {m,n}');
      const min = Number(m[1]);
      const max = m[2] === undefined ? min : m[3] === '' ? Number.POSITIVE_INFINITY : Number(m[3]);
      if (min > MAX_REPEAT || (max !== Number.POSITIVE_INFINITY && max > MAX_REPEAT))
        this.fail(`repetition counts of at most ${MAX_REPEAT}`);
      if (max < min) this.fail('a repetition {m,n} with m <= n');
      this.i += m[0].length;
      q = [min, max];
    } else {
      return [1, 1];
    }
    if (this.src[this.i] === '?') this.i++; // lazy modifier: same language
    const next = this.src[this.i];
    if (next === '*' || next === '+' || next === '{' || next === '?') this.fail('one quantifier per item');
    return q;
  }
}

/**
 * Parses `source` (the text between the % signs; `offset` is its position in the whole pattern,
 * for error messages) and returns its search NFA. Throws PatternSyntaxError.
 */
export function compileRegex(source: string, offset = 0): Nfa {
  const alts = new RegexParser(source, offset).parse();
  try {
    const b = new NfaBuilder();
    const start = b.state();
    const accept = b.state();
    for (const alt of alts) {
      let cur = b.state();
      b.eps(start, cur);
      if (!alt.anchorStart) cur = b.repeat(cur, ANY, 0, Number.POSITIVE_INFINITY);
      for (const p of alt.pieces) cur = b.repeat(cur, p.set, p.min, p.max);
      if (!alt.anchorEnd) cur = b.repeat(cur, ANY, 0, Number.POSITIVE_INFINITY);
      b.eps(cur, accept);
    }
    return b.finish(start, accept);
  } catch (e) {
    if (e instanceof RangeError)
      throw new PatternSyntaxError(offset, 'a smaller regular expression (too many repetitions)');
    throw e;
  }
}

const cache = new Map<string, Nfa>();
/** Compiled NFA for an already validated regex source (memoised: patterns are evaluated often). */
export function regexNfa(source: string): Nfa {
  let nfa = cache.get(source);
  if (!nfa) {
    nfa = compileRegex(source);
    if (cache.size > 500) cache.clear();
    cache.set(source, nfa);
  }
  return nfa;
}
