/**
 * Parser for space-delimited patterns: `[name, name = value, ..., name > 5 && other != x]`.
 * A slot is `...` (any number of fields), a bare name, or a condition expression whose first
 * comparison names the slot (AWS: `[..., status_code = 4* && bytes > 1000]`). A trailing comma is
 * an empty slot: an anonymous field (AWS's example `[..., request=*.html*, status_code=4*,]`
 * extracts a 7th field `$7` from a 7-field line, so the slot after the trailing comma counts).
 * Conditions may name any field of the pattern.
 */
import type { ComparisonOp, SpaceExpr, SpaceField, SpacePattern } from './ast';
import type { Scanner } from './scanner';

const NAME = /[A-Za-z0-9_$]/;

export function parseSpacePattern(s: Scanner, maxRegex: number): SpacePattern {
  s.expect('[');
  const fields: SpaceField[] = [];
  const uses: { name: string; at: number }[] = [];
  for (;;) {
    s.skipSpace();
    const empty = s.peek() === ',' || (s.peek() === ']' && fields.length > 0);
    if (empty) fields.push({ kind: 'field', name: '', condition: null });
    else if (s.eat('...')) fields.push({ kind: 'ellipsis' });
    else fields.push(slot(s, maxRegex, uses));
    if (s.eat(',')) continue;
    s.skipSpace();
    if (s.peek() !== ']') s.fail("',' or ']'");
    break;
  }
  s.expect(']');
  s.skipSpace();
  if (!s.done) s.fail('the end of the pattern after the closing ]');
  const names = new Set(fields.flatMap((f) => (f.kind === 'field' ? [f.name] : [])));
  for (const u of uses)
    if (!names.has(u.name)) s.fail(`a field named in this pattern (no field '${u.name}')`, u.at);
  return { kind: 'space', fields };
}

function name(s: Scanner): string {
  s.skipSpace();
  const start = s.pos;
  while (NAME.test(s.peek())) s.pos++;
  if (s.pos === start) s.fail("a field name, '...' or ']'");
  return s.text.slice(start, s.pos);
}

function slot(s: Scanner, maxRegex: number, uses: { name: string; at: number }[]): SpaceField {
  s.skipSpace();
  const save = s.pos;
  if (s.peek() !== '(') {
    const n = name(s);
    s.skipSpace();
    const next = s.peek();
    if (next === ',' || next === ']') return { kind: 'field', name: n, condition: null };
    s.pos = save;
  }
  const condition = orExpr(s, maxRegex, uses);
  let first: SpaceExpr = condition;
  while (first.kind !== 'compare') first = first.items[0] as SpaceExpr;
  return { kind: 'field', name: first.name, condition };
}

function combine(kind: 'and' | 'or', items: SpaceExpr[]): SpaceExpr {
  const flat = items.flatMap((e) => (e.kind === kind ? e.items : [e]));
  return flat.length === 1 ? (flat[0] as SpaceExpr) : { kind, items: flat };
}

function orExpr(s: Scanner, maxRegex: number, uses: { name: string; at: number }[]): SpaceExpr {
  const items = [andExpr(s, maxRegex, uses)];
  while (s.eat('||')) items.push(andExpr(s, maxRegex, uses));
  return combine('or', items);
}

function andExpr(s: Scanner, maxRegex: number, uses: { name: string; at: number }[]): SpaceExpr {
  const items = [unary(s, maxRegex, uses)];
  while (s.eat('&&')) items.push(unary(s, maxRegex, uses));
  return combine('and', items);
}

function unary(s: Scanner, maxRegex: number, uses: { name: string; at: number }[]): SpaceExpr {
  if (s.eat('(')) {
    const inner = orExpr(s, maxRegex, uses);
    s.expect(')', "'&&', '||' or ')'");
    return inner;
  }
  s.skipSpace();
  const at = s.pos;
  const n = name(s);
  uses.push({ name: n, at });
  for (const op of ['!=', '<=', '>=', '=', '<', '>'] as ComparisonOp[]) {
    if (!s.eat(op)) continue;
    s.skipSpace();
    const vAt = s.pos;
    const value = s.value(maxRegex);
    if (op !== '=' && op !== '!=' && value.type !== 'number') s.fail(`a number after '${op}'`, vAt);
    return { kind: 'compare', name: n, op, value };
  }
  return s.fail("an operator (= != < > <= >=), ',' or ']'");
}
