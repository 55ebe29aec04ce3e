/**
 * The CloudFormation writer. A stack lives in one region, so a document spanning regions becomes one
 * template per region, returned in the order they must be deployed; each template says so in its
 * Metadata notes and (YAML) its header comment. Within a template references are intrinsics
 * (`Ref`, `Fn::GetAtt`); a reference to a resource of another region's template is written as the ARN or
 * URL that resource will have (`Fn::Sub` with `AWS::Partition`, `AWS::AccountId`, `AWS::URLSuffix`; the
 * document is one account) and makes that region's template deploy first. Inputs become String
 * parameters, with the existing resource's name or ARN as default. Pure.
 */
import {
  type CfnResource,
  type CfnValue,
  type CloudFormationContext,
  cloudFormationResource,
  importIdentifier,
} from './cloudformation-resources';
import { templateJson, templateYaml } from './cloudformation-text';
import {
  commentLines,
  type IacDocument,
  type Input,
  type JsonValue,
  Ref,
  type Resource,
  regionOf,
} from './model';
import { logicalId } from './names';
import { asText, type DocumentIndex, IacModelError, validateDocument } from './validate';

export type CloudFormationFormat = 'yaml' | 'json';

export interface CloudFormationTemplate {
  region: string;
  /** A file name for it: `cis-bot.eu-west-2.yaml`. */
  fileName: string;
  /** Regions whose templates must be deployed before this one (it uses their resources' ARNs). */
  deployAfter: string[];
  body: string;
}

/** `${` starts a variable in Fn::Sub; a literal one is written `${!`. */
const subLiteral = (s: string) => s.replaceAll('${', '${!');

/** The ARN (or URL) a named resource will have, for a template of another region. */
function predicted(node: Resource, attribute: string): CfnValue | undefined {
  const at = (service: string, rest: string) =>
    `arn:\${AWS::Partition}:${service}:${node.region}:\${AWS::AccountId}:${rest}`;
  let text: string | undefined;
  switch (node.kind) {
    case 'sns-topic':
      text = at('sns', subLiteral(node.name));
      break;
    case 'metric-alarm':
      text = at('cloudwatch', `alarm:${subLiteral(node.name)}`);
      break;
    case 'event-rule': {
      const bus = node.eventBusName && node.eventBusName !== 'default' ? `${node.eventBusName}/` : '';
      text = at('events', `rule/${subLiteral(bus + node.name)}`);
      break;
    }
    case 'sqs-queue':
      text =
        attribute === 'url'
          ? `https://sqs.${node.region}.\${AWS::URLSuffix}/\${AWS::AccountId}/${subLiteral(node.name)}`
          : at('sqs', subLiteral(node.name));
      break;
    case 'iam-role':
      text = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:role/${subLiteral(node.name)}`;
      break;
    case 'iam-managed-policy':
      text = `arn:\${AWS::Partition}:iam::\${AWS::AccountId}:policy/${subLiteral(node.name)}`;
      break;
    default:
      return undefined;
  }
  return { 'Fn::Sub': text };
}

/** The intrinsic for `attribute` of a resource in the same template (`name` is written as a literal). */
function intrinsic(node: Resource, attribute: string): CfnValue | undefined {
  const id = logicalId(node.id);
  const getAtt = (name: string) => ({ 'Fn::GetAtt': [id, name] });
  const table: Partial<Record<Resource['kind'], Record<string, CfnValue>>> = {
    'sns-topic': { arn: { Ref: id } },
    'sns-subscription': { arn: { Ref: id } },
    'metric-alarm': { arn: getAtt('Arn') },
    'event-rule': { arn: getAtt('Arn') },
    'sqs-queue': { arn: getAtt('Arn'), url: { Ref: id } },
    'iam-role': { arn: getAtt('Arn') },
    'iam-managed-policy': { arn: { Ref: id } },
  };
  return table[node.kind]?.[attribute];
}

/** One template's references: the parameters, DependsOn and earlier regions they need. */
class TemplateRefs {
  readonly parameters = new Map<string, { [key: string]: CfnValue }>();
  readonly after = new Set<string>();
  dependsOn = new Set<string>();

  constructor(
    private readonly region: string,
    private readonly index: DocumentIndex,
  ) {}

  private parameter(node: Input, fallback: string | undefined): string {
    const id = logicalId(node.id);
    this.parameters.set(id, {
      Type: 'String',
      // CloudFormation caps a parameter's Description at 4000 characters.
      Description: node.description.slice(0, 4000),
      ...(fallback !== undefined ? { Default: fallback } : {}),
    });
    return id;
  }

  resolve(r: Ref): CfnValue {
    const node = this.index.nodes.get(r.target);
    if (!node) throw new IacModelError(`Unknown reference ${r.target}`);
    switch (node.kind) {
      case 'existing-log-group': {
        const p = this.parameter(node, node.name);
        if (r.attribute === 'name') return { Ref: p };
        return {
          'Fn::Sub': `arn:\${AWS::Partition}:logs:${node.region}:\${AWS::AccountId}:log-group:\${${p}}`,
        };
      }
      case 'existing-sns-topic':
        return { Ref: this.parameter(node, node.arn) };
      case 'variable':
        return { Ref: this.parameter(node, node.default) };
      default:
        break;
    }
    const sameTemplate = node.region === this.region;
    if (r.attribute === 'name' && 'name' in node) {
      if (sameTemplate) this.dependsOn.add(logicalId(node.id));
      else this.after.add(node.region);
      return node.name;
    }
    const value = sameTemplate ? intrinsic(node, r.attribute) : predicted(node, r.attribute);
    if (value === undefined) {
      throw new IacModelError(
        `"${node.id}" (${node.kind}, ${node.region}) cannot be referenced by its ${r.attribute} from the ${this.region} template.`,
      );
    }
    if (!sameTemplate) this.after.add(node.region);
    return value;
  }

  context(): CloudFormationContext {
    const json = (value: JsonValue): CfnValue => {
      if (value instanceof Ref) return this.resolve(value);
      if (Array.isArray(value)) return value.map(json);
      if (value !== null && typeof value === 'object') {
        return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, json(v)]));
      }
      return value;
    };
    return { str: (v) => (v instanceof Ref ? this.resolve(v) : asText(v, 'A value')), json };
  }
}

type CfnMap = { [key: string]: CfnValue };

interface Built {
  region: string;
  parameters: CfnMap;
  resources: CfnMap;
  outputs: CfnMap;
  /** Comment lines above each resource (YAML). */
  comments: Map<string, string[]>;
  after: string[];
  notes: string[];
}

function importNote(resource: Resource, cfn: CfnResource, index: DocumentIndex): string | undefined {
  if (!resource.replaces) return undefined;
  const group = resource.kind === 'log-metric-filter' ? resource.logGroupName : undefined;
  const groupNode = group instanceof Ref ? index.nodes.get(group.target) : undefined;
  const groupName =
    typeof group === 'string' ? group : groupNode?.kind === 'existing-log-group' ? groupNode.name : undefined;
  const identifier = importIdentifier(resource, groupName);
  const id = logicalId(resource.id);
  const how = identifier
    ? `import it into the stack first (a change set of type IMPORT with --resources-to-import '${JSON.stringify([{ ResourceType: cfn.Type, LogicalResourceId: id, ResourceIdentifier: identifier }])}'), then update the stack with this template`
    : 'import it into the stack first (resource import), then update the stack with this template';
  return `${id} replaces an existing resource (${resource.replaces.summary}): creating it fails while the old one exists, so ${how}.`;
}

function buildTemplate(doc: IacDocument, index: DocumentIndex, region: string, regions: string[]): Built {
  const refs = new TemplateRefs(region, index);
  const ctx = refs.context();
  const resources: CfnMap = {};
  const comments = new Map<string, string[]>();
  const notes: string[] = [];
  let namedIam = false;
  for (const resource of doc.resources.filter((r) => r.region === region)) {
    refs.dependsOn = new Set();
    const cfn = cloudFormationResource(resource, ctx);
    const id = logicalId(resource.id);
    const entry: CfnMap = { Type: cfn.Type };
    const dependsOn = [...refs.dependsOn].filter((d) => d !== id).sort();
    if (dependsOn.length > 0) entry.DependsOn = dependsOn;
    if (resource.replaces) {
      // Import needs a deletion policy, and the old resource must survive a rollback or a deleted stack.
      entry.DeletionPolicy = 'Retain';
      entry.UpdateReplacePolicy = 'Retain';
    }
    entry.Properties = cfn.Properties;
    resources[id] = entry;
    const lines = commentLines(resource);
    if (lines.length > 0) comments.set(id, lines);
    const note = importNote(resource, cfn, index);
    if (note) notes.push(note);
    if (resource.kind === 'iam-role' || resource.kind === 'iam-managed-policy') namedIam = true;
  }
  const outputs: CfnMap = {};
  for (const output of doc.outputs) {
    // In the template of the region it reads from (the first template for a variable).
    const target = index.nodes.get(output.value.target);
    const own = target ? regionOf(target) : undefined;
    const home = own !== undefined && regions.includes(own) ? own : regions[0];
    if (home !== region) continue;
    outputs[logicalId(output.id)] = { Description: output.description, Value: refs.resolve(output.value) };
  }
  if (namedIam)
    notes.push('It creates named IAM resources: deploy it with --capabilities CAPABILITY_NAMED_IAM.');
  const after = [...refs.after].filter((r) => r !== region).sort();
  return {
    region,
    parameters: Object.fromEntries(refs.parameters),
    resources,
    outputs,
    comments,
    after,
    notes,
  };
}

/** The regions in deployment order (Kahn's algorithm, alphabetical among regions that are free). */
function deploymentOrder(built: readonly Built[]): Built[] {
  const pending = new Map(built.map((b) => [b.region, b]));
  const order: Built[] = [];
  while (pending.size > 0) {
    const ready = [...pending.values()].filter((b) => b.after.every((r) => !pending.has(r)));
    const next = ready.sort((a, b) => a.region.localeCompare(b.region))[0];
    if (!next) {
      throw new IacModelError(
        `The templates of ${[...pending.keys()].join(', ')} refer to each other's resources: no region can be deployed first.`,
      );
    }
    order.push(next);
    pending.delete(next.region);
  }
  return order;
}

/** CloudFormation caps a template's Description at 1024 bytes (UTF-8). */
function capBytes(text: string, max: number): string {
  const encoder = new TextEncoder();
  if (encoder.encode(text).length <= max) return text;
  let out = '';
  let used = 3; // the "..." at the end
  for (const char of text) {
    used += encoder.encode(char).length;
    if (used > max) break;
    out += char;
  }
  return `${out}...`;
}

/** The document as CloudFormation templates, one per region, in deployment order. */
export function toCloudFormation(doc: IacDocument, format: CloudFormationFormat): CloudFormationTemplate[] {
  const index = validateDocument(doc);
  const regions = [...new Set(doc.resources.map((r) => r.region))].sort();
  if (regions.length === 0)
    throw new IacModelError('The document creates nothing: CloudFormation needs a resource.');
  const ordered = deploymentOrder(regions.map((region) => buildTemplate(doc, index, region, regions)));
  return ordered.map((b, i) => {
    const where = `account ${doc.accountId ?? 'of the credentials in use'}, region ${b.region}`;
    const split =
      ordered.length > 1
        ? [
            `CloudFormation deploys one stack per region: this is template ${i + 1} of ${ordered.length} (${ordered.map((o) => o.region).join(', then ')}).` +
              (b.after.length > 0 ? ` Deploy it after the stack(s) of ${b.after.join(', ')}.` : ''),
          ]
        : [];
    const notes = [...split, ...doc.notes, ...b.notes];
    const template: CfnMap = {
      AWSTemplateFormatVersion: '2010-09-09',
      Description: capBytes(`${doc.description} (${where})`, 1024),
      Metadata: { CisBot: { Account: doc.accountId ?? null, Region: b.region, Notes: notes } },
    };
    if (Object.keys(b.parameters).length > 0) template.Parameters = b.parameters;
    template.Resources = b.resources;
    if (Object.keys(b.outputs).length > 0) template.Outputs = b.outputs;
    const header = [
      `${doc.description}`,
      `Generated by cis-bot for ${where}.`,
      ...notes.map((n) => `- ${n}`),
    ];
    return {
      region: b.region,
      fileName: `cis-bot.${b.region}.${format}`,
      deployAfter: b.after,
      body: format === 'json' ? templateJson(template) : templateYaml(template, header, b.comments),
    };
  });
}
