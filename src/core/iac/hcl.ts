/**
 * HCL native syntax, as far as the Terraform writer needs it: expressions (quoted strings, numbers,
 * booleans, null, references, lists, objects, function calls), blocks, and comments, printed the way
 * `terraform fmt` lays them out (two-space indents, `=` aligned within a run of one-line attributes).
 *
 * Quoting is the part that must be exact. In a quoted HCL string `"` and `\` are escaped with a backslash,
 * control characters as `\n`, `\r`, `\t` or `\uNNNN`, and the template sequences `${` and `%{` (which would
 * start an interpolation or a directive) are doubled to `$${` and `%%{`. Nothing else is touched, so a
 * CloudWatch filter pattern such as `{ ($.errorCode = "*X") || ... }` reads back character for character.
 */

export type HclExpr =
  | { t: 'string'; value: string }
  | { t: 'number'; value: number }
  | { t: 'bool'; value: boolean }
  | { t: 'null' }
  /** A traversal written as is: `aws_sns_topic.alerts.arn`, `var.queue_arn`, `aws.eu_west_2`. */
  | { t: 'reference'; text: string }
  | { t: 'list'; items: HclExpr[] }
  /** An object constructor (keys bare when they are plain identifiers, else quoted). */
  | { t: 'object'; entries: Array<[string, HclExpr]> }
  | { t: 'call'; name: string; args: HclExpr[] };

export type HclBodyItem = { attribute: string; value: HclExpr } | { block: HclBlock };

export interface HclBlock {
  type: string;
  labels: string[];
  /** Comment lines written above the block. */
  comment?: string[];
  body: HclBodyItem[];
}

export const hcl = {
  string: (value: string): HclExpr => ({ t: 'string', value }),
  number: (value: number): HclExpr => ({ t: 'number', value }),
  bool: (value: boolean): HclExpr => ({ t: 'bool', value }),
  reference: (text: string): HclExpr => ({ t: 'reference', text }),
  list: (items: HclExpr[]): HclExpr => ({ t: 'list', items }),
  attr: (attribute: string, value: HclExpr): HclBodyItem => ({ attribute, value }),
  block: (type: string, labels: string[], body: HclBodyItem[], comment?: string[]): HclBodyItem => ({
    block: { type, labels, body, ...(comment ? { comment } : {}) },
  }),
};

const ESCAPES: Record<string, string> = { '"': '\\"', '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** A quoted HCL string whose value is exactly `value` (no interpolation, no directive). */
export function quoteHcl(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charAt(i);
    const next = value.charAt(i + 1);
    const escaped = ESCAPES[c];
    if (escaped !== undefined) out += escaped;
    else if ((c === '$' || c === '%') && next === '{') out += c + c;
    else if (c < ' ' || c === '\x7f') out += `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    else out += c;
  }
  return `${out}"`;
}

/**
 * An object key: bare when it is a plain identifier, which HCL reads as that literal string (`source`,
 * `Version`), quoted otherwise (`"detail-type"`, `"aws:SourceArn"`). `true`, `false` and `null` are
 * quoted so they are never read as values, and `for`/`in`/`if` so `{ for = ... }` never starts a for
 * expression.
 */
function objectKey(key: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(key) && !/^(true|false|null|for|in|if)$/.test(key)
    ? key
    : quoteHcl(key);
}

function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`HCL cannot hold the number ${value}`);
  return String(value);
}

/** Lists this short (on one line) stay on one line, like `alarm_actions = [aws_sns_topic.t.arn]`. */
const INLINE_LIMIT = 80;

function inline(expr: HclExpr): string | undefined {
  switch (expr.t) {
    case 'string':
      return quoteHcl(expr.value);
    case 'number':
      return numberText(expr.value);
    case 'bool':
      return String(expr.value);
    case 'null':
      return 'null';
    case 'reference':
      return expr.text;
    case 'list': {
      const items = expr.items.map(inline);
      if (items.some((i) => i === undefined)) return undefined;
      const text = `[${items.join(', ')}]`;
      return text.length <= INLINE_LIMIT ? text : undefined;
    }
    case 'object':
      return expr.entries.length === 0 ? '{}' : undefined;
    case 'call': {
      const args = expr.args.map(inline);
      return args.some((a) => a === undefined) ? undefined : `${expr.name}(${args.join(', ')})`;
    }
    default: {
      const unreachable: never = expr;
      throw new Error(`unknown HCL expression ${JSON.stringify(unreachable)}`);
    }
  }
}

function pad(level: number): string {
  return '  '.repeat(level);
}

/** The expression's text; continuation lines are indented for `level`. */
function expression(expr: HclExpr, level: number): string {
  const one = inline(expr);
  if (one !== undefined) return one;
  if (expr.t === 'list') {
    const items = expr.items.map((item) => `${pad(level + 1)}${expression(item, level + 1)},`);
    return `[\n${items.join('\n')}\n${pad(level)}]`;
  }
  if (expr.t === 'object') {
    const entries = expr.entries.map(([k, v]) => ({ key: objectKey(k), text: expression(v, level + 1) }));
    return `{\n${aligned(entries, level + 1).join('\n')}\n${pad(level)}}`;
  }
  if (expr.t === 'call') {
    return `${expr.name}(${expr.args.map((a) => expression(a, level)).join(', ')})`;
  }
  throw new Error(`HCL expression ${expr.t} has no multi-line form`);
}

/** `key = value` lines, with `=` aligned across each run of one-line values (as terraform fmt does). */
function aligned(entries: Array<{ key: string; text: string }>, level: number): string[] {
  const lines: string[] = [];
  let run: Array<{ key: string; text: string }> = [];
  const flush = () => {
    const width = Math.max(0, ...run.map((e) => e.key.length));
    for (const e of run) lines.push(`${pad(level)}${e.key.padEnd(width)} = ${e.text}`);
    run = [];
  };
  for (const e of entries) {
    run.push(e);
    if (e.text.includes('\n')) flush();
  }
  flush();
  return lines;
}

function commentLines(comment: readonly string[], level: number): string[] {
  // One `#` per physical line, so no text of a comment can end it and become code.
  return comment
    .flatMap((c) => c.split(/\r\n|\r|\n/))
    .map((line) => `${pad(level)}#${line ? ` ${line}` : ''}`);
}

function blockText(block: HclBlock, level: number): string[] {
  const head = [block.type, ...block.labels.map(quoteHcl)].join(' ');
  const lines = [...commentLines(block.comment ?? [], level), `${pad(level)}${head} {`];
  let attrs: Array<{ key: string; text: string }> = [];
  const flushAttrs = () => {
    lines.push(...aligned(attrs, level + 1));
    attrs = [];
  };
  for (const item of block.body) {
    if ('attribute' in item) {
      attrs.push({ key: item.attribute, text: expression(item.value, level + 1) });
    } else {
      flushAttrs();
      lines.push('', ...blockText(item.block, level + 1));
    }
  }
  flushAttrs();
  lines.push(`${pad(level)}}`);
  return lines;
}

/** A whole file: header comment lines, then the blocks separated by blank lines. */
export function hclFile(header: readonly string[], blocks: readonly HclBlock[]): string {
  const parts = [commentLines(header, 0).join('\n'), ...blocks.map((b) => blockText(b, 0).join('\n'))];
  return `${parts.filter((p) => p !== '').join('\n\n')}\n`;
}
