/** Parser and printer: the three pattern families, canonical printing, limits and error messages. */

import { CisBotError } from '../../src/core/errors';
import {
  MAX_PATTERN_LENGTH,
  type Pattern,
  PatternSyntaxError,
  parsePattern,
  printPattern,
} from '../../src/core/filter-pattern';

function syntaxError(text: string): PatternSyntaxError {
  try {
    parsePattern(text);
  } catch (e) {
    if (e instanceof PatternSyntaxError) return e;
    throw e;
  }
  throw new Error(`expected ${JSON.stringify(text)} not to parse`);
}

describe('parsePattern: JSON patterns', () => {
  it('reads selectors, operators and values into a typed AST', () => {
    expect(parsePattern('{ $.a.b[0][2].c >= -1.5e3 }')).toEqual({
      kind: 'json',
      expr: {
        kind: 'compare',
        selector: ['a', 'b', 0, 2, 'c'],
        op: '>=',
        value: { type: 'number', value: -1500 },
      },
    });
    expect(parsePattern('{$.x IS NULL && $.y is true || $.z NOT EXISTS}')).toEqual({
      kind: 'json',
      expr: {
        kind: 'or',
        items: [
          {
            kind: 'and',
            items: [
              { kind: 'is', selector: ['x'], test: 'NULL' },
              { kind: 'is', selector: ['y'], test: 'TRUE' },
            ],
          },
          { kind: 'notExists', selector: ['z'] },
        ],
      },
    });
  });

  it('gives quoted and unquoted words the same AST, and numbers their value', () => {
    expect(parsePattern('{ $.e = CreateTrail }')).toEqual(parsePattern('{ $.e = "CreateTrail" }'));
    expect(parsePattern('{ $.ip != 123.123.* }')).toEqual(parsePattern('{ $.ip != "123.123.*" }'));
    expect(parsePattern('{ $.n = +1000 }')).toEqual(parsePattern('{ $.n = 1e3 }'));
    expect(parsePattern('{ $.n = "1000" }')).not.toEqual(parsePattern('{ $.n = 1000 }'));
  });

  it('flattens redundant parentheses and nested operators of the same kind', () => {
    const flat = parsePattern('{ $.a = 1 && $.b = 2 && $.c = 3 }');
    expect(parsePattern('{ (($.a = 1) && (($.b = 2) && $.c = 3)) }')).toEqual(flat);
    expect(parsePattern('{ ($.a = 1 && $.b = 2) && ($.c = 3) }')).toEqual(flat);
  });

  it('binds && tighter than || (AWS: () > && > ||)', () => {
    const p = parsePattern('{ $.a = 1 || $.b = 2 && $.c = 3 }');
    expect(p).toMatchObject({ expr: { kind: 'or', items: [{ kind: 'compare' }, { kind: 'and' }] } });
  });

  it('skips any JavaScript whitespace and reads keywords in any case, as String.toUpperCase reads them', () => {
    const plain = parsePattern('{ $.a IS NULL && $.b NOT EXISTS }');
    expect(parsePattern('{\u00a0$.a\tis\u2028null\u3000&& $.b not ExIsTs\ufeff}')).toEqual(plain);
    // Beyond ASCII, upper-casing maps a few letters onto keyword letters (dotless i, long s).
    expect(parsePattern('{ $.a \u0131s NULL && $.b NOT EXI\u017fTS }')).toEqual(plain);
    expect(() => parsePattern('{ $.a ISX NULL }')).toThrow(PatternSyntaxError);
    expect(() => parsePattern('{ $.a = 1\u00a0x }')).toThrow(PatternSyntaxError);
  });

  it('accepts %regex% values and quoted strings with escapes', () => {
    expect(parsePattern('{ $.a = %^ab[c-e]+\\.x{2,3}$% }')).toMatchObject({
      expr: { value: { type: 'regex', source: '^ab[c-e]+\\.x{2,3}$' } },
    });
    expect(parsePattern('{ $.a = "say \\"hi\\" C:\\\\dir\\x" }')).toMatchObject({
      expr: { value: { type: 'string', text: 'say "hi" C:\\dir\\x' } },
    });
  });
});

describe('parsePattern: term and space-delimited patterns', () => {
  it('reads terms, phrases, ?OR terms, -exclusions and regexes', () => {
    expect(parsePattern('ERROR "Failed to process" ?WARN -"Exiting" %colou?r%')).toEqual({
      kind: 'terms',
      terms: [
        { mode: 'all', match: { type: 'phrase', text: 'ERROR' } },
        { mode: 'all', match: { type: 'phrase', text: 'Failed to process' } },
        { mode: 'any', match: { type: 'phrase', text: 'WARN' } },
        { mode: 'none', match: { type: 'phrase', text: 'Exiting' } },
        { mode: 'all', match: { type: 'regex', source: 'colou?r' } },
      ],
    });
    expect(parsePattern('"ERROR" - "Exiting"')).toEqual(parsePattern('ERROR -Exiting'));
    expect(parsePattern('')).toEqual({ kind: 'terms', terms: [] });
    expect(parsePattern('   ')).toEqual({ kind: 'terms', terms: [] });
  });

  it('reads space-delimited fields, ellipses and conditions naming other fields', () => {
    expect(parsePattern('[ip, user, ..., status_code = 4* && bytes > 1000, bytes]')).toEqual({
      kind: 'space',
      fields: [
        { kind: 'field', name: 'ip', condition: null },
        { kind: 'field', name: 'user', condition: null },
        { kind: 'ellipsis' },
        {
          kind: 'field',
          name: 'status_code',
          condition: {
            kind: 'and',
            items: [
              { kind: 'compare', name: 'status_code', op: '=', value: { type: 'string', text: '4*' } },
              { kind: 'compare', name: 'bytes', op: '>', value: { type: 'number', value: 1000 } },
            ],
          },
        },
        { kind: 'field', name: 'bytes', condition: null },
      ],
    });
  });
});

describe('printPattern', () => {
  it.each([
    [
      '{($.eventName=DisableKey)||($.eventName=ScheduleKeyDeletion)}',
      '{ $.eventName = "DisableKey" || $.eventName = "ScheduleKeyDeletion" }',
    ],
    [
      '{ $.s = kms.amazonaws.com && ($.a = 1 || $.b < 2) }',
      '{ $.s = "kms.amazonaws.com" && ($.a = 1 || $.b < 2) }',
    ],
    ['{ $.a[0].b IS FALSE }', '{ $.a[0].b IS FALSE }'],
    ['?ERROR ?WARN -debug', '?"ERROR" ?"WARN" -"debug"'],
    ['[a,b=x*||b=%^y%,...]', '[a, b = "x*" || b = %^y%, ...]'],
    ['[..., a = 4*,]', '[..., a = "4*", ]'],
    ['', ''],
  ])('prints %p canonically as %p, which parses back to the same AST', (text, canonical) => {
    const p = parsePattern(text);
    expect(printPattern(p)).toBe(canonical);
    expect(parsePattern(canonical)).toEqual(p);
  });
});

describe('syntax errors name the position and what was expected', () => {
  it.each([
    ['{ $.a = }', 8, /a value/],
    ['{ $.a == 1 }', 7, /a value/],
    ['{ ($.a = 1 }', 11, /'&&', '\|\|' or '\)'/],
    ['{ $.a = 1 ', 10, /'}'/],
    ['{ $.a = 1 } x', 12, /end of the pattern/],
    ['{ a = 1 }', 2, /selector starting with '\$\.'/],
    ['{ $[0] = 1 }', 3, /property/],
    ['{ $.a IS MAYBE }', 9, /NULL, TRUE or FALSE/],
    ['{ $.a NOT THERE }', 10, /EXISTS/],
    ['{ $.a < abc }', 8, /a number after '<'/],
    ['{ $.a = x@y }', 8, /double-quoted string/],
    ['{ $.a = "open }', 8, /closing double quote/],
    ['{ $.a = %ab }', 8, /closing '%'/],
    ['{ $.a = %a(b)% }', 10, /parentheses/],
    ['{ $.a = %a!% }', 10, /letters, digits/],
    ['{ $.a = %*a% }', 9, /something to repeat/],
    ['{ $.a = %a|% }', 11, /non-empty alternative/],
    ['{ $.a = %a{2000}% }', 10, /at most 1000/],
    ['{ $.a = %% }', 9, /regular expression between the % signs/],
    ['{ $.a = %x% || $.b = %y% || $.c = %z% }', 34, /at most 2 regular expressions/],
    ['?', 1, /a term/],
    ['[a, b = 1, c > x]', 15, /a number after '>'/],
    ['[a, b = 1 && z = 2]', 13, /no field 'z'/],
    ['[a b]', 3, /operator/],
  ])('%p fails at position %i', (text, position, expected) => {
    const e = syntaxError(text);
    expect(e).toBeInstanceOf(CisBotError);
    expect(e.code).toBe('PATTERN_SYNTAX');
    expect(e.position).toBe(position);
    expect(e.expected).toMatch(expected);
    expect(e.message).toContain(`at position ${position}`);
  });

  it(`rejects patterns longer than ${MAX_PATTERN_LENGTH} characters`, () => {
    const long = `{ ${Array.from({ length: 60 }, (_, i) => `$.eventName = Name${i}`).join(' || ')} }`;
    expect(long.length).toBeGreaterThan(MAX_PATTERN_LENGTH);
    const e = syntaxError(long);
    expect(e.position).toBe(MAX_PATTERN_LENGTH);
    expect(e.message).toMatch(/at most 1024 characters/);
    const p: Pattern = parsePattern('x'.repeat(MAX_PATTERN_LENGTH));
    expect(p.kind).toBe('terms');
  });
});
