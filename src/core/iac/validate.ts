/**
 * Checks a document before either writer turns it into text, so both refuse the same mistakes with the
 * same message: ids and their converted names, regions, references (to a node that exists, with an
 * attribute its kind offers), and values no language can carry exactly (lone UTF-16 surrogates, numbers
 * that are not finite). A failure is a programming error of whoever built the document: IacModelError.
 */
import { CisBotError } from '../errors';
import { parseTopicArn } from '../snapshot';
import { ATTRIBUTES, type IacDocument, type Input, Ref, type Resource, regionOf } from './model';
import { ID_PATTERN, logicalId, REGION_PATTERN, terraformName } from './names';

export class IacModelError extends CisBotError {
  constructor(message: string) {
    super('IAC_MODEL', message);
  }
}

export type DocNode = Input | Resource;

/** A model string: written as is when it is one, read from the node when it is a Ref. */
export function asText(value: unknown, what: string): string {
  if (typeof value !== 'string') {
    throw new IacModelError(
      `${what} is neither a string nor a Ref (a Ref copied with structuredClone or JSON loses its class: build it with ref()).`,
    );
  }
  return value;
}

/** A valid document's nodes by id, and the regions it spans (sorted). */
export interface DocumentIndex {
  nodes: ReadonlyMap<string, DocNode>;
  regions: string[];
}

const TARGET_ID = /^[.\-_A-Za-z0-9]{1,64}$/;
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * Calls `visit` for every Ref, string and number inside `value`, object keys included (a key of an event
 * pattern or a policy is written like any string), with a path for error messages.
 */
export function walkValues(
  value: unknown,
  path: string,
  visit: (leaf: Ref | string | number, path: string) => void,
): void {
  if (value instanceof Ref || typeof value === 'string' || typeof value === 'number') visit(value, path);
  else if (Array.isArray(value)) {
    value.forEach((v, i) => {
      walkValues(v, `${path}[${i}]`, visit);
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      visit(k, `${path} (a key)`);
      walkValues(v, `${path}.${k}`, visit);
    }
  }
}

function checkNames(doc: IacDocument): void {
  const seen = { Terraform: new Map<string, string>(), CloudFormation: new Map<string, string>() };
  const claim = (language: keyof typeof seen, name: string, id: string) => {
    const other = seen[language].get(name);
    if (other !== undefined && other !== id) {
      const what = language === 'Terraform' ? 'Terraform name' : 'CloudFormation logical id';
      throw new IacModelError(`Ids "${other}" and "${id}" both become the ${what} ${name}: rename one.`);
    }
    seen[language].set(name, id);
  };
  const ids = new Set<string>();
  for (const node of [...doc.inputs, ...doc.resources]) {
    if (!ID_PATTERN.test(node.id)) {
      throw new IacModelError(
        `Id "${node.id}" is not lower-case words of letters and digits joined by dashes (e.g. "cis-4-1-alarm").`,
      );
    }
    if (ids.has(node.id)) throw new IacModelError(`Id "${node.id}" is used twice.`);
    ids.add(node.id);
    claim('Terraform', terraformName(node.id), node.id);
    claim('CloudFormation', logicalId(node.id), node.id);
  }
  const outputs = new Set<string>();
  for (const output of doc.outputs) {
    if (!ID_PATTERN.test(output.id)) throw new IacModelError(`Output id "${output.id}" is not a valid id.`);
    const key = logicalId(output.id);
    if (outputs.has(key)) throw new IacModelError(`Output id "${output.id}" collides with another output.`);
    outputs.add(key);
  }
}

function checkNode(node: DocNode, doc: IacDocument): void {
  if (node.kind === 'existing-sns-topic') {
    const topic = parseTopicArn(node.arn);
    if (!topic) throw new IacModelError(`Input "${node.id}": "${node.arn}" is not an SNS topic ARN.`);
    if (doc.accountId !== undefined && topic.accountId !== doc.accountId) {
      throw new IacModelError(
        `Input "${node.id}": topic ${node.arn} is not in the document's account ${doc.accountId}; pass it as a variable instead.`,
      );
    }
  }
  const region = regionOf(node);
  if (node.kind !== 'variable' && (region === undefined || !REGION_PATTERN.test(region))) {
    throw new IacModelError(`"${node.id}": "${region ?? ''}" is not an AWS region name.`);
  }
  if (
    'replaces' in node &&
    node.replaces &&
    node.kind !== 'log-metric-filter' &&
    node.kind !== 'metric-alarm'
  ) {
    // Both writers know how to adopt only these (their import ids are derived from literal names).
    throw new IacModelError(
      `"${node.id}": only a metric filter or an alarm can replace an existing resource.`,
    );
  }
  if (node.kind === 'event-rule') {
    const targets = new Set<string>();
    for (const t of node.targets) {
      if (!TARGET_ID.test(t.id) || targets.has(t.id)) {
        throw new IacModelError(
          `Rule "${node.id}": target id "${t.id}" must be unique, 1-64 characters of letters, digits, ".", "-", "_".`,
        );
      }
      targets.add(t.id);
    }
  }
}

/** Throws IacModelError on the first problem; returns the index the writers use. */
export function validateDocument(doc: IacDocument): DocumentIndex {
  checkNames(doc);
  const nodes = new Map<string, DocNode>();
  for (const node of [...doc.inputs, ...doc.resources]) {
    checkNode(node, doc);
    nodes.set(node.id, node);
  }
  const visit = (owner: string) => (leaf: Ref | string | number, path: string) => {
    if (leaf instanceof Ref) {
      const target = nodes.get(leaf.target);
      if (!target)
        throw new IacModelError(`${path} refers to "${leaf.target}", which is not in the document.`);
      if (leaf.target === owner) throw new IacModelError(`${path} refers to its own resource.`);
      if (!ATTRIBUTES[target.kind].includes(leaf.attribute)) {
        throw new IacModelError(
          `${path} reads "${leaf.attribute}" of ${target.kind} "${target.id}", which offers: ${ATTRIBUTES[target.kind].join(', ') || 'nothing'}.`,
        );
      }
    } else if (typeof leaf === 'number' && !Number.isFinite(leaf)) {
      throw new IacModelError(`${path} is ${leaf}: only finite numbers can be written.`);
    } else if (typeof leaf === 'string' && LONE_SURROGATE.test(leaf)) {
      throw new IacModelError(`${path} holds a lone UTF-16 surrogate, which no template can carry.`);
    }
  };
  for (const node of [...doc.inputs, ...doc.resources]) walkValues(node, node.id, visit(node.id));
  for (const output of doc.outputs) walkValues(output, `output ${output.id}`, visit(''));
  walkValues([doc.description, doc.notes], 'document', visit(''));
  const regions = new Set<string>();
  for (const node of nodes.values()) {
    const region = regionOf(node);
    if (region !== undefined) regions.add(region);
  }
  return { nodes, regions: [...regions].sort() };
}
