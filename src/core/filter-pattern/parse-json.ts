/**
 * Parser for JSON patterns: `{ expr }` where `||` binds looser than `&&` and parentheses group
 * (AWS: "() > && > ||"). Nested operators of the same kind and redundant parentheses are
 * flattened, so the AST carries meaning, not layout.
 */
import type { JsonCondition, JsonExpr, JsonPattern, SelectorStep } from './ast';
import { charClass, type Scanner } from './scanner';

/** Characters of a property name: letters, digits, - and _. */
const NAME = charClass('A-Za-z0-9_-');

export function parseJsonPattern(s: Scanner, maxRegex: number): JsonPattern {
  s.expect('{');
  const expr = orExpr(s, maxRegex);
  s.expect('}', "'&&', '||' or '}' to close the JSON pattern");
  s.skipSpace();
  if (!s.done) s.fail('the end of the pattern after the closing }');
  return { kind: 'json', expr };
}

function combine(kind: 'and' | 'or', items: JsonExpr[]): JsonExpr {
  if (items.length === 1) return items[0] as JsonExpr;
  const flat: JsonExpr[] = [];
  for (const e of items) {
    if (e.kind === kind) flat.push(...e.items);
    else flat.push(e);
  }
  return { kind, items: flat };
}

function orExpr(s: Scanner, maxRegex: number): JsonExpr {
  const items = [andExpr(s, maxRegex)];
  while (s.eat('||')) items.push(andExpr(s, maxRegex));
  return combine('or', items);
}

function andExpr(s: Scanner, maxRegex: number): JsonExpr {
  const items = [unary(s, maxRegex)];
  while (s.eat('&&')) items.push(unary(s, maxRegex));
  return combine('and', items);
}

function unary(s: Scanner, maxRegex: number): JsonExpr {
  if (s.eat('(')) {
    const inner = orExpr(s, maxRegex);
    s.expect(')', "'&&', '||' or ')'");
    return inner;
  }
  return condition(s, maxRegex);
}

function selector(s: Scanner): SelectorStep[] {
  s.skipSpace();
  if (s.peek() !== '$') s.fail("a selector starting with '$.' or '('");
  s.pos++;
  const steps: SelectorStep[] = [];
  for (;;) {
    const ch = s.peek();
    if (ch === '.') {
      s.pos++;
      const start = s.pos;
      while (NAME(s.code())) s.pos++;
      if (s.pos === start) s.fail('a property name (letters, digits, - or _) after "."');
      steps.push(s.text.slice(start, s.pos));
    } else if (ch === '[') {
      if (steps.length === 0) s.fail("a property ('$.name') before an array index");
      s.pos++;
      const m = /^\d{1,9}/.exec(s.text.slice(s.pos));
      if (!m) s.fail('an array index (a non-negative integer)');
      s.pos += m[0].length;
      if (s.peek() !== ']') s.fail("']' to close the array index");
      s.pos++;
      steps.push(Number(m[0]));
    } else {
      break;
    }
  }
  if (steps.length === 0) s.fail("'.' and a property name after '$'");
  return steps;
}

function condition(s: Scanner, maxRegex: number): JsonCondition {
  const sel = selector(s);
  if (s.eatKeyword('IS')) {
    for (const test of ['NULL', 'TRUE', 'FALSE'] as const)
      if (s.eatKeyword(test)) return { kind: 'is', selector: sel, test };
    s.fail("NULL, TRUE or FALSE after 'IS'");
  }
  if (s.eatKeyword('NOT')) {
    if (s.eatKeyword('EXISTS')) return { kind: 'notExists', selector: sel };
    s.fail("EXISTS after 'NOT'");
  }
  for (const op of ['!=', '<=', '>=', '=', '<', '>'] as const) {
    if (!s.eat(op)) continue;
    s.skipSpace();
    const at = s.pos;
    const value = s.value(maxRegex);
    if (op === '=' || op === '!=') return { kind: 'compare', selector: sel, op, value };
    if (value.type !== 'number') s.fail(`a number after '${op}'`, at);
    return { kind: 'compare', selector: sel, op, value };
  }
  return s.fail('an operator (= != < > <= >=), IS NULL, IS TRUE, IS FALSE or NOT EXISTS');
}
