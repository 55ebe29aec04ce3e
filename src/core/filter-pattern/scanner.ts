/**
 * A cursor over the pattern text shared by the three parsers: whitespace skipping, quoted strings,
 * `%regex%` values, unquoted values, and errors that name the position and what was expected.
 */
import type { NumberValue, RegexValue, StringValue } from './ast';
import { PatternSyntaxError } from './errors';
import { compileRegex } from './regex';

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A test for membership of a character code in an ASCII class written like a regex class body
 * (`A-Za-z0-9_-`; a `-` first or last is literal): one array read per character instead of a regex
 * run, in the loops that scan every character of a pattern.
 */
export function charClass(body: string): (code: number) => boolean {
  const table = new Uint8Array(128);
  for (let i = 0; i < body.length; i++) {
    const lo = body.charCodeAt(i);
    if (body[i + 1] === '-' && i + 2 < body.length) {
      for (let c = lo; c <= body.charCodeAt(i + 2); c++) table[c] = 1;
      i += 2;
    } else {
      table[lo] = 1;
    }
  }
  return (code) => code < 128 && table[code] === 1;
}

/** Characters an unquoted value may contain (AWS: anything else must be in double quotes). */
const UNQUOTED = charClass('A-Za-z0-9_.*:/+-');
/** Characters that continue a keyword (so `ISX` is not `IS`). */
const WORD = charClass('A-Za-z0-9_');
/** Characters that may follow an unquoted value. */
const AFTER_VALUE = charClass('(){}[]&|,');

/** JavaScript's `\s`, with the common ASCII cases answered without a regex. */
function isSpace(code: number): boolean {
  if (code === 32 || (code >= 9 && code <= 13)) return true;
  return code > 127 && /\s/.test(String.fromCharCode(code));
}

export class Scanner {
  pos = 0;
  regexCount = 0;
  constructor(readonly text: string) {}

  get done(): boolean {
    return this.pos >= this.text.length;
  }
  peek(offset = 0): string {
    return this.text[this.pos + offset] ?? '';
  }
  /** The code unit at the cursor, NaN at the end (which no character class contains). */
  code(): number {
    return this.text.charCodeAt(this.pos);
  }
  skipSpace(): void {
    while (this.pos < this.text.length && isSpace(this.text.charCodeAt(this.pos))) this.pos++;
  }
  /** Consumes `token` (after whitespace) when present. */
  eat(token: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(token, this.pos)) {
      this.pos += token.length;
      return true;
    }
    return false;
  }
  /** Consumes a case-insensitive keyword that is not followed by a letter. */
  eatKeyword(word: string): boolean {
    this.skipSpace();
    for (let i = 0; i < word.length; i++) {
      const c = this.text.charCodeAt(this.pos + i);
      // Beyond ASCII, toUpperCase has surprises (`ı` -> `I`, `ſ` -> `S`) that we keep as they were.
      if (c > 127) return this.eatKeywordAsUpperCase(word);
      if ((c >= 97 && c <= 122 ? c - 32 : c) !== word.charCodeAt(i)) return false;
    }
    if (WORD(this.text.charCodeAt(this.pos + word.length))) return false;
    this.pos += word.length;
    return true;
  }
  private eatKeywordAsUpperCase(word: string): boolean {
    if (this.text.slice(this.pos, this.pos + word.length).toUpperCase() !== word) return false;
    if (WORD(this.text.charCodeAt(this.pos + word.length))) return false;
    this.pos += word.length;
    return true;
  }
  expect(token: string, what = `'${token}'`): void {
    if (!this.eat(token)) this.fail(what);
  }
  found(at = this.pos): string {
    if (at >= this.text.length) return '';
    const m = /^\S{1,12}/.exec(this.text.slice(at));
    return JSON.stringify(m ? m[0] : this.text[at]);
  }
  fail(expected: string, at = this.pos): never {
    throw new PatternSyntaxError(at, expected, this.found(at));
  }

  /** A double-quoted string; `\"` and `\\` are escapes, any other backslash is kept literally. */
  quoted(): string {
    const open = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      const ch = this.text[this.pos];
      if (ch === undefined)
        throw new PatternSyntaxError(open, 'a closing double quote for this string', this.found(open));
      if (ch === '"') {
        this.pos++;
        return out;
      }
      if (ch === '\\' && (this.text[this.pos + 1] === '"' || this.text[this.pos + 1] === '\\')) {
        out += this.text[this.pos + 1];
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
  }

  /** `%regex%`: validated and counted against the per-pattern limit. */
  regex(maxPerPattern: number): RegexValue {
    const open = this.pos;
    const close = this.text.indexOf('%', open + 1);
    if (close < 0)
      throw new PatternSyntaxError(open, "a closing '%' for this regular expression", this.found(open));
    const source = this.text.slice(open + 1, close);
    compileRegex(source, open + 1);
    this.regexCount++;
    if (this.regexCount > maxPerPattern) {
      throw new PatternSyntaxError(
        open,
        `at most ${maxPerPattern} regular expressions per pattern`,
        this.found(open),
      );
    }
    this.pos = close + 1;
    return { type: 'regex', source };
  }

  /**
   * A comparison value: quoted string, `%regex%`, or an unquoted word, which is a number when it
   * reads as one (sign, decimals, exponent) and a string otherwise. `extraStop` lists characters
   * that end an unquoted value in this context.
   */
  value(maxRegex: number): StringValue | NumberValue | RegexValue {
    this.skipSpace();
    const ch = this.peek();
    if (ch === '"') return { type: 'string', text: this.quoted() };
    if (ch === '%') return this.regex(maxRegex);
    const start = this.pos;
    while (UNQUOTED(this.code())) this.pos++;
    const word = this.text.slice(start, this.pos);
    if (word === '') this.fail('a value (a quoted string, a number, a word, * or a %regex%)');
    const next = this.code();
    if (!Number.isNaN(next) && !isSpace(next) && !AFTER_VALUE(next)) {
      this.fail(
        'a double-quoted string for a value with characters other than letters, digits and _ . - * : / +',
        start,
      );
    }
    if (NUMBER.test(word)) {
      const value = Number(word);
      if (!Number.isFinite(value)) this.fail('a number within the double-precision range', start);
      return { type: 'number', value: value === 0 ? 0 : value };
    }
    return { type: 'string', text: word };
  }
}
