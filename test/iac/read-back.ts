/**
 * Reading generated IaC back the way the tools do. HCL goes through `@cdktf/hcl2json` (HashiCorp's HCL
 * parser compiled to WebAssembly), which returns Terraform's JSON syntax: a string there is a template,
 * so a literal `${` reads back as `$${` and an interpolation as `${expr}`; `literal` undoes the first
 * and refuses the second, `reference` accepts only the second. CloudFormation YAML is read with the `yaml`
 * package under both the YAML 1.2 core schema and YAML 1.1 (the one older parsers use), which must agree.
 */
import { parse as parseHclText } from '@cdktf/hcl2json';
import { parse as parseYaml } from 'yaml';

// biome-ignore lint/suspicious/noExplicitAny: hcl2json's output is untyped JSON, navigated by the tests.
export type TfJson = Record<string, any>;

export function parseHcl(text: string): Promise<TfJson> {
  return parseHclText('main.tf', text);
}

/** The value of a literal HCL string; throws if it holds an interpolation or a directive. */
export function literal(value: unknown): string {
  if (typeof value !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const rest = value.slice(i);
    if (rest.startsWith('$${') || rest.startsWith('%%{')) {
      out += `${rest.charAt(0)}{`;
      i += 2;
    } else if (rest.startsWith('${') || rest.startsWith('%{')) {
      throw new Error(`template sequence at ${i} in ${JSON.stringify(value)}`);
    } else out += value.charAt(i);
  }
  return out;
}

/** `${aws_sns_topic.t.arn}` -> `aws_sns_topic.t.arn`. */
export function reference(value: unknown): string {
  const m = typeof value === 'string' ? /^\$\{([A-Za-z0-9_.-]+)\}$/.exec(value) : null;
  if (!m?.[1]) throw new Error(`not a reference: ${JSON.stringify(value)}`);
  return m[1];
}

/** A JSON value read back from HCL: strings decoded, references as `{ ref: 'type.name.attr' }`. */
function decode(value: unknown): unknown {
  if (typeof value === 'string')
    return /^\$\{[A-Za-z0-9_.-]+\}$/.test(value) ? { ref: reference(value) } : literal(value);
  if (Array.isArray(value)) return value.map(decode);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [literal(k), decode(v)]));
  }
  return value;
}

/** The document inside `jsonencode(...)`, parsed again as an HCL object by the same parser. */
export async function jsonencoded(expression: unknown): Promise<unknown> {
  const m = typeof expression === 'string' ? /^\$\{jsonencode\(([\s\S]*)\)\}$/.exec(expression) : null;
  if (!m?.[1]) throw new Error(`not a jsonencode(...) expression: ${String(expression)}`);
  const parsed = await parseHcl(`v = ${m[1]}\n`);
  return decode(parsed.v);
}

/** The one block of `type`.`name` (hcl2json lists every block as an array). */
export function block(tf: TfJson, kind: 'resource' | 'data', type: string, name: string): TfJson {
  const found = tf[kind]?.[type]?.[name];
  if (!Array.isArray(found) || found.length !== 1) throw new Error(`no single ${kind} ${type}.${name}`);
  return found[0];
}

/** YAML as CloudFormation's parser reads it; the YAML 1.1 reading must be the same. */
export function parseCfnYaml(text: string): Record<string, unknown> {
  const modern = parseYaml(text) as Record<string, unknown>;
  const legacy = parseYaml(text, { version: '1.1' }) as Record<string, unknown>;
  expect(legacy).toEqual(modern);
  return modern;
}
