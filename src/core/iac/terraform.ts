/**
 * The Terraform writer: one HCL file for the AWS provider. A document spanning regions gets one provider
 * configuration per region (alias `eu_west_2`, with `allowed_account_ids` when the document names its
 * account) and every block names its provider, so one `terraform apply` covers all regions and references
 * cross regions freely. Inputs become `data` sources (checked at plan time) or variables; a resource the
 * document replaces gets an `import` block (Terraform >= 1.5) so Terraform adopts it before updating it
 * instead of failing or silently overwriting. Pure.
 */
import { type HclBlock, type HclExpr, hcl, hclFile } from './hcl';
import type { IacDocument, Input, JsonValue, Output, Resource } from './model';
import { Ref } from './model';
import { providerAlias, terraformName } from './names';
import { type TerraformContext, terraformResourceBlocks } from './terraform-resources';
import {
  asText,
  type DocNode,
  type DocumentIndex,
  IacModelError,
  validateDocument,
  walkValues,
} from './validate';

/** The Terraform type (or data source) each node kind is written as, and its attributes' names there. */
const TF: Record<DocNode['kind'], { type: string; attributes: Record<string, string> }> = {
  'existing-log-group': { type: 'data.aws_cloudwatch_log_group', attributes: { name: 'name', arn: 'arn' } },
  'existing-sns-topic': { type: 'data.aws_sns_topic', attributes: { arn: 'arn' } },
  variable: { type: 'var', attributes: { value: '' } },
  'log-metric-filter': { type: 'aws_cloudwatch_log_metric_filter', attributes: { name: 'name' } },
  'sns-topic': { type: 'aws_sns_topic', attributes: { arn: 'arn', name: 'name' } },
  'sns-subscription': { type: 'aws_sns_topic_subscription', attributes: { arn: 'arn' } },
  'metric-alarm': { type: 'aws_cloudwatch_metric_alarm', attributes: { arn: 'arn', name: 'alarm_name' } },
  'event-rule': { type: 'aws_cloudwatch_event_rule', attributes: { arn: 'arn', name: 'name' } },
  'sqs-queue': { type: 'aws_sqs_queue', attributes: { arn: 'arn', url: 'url', name: 'name' } },
  'sqs-queue-policy': { type: 'aws_sqs_queue_policy', attributes: {} },
  'iam-role': { type: 'aws_iam_role', attributes: { arn: 'arn', name: 'name' } },
  'iam-managed-policy': { type: 'aws_iam_policy', attributes: { arn: 'arn', name: 'name' } },
};

function makeContext(index: DocumentIndex): TerraformContext {
  const refText = (r: Ref): string => {
    const node = index.nodes.get(r.target);
    if (!node) throw new IacModelError(`Unknown reference ${r.target}`);
    const tf = TF[node.kind];
    const attribute = tf.attributes[r.attribute];
    const base = `${tf.type}.${terraformName(node.id)}`;
    return attribute ? `${base}.${attribute}` : base;
  };
  const json = (value: JsonValue): HclExpr => {
    if (value instanceof Ref) return hcl.reference(refText(value));
    if (value === null) return { t: 'null' };
    if (Array.isArray(value)) return hcl.list(value.map(json));
    if (typeof value === 'object') {
      return { t: 'object', entries: Object.entries(value).map(([k, v]) => [k, json(v)]) };
    }
    if (typeof value === 'string') return hcl.string(value);
    if (typeof value === 'number') return hcl.number(value);
    return hcl.bool(value);
  };
  return {
    str: (value) =>
      value instanceof Ref ? hcl.reference(refText(value)) : hcl.string(asText(value, 'A value')),
    json: (value) => ({ t: 'call', name: 'jsonencode', args: [json(value)] }),
    provider: (region) => hcl.attr('provider', hcl.reference(`aws.${providerAlias(region)}`)),
    address: (resource) => `${TF[resource.kind].type}.${terraformName(resource.id)}`,
  };
}

function settingsBlocks(doc: IacDocument, regions: readonly string[]): HclBlock[] {
  const settings: HclBlock = {
    type: 'terraform',
    labels: [],
    body: [
      hcl.attr('required_version', hcl.string('>= 1.5.0')),
      hcl.block(
        'required_providers',
        [],
        [
          hcl.attr('aws', {
            t: 'object',
            entries: [
              ['source', hcl.string('hashicorp/aws')],
              ['version', hcl.string('>= 5.0')],
            ],
          }),
        ],
      ),
    ],
  };
  const providers = regions.map(
    (region): HclBlock => ({
      type: 'provider',
      labels: ['aws'],
      body: [
        hcl.attr('alias', hcl.string(providerAlias(region))),
        hcl.attr('region', hcl.string(region)),
        ...(doc.accountId ? [hcl.attr('allowed_account_ids', hcl.list([hcl.string(doc.accountId)]))] : []),
      ],
    }),
  );
  return [settings, ...providers];
}

function inputBlock(input: Input, ctx: TerraformContext): HclBlock {
  const label = terraformName(input.id);
  const comment = [input.description];
  switch (input.kind) {
    case 'existing-log-group':
      return {
        type: 'data',
        labels: ['aws_cloudwatch_log_group', label],
        comment,
        body: [ctx.provider(input.region), hcl.attr('name', hcl.string(input.name))],
      };
    case 'existing-sns-topic': {
      const [, , , region = '', , name = ''] = input.arn.split(':');
      return {
        type: 'data',
        labels: ['aws_sns_topic', label],
        comment: [...comment, input.arn],
        body: [ctx.provider(region), hcl.attr('name', hcl.string(name))],
      };
    }
    case 'variable':
      return {
        type: 'variable',
        labels: [label],
        body: [
          hcl.attr('description', hcl.string(input.description)),
          hcl.attr('type', hcl.reference('string')),
          ...(input.default !== undefined ? [hcl.attr('default', hcl.string(input.default))] : []),
        ],
      };
    default: {
      const unreachable: never = input;
      throw new IacModelError(`unknown input ${JSON.stringify(unreachable)}`);
    }
  }
}

/** The id `terraform import` takes for a resource the document replaces. */
function importId(resource: Resource, index: DocumentIndex): string {
  if (resource.kind === 'metric-alarm') return resource.name;
  if (resource.kind === 'log-metric-filter') {
    const group = resource.logGroupName;
    const node = group instanceof Ref ? index.nodes.get(group.target) : undefined;
    const groupName =
      typeof group === 'string' ? group : node?.kind === 'existing-log-group' ? node.name : '';
    if (groupName) return `${groupName}:${resource.name}`;
  }
  throw new IacModelError(`"${resource.id}": Terraform cannot adopt an existing ${resource.kind} here.`);
}

function importBlock(resource: Resource, ctx: TerraformContext, index: DocumentIndex): HclBlock {
  return {
    type: 'import',
    labels: [],
    comment: [`${resource.replaces?.summary ?? ''}: adopted into the state, then updated.`],
    body: [
      ctx.provider(resource.region),
      hcl.attr('to', hcl.reference(ctx.address(resource))),
      hcl.attr('id', hcl.string(importId(resource, index))),
    ],
  };
}

function outputBlock(output: Output, ctx: TerraformContext): HclBlock {
  return {
    type: 'output',
    labels: [terraformName(output.id)],
    body: [hcl.attr('description', hcl.string(output.description)), hcl.attr('value', ctx.str(output.value))],
  };
}

function header(doc: IacDocument, regions: readonly string[]): string[] {
  return [
    doc.description,
    '',
    `Generated by cis-bot. Account: ${doc.accountId ?? 'the credentials in use'}; region(s): ${regions.join(', ')} (one provider alias each).`,
    'Needs Terraform >= 1.5 and the hashicorp/aws provider >= 5.0.',
    ...(doc.notes.length > 0 ? ['', ...doc.notes.map((n) => `- ${n}`)] : []),
  ];
}

/**
 * HCL normalizes every string it reads to Unicode NFC, escaped or not (`"\uF900"` reads as U+8C48), so a
 * value that is not in NFC cannot reach AWS unchanged through Terraform: refused rather than silently
 * altered (a filter pattern must arrive exactly as planned). Comments are exempt: they are not values.
 */
function checkNfc(doc: IacDocument): void {
  const check = (leaf: Ref | string | number, path: string) => {
    if (typeof leaf === 'string' && !path.endsWith('.comment') && leaf !== leaf.normalize('NFC')) {
      throw new IacModelError(
        `${path} is not in Unicode NFC, and Terraform reads every string as NFC: it would reach AWS changed. Use CloudFormation, or normalize it.`,
      );
    }
  };
  for (const node of [...doc.inputs, ...doc.resources]) walkValues(node, node.id, check);
}

/** The document as one Terraform file (HCL). Throws IacModelError for an invalid document. */
export function toTerraform(doc: IacDocument): string {
  const index = validateDocument(doc);
  checkNfc(doc);
  const ctx = makeContext(index);
  const blocks: HclBlock[] = [...settingsBlocks(doc, index.regions)];
  blocks.push(...doc.inputs.filter((i) => i.kind === 'variable').map((i) => inputBlock(i, ctx)));
  blocks.push(...doc.inputs.filter((i) => i.kind !== 'variable').map((i) => inputBlock(i, ctx)));
  for (const resource of doc.resources) {
    blocks.push(...terraformResourceBlocks(resource, ctx));
    if (resource.replaces) blocks.push(importBlock(resource, ctx, index));
  }
  blocks.push(...doc.outputs.map((o) => outputBlock(o, ctx)));
  return hclFile(header(doc, index.regions), blocks);
}
