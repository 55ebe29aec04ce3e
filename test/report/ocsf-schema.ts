/**
 * A small OCSF validator driven by definition files, not by expectations written for cis-bot's output:
 * the class (events/findings/compliance_finding.json) and what it extends (finding.json) and the objects
 * it holds (compliance, finding_info, metadata) are the pinned copies from the OCSF schema project in
 * test/fixtures/ocsf/ocsf-schema; base_event, the dictionary's attribute types and the objects the index
 * could not give come from test/fixtures/ocsf/supplement.json (transcribed from OCSF 1.5.0, see README).
 * It checks what OCSF defines: required attributes (and those of an applied profile), that every
 * attribute is defined for its class or object (unknown data belongs in `unmapped`), attribute types,
 * enum values of `*_id` attributes and their caption siblings, the class and category ids and names, and
 * type_uid = class_uid * 100 + activity_id.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface AttributeDef {
  requirement?: string;
  enum?: Record<string, { caption: string }>;
  profile?: string | null;
}
interface Definition {
  uid?: number;
  caption?: string;
  category?: string;
  extends?: string;
  attributes: Record<string, AttributeDef>;
}
interface Supplement {
  categories: Record<string, { uid: number; caption: string }>;
  types: Record<string, string>;
  dictionary: Record<string, { type: string; is_array?: boolean; sibling?: string }>;
  base_event: Definition;
  objects: Record<string, Definition>;
}

const ROOT = join(__dirname, '..', 'fixtures', 'ocsf');
const SCHEMA = join(ROOT, 'ocsf-schema');
const supplement = JSON.parse(readFileSync(join(ROOT, 'supplement.json'), 'utf8')) as Supplement;

function readDefinition(path: string): Definition {
  const def = JSON.parse(readFileSync(path, 'utf8')) as Definition;
  // `$include` pulls a profile's attributes in: cis-bot applies none of finding's (incident), so skip them.
  const { $include: _include, ...attributes } = def.attributes as Record<string, AttributeDef> & {
    $include?: unknown;
  };
  return { ...def, attributes };
}

/** Parent attributes first, each overridden field by field by the child's entry of the same name. */
function merge(parent: Definition, child: Definition): Definition {
  const attributes: Record<string, AttributeDef> = { ...parent.attributes };
  for (const [name, def] of Object.entries(child.attributes))
    attributes[name] = { ...parent.attributes[name], ...def };
  return { ...parent, ...child, attributes };
}

function eventClass(name: string): Definition {
  if (name === 'base_event') return supplement.base_event;
  const def = readDefinition(join(SCHEMA, 'events', 'findings', `${name}.json`));
  return def.extends ? merge(eventClass(def.extends), def) : def;
}

function objectDef(name: string): Definition {
  const file = join(SCHEMA, 'objects', `${name}.json`);
  if (existsSync(file)) {
    const def = readDefinition(file);
    return def.extends && def.extends !== 'object' ? merge(objectDef(def.extends), def) : def;
  }
  const def = supplement.objects[name];
  if (!def) throw new Error(`no definition of the OCSF object ${name}`);
  return def;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function checkValue(type: string, value: unknown, path: string, profiles: string[], out: string[]): void {
  const base = supplement.types[type];
  if (base === 'string') {
    if (typeof value !== 'string') out.push(`${path}: expected a string (${type})`);
  } else if (base === 'integer') {
    if (!Number.isInteger(value)) out.push(`${path}: expected an integer (${type})`);
  } else if (base === 'number') {
    if (typeof value !== 'number') out.push(`${path}: expected a number (${type})`);
  } else if (base === 'boolean') {
    if (typeof value !== 'boolean') out.push(`${path}: expected a boolean (${type})`);
  } else if (base === 'object') {
    if (!isObject(value)) out.push(`${path}: expected an object`);
  } else if (!isObject(value)) {
    out.push(`${path}: expected a ${type} object`);
  } else {
    checkAttributes(objectDef(type), value, path, profiles, out);
  }
}

function checkAttributes(
  def: Definition,
  value: Record<string, unknown>,
  path: string,
  profiles: string[],
  out: string[],
): void {
  for (const [name, attr] of Object.entries(def.attributes)) {
    const applies = !attr.profile || profiles.includes(attr.profile);
    if (attr.requirement === 'required' && applies && value[name] === undefined)
      out.push(`${path}.${name}: required`);
  }
  for (const [name, v] of Object.entries(value)) {
    const at = `${path}.${name}`;
    const attr = def.attributes[name];
    if (!attr) {
      out.push(`${at}: not an attribute of ${def.caption ?? 'this object'}`);
      continue;
    }
    if (attr.profile && !profiles.includes(attr.profile))
      out.push(`${at}: needs the ${attr.profile} profile`);
    const entry = supplement.dictionary[name];
    if (!entry) {
      out.push(`${at}: no type known for this attribute`);
      continue;
    }
    if (entry.is_array && !Array.isArray(v)) out.push(`${at}: expected an array`);
    const items: unknown[] = entry.is_array ? (Array.isArray(v) ? v : []) : [v];
    for (const [i, item] of items.entries())
      checkValue(entry.type, item, entry.is_array ? `${at}[${i}]` : at, profiles, out);
    if (attr.enum) {
      const option = attr.enum[String(v)];
      if (!option) out.push(`${at}: ${String(v)} is not one of ${Object.keys(attr.enum).join(', ')}`);
      const sibling = entry.sibling;
      if (option && sibling && value[sibling] !== undefined && value[sibling] !== option.caption)
        out.push(
          `${path}.${sibling}: "${String(value[sibling])}" is not the caption of ${name} ${String(v)} ("${option.caption}")`,
        );
    }
  }
}

/** Every way `event` departs from the OCSF class `className` (empty: it conforms). */
export function ocsfProblems(event: unknown, className = 'compliance_finding'): string[] {
  const out: string[] = [];
  if (!isObject(event)) return ['event: expected an object'];
  const def = eventClass(className);
  const category = supplement.categories[def.category ?? ''];
  if (!category || def.uid === undefined) return [`${className}: no category or uid in its definition`];
  const metadata = isObject(event.metadata) ? event.metadata : {};
  const profiles = Array.isArray(metadata.profiles) ? (metadata.profiles as string[]) : [];
  checkAttributes(def, event, 'event', profiles, out);
  const classUid = category.uid * 1000 + def.uid;
  if (event.class_uid !== classUid)
    out.push(`event.class_uid: ${String(event.class_uid)}, the class is ${classUid}`);
  if (event.class_name !== undefined && event.class_name !== def.caption)
    out.push(`event.class_name: "${String(event.class_name)}" is not "${def.caption}"`);
  if (event.category_uid !== category.uid)
    out.push(`event.category_uid: ${String(event.category_uid)}, not ${category.uid}`);
  if (event.category_name !== undefined && event.category_name !== category.caption)
    out.push(`event.category_name: "${String(event.category_name)}" is not "${category.caption}"`);
  if (event.type_uid !== classUid * 100 + Number(event.activity_id))
    out.push(`event.type_uid: ${String(event.type_uid)} is not class_uid * 100 + activity_id`);
  return out;
}
