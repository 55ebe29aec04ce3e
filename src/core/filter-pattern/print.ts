/**
 * Canonical printer: one spelling per meaning (strings always double-quoted, numbers in their
 * shortest form, single spaces, parentheses only where `||` sits inside `&&`).
 * parsePattern(printPattern(p)) deep-equals p.
 */
import type {
  JsonCondition,
  JsonExpr,
  Pattern,
  SelectorStep,
  SpaceExpr,
  SpaceField,
  Term,
  Value,
} from './ast';

/** Canonical forms already printed, per parsed pattern (memoised parses bring the same objects back). */
const printed = new WeakMap<Pattern, string>();

/** printPattern, remembered per pattern object (patterns are never changed once parsed). */
export function printPatternCached(p: Pattern): string {
  let text = printed.get(p);
  if (text === undefined) {
    text = printPattern(p);
    printed.set(p, text);
  }
  return text;
}

export function printPattern(p: Pattern): string {
  switch (p.kind) {
    case 'json':
      return `{ ${printJsonExpr(p.expr, false)} }`;
    case 'terms':
      return p.terms.map(printTerm).join(' ');
    case 'space':
      return `[${p.fields.map(printField).join(', ')}]`;
    default:
      return assertNever(p);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected pattern node ${JSON.stringify(x)}`);
}

export function quote(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function printValue(v: Value): string {
  switch (v.type) {
    case 'string':
      return quote(v.text);
    case 'number':
      return String(v.value);
    case 'regex':
      return `%${v.source}%`;
    default:
      return assertNever(v);
  }
}

export function printSelector(steps: readonly SelectorStep[]): string {
  return `$${steps.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}`;
}

export function printCondition(c: JsonCondition): string {
  const sel = printSelector(c.selector);
  switch (c.kind) {
    case 'compare':
      return `${sel} ${c.op} ${printValue(c.value)}`;
    case 'is':
      return `${sel} IS ${c.test}`;
    case 'notExists':
      return `${sel} NOT EXISTS`;
    default:
      return assertNever(c);
  }
}

function printJsonExpr(e: JsonExpr, insideAnd: boolean): string {
  if (e.kind === 'or') {
    const body = e.items.map((i) => printJsonExpr(i, false)).join(' || ');
    return insideAnd ? `(${body})` : body;
  }
  if (e.kind === 'and') return e.items.map((i) => printJsonExpr(i, true)).join(' && ');
  return printCondition(e);
}

function printTerm(t: Term): string {
  const prefix = t.mode === 'any' ? '?' : t.mode === 'none' ? '-' : '';
  return prefix + (t.match.type === 'phrase' ? quote(t.match.text) : `%${t.match.source}%`);
}

function printSpaceExpr(e: SpaceExpr, insideAnd: boolean): string {
  if (e.kind === 'or') {
    const body = e.items.map((i) => printSpaceExpr(i, false)).join(' || ');
    return insideAnd ? `(${body})` : body;
  }
  if (e.kind === 'and') return e.items.map((i) => printSpaceExpr(i, true)).join(' && ');
  return `${e.name} ${e.op} ${printValue(e.value)}`;
}

function printField(f: SpaceField): string {
  if (f.kind === 'ellipsis') return '...';
  return f.condition ? printSpaceExpr(f.condition, false) : f.name;
}
