/**
 * A cursor over the pattern text shared by the three parsers: whitespace skipping, quoted strings,
 * `%regex%` values, unquoted values, and errors that name the position and what was expected.
 */
import type { NumberValue, RegexValue, StringValue } from './ast';
import { PatternSyntaxError } from './errors';
import { compileRegex } from './regex';

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
/** Characters an unquoted value may contain (AWS: anything else must be in double quotes). */
const UNQUOTED = /[A-Za-z0-9_.*:/+-]/;

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
  skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos] as string)) this.pos++;
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
    const slice = this.text.slice(this.pos, this.pos + word.length);
    if (slice.toUpperCase() !== word) return false;
    if (/[A-Za-z0-9_]/.test(this.text[this.pos + word.length] ?? '')) return false;
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
    while (this.pos < this.text.length && UNQUOTED.test(this.text[this.pos] as string)) this.pos++;
    const word = this.text.slice(start, this.pos);
    if (word === '') this.fail('a value (a quoted string, a number, a word, * or a %regex%)');
    const next = this.peek();
    if (next !== '' && !/[\s(){}[\]&|,]/.test(next)) {
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
