/**
 * A CloudFormation template object as text. JSON is `JSON.stringify`. YAML is written with the `yaml`
 * package so that every YAML parser reads back exactly the same values, not only CloudFormation's:
 * - a string is left plain only when it is a word that means the same in YAML 1.1 and 1.2 (letters first,
 *   then letters, digits and `_ . / : -`, not ending in `:`, not `yes`/`no`/`on`/`off`/`true`/`null`...);
 *   anything else (a filter pattern, a date-like `2010-09-09`, `1e3`, `*`, text with `#` or `: `) is
 *   double-quoted with JSON-compatible escapes, never folded across lines;
 * - intrinsics are the long forms (`Ref:`, `Fn::GetAtt:`, `Fn::Sub:`), so no custom `!Ref` tags are needed;
 * - characters YAML does not allow raw or that YAML 1.1 parsers (CloudFormation's among them) read as a
 *   line break (DEL, C1 controls, NEL, U+2028/2029, a BOM, U+FFFE/FFFF) are written as `\uXXXX` escapes;
 * - comments (the header, a line above a resource) use `#` on every physical line, so no text can end a
 *   comment and become content.
 */
import { Document, isMap, isPair, isScalar, visit } from 'yaml';
import type { CfnValue } from './cloudformation-resources';

const PLAIN_WORD = /^[A-Za-z][A-Za-z0-9_./:-]*$/;
/** Plain scalars YAML 1.1 reads as booleans or null (1.2 reads fewer of them; quote them all). */
const RESERVED = /^(y|yes|n|no|on|off|true|false|null)$/i;

export function isPlainSafe(value: string): boolean {
  return PLAIN_WORD.test(value) && !value.endsWith(':') && !RESERVED.test(value);
}

/** Every line break of YAML 1.1 (1.2 has only CR and LF). */
const LINE_BREAKS = /\r\n|[\r\n\u0085\u2028\u2029]/;
/**
 * What may still be raw after JSON-style double quoting (which escapes only C0 controls, `"` and `\`) but
 * must not be: only double-quoted scalars and comments can hold such characters, and in both an escape
 * written as text is safe (in a comment it is just text).
 */
const NOT_RAW = /[\u007f-\u009f\u2028\u2029\ufeff\ufffe\uffff]/g;

function commentText(lines: readonly string[]): string {
  // yaml writes `#` before each line of a comment; a leading space keeps `# text` readable.
  return lines
    .flatMap((l) => l.split(LINE_BREAKS))
    .map((l) => (l ? ` ${l}` : ''))
    .join('\n');
}

export function templateJson(template: CfnValue): string {
  return `${JSON.stringify(template, null, 2)}\n`;
}

export function templateYaml(
  template: CfnValue,
  header: readonly string[],
  resourceComments: ReadonlyMap<string, readonly string[]>,
): string {
  // CloudFormation's YAML has no anchors or aliases: a value used twice is written twice.
  const doc = new Document(template, { aliasDuplicateObjects: false });
  visit(doc, {
    Scalar(_key, node) {
      if (typeof node.value === 'string' && !isPlainSafe(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  if (header.length > 0) doc.commentBefore = commentText(header);
  const resources = doc.get('Resources');
  if (isMap(resources)) {
    for (const pair of resources.items) {
      if (!isPair(pair) || !isScalar(pair.key)) continue;
      const lines = resourceComments.get(String(pair.key.value));
      if (lines && lines.length > 0) pair.key.commentBefore = commentText(lines);
    }
  }
  const text = doc.toString({ lineWidth: 0, minContentWidth: 0, doubleQuotedAsJSON: true, indentSeq: true });
  return text.replace(NOT_RAW, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
