/**
 * Serialization between handler values and the two wire encodings: JSON (timestamps as epoch seconds)
 * and the query protocol (form-encoded requests with `.member.N` / `.entry.N` flattening, XML answers
 * with `<member>` lists, `<entry><key/><value/></entry>` maps and ISO-8601 timestamps).
 * Handlers return plain objects; a JS `Map` marks an AWS map, a `Date` a timestamp.
 */

/** JSON value for the AWS JSON protocols: Date -> epoch seconds, Map -> object, undefined dropped. */
export function toJsonValue(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value.getTime() / 1000;
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toJsonValue(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
  return out;
}

const ENTITIES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/** XML for one element of a query-protocol answer. */
export function toXml(name: string, value: unknown): string {
  if (value === undefined || value === null) return '';
  if (value instanceof Date) return `<${name}>${value.toISOString()}</${name}>`;
  if (value instanceof Map) {
    let inner = '';
    for (const [k, v] of value) inner += `<entry>${toXml('key', String(k))}${toXml('value', v)}</entry>`;
    return `<${name}>${inner}</${name}>`;
  }
  if (Array.isArray(value)) return `<${name}>${value.map((v) => toXml('member', v)).join('')}</${name}>`;
  if (typeof value === 'object') {
    const inner = Object.entries(value)
      .map(([k, v]) => toXml(k, v))
      .join('');
    return `<${name}>${inner}</${name}>`;
  }
  return `<${name}>${escapeXml(String(value))}</${name}>`;
}

type Tree = { [key: string]: Tree | string };

/**
 * Decodes a query-protocol form into nested values: `A.member.2.B=x` -> `{A: [, {B: 'x'}]}`,
 * `A.entry.1.key=k&A.entry.1.value=v` -> `{A: {k: 'v'}}`, `A=` (an empty list) -> `{A: ''}` which the
 * readers treat as []. Scalars stay strings; handlers coerce numbers and booleans.
 */
export function decodeForm(params: URLSearchParams): Record<string, unknown> {
  const root: Tree = {};
  for (const [key, value] of params) {
    if (key === 'Action' || key === 'Version') continue;
    const parts = key.split('.');
    let node: Tree = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const next = node[part];
      if (typeof next === 'object') node = next;
      else {
        const created: Tree = {};
        node[part] = created;
        node = created;
      }
    });
  }
  return normalize(root) as Record<string, unknown>;
}

function normalize(node: Tree | string): unknown {
  if (typeof node === 'string') return node;
  const keys = Object.keys(node);
  if (keys.length === 1 && keys[0] === 'member') {
    const members = node.member as Tree;
    return Object.keys(members)
      .sort((a, b) => Number(a) - Number(b))
      .map((k) => normalize(members[k] as Tree | string));
  }
  if (keys.length === 1 && keys[0] === 'entry') {
    const entries = node.entry as Tree;
    const map: Record<string, unknown> = {};
    for (const k of Object.keys(entries).sort((a, b) => Number(a) - Number(b))) {
      const e = entries[k] as Tree;
      const key = (e.key ?? e.Name ?? e.Key) as string | undefined;
      if (key !== undefined) map[key] = normalize((e.value ?? e.Value ?? '') as Tree | string);
    }
    return map;
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = normalize(node[k] as Tree | string);
  return out;
}
